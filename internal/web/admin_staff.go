package web

import (
	"encoding/base64"
	"errors"
	"github.com/csci/exchangeeval/internal/i18n"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
	"github.com/gorilla/csrf"

	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/staff"
	"github.com/csci/exchangeeval/internal/survey"
)

// The admin's own pages besides an exchange's: the audit trail, the staff
// accounts, and taking out a participant invited by mistake.

// auditPageSize is how many events an audit page shows.
const auditPageSize = 50

type auditPage struct {
	page
	Rows []auditRow
	// Filter is what the form shows; Exchanges and Actions its choices.
	Filter    auditFilter
	Exchanges []*exchange.Exchange
	Actions   []selectOption
	// Next is the address of the older events, "" on the last page;
	// Newest that of the first page, "" on it.
	Next, Newest string
	Error        string
}

type auditFilter struct{ Actor, Action, Exchange, From, To string }

type auditRow struct{ When, Who, What, Exchange, Detail, Address string }

type selectOption struct {
	Value, Label string
	Selected     bool
}

// notesOfAWave are the audit notes whose first particular is a wave.
var notesOfAWave = []string{"wave-open", "wave-close", "schedule", "mail-invitation", "mail-reminder"}

// auditNote words a note of the audit trail in lang; the English Detail
// stands in for an event recorded before notes existed.
func auditNote(lang, note string, args []string) string {
	a := make([]any, len(args))
	for i, v := range args {
		a[i] = v
	}
	if note == "signoff" && len(a) == 3 {
		// The goal, the decision and the verdict: the last two are codes
		// the catalogue words.
		a[1], a[2] = translate(lang, "decision."+args[1]), translate(lang, "verdict."+args[2])
	}
	return translate(lang, "audit.note."+note, a...)
}

func (s *Server) handleAudit(c *gin.Context) {
	if !s.allowed(c, staff.ReadAudit, "", false) {
		return
	}
	ctx := c.Request.Context()
	lang := s.staffLanguage(c)
	f := auditFilter{Actor: strings.ToLower(strings.TrimSpace(c.Query("actor"))), Action: c.Query("action"), Exchange: c.Query("exchange"),
		From: c.Query("from"), To: c.Query("to")}
	p := auditPage{page: s.staffPage(c, lang, translate(lang, "audit.title")), Filter: f}
	for _, a := range staff.AuditActions {
		p.Actions = append(p.Actions, selectOption{Value: a, Label: translate(lang, "audit.action."+a), Selected: a == f.Action})
	}
	xs, err := s.store.Exchanges(ctx)
	if err != nil {
		s.htmlError(c, lang, err)
		return
	}
	p.Exchanges = xs
	q := staff.AuditQuery{Actor: f.Actor, Action: f.Action, Exchange: f.Exchange, After: c.Query("after"), Limit: auditPageSize}
	var bad []string
	if f.Action != "" && !slices.Contains(staff.AuditActions, f.Action) {
		bad = append(bad, translate(lang, "field.problem", translate(lang, "audit.what"), translate(lang, "audit.badaction")))
	}
	for _, d := range []struct {
		value, label string
		into         *time.Time
		next         bool
	}{{f.From, "audit.from", &q.From, false}, {f.To, "audit.to", &q.To, true}} {
		if d.value == "" {
			continue
		}
		t, err := time.Parse(exchange.DateLayout, d.value)
		if err != nil {
			bad = append(bad, translate(lang, "field.problem", translate(lang, d.label), translate(lang, "problem.date")))
			continue
		}
		if d.next {
			t = t.AddDate(0, 0, 1) // "to" a day includes that day
		}
		*d.into = t
	}
	if len(bad) > 0 {
		p.Error = translate(lang, "audit.badfilter") + " " + strings.Join(bad, translate(lang, "list.sep"))
		s.render(c, http.StatusBadRequest, "audit", p)
		return
	}
	events, next, err := s.store.AuditTrail(ctx, q)
	if err != nil {
		if exchange.ErrorCode(err) != exchange.EINVALID {
			s.htmlError(c, lang, err)
			return
		}
		p.Error = translate(lang, "audit.badpage")
		p.Newest = auditURL(f, "")
		s.render(c, http.StatusBadRequest, "audit", p)
		return
	}
	instrumentOf := map[string]*survey.Instrument{}
	for _, x := range xs {
		instrumentOf[x.ID] = s.instrumentOf(c.Request.Context(), x)
	}
	for _, e := range events {
		detail := e.Detail
		if e.Note != "" {
			args := e.Args
			if in := instrumentOf[e.Exchange]; in != nil && slices.Contains(notesOfAWave, e.Note) && len(args) > 0 {
				// A wave by its title, as every staff page names it.
				args = append([]string{waveTitle(in, args[0], lang)}, args[1:]...)
			}
			detail = auditNote(lang, e.Note, args)
		}
		p.Rows = append(p.Rows, auditRow{When: formatTime(lang, e.At, time.UTC), Who: e.Actor, What: translate(lang, "audit.action."+e.Action),
			Exchange: e.Exchange, Detail: detail, Address: e.Address})
	}
	if next != "" {
		p.Next = auditURL(f, next)
	}
	if q.After != "" {
		p.Newest = auditURL(f, "")
	}
	s.render(c, http.StatusOK, "audit", p)
}

