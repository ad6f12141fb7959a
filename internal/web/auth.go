package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode"

	"github.com/gin-gonic/gin"
	"github.com/gorilla/csrf"

	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/staff"
)

const (
	sessionCookie = "exchangeeval_session"
	langCookie    = "exchangeeval_lang"
	userKey       = "staff-user"
	// DefaultSessionTTL is how long a sign-in lasts.
	DefaultSessionTTL = 12 * time.Hour
	// Throttling: failures counted over throttleWindow, per account and per
	// address.
	throttleWindow     = 15 * time.Minute
	maxAccountFailures = 5
	maxAddressFailures = 20
)

// csrfProtect is gorilla/csrf on the staff pages: every state-changing form
// carries a token tied to a cookie. Delegates' links and bearer-token APIs
// have their own credentials and are not behind it.
func (s *Server) csrfProtect() gin.HandlerFunc {
	protect := csrf.Protect(s.cfg.Secret,
		csrf.Secure(s.cfg.Secure), csrf.Path("/"), csrf.HttpOnly(true), csrf.SameSite(csrf.SameSiteLaxMode),
		csrf.CookieName("exchangeeval_csrf"), csrf.FieldName("csrf_token"),
		csrf.ErrorHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s.log.Warn("form refused: CSRF check failed", "route", r.URL.Path, "reason", csrf.FailureReason(r))
			lang := pickLanguage(r.URL.Query().Get("lang"), interfaceLanguages(), acceptedLanguage(r.Header.Get("Accept-Language")))
			s.renderMessageTo(w, http.StatusForbidden, lang, translate(lang, "csrf.title"), translate(lang, "csrf.body"))
		})))
	return func(c *gin.Context) {
		if !s.cfg.Secure {
			// Served over plain HTTP (development, or TLS ended before a
			// trusted proxy that does not say so): no Referer check.
			c.Request = csrf.PlaintextHTTPRequest(c.Request)
		}
		passed := false
		protect(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			passed = true
			c.Request = r
			c.Next()
		})).ServeHTTP(c.Writer, c.Request)
		if !passed {
			c.Abort()
		}
	}
}

// staffUser finds who is making the request: a session cookie, or an API
// token sent as Authorization: Bearer. nil when neither is valid.
func (s *Server) staffUser(c *gin.Context) *staff.User {
	if u, ok := c.Get(userKey); ok {
		return u.(*staff.User)
	}
	ctx := c.Request.Context()
	var u *staff.User
	if token, ok := strings.CutPrefix(c.GetHeader("Authorization"), "Bearer "); ok && token != "" {
		u, _ = s.store.TokenUser(ctx, staff.HashSecret(token))
	} else if cookie, err := c.Cookie(sessionCookie); err == nil && cookie != "" {
		u, _ = s.store.SessionUser(ctx, staff.HashSecret(cookie), s.now())
	}
	if u != nil && u.Disabled {
		u = nil
	}
	if u != nil {
		c.Set(userKey, u)
	}
	return u
}

// requireStaff admits signed-in staff; others go to the sign-in page (pages)
// or get 401 (JSON).
func (s *Server) requireStaff(json bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		if s.staffUser(c) != nil {
			c.Next()
			return
		}
		if json {
			c.Header("WWW-Authenticate", `Bearer realm="exchangeeval"`)
			s.jsonError(c, exchange.Errorf(exchange.EUNAUTHORIZED, "sign in, or send an API token as Authorization: Bearer <token>"))
			return
		}
		c.Redirect(http.StatusSeeOther, "/login?"+url.Values{"next": {c.Request.URL.RequestURI()}}.Encode())
		c.Abort()
	}
}

// allowed checks the access rule for the current user; when it fails it
// answers 403 (page or JSON) and returns false.
func (s *Server) allowed(c *gin.Context, a staff.Action, exchangeID string, json bool) bool {
	u := s.staffUser(c)
	if staff.Can(u, a, exchangeID) {
		return true
	}
	err := exchange.Errorf(exchange.EFORBIDDEN, "your account may not do this")
	if json {
		s.jsonError(c, err)
	} else {
		lang := s.staffLanguage(c)
		s.renderMessage(c, http.StatusForbidden, lang, translate(lang, "forbidden.title"), translate(lang, "forbidden.body"))
		c.Abort()
	}
	return false
}

