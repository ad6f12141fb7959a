package web_test

import (
	"context"
	"io"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/csci/exchangeeval/internal/mailing"
	"github.com/csci/exchangeeval/internal/smtpsend"
	"github.com/csci/exchangeeval/internal/smtpsend/smtptest"
	"github.com/csci/exchangeeval/internal/staff"
	"github.com/csci/exchangeeval/internal/web"
)

// submit sends a form with the token of the page it is on, as a browser
// does, and returns the status and the page that answers.
func (s *site) submit(c *http.Client, from, path string, form url.Values) (int, string) {
	s.t.Helper()
	form.Set("csrf_token", s.csrf(c, from))
	resp := s.post(c, path, form)
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// auditHas checks that the audit trail, as q reads it, holds an event
// with each of the notes.
func (s *site) auditHas(q staff.AuditQuery, notes ...string) {
	s.t.Helper()
	events, _, err := s.store.AuditTrail(context.Background(), q)
	if err != nil {
		s.t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, e := range events {
		seen[e.Note] = true
	}
	for _, note := range notes {
		if !seen[note] {
			s.t.Errorf("the audit trail has no %s", note)
		}
	}
}

// TestForgottenPasswordsAreResetByMail: with mail set up, the sign-in
// page offers a reset; the form answers the same for an unknown address
// (and sends nothing) as for an account; the account's message, through a
// real SMTP server on 127.0.0.1 and in the account's language, carries a
// link that sets a new password once — the old one then fails, the link
// then says it is used — and expires after an hour. A fourth request
// within the throttle window is refused. Without mail there is no reset.
func TestForgottenPasswordsAreResetByMail(t *testing.T) {
	ctx := context.Background()
	srv := smtptest.Start(t)
	settings, err := mailing.ParseSettings(srv.URL(), "Evaluation <eval@example.org>")
	if err != nil {
		t.Fatal(err)
	}
	s := newSite(t, web.Config{Mail: settings, StaffMail: smtpsend.New(*settings), BaseURL: "https://eval.example.org"})
	ev := account(staff.RoleEvaluator)
	if err := s.store.UpdateUser(ctx, ev.Email, bson.D{{Key: "language", Value: "fr"}}); err != nil {
		t.Fatal(err)
	}
	c := s.client()
	if body := s.get(c, "/login"); !strings.Contains(body, `href="/login/forgot"`) {
		t.Fatalf("the sign-in page offers no reset:\n%s", body)
	}
	ask := func(email string) (int, string) {
		return s.submit(c, "/login/forgot", "/login/forgot", url.Values{"email": {email}})
	}

	status, unknown := ask("nobody@example.org")
	if status != http.StatusOK || !strings.Contains(unknown, "If nobody@example.org is the address of an account") {
		t.Fatalf("an unknown address: %d\n%s", status, unknown)
	}
	status, known := ask(ev.Email)
	if status != http.StatusOK || strings.ReplaceAll(known, ev.Email, "nobody@example.org") != unknown {
		t.Errorf("an account's answer differs from an unknown address's other than by the address: %d", status)
	}
	var got []smtptest.Received
	for deadline := time.Now().Add(10 * time.Second); len(got) == 0 && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		got = srv.Received()
	}
	time.Sleep(200 * time.Millisecond) // would a message to the unknown address come late?
	if got = srv.Received(); len(got) != 1 || got[0].To[0] != ev.Email {
		t.Fatalf("messages sent: %+v", srv.To())
	}
	subject, _ := new(mime.WordDecoder).DecodeHeader(got[0].Header("Subject"))
	text := textOf(t, got[0])
	if subject != "Choisir un nouveau mot de passe exchangeeval" || got[0].Header("Content-Language") != "fr" || !strings.Contains(text, "il ne sert qu'une fois") {
		t.Errorf("the message: %q\n%s", subject, text)
	}
	m := regexp.MustCompile(`https://eval\.example\.org(/login/reset/[A-Za-z0-9_-]{43})`).FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("no reset link in:\n%s", text)
	}
	link := m[1]
	if body := s.get(c, link); !strings.Contains(body, `name="password2"`) {
		t.Fatalf("the link's page:\n%s", body)
	}
	if status, body := s.submit(c, link, link, url.Values{"password": {"a new long password"}, "password2": {"another one"}}); status != http.StatusUnprocessableEntity || !strings.Contains(body, "The two passwords differ") {
		t.Errorf("two different passwords: %d\n%s", status, body)
	}
	if status, body := s.submit(c, link, link, url.Values{"password": {"short"}, "password2": {"short"}}); status != http.StatusUnprocessableEntity || !strings.Contains(body, "The password was not changed") {
		t.Errorf("a short password: %d\n%s", status, body)
	}
	// The link still works after those, and an hour later it would not.
	token := strings.TrimPrefix(link, "/login/reset/")
	if _, err := s.store.PasswordReset(ctx, staff.HashSecret(token), time.Now().Add(staff.PasswordResetTTL+time.Minute)); err == nil {
		t.Error("the link works after an hour")
	}
	if status, body := s.submit(c, link, link, url.Values{"password": {"a new long password"}, "password2": {"a new long password"}}); status != http.StatusOK || !strings.Contains(body, "Your new password is set") {
		t.Fatalf("setting the password: %d\n%s", status, body)
	}
	s.login(ev.Email, "a new long password")
	if resp := s.post(s.client(), "/login", url.Values{"csrf_token": {s.csrf(c, "/login")}, "email": {ev.Email}, "password": {ev.Password}}); resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("the old password: %d", resp.StatusCode)
	}
	if status, body := s.submit(c, "/login", link, url.Values{"password": {"a third long password"}, "password2": {"a third long password"}}); status != http.StatusNotFound || !strings.Contains(body, "This link does not work any more") {
		t.Errorf("the link used twice: %d\n%s", status, body)
	}
	// Three messages per account in the window: the fourth is refused.
	ask(ev.Email)
	ask(ev.Email)
	if status, body := ask(ev.Email); status != http.StatusTooManyRequests {
		t.Errorf("a fourth request: %d\n%s", status, body)
	}
	s.auditHas(staff.AuditQuery{Limit: 50}, "password-reset-sent", "password-reset-used")

	plain := newSite(t, web.Config{})
	if body := plain.get(plain.client(), "/login"); strings.Contains(body, "/login/forgot") {
		t.Error("without mail the sign-in page offers a reset")
	}
	if resp, err := plain.client().Get(plain.srv.URL + "/login/forgot"); err != nil || resp.StatusCode != http.StatusSeeOther {
		t.Errorf("without mail, /login/forgot: %v", resp.StatusCode)
	}
}
