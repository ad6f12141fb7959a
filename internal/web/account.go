package web

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/gorilla/csrf"

	"github.com/csci/exchangeeval/internal/staff"
)

// A staff member's own account: the password, changed in the browser.

type accountPage struct {
	page
	CSRF, Email, Error string
	Problems           []string
}

func (s *Server) handleAccount(c *gin.Context) {
	lang := s.staffLanguage(c)
	u := s.staffUser(c)
	s.render(c, http.StatusOK, "account", accountPage{page: s.staffPage(c, lang, translate(lang, "account.title")), CSRF: csrf.Token(c.Request), Email: u.Email})
}

// handleAccountPassword changes the signed-in member's password: the
// current one first (a session left open on a shared computer does not
// let another change it), then the new one twice. Every session of the
// account ends, this one too: the member signs in again with the new one.
func (s *Server) handleAccountPassword(c *gin.Context) {
	ctx := c.Request.Context()
	lang := s.staffLanguage(c)
	u := s.staffUser(c)
	p := accountPage{page: s.staffPage(c, lang, translate(lang, "account.title")), CSRF: csrf.Token(c.Request), Email: u.Email}
	fail := func(status int, msg string, problems []string) {
		p.Error, p.Problems = msg, problems
		s.render(c, status, "account", p)
	}
	// Wrong current passwords count as failed sign-ins of the account.
	n, _, err := s.store.ClaimLoginAttempt(ctx, "account:"+u.Email, s.now(), throttleWindow, maxAccountFailures)
	if err != nil {
		s.htmlError(c, lang, err)
		return
	}
	if n > maxAccountFailures {
		fail(http.StatusTooManyRequests, translate(lang, "login.throttled", int(throttleWindow.Minutes())), nil)
		return
	}
	if !u.PasswordMatches(c.PostForm("current")) {
		s.store.Audit(ctx, staff.Event{At: s.now(), Actor: u.Email, Action: staff.AuditLoginFailed, Detail: "password change: wrong current password", Note: "password-wrong", Address: clientAddress(c)})
		fail(http.StatusUnauthorized, translate(lang, "account.wrong"), nil)
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