// staffLanguage: ?lang=, else the language chosen earlier (cookie), else
// the account's preference.
func (s *Server) staffLanguage(c *gin.Context) string {
	langs := interfaceLanguages()
	if l := c.Query("lang"); l != "" && pickLanguage(l, langs, "") == l {
		c.SetCookie(langCookie, l, 365*24*3600, "/", "", s.cfg.Secure, true)
		return l
	}
	if l, err := c.Cookie(langCookie); err == nil && pickLanguage(l, langs, "") == l {
		return l
	}
	pref := "en"
	if u := s.staffUser(c); u != nil && u.Language != "" {
		pref = u.Language
	}
	return pickLanguage("", langs, pref)
}

// clientAddress is the address a request comes from: the connection's, or,
// when that is a trusted proxy (Config.TrustedProxies), the client it
// names in X-Forwarded-For.
func clientAddress(c *gin.Context) string { return c.ClientIP() }

type loginPage struct {
	page
	CSRF  string
	Next  string
	Email string
	Error string
	// Forgot offers a reset of a forgotten password by e-mail.
	Forgot bool
}

func (s *Server) handleLoginForm(c *gin.Context) {
	lang := s.staffLanguage(c)
	if s.staffUser(c) != nil {
		c.Redirect(http.StatusSeeOther, safeNext(c.Query("next")))
		return
	}
	s.render(c, http.StatusOK, "login", loginPage{page: s.staffPage(c, lang, translate(lang, "login.title")),
		CSRF: csrf.Token(c.Request), Next: safeNext(c.Query("next")), Forgot: s.resetOffered()})
}