// auditURL is the address of a page of the trail with the same filters.
func auditURL(f auditFilter, after string) string {
	v := url.Values{}
	for k, x := range map[string]string{"actor": f.Actor, "action": f.Action, "exchange": f.Exchange, "from": f.From, "to": f.To, "after": after} {
		if x != "" {
			v.Set(k, x)
		}
	}
	if len(v) == 0 {
		return "/admin/audit"
	}
	return "/admin/audit?" + v.Encode()
}

// Notices after a form: the form's answer redirects (a refresh sends
// nothing again) and the page it lands on shows what was done, carried in
// a short-lived cookie.
const noticeCookie = "admin_notice"

func (s *Server) setNotice(c *gin.Context, notice string, isError bool) {
	kind := "n"
	if isError {
		kind = "e"
	}
	v := kind + base64.RawURLEncoding.EncodeToString([]byte(truncateUTF8(notice, 2000)))
	c.SetCookie(noticeCookie, v, 120, "/admin", "", s.cfg.Secure, true)
}

// takeNotice reads and clears the notice, if there is one.
func (s *Server) takeNotice(c *gin.Context) (notice, errMsg string) {
	v, err := c.Cookie(noticeCookie)
	if err != nil || v == "" {
		return "", ""
	}
	c.SetCookie(noticeCookie, "", -1, "/admin", "", s.cfg.Secure, true)
	b, err := base64.RawURLEncoding.DecodeString(v[1:])
	if err != nil || !utf8.Valid(b) {
		return "", ""
	}
	if v[0] == 'e' {
		return "", string(b)
	}
	return string(b), ""
}

func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}

// handleAdminRemoveParticipant takes out a participant who has answered
// nothing; the store refuses one who has.
func (s *Server) handleAdminRemoveParticipant(c *gin.Context) {
	_, in, lang, ok := s.administered(c)
	if !ok {
		return
	}
	id, pid := c.Param("id"), c.Param("pid")
	back := "/admin/exchanges/" + id // the notice is at the top
	p, err := s.store.RemoveParticipant(c.Request.Context(), id, pid, in.WaveIDs())
	switch exchange.ErrorCode(err) {
	case "":
		s.audit(c, staff.AuditAdminister, id, "removed", pid)
		s.setNotice(c, translate(lang, "admin.removed", pid, p.Name), false)
	case exchange.ECONFLICT:
		// Answered, or an import into the exchange is running.
		var e *exchange.Error
		if errors.As(err, &e) && e.Coded != nil && e.Coded.Code == exchange.ProblemHasAnswered {
			s.setNotice(c, translate(lang, "admin.notremoved", pid), true)
		} else {
			s.setNotice(c, coded(lang, err), true)
		}
	case exchange.ENOTFOUND:
		s.setNotice(c, translate(lang, "admin.noparticipant", pid), true)
	default:
		s.htmlError(c, lang, err)
		return
	}
	c.Redirect(http.StatusSeeOther, back)
}

type usersPage struct {
	page
	CSRF      string
	Rows      []userRow
	Exchanges []*exchange.Exchange
	Roles     []selectOption
	// AccountLanguages are the interface's languages, each named in
	// itself, for the account's language.
	AccountLanguages []selectOption
	Form             userForm
	Notice           string
	Error            string
	Problems         []string
	Tokens           []tokenRow
	// TwoFactorRoles are the roles, each checked when it must use a
	// second factor.
	TwoFactorRoles []selectOption
}

