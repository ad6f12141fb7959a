package main

import (
	"context"
	"encoding/csv"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/mongostore"
	"github.com/csci/exchangeeval/internal/mongostore/storetest"
	"github.com/csci/exchangeeval/internal/survey"
)

// customInstrument writes the shipped instrument under another id into a
// folder of its own, for --surveys, and returns the folder.
func customInstrument(t *testing.T, id string, edit func(string) string) string {
	t.Helper()
	src, err := os.ReadFile("../../surveys/csci-social-services.yaml")
	if err != nil {
		t.Fatal(err)
	}
	def := strings.Replace(string(src), "\nid: csci-social-services\n", "\nid: "+id+"\n", 1)
	if edit != nil {
		def = edit(def)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, id+".yaml"), []byte(def), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// serveFor starts serve in this process with args and returns its address
// and a function that stops it and returns its error.
func (c *cli) serveFor(args ...string) (string, func() error) {
	c.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out, errb := &syncBuffer{}, &syncBuffer{}
	done := make(chan error, 1)
	args = append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)
	go func() {
		done <- run(ctx, args, func(k string) string { return c.env[k] }, strings.NewReader(""), out, errb)
	}()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if s := out.String(); strings.Contains(s, "is serving on ") {
			// The address it listens on: the base URL, or, when one is
			// configured, the one in brackets after it.
			rest := s[strings.Index(s, "is serving on ")+len("is serving on "):]
			if _, listening, ok := strings.Cut(strings.SplitN(rest, "\n", 2)[0], "(listening on "); ok {
				rest = listening
			}
			addr := strings.TrimSuffix(strings.Fields(rest)[0], ")")
			return addr, func() error { cancel(); return <-done }
		}
		select {
		case err := <-done:
			cancel()
			c.t.Fatalf("serve ended: %v\n%s", err, errb)
		case <-time.After(20 * time.Millisecond):
		}
	}
	cancel()
	c.t.Fatalf("serve did not start:\n%s", errb)
	return "", nil
}

// TestInstrumentsAnExchangeUsesAreKept: an exchange made on an instrument
// from --surveys keeps working when every later command and serve are
// started without the flag; an older exchange made before instruments were
// kept has its instrument stored by the next start that has the file; a
// file that disagrees with the stored version is refused at start with
// both hashes; an exchange whose instrument is nowhere is reported as
// that, not as the database being down.
func TestInstrumentsAnExchangeUsesAreKept(t *testing.T) {
	c := newCLI(t)
	dir := customInstrument(t, "city-custom", nil)
	c.mustRun("exchange", "create", "--surveys", dir, "--id", "custom-2027", "--instrument", "city-custom", "--name", "Custom",
		"--host-city", "Chicago", "--visiting-city", "Hamburg", "--start", "2027-04-11", "--end", "2027-04-17")

	// Every later command, without the flag.
	c.mustRun("exchange", "open-wave", "--exchange", "custom-2027", "pre")
	people := writeFile(t, "people.csv", "name,email,city,role,language,side\nAnna,anna@example.org,Hamburg,practitioner,en,visiting\n")
	out := c.mustRun("participants", "import", "--exchange", "custom-2027", "--base-url", "https://eval.example.org", people)
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil || len(rows) != 2 {
		t.Fatalf("links: %v %q", err, out)
	}
	var link string
	for _, cell := range rows[1] {
		if strings.HasPrefix(cell, "https://eval.example.org/s/") {
			link = cell
		}
	}
	if out := c.mustRun("instruments", "list"); !strings.Contains(out, "city-custom") {
		t.Errorf("the kept instrument is not listed:\n%s", out)
	}

	// serve, without the flag: the delegate's link and the dashboard work.
	addr, stop := c.serveFor()
	resp, err := http.Get(addr + strings.TrimPrefix(link, "https://eval.example.org"))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `name="wave" value="pre"`) {
		t.Errorf("the delegate's link without --surveys: %d\n%s", resp.StatusCode, body)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}

	// An older exchange, stored before instruments were kept: the next
	// command with the file stores it, and the one after needs no flag.
	older := customInstrument(t, "city-older", nil)
	set, probs := survey.LoadPaths(older)
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	ctx := context.Background()
	st, err := mongostore.Open(ctx, mongostore.Config{URI: c.env["MONGODB_URI"], Database: c.env["EXCHANGEEVAL_DATABASE"], Secret: storetest.Secret})
	if err != nil {
		t.Fatal(err)
	}
	x, err := exchange.NewExchange{ID: "older-2015", Name: "Older", Instrument: "city-older", HostCity: "Chicago", VisitingCity: "Durban",
		Start: "2015-04-11", End: "2015-04-17"}.Build(survey.NewSet(set...), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := st.CreateExchange(ctx, x); err != nil {
		t.Fatal(err)
	}
	_ = st.Close(ctx)
	if _, errOut, err := c.run("exchange", "open-wave", "--exchange", "older-2015", "pre"); exitCode(err) != 5 ||
		!strings.Contains(errOut+userMessage(err), "city-older version 3, which is neither in the store nor in a definition file") {
		t.Errorf("an exchange whose instrument is nowhere: exit %d, %v\n%s", exitCode(err), err, errOut)
	}
	c.mustRun("exchange", "list", "--surveys", older)
	c.mustRun("exchange", "open-wave", "--exchange", "older-2015", "pre")

	// A file saying something else under the same version is refused at
	// start, naming both hashes.
	changed := customInstrument(t, "city-custom", func(def string) string {
		return strings.Replace(def, "Before the exchange", "Before the visit", 1)
	})
	_, _, err = c.run("serve", "--addr", "127.0.0.1:0", "--surveys", changed)
	if exitCode(err) != 2 || !strings.Contains(userMessage(err), "instrument city-custom@3 is stored with other content (stored canonical sha256 ") ||
		!strings.Contains(userMessage(err), filepath.Join(changed, "city-custom.yaml")) {
		t.Errorf("a disagreeing file: exit %d, %v", exitCode(err), err)
	}
	if _, _, err := c.run("exchange", "list", "--surveys", changed); exitCode(err) != 2 {
		t.Errorf("a command with a disagreeing file: exit %d, %v", exitCode(err), err)
	}
}

