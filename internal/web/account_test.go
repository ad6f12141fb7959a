package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/csci/exchangeeval/internal/staff"
	"github.com/csci/exchangeeval/internal/web"
)

// TestStaffChangeTheirPasswordsAndAdminsGiveNewOnes: a staff member
// changes their password in the browser — only with the current one, the
// new one twice and long enough — and every session of theirs ends; an
// admin gives another account a new password, shown once, with which it
// signs in; both are in the audit trail.
func TestStaffChangeTheirPasswordsAndAdminsGiveNewOnes(t *testing.T) {
	s := newSite(t, web.Config{})
	ev := account(staff.RoleEvaluator)
	c := s.login(ev.Email, ev.Password)
	send := func(c *http.Client, path string, form url.Values, from string) (int, string) {
		return s.submit(c, from, path, form)
	}
	change := func(current, password, password2 string) (int, string) {
		return send(c, "/account/password", url.Values{"current": {current}, "password": {password}, "password2": {password2}}, "/account")
	}
	if body := s.get(c, "/account"); !strings.Contains(body, ev.Email) || !strings.Contains(body, `action="/account/password"`) {
		t.Fatalf("the account page:\n%s", body)
	}
	for _, tc := range []struct {
		current, password, password2 string
		status                       int
		says                         string
	}{
		{"not my password", "a new long password", "a new long password", http.StatusUnauthorized, "The current password is not right"},
		{ev.Password, "a new long password", "another long password", http.StatusUnprocessableEntity, "The two passwords differ"},
		{ev.Password, "short", "short", http.StatusUnprocessableEntity, "The password was not changed"},
	} {
		if status, body := change(tc.current, tc.password, tc.password2); status != tc.status || !strings.Contains(body, tc.says) {
			t.Errorf("%+v: %d\n%s", tc, status, body)
		}
	}
	if status, body := change(ev.Password, "a new long password", "a new long password"); status != http.StatusOK || !strings.Contains(body, "Your password is changed") {
		t.Fatalf("the change: %d\n%s", status, body)
	}
	// Signed out everywhere; the new password signs in.
	if resp, err := c.Get(s.srv.URL + "/exchanges"); err != nil || resp.StatusCode != http.StatusSeeOther {
		t.Errorf("the session after the change: %v %v", err, resp.StatusCode)
	}
	s.login(ev.Email, "a new long password")

	// An admin gives the evaluator a new password.
	admin := s.login(account(staff.RoleAdmin).Email, account(staff.RoleAdmin).Password)
	status, body := send(admin, "/admin/users/change", url.Values{"action": {"reset"}, "email": {ev.Email}}, "/admin/users")
	m := regexp.MustCompile(`The new password of ` + regexp.QuoteMeta(ev.Email) + ` is ([A-Z0-9-]{19})\.`).FindStringSubmatch(body)
	if status != http.StatusOK || m == nil {
		t.Fatalf("the reset: %d\n%s", status, body)
	}
	s.login(ev.Email, m[1])
	// Not one's own: that is the account page's.
	if status, _ := send(admin, "/admin/users/change", url.Values{"action": {"reset"}, "email": {account(staff.RoleAdmin).Email}}, "/admin/users"); status != http.StatusSeeOther {
		t.Errorf("an admin resetting their own password from the accounts page: %d", status)
	}
	s.auditHas(staff.AuditQuery{Limit: 50}, "password-changed", "password-wrong", "user-password-reset")
}