// tokenRow is an API token as the accounts page lists it.
type tokenRow struct {
	ID, User, Name, Created, Expires string
	Expired                          bool
}

type userForm struct{ Email, Name, Role, Language string }

type userRow struct {
	Email, Name, Roles, Language string
	Committee, Disabled, Self    bool
	// TwoFactor: the account signs in with a second factor.
	TwoFactor bool
	// Assigned are the exchanges the member reviews; Assignable those
	// they could be given.
	Assigned, Assignable []*exchange.Exchange
	// Unknown are assignments to exchanges that no longer exist.
	Unknown []string
}

// userFields are the account form's fields, with their labels.
var userFields = []formField{{"email", "users.email"}, {"name", "users.name"}, {"role", "users.role"}, {"password", "users.password"}}

func (s *Server) handleUsers(c *gin.Context) {
	if !s.allowed(c, staff.Administer, "", false) {
		return
	}
	notice, errMsg := s.takeNotice(c)
	s.renderUsers(c, http.StatusOK, userForm{Language: s.staffLanguage(c)}, notice, errMsg, nil)
}

func (s *Server) renderUsers(c *gin.Context, status int, form userForm, notice, errMsg string, problems []string) {
	ctx := c.Request.Context()
	lang := s.staffLanguage(c)
	users, err := s.store.Users(ctx)
	if err != nil {
		s.htmlError(c, lang, err)
		return
	}
	xs, err := s.store.Exchanges(ctx)
	if err != nil {
		s.htmlError(c, lang, err)
		return
	}
	me := s.staffUser(c)
	p := usersPage{page: s.staffPage(c, lang, translate(lang, "users.title")), CSRF: csrf.Token(c.Request), Exchanges: xs, Form: form,
		Notice: notice, Error: errMsg, Problems: problems}
	required, err := s.store.TwoFactorRoles(ctx)
	if err != nil {
		s.htmlError(c, lang, err)
		return
	}
	for _, r := range staff.Roles {
		p.Roles = append(p.Roles, selectOption{Value: r, Label: translate(lang, "role."+r), Selected: r == form.Role})
		p.TwoFactorRoles = append(p.TwoFactorRoles, selectOption{Value: r, Label: translate(lang, "role."+r), Selected: slices.Contains(required, r)})
	}
	for _, l := range interfaceLanguages() {
		p.AccountLanguages = append(p.AccountLanguages, selectOption{Value: l, Label: survey.LanguageName(l), Selected: l == form.Language || form.Language == "" && l == i18n.Source})
	}
	for _, u := range users {
		row := userRow{Email: u.Email, Name: u.Name, Language: languageName(lang, u.Language), Committee: u.Has(staff.RoleCommittee), TwoFactor: u.TOTP.Enabled,
			Disabled: u.Disabled, Self: me != nil && me.Email == u.Email}
		var roles []string
		for _, r := range u.Roles {
			roles = append(roles, translate(lang, "role."+r))
		}
		row.Roles = strings.Join(roles, ", ")
		for _, x := range xs {
			if slices.Contains(u.Exchanges, x.ID) {
				row.Assigned = append(row.Assigned, x)
			} else {
				row.Assignable = append(row.Assignable, x)
			}
		}
		for _, id := range u.Exchanges {
			if !slices.ContainsFunc(xs, func(x *exchange.Exchange) bool { return x.ID == id }) {
				row.Unknown = append(row.Unknown, id)
			}
		}
		p.Rows = append(p.Rows, row)
	}
	tokens, err := s.store.Tokens(ctx, "")
	if err != nil {
		s.htmlError(c, lang, err)
		return
	}
	for _, t := range tokens {
		p.Tokens = append(p.Tokens, tokenRow{ID: t.ID(), User: t.User, Name: t.Name, Created: formatDate(lang, t.CreatedAt),
			Expires: formatDate(lang, t.Expires()), Expired: !s.now().Before(t.Expires())})
	}
	s.render(c, status, "users", p)
}

