package web

import (
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/gorilla/csrf"

	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/staff"
)

// Two-factor sign-in for staff (staff.TOTP). After a right password an
// enrolled account is asked for a code from its authenticator app, or a
// recovery code; its session starts only then. Accounts of the roles an
// admin requires it for are sent to enrol before anything else. Enrolling,
// turning it off, new recovery codes, an admin's reset and the policy are
// audited.

// pendingCookie carries the half-made sign-in between the password and the
// code; it is sent only to /login.
const pendingCookie = "exchangeeval_pending"

type codePage struct {
	page
	CSRF, Next, Error string
}

// awaitSecondFactor keeps the sign-in pending and asks for the code.
func (s *Server) awaitSecondFactor(c *gin.Context, lang string, u *staff.User, next string) {
	secret, hash := staff.NewSecret()
	if err := s.store.CreateSession(c.Request.Context(), &staff.Session{Hash: hash, User: u.Email, CreatedAt: s.now(),
		ExpiresAt: s.now().Add(staff.PendingSessionTTL), Pending: true}); err != nil {
		s.htmlError(c, lang, err)
		return
	}
	http.SetCookie(c.Writer, &http.Cookie{Name: pendingCookie, Value: secret, Path: "/login", HttpOnly: true, Secure: s.cfg.Secure,
		SameSite: http.SameSiteStrictMode, MaxAge: int(staff.PendingSessionTTL.Seconds())})
	c.Redirect(http.StatusSeeOther, "/login/code?"+url.Values{"next": {next}}.Encode())
}

// pendingUser is the account whose password was given in this browser
// within the last minutes; nil (having sent the browser to sign in) when
// there is none.
func (s *Server) pendingUser(c *gin.Context) (*staff.User, string) {
	cookie, err := c.Cookie(pendingCookie)
	var u *staff.User
	if err == nil && cookie != "" {
		u, _ = s.store.PendingSessionUser(c.Request.Context(), staff.HashSecret(cookie), s.now())
	}
	if u == nil || u.Disabled || !u.TOTP.Enabled {
		c.Redirect(http.StatusSeeOther, "/login")
		return nil, ""
	}
	return u, cookie
}

func (s *Server) handleCodeForm(c *gin.Context) {
	lang := s.staffLanguage(c)
	if u, _ := s.pendingUser(c); u == nil {
		return
	}
	s.render(c, http.StatusOK, "code", codePage{page: s.staffPage(c, lang, translate(lang, "twofactor.title")), CSRF: csrf.Token(c.Request), Next: safeNext(c.Query("next"))})
}

func (s *Server) handleCode(c *gin.Context) {
	ctx := c.Request.Context()
	lang := s.staffLanguage(c)
	u, cookie := s.pendingUser(c)
	if u == nil {
		return
	}
	next := safeNext(c.PostForm("next"))
	fail := func(status int, msg string, _ []string) {
		s.render(c, status, "code", codePage{page: s.staffPage(c, lang, translate(lang, "twofactor.title")), CSRF: csrf.Token(c.Request), Next: next, Error: msg})
	}
	// Wrong codes count as the account's failed sign-ins: six digits
	// cannot be tried faster than a password.
	release, ok := s.claimAttempt(c, lang, "account:"+u.Email, maxAccountFailures, fail)
	if !ok {
		return
	}
	code, note := strings.TrimSpace(c.PostForm("code")), ""
	var taken bool
	var err error
	if step, ok := staff.TOTPStep(u.TOTP.Secret, code, s.now()); ok {
		taken, err = s.store.UseTOTPStep(ctx, u.Email, step)
	} else if len(code) > 8 {
		taken, err = s.store.UseRecoveryCode(ctx, u.Email, staff.HashRecoveryCode(code))
		note = "recovery-code-used"
	}
	if err != nil {
		s.htmlError(c, lang, err)
		return
	}
	if !taken {
		s.store.Audit(ctx, staff.Event{At: s.now(), Actor: u.Email, Action: staff.AuditLoginFailed, Detail: "wrong or used two-factor code", Note: "code-wrong", Address: clientAddress(c)})
		fail(http.StatusUnauthorized, translate(lang, "twofactor.wrong"), nil)
		return
	}
	release()
	_ = s.store.DeleteSession(ctx, staff.HashSecret(cookie))
	http.SetCookie(c.Writer, &http.Cookie{Name: pendingCookie, Value: "", Path: "/login", HttpOnly: true, Secure: s.cfg.Secure, MaxAge: -1})
	if note == "" {
		note = "two-factor"
	}
	s.signIn(c, lang, u, next, note)
}

// twoFactorDue reports whether u must enrol before going anywhere: their
// role requires a second factor and they have none. Signed in with an API
// token, the token is the credential an admin gave, and nothing is due.
func (s *Server) twoFactorDue(c *gin.Context, u *staff.User) (bool, error) {
	if u.TOTP.Enabled || viaToken(c) {
		return false, nil
	}
	roles, err := s.store.TwoFactorRoles(c.Request.Context())
	if err != nil {
		return false, err
	}
	return staff.SecondFactorRequired(u, roles), nil
}

// viaToken reports whether the request is signed with an API token.
func viaToken(c *gin.Context) bool { return strings.HasPrefix(c.GetHeader("Authorization"), "Bearer ") }

// enrolmentPaths are what an account that must enrol may still open.
var enrolmentPaths = []string{"/account", "/account/two-factor", "/logout"}