// TestTheBaseURLServeIsGivenIsStored: serve stores the address it is
// given; participants import and invite then use it without being told;
// invite refuses to queue links to localhost, or with no address known,
// unless told so; the links file holds working links and is readable by
// its owner only.
func TestTheBaseURLServeIsGivenIsStored(t *testing.T) {
	c := newCLI(t)
	c.env["EXCHANGEEVAL_SMTP_URL"] = "smtp://127.0.0.1:1?tls=none"
	c.env["EXCHANGEEVAL_MAIL_FROM"] = "eval@example.org"
	c.mustRun("exchange", "create", "--id", "x1", "--instrument", "csci-social-services", "--name", "X", "--host-city", "Chicago",
		"--visiting-city", "Paris", "--start", "2027-04-11", "--end", "2027-04-17")
	c.mustRun("exchange", "open-wave", "--exchange", "x1", "pre")
	people := writeFile(t, "people.csv", "name,email,city,role,language,side\nAnna,anna@example.org,Paris,practitioner,en,visiting\n")
	c.mustRun("participants", "import", "--exchange", "x1", people)

	// Nothing known: invite refuses, saying how to set it.
	if _, _, err := c.run("invite", "--exchange", "x1", "--wave", "pre"); exitCode(err) != 2 || !strings.Contains(err.Error(), "no base URL is known") {
		t.Errorf("invite with no base URL: %v", err)
	}
	// localhost: refused unless told so.
	if _, _, err := c.run("invite", "--exchange", "x1", "--wave", "pre", "--dry-run", "--base-url", "http://localhost:8080"); exitCode(err) != 2 || !strings.Contains(err.Error(), "only this machine reaches") {
		t.Errorf("invite to localhost: %v", err)
	}
	if _, errOut, err := c.run("invite", "--exchange", "x1", "--wave", "pre", "--dry-run", "--base-url", "http://127.0.0.1:8080", "--allow-localhost"); err != nil {
		t.Errorf("invite to localhost, allowed: %v %s", err, errOut)
	}

	// serve is given the address once: it is stored.
	_, stop := c.serveFor("--base-url", "https://eval.example.org")
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "links.csv")
	_, errOut, err := c.run("participants", "import", "--exchange", "x1", "--out", out, people)
	if err != nil {
		t.Fatal(err, errOut)
	}
	data, err := os.ReadFile(out)
	if err != nil || !strings.Contains(string(data), ",https://eval.example.org/s/") || strings.Contains(errOut, "no base URL") {
		t.Errorf("links after serve stored the address: %s %s", data, errOut)
	}
	if fi, err := os.Stat(out); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("the links file's mode: %v %v", fi.Mode(), err)
	}
	if outText, errOut, err := c.run("invite", "--exchange", "x1", "--wave", "pre", "--dry-run"); err != nil || !strings.Contains(outText, "anna@example.org") {
		t.Errorf("invite with the stored address: %v %s %s", err, outText, errOut)
	}
}