// handleTokenRevoke ends one API token, by the id the accounts page shows.
func (s *Server) handleTokenRevoke(c *gin.Context) {
	if !s.allowed(c, staff.Administer, "", false) {
		return
	}
	lang := s.staffLanguage(c)
	t, err := s.store.RevokeToken(c.Request.Context(), c.PostForm("id"))
	if err != nil {
		if statusOf(err) >= 500 {
			s.htmlError(c, lang, err)
			return
		}
		s.setNotice(c, exchange.ErrorMessage(err), true)
		c.Redirect(http.StatusSeeOther, "/admin/users#h-tokens")
		return
	}
	s.audit(c, staff.AuditTokenRevoked, "", "token", t.Name)
	s.setNotice(c, translate(lang, "tokens.revoked", t.Name, t.User), false)
	c.Redirect(http.StatusSeeOther, "/admin/users#h-tokens")
}

func (s *Server) handleUserCreate(c *gin.Context) {
	if !s.allowed(c, staff.Administer, "", false) {
		return
	}
	lang := s.staffLanguage(c)
	form := userForm{Email: c.PostForm("email"), Name: c.PostForm("name"), Role: c.PostForm("role"), Language: c.PostForm("language")}
	if !i18n.Active().Has(form.Language) {
		form.Language = i18n.Source
	}
	var roles []string
	if form.Role != "" {
		roles = []string{form.Role}
	}
	u, err := staff.NewUser(form.Email, form.Name, roles, c.PostForm("password"), s.now())
	if err == nil {
		u.Language = form.Language
		err = s.store.CreateUser(c.Request.Context(), u)
		if exchange.ErrorCode(err) == exchange.ECONFLICT {
			err = &exchange.Error{Code: exchange.ECONFLICT, Message: err.Error(),
				Problems: map[string]exchange.FieldProblem{"email": {Code: exchange.ProblemTaken, Args: []any{u.Email}}}}
		}
	}
	if err != nil {
		if statusOf(err) >= 500 {
			s.htmlError(c, lang, err)
			return
		}
		msg, problems := fieldProblems(lang, err, userFields, "users.notcreated")
		s.renderUsers(c, statusOf(err), form, "", msg, problems)
		return
	}
	s.audit(c, staff.AuditAdminister, "", "user-added", u.Email, strings.Join(u.Roles, ","))
	s.setNotice(c, translate(lang, "users.added", u.Email), false)
	c.Redirect(http.StatusSeeOther, "/admin/users")
}

