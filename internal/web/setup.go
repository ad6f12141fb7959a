package web

import (
	"context"
	"crypto/subtle"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/gorilla/csrf"

	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/staff"
)

// The first admin, from the browser. While no admin account exists, serve
// prints a one-time code (Config.SetupCode); whoever holds it — whoever
// can read the service's output — creates the first admin at /setup, as
// Grafana's and Jenkins' first starts do. Once an admin exists the page
// is gone, code or not.

type setupPage struct {
	page
	CSRF, Error, Email, Name string
	Problems                 []string
}

// setupOpen reports whether /setup may create the first admin: a code was
// printed and no admin account (enabled or not) exists.
func (s *Server) setupOpen(ctx context.Context) (bool, error) {
	if s.cfg.SetupCode == "" {
		return false, nil
	}
	users, err := s.store.Users(ctx)
	if err != nil {
		return false, err
	}
	return !staff.AnyAdmin(users), nil
}

// setupOrSignIn reports whether /setup is open; when it is not, it has
// answered: sign-in instead, or the store's error.
func (s *Server) setupOrSignIn(c *gin.Context, lang string) bool {
	open, err := s.setupOpen(c.Request.Context())
	switch {
	case err != nil:
		s.htmlError(c, lang, err)
	case !open:
		c.Redirect(http.StatusSeeOther, "/login")
	}
	return err == nil && open
}

func (s *Server) handleSetupForm(c *gin.Context) {
	lang := s.staffLanguage(c)
	if !s.setupOrSignIn(c, lang) {
		return
	}
	s.render(c, http.StatusOK, "setup", setupPage{page: s.staffPage(c, lang, translate(lang, "setup.title")), CSRF: csrf.Token(c.Request)})
}

func (s *Server) handleSetup(c *gin.Context) {
	ctx := c.Request.Context()
	lang := s.staffLanguage(c)
	// One at a time: two people holding the code cannot both become the
	// first admin of this process.
	s.setupMu.Lock()
	defer s.setupMu.Unlock()
	if !s.setupOrSignIn(c, lang) {
		return
	}
	p := setupPage{page: s.staffPage(c, lang, translate(lang, "setup.title")), CSRF: csrf.Token(c.Request),
		Email: strings.TrimSpace(c.PostForm("email")), Name: strings.TrimSpace(c.PostForm("name"))}
	fail := func(status int, msg string, problems []string) {
		p.Error, p.Problems = msg, problems
		s.render(c, status, "setup", p)
	}
	// Wrong codes count as failed sign-ins from the address, so the code
	// cannot be guessed faster than a password.
	addr := clientAddress(c)
	release, ok := s.claimAttempt(c, lang, "address:"+addr, maxAddressFailures, fail)
	if !ok {
		return
	}
	code := strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(c.PostForm("code")), " ", ""))
	if subtle.ConstantTimeCompare([]byte(code), []byte(s.cfg.SetupCode)) != 1 {
		s.store.Audit(ctx, staff.Event{At: s.now(), Actor: p.Email, Action: staff.AuditLoginFailed, Detail: "first admin: wrong code", Note: "setup-code", Address: addr})
		fail(http.StatusUnauthorized, translate(lang, "setup.badcode"), nil)
		return
	}
	release()
	if c.PostForm("password") != c.PostForm("password2") {
		fail(http.StatusUnprocessableEntity, translate(lang, "setup.mismatch"), nil)
		return
	}
	u, err := staff.NewUser(p.Email, p.Name, []string{staff.RoleAdmin}, c.PostForm("password"), s.now())
	if err == nil {
		u.Language = lang
		err = s.store.CreateUser(ctx, u)
	}
	if err != nil {
		if statusOf(err) >= 500 && exchange.ErrorCode(err) != exchange.ECONFLICT {
			s.htmlError(c, lang, err)
			return
		}
		msg, problems := fieldProblems(lang, err, userFields, "users.notcreated")
		fail(statusOf(err), msg, problems)
		return
	}
	s.store.Audit(ctx, staff.Event{At: s.now(), Actor: u.Email, Action: staff.AuditAdminister, Detail: "first admin created with the start-up code: " + u.Email,
		Note: "first-admin", Args: []string{u.Email}, Address: addr})
	s.render(c, http.StatusOK, "message", messagePage{page: s.staffPage(c, lang, translate(lang, "setup.title")),
		Heading: translate(lang, "setup.title"), Body: translate(lang, "setup.done", u.Email), LinkURL: "/login", LinkText: translate(lang, "login.submit")})
}