// requireEnrolment sends an account that must use a second factor and has
// none to enrol (pages), or refuses (JSON).
func (s *Server) requireEnrolment(json bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		u := s.staffUser(c)
		due, err := s.twoFactorDue(c, u)
		switch {
		case err != nil && json:
			s.jsonError(c, err)
		case err != nil:
			s.htmlError(c, s.staffLanguage(c), err)
			c.Abort()
		case !due || slices.Contains(enrolmentPaths, c.Request.URL.Path):
			c.Next()
		case json:
			s.jsonError(c, exchange.Errorf(exchange.EFORBIDDEN, "your account must use two-factor sign-in: set it up at /account/two-factor"))
		default:
			c.Redirect(http.StatusSeeOther, "/account/two-factor")
			c.Abort()
		}
	}
}

type enrolPage struct {
	page
	CSRF, Error string
	// QR is the key drawn for the app to read (a data: URI the service
	// made, so trusted as a URL); Secret the same key typed.
	QR     template.URL
	Secret string
	// Required: the account's role requires a second factor.
	Required bool
	// Codes are the recovery codes, shown once, after enrolment.
	Codes []string
}

// handleEnrolForm shows a new key to enrol. An account that has one
// already replaces it only when the new one's code is given.
func (s *Server) handleEnrolForm(c *gin.Context) {
	lang := s.staffLanguage(c)
	u := s.staffUser(c)
	// A key shown before and not confirmed is shown again: a page
	// reloaded after the app scanned it still matches the app.
	secret, qr, err := staff.TOTPKeyImage(u.Email, u.TOTP.PendingSecret)
	if err == nil && u.TOTP.PendingSecret == "" {
		err = s.store.BeginTOTP(c.Request.Context(), u.Email, secret)
	}
	if err != nil {
		s.htmlError(c, lang, err)
		return
	}
	due, _ := s.twoFactorDue(c, u)
	s.render(c, http.StatusOK, "enrol", enrolPage{page: s.staffPage(c, lang, translate(lang, "twofactor.setup")), CSRF: csrf.Token(c.Request),
		QR: template.URL(qr), Secret: groupsOf4(secret), Required: due})
}

// groupsOf4 writes a key as an app's manual entry shows it: ABCD EFGH …
func groupsOf4(s string) string {
	var b strings.Builder
	for i, r := range s {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// handleEnrol confirms the pending key with a code from it, makes it the
// account's second factor and shows the recovery codes once.
func (s *Server) handleEnrol(c *gin.Context) {
	ctx := c.Request.Context()
	lang := s.staffLanguage(c)
	u := s.staffUser(c)
	if u.TOTP.PendingSecret == "" {
		c.Redirect(http.StatusSeeOther, "/account/two-factor")
		return
	}
	step, ok := staff.TOTPStep(u.TOTP.PendingSecret, c.PostForm("code"), s.now())
	if !ok {
		_, qr, _ := staff.TOTPKeyImage(u.Email, u.TOTP.PendingSecret)
		s.render(c, http.StatusUnprocessableEntity, "enrol", enrolPage{page: s.staffPage(c, lang, translate(lang, "twofactor.setup")), CSRF: csrf.Token(c.Request),
			QR: template.URL(qr), Secret: groupsOf4(u.TOTP.PendingSecret), Error: translate(lang, "twofactor.wrong")})
		return
	}
	codes, hashes := staff.NewRecoveryCodes()
	if err := s.store.EnableTOTP(ctx, u.Email, u.TOTP.PendingSecret, hashes, step, s.now()); err != nil {
		s.htmlError(c, lang, err)
		return
	}
	s.audit(c, staff.AuditAdminister, "", "two-factor-on", u.Email)
	s.showRecoveryCodes(c, lang, codes)
}

// showRecoveryCodes shows new recovery codes, once.
func (s *Server) showRecoveryCodes(c *gin.Context, lang string, codes []string) {
	s.render(c, http.StatusOK, "enrol", enrolPage{page: s.staffPage(c, lang, translate(lang, "twofactor.setup")), Codes: codes})
}

// handleTwoFactorChange turns the second factor off, or gives new
// recovery codes; either needs the current password.
func (s *Server) handleTwoFactorChange(c *gin.Context) {
	ctx := c.Request.Context()
	lang := s.staffLanguage(c)
	u := s.staffUser(c)
	fail, ok := s.currentPasswordGiven(c, lang, u, "two-factor change")
	if !ok {
		return
	}
	switch c.PostForm("action") {
	case "off":
		if err := s.store.DisableTOTP(ctx, u.Email); err != nil {
			s.htmlError(c, lang, err)
			return
		}
		s.audit(c, staff.AuditAdminister, "", "two-factor-off", u.Email)
		u.TOTP = staff.TOTP{}
		p := s.accountPageOf(c, lang, u)
		p.Notice = translate(lang, "twofactor.off.done")
		s.renderAccount(c, http.StatusOK, p)
	case "codes":
		codes, hashes := staff.NewRecoveryCodes()
		if err := s.store.SetRecoveryCodes(ctx, u.Email, hashes); err != nil {
			s.htmlError(c, lang, err)
			return
		}
		s.audit(c, staff.AuditAdminister, "", "recovery-codes-new", u.Email)
		s.showRecoveryCodes(c, lang, codes)
	default:
		fail(http.StatusUnprocessableEntity, translate(lang, "users.badchange"), nil)
	}
}
