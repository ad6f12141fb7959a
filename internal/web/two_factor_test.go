package web_test

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/csci/exchangeeval/internal/staff"
	"github.com/csci/exchangeeval/internal/web"
)

// totpAt computes a six-digit RFC 6238 code here, from the RFC's own
// description (HMAC-SHA1 of the 30-second counter, dynamic truncation),
// independently of the library the service uses.
func totpAt(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	key, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(secret)
	if err != nil {
		t.Fatalf("key %q: %v", secret, err)
	}
	var counter [8]byte
	binary.BigEndian.PutUint64(counter[:], uint64(at.Unix()/30))
	m := hmac.New(sha1.New, key)
	m.Write(counter[:])
	sum := m.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	return fmt.Sprintf("%06d", (binary.BigEndian.Uint32(sum[off:off+4])&0x7fffffff)%1_000_000)
}

// TestStaffSignInWithASecondFactor: an evaluator enrols from the account
// page (the key read from the page, the code computed in the test), gets
// ten recovery codes shown once, and from then on a right password alone
// opens nothing: the code does, once; a recovery code does, once. An admin
// requires a second factor of committee members, who are then sent to
// enrol before any page and refused by the JSON API; an admin resets the
// evaluator's second factor; each step is in the audit trail.
func TestStaffSignInWithASecondFactor(t *testing.T) {
	s := newSite(t, web.Config{})
	ev := account(staff.RoleEvaluator)
	c := s.login(ev.Email, ev.Password)
	if body := s.get(c, "/account"); !strings.Contains(body, `href="/account/two-factor"`) {
		t.Fatalf("the account page offers no second factor:\n%s", body)
	}
	page := s.get(c, "/account/two-factor")
	m := regexp.MustCompile(`<code class="totp-key" dir="ltr">([A-Z2-7 ]+)</code>`).FindStringSubmatch(page)
	if m == nil || !strings.Contains(page, `src="data:image/png;base64,`) {
		t.Fatalf("no key or QR code on the enrolment page:\n%s", page)
	}
	secret := strings.ReplaceAll(m[1], " ", "")
	now := time.Now()
	if status, _ := s.submit(c, "/account", "/account/two-factor", url.Values{"code": {"000000"}}); status != http.StatusUnprocessableEntity {
		t.Errorf("a wrong enrolment code: %d", status)
	}
	status, body := s.submit(c, "/account", "/account/two-factor", url.Values{"code": {totpAt(t, secret, now)}})
	recovery := regexp.MustCompile(`<code>([A-Z0-9-]{19})</code>`).FindAllStringSubmatch(body, -1)
	if status != http.StatusOK || len(recovery) != 10 {
		t.Fatalf("enrolment: %d, %d recovery codes\n%s", status, len(recovery), body)
	}

	// The password alone leads to the code, and opens nothing.
	signIn := func(code string) (*http.Client, int) {
		t.Helper()
		c := s.client()
		resp := s.post(c, "/login", url.Values{"csrf_token": {s.csrf(c, "/login")}, "email": {ev.Email}, "password": {ev.Password}, "next": {"/exchanges"}})
		resp.Body.Close()
		if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/login/code") {
			t.Fatalf("after the password: %d %s", resp.StatusCode, loc)
		}
		if resp, err := c.Get(s.srv.URL + "/exchanges"); err != nil || resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
			t.Fatalf("a page between the password and the code: %v", resp.StatusCode)
		}
		status, _ := s.submit(c, "/login/code?next=%2Fexchanges", "/login/code", url.Values{"code": {code}, "next": {"/exchanges"}})
		return c, status
	}
	if _, status := signIn("123456"); status != http.StatusUnauthorized {
		t.Errorf("a wrong code: %d", status)
	}
	// The code of the next step (a phone a little ahead): accepted once.
	next := totpAt(t, secret, now.Add(30*time.Second))
	c2, status := signIn(next)
	if status != http.StatusSeeOther {
		t.Fatalf("the right code: %d", status)
	}
	if body := s.get(c2, "/exchanges"); !strings.Contains(body, "/logout") {
		t.Errorf("signed in with the code, /exchanges:\n%s", body)
	}
	if _, status := signIn(next); status != http.StatusUnauthorized {
		t.Errorf("the same code again: %d", status)
	}
	if _, status := signIn(strings.ToLower(recovery[3][1])); status != http.StatusSeeOther {
		t.Errorf("a recovery code: %d", status)
	}
	if _, status := signIn(recovery[3][1]); status != http.StatusUnauthorized {
		t.Errorf("a recovery code used twice: %d", status)
	}
	if body := s.get(c2, "/account"); !strings.Contains(body, "Recovery codes left: 9.") {
		t.Errorf("the account page after a recovery code:\n%s", body)
	}
	// New recovery codes and turning it off both need the password.
	change := func(action, password string) (int, string) {
		return s.submit(c2, "/account", "/account/two-factor/change", url.Values{"action": {action}, "current": {password}})
	}
	if status, _ := change("codes", "not the password"); status != http.StatusUnauthorized {
		t.Errorf("new codes with a wrong password: %d", status)
	}
	status, body = change("codes", ev.Password)
	fresh := regexp.MustCompile(`<code>([A-Z0-9-]{19})</code>`).FindAllStringSubmatch(body, -1)
	if status != http.StatusOK || len(fresh) != 10 {
		t.Fatalf("new codes: %d, %d codes", status, len(fresh))
	}
	// (A sign-in that succeeds first: the wrong codes above and the old
	// code below would otherwise reach the account's five failures.)
	if _, status := signIn(fresh[0][1]); status != http.StatusSeeOther {
		t.Errorf("a new recovery code: %d", status)
	}
	if _, status := signIn(recovery[5][1]); status != http.StatusUnauthorized {
		t.Errorf("an old recovery code after new ones: %d", status)
	}
	if status, body := change("off", ev.Password); status != http.StatusOK || !strings.Contains(body, "Two-factor sign-in is off.") {
		t.Errorf("turning it off: %d", status)
	}
	s.login(ev.Email, ev.Password)

	// An admin requires it of committee members.
	admin := s.login(account(staff.RoleAdmin).Email, account(staff.RoleAdmin).Password)
	if status, _ := s.postForm(admin, "/admin/users", "/admin/users/two-factor", url.Values{"role": {staff.RoleCommittee}}); status != http.StatusSeeOther {
		t.Fatalf("the policy: %d", status)
	}
	cm := account(staff.RoleCommittee)
	cc := s.login(cm.Email, cm.Password)
	for _, path := range []string{"/exchanges", "/admin/users"} {
		if resp, err := cc.Get(s.srv.URL + path); err != nil || resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/account/two-factor" {
			t.Errorf("a committee member without a second factor opening %s: %v %s", path, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	if body := s.get(cc, "/account/two-factor"); !strings.Contains(body, "Your role requires two-factor sign-in") {
		t.Errorf("the enrolment page of one who must:\n%s", body)
	}
	if resp, err := cc.Get(s.srv.URL + "/api/v1/programmes/" + "x" + "/report"); err != nil || resp.StatusCode != http.StatusForbidden {
		t.Errorf("the JSON API for one who must enrol: %v", resp.StatusCode)
	}
	// The evaluator's role is not required: an admin's reset leaves the
	// password alone.
	if status, _ := s.postForm(admin, "/admin/users", "/admin/users/change", url.Values{"action": {"reset-two-factor"}, "email": {ev.Email}}); status != http.StatusSeeOther {
		t.Fatalf("the reset: %d", status)
	}
	s.login(ev.Email, ev.Password)

	s.auditHas(staff.AuditQuery{Limit: 100}, "two-factor-on", "two-factor", "recovery-code-used", "code-wrong", "two-factor-policy",
		"user-two-factor-reset", "recovery-codes-new", "two-factor-off")
}
