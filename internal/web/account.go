package web

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/gorilla/csrf"

	"github.com/csci/exchangeeval/internal/staff"
)

// A staff member's own account: the password, changed in the browser.

// claimAttempt takes an attempt's place among the window's attempts of
// key (an account's or an address's, as sign-in counts them). With more
// than most, or the store failing, it has answered (through fail, or with
// the error page) and ok is false; release gives the place back, for an
// attempt that turns out right.
func (s *Server) claimAttempt(c *gin.Context, lang, key string, most int, fail func(int, string, []string)) (release func(), ok bool) {
	ctx := c.Request.Context()
	n, slot, err := s.store.ClaimLoginAttempt(ctx, key, s.now(), throttleWindow, most)
	switch {
	case err != nil:
		s.htmlError(c, lang, err)
		return nil, false
	case n > most:
		fail(http.StatusTooManyRequests, translate(lang, "login.throttled", int(throttleWindow.Minutes())), nil)
		return nil, false
	}
	return func() {
		if err := s.store.ReleaseLoginAttempt(ctx, slot); err != nil {
			s.log.Warn("release a sign-in attempt", "err", err)
		}
	}, true
}

type accountPage struct {
	page
	CSRF, Email, Error, Notice string
	Problems                   []string
	// TwoFactor: whether a second factor is in use, since when, with how
	// many recovery codes left; Required, whether the role needs one.
	TwoFactor         bool
	TwoFactorSince    string
	RecoveryLeft      int
	TwoFactorRequired bool
}

func (s *Server) handleAccount(c *gin.Context) {
	lang := s.staffLanguage(c)
	u := s.staffUser(c)
	s.renderAccount(c, http.StatusOK, s.accountPageOf(c, lang, u))
}

// accountPageOf is the account page of u, before what a request adds.
func (s *Server) accountPageOf(c *gin.Context, lang string, u *staff.User) accountPage {
	return accountPage{page: s.staffPage(c, lang, translate(lang, "account.title")), CSRF: csrf.Token(c.Request), Email: u.Email}
}

// renderAccount shows the account page with the account's second factor.
func (s *Server) renderAccount(c *gin.Context, status int, p accountPage) {
	u := s.staffUser(c)
	p.TwoFactor, p.RecoveryLeft = u.TOTP.Enabled, len(u.TOTP.Recovery)
	if u.TOTP.Enabled {
		p.TwoFactorSince = formatDate(p.Lang, u.TOTP.Since)
	}
	roles, err := s.store.TwoFactorRoles(c.Request.Context())
	if err != nil {
		s.htmlError(c, p.Lang, err)
		return
	}
	p.TwoFactorRequired = staff.SecondFactorRequired(u, roles)
	s.render(c, status, "account", p)
}

// handleAccountPassword changes the signed-in member's password: the
// current one first (a session left open on a shared computer does not
// let another change it), then the new one twice. Every session of the
// account ends, this one too: the member signs in again with the new one.
func (s *Server) handleAccountPassword(c *gin.Context) {
	ctx := c.Request.Context()
	lang := s.staffLanguage(c)
	u := s.staffUser(c)
	fail, ok := s.currentPasswordGiven(c, lang, u, "password change")
	if !ok {
		return
	}
	if c.PostForm("password") != c.PostForm("password2") {
		fail(http.StatusUnprocessableEntity, translate(lang, "setup.mismatch"), nil)
		return
	}
	if prob := staff.PasswordProblem(c.PostForm("password")); prob != nil {
		fail(http.StatusUnprocessableEntity, translate(lang, "account.notchanged"), []string{translate(lang, "field.problem", translate(lang, "login.password"), problemText(lang, *prob))})
		return
	}
	hash, err := staff.HashPassword(c.PostForm("password"))
	if err == nil {
		err = s.store.SetPassword(ctx, u.Email, hash)
	}
	if err != nil {
		s.htmlError(c, lang, err)
		return
	}
	s.audit(c, staff.AuditAdminister, "", "password-changed", u.Email)
	s.render(c, http.StatusOK, "message", messagePage{page: page{Lang: lang, Title: translate(lang, "account.title")},
		Heading: translate(lang, "account.title"), Body: translate(lang, "account.done"), LinkURL: "/login", LinkText: translate(lang, "login.submit")})
}

// currentPasswordGiven checks the current password a change on the
// account page asks for (what: the change, for the audit trail). Wrong
// ones count as failed sign-ins of the account. When it is not right it
// has answered, with the account page, and ok is false; fail answers the
// same way for the change's own problems.
func (s *Server) currentPasswordGiven(c *gin.Context, lang string, u *staff.User, what string) (fail func(int, string, []string), ok bool) {
	p := s.accountPageOf(c, lang, u)
	fail = func(status int, msg string, problems []string) {
		p.Error, p.Problems = msg, problems
		s.renderAccount(c, status, p)
	}
	release, ok := s.claimAttempt(c, lang, "account:"+u.Email, maxAccountFailures, fail)
	if !ok {
		return nil, false
	}
	if !u.PasswordMatches(c.PostForm("current")) {
		s.store.Audit(c.Request.Context(), staff.Event{At: s.now(), Actor: u.Email, Action: staff.AuditLoginFailed, Detail: what + ": wrong current password",
			Note: "password-wrong", Address: clientAddress(c)})
		fail(http.StatusUnauthorized, translate(lang, "account.wrong"), nil)
		return nil, false
	}
	release()
	return fail, true
}
