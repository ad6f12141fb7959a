package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"os/exec"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/csci/exchangeeval"
	"github.com/csci/exchangeeval/internal/mongostore/storetest"
	"github.com/csci/exchangeeval/internal/staff"
	"github.com/csci/exchangeeval/internal/web"
)

// TestBrowserCreatesTheFirstAdmin: on a store without any admin, the home
// page leads to sign-in, and /setup creates the first admin with the code
// serve printed — not with another code, not with two different
// passwords — after which the account signs in, the page is closed, and
// the audit trail says who was created.
func TestBrowserCreatesTheFirstAdmin(t *testing.T) {
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("chromium not installed: apt-get install chromium to run the browser test")
	}
	store := storetest.Open(t)
	code := staff.NewReadableCode()
	h, err := web.NewServer(store, instruments(t), exchangeeval.Templates, slog.New(slog.NewTextHandler(io.Discard, nil)), web.Config{SetupCode: code})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	b := newBrowser(t, chromium)

	var signIn string
	if err := chromedp.Run(b, chromedp.Navigate(srv.URL+"/"), chromedp.AttributeValue(`main a[href="/login"]`, "href", &signIn, nil, chromedp.ByQuery)); err != nil {
		t.Fatalf("the home page's link to sign-in: %v", err)
	}
	send := func(code, password2 string) string {
		var alert string
		err := chromedp.Run(b, chromedp.Navigate(srv.URL+"/setup"), chromedp.WaitVisible("#code", chromedp.ByQuery),
			chromedp.SendKeys("#code", code, chromedp.ByQuery), chromedp.SendKeys("#name", "Amal Haddad", chromedp.ByQuery),
			chromedp.SendKeys("#email", "amal@example.org", chromedp.ByQuery), chromedp.SendKeys("#password", "a long first password", chromedp.ByQuery),
			chromedp.SendKeys("#password2", password2, chromedp.ByQuery), chromedp.Click(`form[action="/setup"] button`, chromedp.ByQuery),
			// The answer, not the form still on the screen: a refusal's
			// summary, or the link on to sign-in.
			chromedp.WaitVisible(`main .summary, main a[href="/login"]`, chromedp.ByQuery), chromedp.Text("main", &alert, chromedp.ByQuery))
		if err != nil {
			t.Fatal(err)
		}
		return alert
	}
	if got := send("WRONG-CODE", "a long first password"); !strings.Contains(got, "not the code the service printed") {
		t.Errorf("a wrong code: %q", got)
	}
	if got := send(strings.ToLower(code), "another password"); !strings.Contains(got, "The two passwords differ") {
		t.Errorf("two passwords: %q", got)
	}
	if users, _ := store.Users(context.Background()); len(users) != 0 {
		t.Fatalf("accounts created by refused forms: %d", len(users))
	}
	// The code as printed, typed in lower case with spaces: taken.
	if got := send(" "+strings.ToLower(code)+" ", "a long first password"); !strings.Contains(got, "The admin account amal@example.org is created") {
		t.Fatalf("the right code: %q", got)
	}
	shotTo(t, b, "setup-done.png")
	var location string
	if err := chromedp.Run(b, chromedp.Navigate(srv.URL+"/setup"), chromedp.WaitVisible("#email", chromedp.ByQuery), chromedp.Location(&location)); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(location, "/login") {
		t.Errorf("with an admin, /setup leads to %s, not sign-in", location)
	}
	var who string
	if err := chromedp.Run(b, chromedp.SendKeys("#email", "amal@example.org", chromedp.ByQuery), chromedp.SendKeys("#password", "a long first password", chromedp.ByQuery),
		chromedp.Click(`form[action="/login"] button`, chromedp.ByQuery), chromedp.WaitVisible(".staffnav .who", chromedp.ByQuery),
		chromedp.Text(".staffnav .who", &who, chromedp.ByQuery)); err != nil {
		t.Fatalf("signing in as the first admin: %v", err)
	}
	if who != "Amal Haddad" {
		t.Errorf("signed in as %q", who)
	}
	events, _, err := store.AuditTrail(context.Background(), staff.AuditQuery{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range events {
		found = found || e.Note == "first-admin" && e.Actor == "amal@example.org"
	}
	if !found {
		t.Errorf("the audit trail does not record the first admin: %+v", events)
	}
}
