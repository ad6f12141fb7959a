package web

import (
	"context"
	"html"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/gorilla/csrf"

	"github.com/csci/exchangeeval/internal/mailing"
	"github.com/csci/exchangeeval/internal/staff"
)

// A forgotten password, reset by e-mail: the sign-in page leads to a form
// asking for the account's address; a one-time link, valid for
// staff.PasswordResetTTL, goes to that address if it is an enabled
// account's; the link's page takes the new password. The answer to the
// form is the same whether the account exists or not, and the message is
// sent after the answer, so neither words nor timing tell who has one.

// maxResetsPerAccount bounds the messages one address can be sent in a
// throttle window: a stranger cannot fill a colleague's mailbox.
const maxResetsPerAccount = 3

type forgotPage struct {
	page
	CSRF, Email, Error string
	Problems           []string
	// Token is the reset link's secret, on the page that sets the password.
	Token string
}

// resetPage is a page of the reset, before what a request adds.
func (s *Server) resetPage(c *gin.Context, lang string) forgotPage {
	return forgotPage{page: s.staffPage(c, lang, translate(lang, "reset.title")), CSRF: csrf.Token(c.Request)}
}

// resetMessage answers with a message of the reset and a link on.
func (s *Server) resetMessage(c *gin.Context, lang string, status int, body, linkURL, linkText string) {
	s.render(c, status, "message", messagePage{page: s.staffPage(c, lang, translate(lang, "reset.title")),
		Heading: translate(lang, "reset.title"), Body: body, LinkURL: linkURL, LinkText: linkText})
}

// resetOffered reports whether forgotten passwords can be reset: mail is
// set up, and links can point at the configured public address (never at
// a request's Host header, which whoever asks for the reset chooses).
func (s *Server) resetOffered() bool { return s.cfg.StaffMail != nil && s.cfg.BaseURL != "" }

func (s *Server) handleForgotForm(c *gin.Context) {
	lang := s.staffLanguage(c)
	if !s.resetOffered() {
		c.Redirect(http.StatusSeeOther, "/login")
		return
	}
	s.render(c, http.StatusOK, "forgot", s.resetPage(c, lang))
}

func (s *Server) handleForgot(c *gin.Context) {
	ctx := c.Request.Context()
	lang := s.staffLanguage(c)
	if !s.resetOffered() {
		c.Redirect(http.StatusSeeOther, "/login")
		return
	}
	email := strings.ToLower(strings.TrimSpace(c.PostForm("email")))
	p := s.resetPage(c, lang)
	p.Email = email
	fail := func(status int, msg string, problems []string) {
		p.Error, p.Problems = msg, problems
		s.render(c, status, "forgot", p)
	}
	if _, ok := s.claimAttempt(c, lang, "address:"+clientAddress(c), maxAddressFailures, fail); !ok {
		return
	}
	if _, ok := s.claimAttempt(c, lang, "reset:"+email, maxResetsPerAccount, fail); !ok {
		return
	}
	u, err := s.store.User(ctx, email)
	if err == nil && !u.Disabled {
		secret, hash := staff.NewSecret()
		r := &staff.PasswordReset{Hash: hash, User: u.Email, CreatedAt: s.now(), ExpiresAt: s.now().Add(staff.PasswordResetTTL)}
		if err := s.store.CreatePasswordReset(ctx, r); err != nil {
			s.htmlError(c, lang, err)
			return
		}
		s.audit(c, staff.AuditAdminister, "", "password-reset-sent", u.Email)
		m := s.resetMail(u, strings.TrimRight(s.cfg.BaseURL, "/")+"/login/reset/"+secret, hash)
		go func() {
			ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
			defer cancel()
			if err := s.cfg.StaffMail.Send(ctx, m); err != nil {
				s.log.Warn("send a password reset link", "to", u.Email, "err", err)
			}
		}()
	}
	s.resetMessage(c, lang, http.StatusOK, translate(lang, "reset.sent", email), "/login", translate(lang, "login.submit"))
}

// resetMail is the message carrying a reset link, in the account's
// language.
func (s *Server) resetMail(u *staff.User, link, hash string) *mailing.Mail {
	lang := pickLanguage("", interfaceLanguages(), u.Language)
	body := translate(lang, "reset.mail.body", u.Name)
	closing := translate(lang, "reset.mail.ignore")
	return &mailing.Mail{Exchange: "staff", Participant: hash[:16], Wave: "account", Kind: "password-reset", Seq: 1, Language: lang,
		To: u.Email, Name: u.Name, Subject: translate(lang, "reset.mail.subject"),
		Text:   body + "\n\n" + link + "\n\n" + closing + "\n",
		HTML:   `<p>` + html.EscapeString(body) + `</p><p><a href="` + html.EscapeString(link) + `">` + html.EscapeString(link) + `</a></p><p>` + html.EscapeString(closing) + `</p>`,
		Status: mailing.Queued, QueuedAt: s.now()}
}

// resetLink answers for a link that is unknown, used or expired, and
// reports whether the link works.
func (s *Server) resetLink(c *gin.Context, lang string) bool {
	_, err := s.store.PasswordReset(c.Request.Context(), staff.HashSecret(c.Param("token")), s.now())
	switch {
	case err == nil:
		return true
	case statusOf(err) == http.StatusNotFound:
		s.resetMessage(c, lang, http.StatusNotFound, translate(lang, "reset.expired"), "/login/forgot", translate(lang, "reset.again"))
	default:
		s.htmlError(c, lang, err)
	}
	return false
}

func (s *Server) handleResetForm(c *gin.Context) {
	lang := s.staffLanguage(c)
	if !s.resetLink(c, lang) {
		return
	}
	p := s.resetPage(c, lang)
	p.Token = c.Param("token")
	s.render(c, http.StatusOK, "reset", p)
}

func (s *Server) handleReset(c *gin.Context) {
	lang := s.staffLanguage(c)
	if !s.resetLink(c, lang) {
		return
	}
	p := s.resetPage(c, lang)
	p.Token = c.Param("token")
	if c.PostForm("password") != c.PostForm("password2") {
		p.Error = translate(lang, "setup.mismatch")
		s.render(c, http.StatusUnprocessableEntity, "reset", p)
		return
	}
	if prob := staff.PasswordProblem(c.PostForm("password")); prob != nil {
		p.Error, p.Problems = translate(lang, "account.notchanged"), []string{translate(lang, "field.problem", translate(lang, "login.password"), problemText(lang, *prob))}
		s.render(c, http.StatusUnprocessableEntity, "reset", p)
		return
	}
	hash, err := staff.HashPassword(c.PostForm("password"))
	if err != nil {
		s.htmlError(c, lang, err)
		return
	}
	email, err := s.store.UsePasswordReset(c.Request.Context(), staff.HashSecret(c.Param("token")), s.now(), hash)
	if statusOf(err) == http.StatusNotFound {
		s.resetLink(c, lang)
		return
	}
	if err != nil {
		s.htmlError(c, lang, err)
		return
	}
	s.store.Audit(context.WithoutCancel(c.Request.Context()), staff.Event{At: s.now(), Actor: email, Action: staff.AuditAdminister,
		Detail: auditNote("en", "password-reset-used", []string{email}), Note: "password-reset-used", Args: []string{email}, Address: clientAddress(c)})
	s.resetMessage(c, lang, http.StatusOK, translate(lang, "reset.done"), "/login", translate(lang, "login.submit"))
}
