package main

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/csci/exchangeeval/internal/mongostore"
	"github.com/csci/exchangeeval/internal/mongostore/storetest"
	"github.com/csci/exchangeeval/internal/staff"
)

// TestAPITokensExpireAndAreRevokedOneByOne: a token says when it expires
// when it is made (90 days unless told otherwise) and stops working then;
// tokens list shows each with its id; tokens revoke ends one and leaves the
// others working, and the audit trail records it.
func TestAPITokensExpireAndAreRevokedOneByOne(t *testing.T) {
	c := newCLI(t)
	c.mustRun("exchange", "create", "--id", "x1", "--instrument", "csci-social-services", "--name", "X", "--host-city", "Chicago",
		"--visiting-city", "Paris", "--start", "2027-04-11", "--end", "2027-04-17")
	var out, errb bytes.Buffer
	if err := run(context.Background(), []string{"users", "add", "--email", "eve@example.org", "--role", "evaluator"},
		func(k string) string { return c.env[k] }, strings.NewReader("evaluator-password-1\n"), &out, &errb); err != nil {
		t.Fatal(err, errb.String())
	}
	create := func(args ...string) (secret, note string) {
		t.Helper()
		var out, errb bytes.Buffer
		if err := run(context.Background(), append([]string{"tokens", "create", "--user", "eve@example.org"}, args...),
			func(k string) string { return c.env[k] }, strings.NewReader(""), &out, &errb); err != nil {
			t.Fatal(err, errb.String())
		}
		return strings.TrimSpace(out.String()), errb.String()
	}
	first, note := create("--name", "r-script")
	if want := "valid until " + time.Now().UTC().Add(staff.DefaultTokenTTL).Format(time.DateOnly); !strings.Contains(note, want) {
		t.Errorf("the token's expiry is not shown at creation: %s", note)
	}
	second, _ := create("--name", "dashboard", "--expires-in", "30d")
	if _, _, err := c.run("tokens", "create", "--user", "eve@example.org", "--expires-in", "forever"); exitCode(err) != 2 {
		t.Errorf("--expires-in forever: %v", err)
	}

	addr, stop := c.serveFor()
	defer stop()
	call := func(secret string) int {
		req, _ := http.NewRequest(http.MethodGet, addr+"/api/v1/exchanges/x1/report", nil)
		req.Header.Set("Authorization", "Bearer "+secret)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if call(first) != http.StatusOK || call(second) != http.StatusOK {
		t.Fatalf("new tokens: %d %d", call(first), call(second))
	}
	list := c.mustRun("tokens", "list")
	if !strings.Contains(list, "r-script") || !strings.Contains(list, "dashboard") || !strings.Contains(list, time.Now().UTC().AddDate(0, 0, 30).Format(time.DateOnly)) {
		t.Errorf("tokens list:\n%s", list)
	}
	var id string
	for _, line := range strings.Split(list, "\n") {
		if strings.Contains(line, "r-script") {
			id = strings.Fields(line)[0]
		}
	}
	if out := c.mustRun("tokens", "revoke", id); !strings.Contains(out, "revoked API token "+id+" (r-script)") {
		t.Errorf("revoke: %s", out)
	}
	if call(first) != http.StatusUnauthorized || call(second) != http.StatusOK {
		t.Errorf("after revoking one: %d (want 401), the other %d (want 200)", call(first), call(second))
	}
	if _, _, err := c.run("tokens", "revoke", id); exitCode(err) != 3 {
		t.Errorf("revoking it again: %v", err)
	}

	// A token past its day stops working, and says so.
	ctx := context.Background()
	s, err := mongostore.Open(ctx, mongostore.Config{URI: c.env["MONGODB_URI"], Database: c.env["EXCHANGEEVAL_DATABASE"], Secret: storetest.Secret})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(ctx)
	secret, hash := staff.NewSecret()
	if err := s.CreateToken(ctx, &staff.APIToken{Hash: hash, User: "eve@example.org", Name: "old", CreatedAt: time.Now().AddDate(0, 0, -100)}); err != nil {
		t.Fatal(err)
	}
	if code := call(secret); code != http.StatusUnauthorized {
		t.Errorf("a token made 100 days ago without an expiry: %d, want 401", code)
	}
	if !strings.Contains(c.mustRun("tokens", "list", "--user", "eve@example.org"), "(expired)") {
		t.Error("the expired token is not listed as expired")
	}
	trail, _, err := s.AuditTrail(ctx, staff.AuditQuery{Action: staff.AuditTokenRevoked})
	if err != nil || len(trail) != 1 || trail[0].Detail != "r-script" {
		t.Errorf("audit of the revocation: %v %+v", err, trail)
	}
}