// safeNext keeps a redirect after sign-in on this site: only a path on
// this site is followed, anything else goes to the exchanges list. Browsers
// forgive a great deal before they follow a Location — they drop tabs and
// newlines, read "\" as "/", and take "//host" as another site — so the
// path is refused if it holds anything a browser might bend: control
// characters, spaces, backslashes, a scheme, a host, or a leading "//".
func safeNext(next string) string {
	const home = "/exchanges"
	if next == "" || next[0] != '/' || len(next) > 2048 {
		return home
	}
	for _, r := range next {
		if r < 0x21 || r == 0x7f || r == '\\' || (r >= 0x80 && unicode.IsSpace(r)) {
			return home
		}
	}
	if strings.HasPrefix(next, "//") {
		return home
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" || !strings.HasPrefix(u.Path, "/") ||
		strings.HasPrefix(u.Path, "//") {
		return home
	}
	// Decoded, the path must still be a plain path: "/%2F%2Fevil" is
	// one on this site, and stays so, but is not worth the doubt.
	if p, err := url.PathUnescape(u.EscapedPath()); err != nil || strings.HasPrefix(p, "//") || strings.ContainsFunc(p, func(r rune) bool { return r < 0x20 || r == 0x7f || r == '\\' }) {
		return home
	}
	return u.RequestURI()
}

func (s *Server) handleLogin(c *gin.Context) {
	ctx := c.Request.Context()
	lang := s.staffLanguage(c)
	email := strings.ToLower(strings.TrimSpace(c.PostForm("email")))
	password := c.PostForm("password")
	next := safeNext(c.PostForm("next"))
	addr := clientAddress(c)
	fail := func(status int, msg string) {
		s.render(c, status, "login", loginPage{page: s.staffPage(c, lang, translate(lang, "login.title")),
			CSRF: csrf.Token(c.Request), Next: next, Email: email, Error: msg, Forgot: s.resetOffered()})
	}
	// Each attempt takes its place among the window's attempts before its
	// password is checked: thirty wrong passwords sent at once then meet
	// the limit as surely as thirty sent one after the other.
	accountKey, addressKey := "account:"+email, "address:"+addr
	byAccount, _, err1 := s.store.ClaimLoginAttempt(ctx, accountKey, s.now(), throttleWindow, maxAccountFailures)
	byAddress, addressSlot, err2 := s.store.ClaimLoginAttempt(ctx, addressKey, s.now(), throttleWindow, maxAddressFailures)
	if err := errors.Join(err1, err2); err != nil {
		s.htmlError(c, lang, err)
		return
	}
	if byAccount > maxAccountFailures || byAddress > maxAddressFailures {
		s.store.Audit(ctx, staff.Event{At: s.now(), Actor: email, Action: staff.AuditLoginFailed, Detail: "throttled", Note: "throttled", Address: addr})
		fail(http.StatusTooManyRequests, translate(lang, "login.throttled", int(throttleWindow.Minutes())))
		return
	}
	u, err := s.store.User(ctx, email)
	if err != nil {
		staff.SpendPasswordCheck(password)
	}
	if err != nil || !u.PasswordMatches(password) || u.Disabled {
		// The attempt keeps its place: it is a failure.
		s.store.Audit(ctx, staff.Event{At: s.now(), Actor: email, Action: staff.AuditLoginFailed, Address: addr})
		// The same words whether the account exists, is disabled or the
		// password is wrong: nothing to learn from them.
		fail(http.StatusUnauthorized, translate(lang, "login.failed"))
		return
	}
	// A right password gives back the place it took among the address's
	// attempts. The account's run of failures ends when the sign-in is
	// complete: with a second factor, after the code.
	if err := s.store.ReleaseLoginAttempt(ctx, addressSlot); err != nil {
		s.log.Warn("release a sign-in attempt", "err", err)
	}
	if u.TOTP.Enabled {
		s.awaitSecondFactor(c, lang, u, next)
		return
	}
	s.signIn(c, lang, u, next, "")
}

// signIn starts a session for u, ends its run of failed sign-ins, and
// goes on to next. note says how the second factor was given, if one was.
func (s *Server) signIn(c *gin.Context, lang string, u *staff.User, next, note string) {
	ctx := c.Request.Context()
	secret, hash := staff.NewSecret()
	if err := s.store.CreateSession(ctx, &staff.Session{Hash: hash, User: u.Email, CreatedAt: s.now(), ExpiresAt: s.now().Add(s.cfg.SessionTTL)}); err != nil {
		s.htmlError(c, lang, err)
		return
	}
	if err := s.store.ClearLoginAttempts(ctx, "account:"+u.Email, s.now().Add(-24*time.Hour)); err != nil {
		s.log.Warn("clear sign-in attempts", "err", err)
	}
	e := staff.Event{At: s.now(), Actor: u.Email, Action: staff.AuditLogin, Address: clientAddress(c)}
	if note != "" {
		e.Detail, e.Note, e.Args = auditNote("en", note, []string{u.Email}), note, []string{u.Email}
	}
	s.store.Audit(ctx, e)
	http.SetCookie(c.Writer, &http.Cookie{Name: sessionCookie, Value: secret, Path: "/", HttpOnly: true, Secure: s.cfg.Secure,
		SameSite: http.SameSiteLaxMode, MaxAge: int(s.cfg.SessionTTL.Seconds())})
	c.Redirect(http.StatusSeeOther, next)
}

func (s *Server) handleLogout(c *gin.Context) {
	if cookie, err := c.Cookie(sessionCookie); err == nil {
		_ = s.store.DeleteSession(c.Request.Context(), staff.HashSecret(cookie))
	}
	if u := s.staffUser(c); u != nil {
		s.store.Audit(c.Request.Context(), staff.Event{At: s.now(), Actor: u.Email, Action: staff.AuditLogout, Address: clientAddress(c)})
	}
	http.SetCookie(c.Writer, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", HttpOnly: true, Secure: s.cfg.Secure, MaxAge: -1})
	c.Redirect(http.StatusSeeOther, "/login")
}

// audit records what a staff member did. The note names the catalogue
// entry "audit.note.<note>" that words it, args its particulars: the trail
// keeps the English wording for anyone reading the database, and the
// audit page words it again in its reader's language.
func (s *Server) audit(c *gin.Context, action, exchangeID, note string, args ...string) {
	actor := ""
	if u := s.staffUser(c); u != nil {
		actor = u.Email
	}
	s.store.Audit(context.WithoutCancel(c.Request.Context()), staff.Event{At: s.now(), Actor: actor, Action: action, Exchange: exchangeID,
		Detail: auditNote("en", note, args), Note: note, Args: args, Address: clientAddress(c)})
}