// handleUserChange assigns or unassigns an exchange, or disables or
// enables an account, and comes back to the list.
func (s *Server) handleUserChange(c *gin.Context) {
	if !s.allowed(c, staff.Administer, "", false) {
		return
	}
	ctx := c.Request.Context()
	lang := s.staffLanguage(c)
	email, action, xid := c.PostForm("email"), c.PostForm("action"), c.PostForm("exchange")
	var err error
	var notice string
	switch action {
	case "assign", "unassign":
		if action == "assign" {
			// The exchange must exist: an assignment to a mistyped one
			// would give nothing and say nothing.
			if _, err = s.store.Exchange(ctx, xid); err != nil {
				break
			}
		}
		if _, err = s.store.AssignExchanges(ctx, email, []string{xid}, action == "assign"); err == nil {
			notice = translate(lang, "users.done."+action, email, xid)
			s.audit(c, staff.AuditAdminister, xid, "user-"+action, email)
		}
	case "disable", "enable":
		if me := s.staffUser(c); action == "disable" && me != nil && me.Email == email {
			s.setNotice(c, translate(lang, "users.notself"), true)
			c.Redirect(http.StatusSeeOther, "/admin/users")
			return
		}
		if err = s.store.SetDisabled(ctx, email, action == "disable"); err == nil {
			notice = translate(lang, "users.done."+action, email)
			s.audit(c, staff.AuditAdminister, "", "user-"+action, email)
		}
	case "reset":
		// A new password, shown once to the admin, who passes it on;
		// the account's sessions end, and its owner changes it on the
		// account page.
		if me := s.staffUser(c); me != nil && me.Email == email {
			s.setNotice(c, translate(lang, "users.notself"), true)
			c.Redirect(http.StatusSeeOther, "/admin/users")
			return
		}
		pw := staff.NewReadableCode()
		var hash []byte
		if hash, err = staff.HashPassword(pw); err == nil {
			err = s.store.SetPassword(ctx, email, hash)
		}
		if err == nil {
			s.audit(c, staff.AuditAdminister, "", "user-password-reset", email)
			s.renderUsers(c, http.StatusOK, userForm{}, translate(lang, "users.done.reset", email, pw), "", nil)
			return
		}
	case "reset-two-factor":
		// The owner lost the phone and the recovery codes: the account
		// signs in with its password alone until it enrols again (at
		// once, when its role requires a second factor).
		if err = s.store.DisableTOTP(ctx, email); err == nil {
			notice = translate(lang, "users.done.reset-two-factor", email)
			s.audit(c, staff.AuditAdminister, "", "user-two-factor-reset", email)
		}
	default:
		err = exchange.Errorf(exchange.EINVALID, "unknown change %q", action)
	}
	switch {
	case err == nil:
		s.setNotice(c, notice, false)
	case exchange.ErrorCode(err) == exchange.ENOTFOUND:
		s.setNotice(c, translate(lang, "users.notfound"), true)
	case statusOf(err) < 500:
		s.setNotice(c, translate(lang, "users.badchange"), true)
	default:
		s.htmlError(c, lang, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/admin/users")
}

// formField is a form's field with the catalogue key of its label.
type formField struct{ field, label string }

// fieldProblems words an error for a staff form in the reader's language:
// its fields' problems by the form's own labels, in the form's order,
// under the heading key; a file's problems row by row; anything else as
// its message.
func fieldProblems(lang string, err error, fields []formField, heading string) (string, []string) {
	var e *exchange.Error
	if !errors.As(err, &e) {
		return exchange.ErrorMessage(err), nil
	}
	if len(e.Problems) == 0 {
		return coded(lang, err), rowProblems(lang, e)
	}
	var out []string
	for _, f := range fields {
		if p, ok := e.Problems[f.field]; ok {
			out = append(out, translate(lang, "field.problem", translate(lang, f.label), problemText(lang, p)))
		}
	}
	return translate(lang, heading), out
}

// coded is an error's message in lang when it is coded, else as it is.
func coded(lang string, err error) string {
	var e *exchange.Error
	if errors.As(err, &e) && e.Coded != nil {
		return problemText(lang, *e.Coded)
	}
	return exchange.ErrorMessage(err)
}

// problemText words a coded problem in lang; in English as the domain
// words it when the catalogue has no wording of its own.
func problemText(lang string, p exchange.FieldProblem) string {
	key := "problem." + p.Code
	if s := translate(lang, key, p.Args...); !strings.HasPrefix(s, key) {
		return s
	}
	return p.English()
}

// rowProblems words a file's problems, each with its row and column.
func rowProblems(lang string, e *exchange.Error) []string {
	if len(e.Rows) == 0 {
		return e.Details
	}
	out := make([]string, len(e.Rows))
	for i, r := range e.Rows {
		where := translate(lang, "where.row", r.Row)
		if r.Column != "" {
			where += translate(lang, "where.column", r.Column)
			if r.Field != "" {
				where += " (" + r.Field + ")"
			}
		}
		out[i] = translate(lang, "field.problem", where, problemText(lang, r.Problem))
	}
	if e.More > 0 {
		out = append(out, translate(lang, "problems.more", e.More))
	}
	return out
}

// handleTwoFactorPolicy sets the roles whose accounts must sign in with a
// second factor.
func (s *Server) handleTwoFactorPolicy(c *gin.Context) {
	if !s.allowed(c, staff.Administer, "", false) {
		return
	}
	lang := s.staffLanguage(c)
	var roles []string
	for _, r := range c.PostFormArray("role") {
		if slices.Contains(staff.Roles, r) && !slices.Contains(roles, r) {
			roles = append(roles, r)
		}
	}
	if err := s.store.SetTwoFactorRoles(c.Request.Context(), roles); err != nil {
		s.htmlError(c, lang, err)
		return
	}
	named := strings.Join(roles, ", ")
	if named == "" {
		named = "—"
	}
	s.audit(c, staff.AuditAdminister, "", "two-factor-policy", named)
	s.setNotice(c, translate(lang, "users.done.two-factor-policy"), false)
	c.Redirect(http.StatusSeeOther, "/admin/users")
}
