// Package web is everything HTTP: the Gin router, handlers for each audience,
// middleware and template rendering. Handlers decode, check, call the domain
// and the store, and render; no business rule lives here.
package web

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"iter"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/csci/exchangeeval/internal/analysis"
	"github.com/csci/exchangeeval/internal/coding"
	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/mailing"
	"github.com/csci/exchangeeval/internal/privacy"
	"github.com/csci/exchangeeval/internal/staff"
	"github.com/csci/exchangeeval/internal/survey"
)

// Store is what the web layer needs from storage.
type Store interface {
	// Ready says whether the store answers and can write (see
	// mongostore.Store.Ready).
	Ready(ctx context.Context) error
	StoredInstruments(ctx context.Context) ([]*survey.Instrument, error)
	AddInstrument(ctx context.Context, in *survey.Instrument, up survey.Upload) error
	AnsweredQuestions(ctx context.Context, id string) (map[string]bool, []string, error)
	SetInstrumentVersion(ctx context.Context, id string, version int) error
	Exchange(ctx context.Context, id string) (*exchange.Exchange, error)
	LinkHolder(ctx context.Context, token string) (*exchange.LinkHolder, error)
	ParticipantByToken(ctx context.Context, token string) (*exchange.Participant, error)
	Response(ctx context.Context, exchangeID, pid, wave string) (*exchange.Response, error)
	SaveResponse(ctx context.Context, r *exchange.Response) (*exchange.Response, error)
	SaveDraft(ctx context.Context, exchangeID, pid, wave, language string, answers survey.Answers, at time.Time) error
	Draft(ctx context.Context, exchangeID, pid, wave string) (*exchange.Draft, error)
	DeleteDraft(ctx context.Context, exchangeID, pid, wave string) error
	AnalysisInput(ctx context.Context, x *exchange.Exchange, in *survey.Instrument) analysis.Input
	Codes(ctx context.Context, exchangeID string) ([]coding.Record, error)
	SaveCodes(ctx context.Context, records []coding.Record) error
	Codebook(ctx context.Context, exchangeID string) (*coding.Codebook, error)
	CodebookHistory(ctx context.Context, exchangeID string) ([]coding.Codebook, error)
	SaveCodebook(ctx context.Context, cb coding.Codebook) error
	ChangeMark(ctx context.Context, exchangeID string) (string, error)
	StreamParticipants(ctx context.Context, exchangeID string) iter.Seq2[*exchange.Participant, error]
	StreamResponses(ctx context.Context, exchangeID string) iter.Seq2[*exchange.Response, error]

	// Staff.
	Exchanges(ctx context.Context) ([]*exchange.Exchange, error)
	CreateExchange(ctx context.Context, x *exchange.Exchange) error
	UpdateExchangeDetails(ctx context.Context, x *exchange.Exchange) error
	SetWave(ctx context.Context, id, wave string, open bool, at time.Time) (*exchange.Exchange, error)
	Participants(ctx context.Context, exchangeID string) ([]*exchange.Participant, error)
	ImportParticipants(ctx context.Context, exchangeID string, rows []exchange.ParticipantRow, now time.Time) (*exchange.ImportResult, error)
	Respondents(ctx context.Context, exchangeID string) (map[string]map[string]bool, error)
	User(ctx context.Context, email string) (*staff.User, error)
	SessionUser(ctx context.Context, hash string, now time.Time) (*staff.User, error)
	CreateSession(ctx context.Context, sess *staff.Session) error
	DeleteSession(ctx context.Context, hash string) error
	TokenUser(ctx context.Context, hash string) (*staff.User, error)
	Tokens(ctx context.Context, user string) ([]*staff.APIToken, error)
	RevokeToken(ctx context.Context, id string) (*staff.APIToken, error)
	ClaimLoginAttempt(ctx context.Context, key string, now time.Time, window time.Duration, max int) (int, string, error)
	ReleaseLoginAttempt(ctx context.Context, slot string) error
	ClearLoginAttempts(ctx context.Context, key string, before time.Time) error
	Audit(ctx context.Context, e staff.Event)
	AuditTrail(ctx context.Context, q staff.AuditQuery) ([]*staff.Event, string, error)
	RemoveParticipant(ctx context.Context, exchangeID, pid string, waves []string) (*exchange.Participant, error)
	SetWaveSchedule(ctx context.Context, id, wave string, opens, closes *time.Time, remindBefore time.Duration) (*exchange.Exchange, error)
	Mail(ctx context.Context, exchangeID string) ([]*mailing.Mail, error)
	QueueMail(ctx context.Context, exchangeID string, mails []*mailing.Mail, now time.Time) ([]*mailing.Mail, int, error)
	RetryFailedMail(ctx context.Context, exchangeID string, now time.Time) (int, error)
	Users(ctx context.Context) ([]*staff.User, error)
	CreateUser(ctx context.Context, u *staff.User) error
	AssignExchanges(ctx context.Context, email string, ids []string, add bool) ([]string, error)
	SetDisabled(ctx context.Context, email string, disabled bool) error
	SetPassword(ctx context.Context, email string, hash []byte) error
	CreatePasswordReset(ctx context.Context, r *staff.PasswordReset) error
	PasswordReset(ctx context.Context, hash string, now time.Time) (*staff.PasswordReset, error)
	UsePasswordReset(ctx context.Context, hash string, now time.Time, passwordHash []byte) (string, error)
	PendingSessionUser(ctx context.Context, hash string, now time.Time) (*staff.User, error)
	BeginTOTP(ctx context.Context, email, secret string) error
	EnableTOTP(ctx context.Context, email, secret string, recovery []string, step int64, now time.Time) error
	DisableTOTP(ctx context.Context, email string) error
	SetRecoveryCodes(ctx context.Context, email string, recovery []string) error
	UseTOTPStep(ctx context.Context, email string, step int64) (bool, error)
	UseRecoveryCode(ctx context.Context, email, hash string) (bool, error)
	TwoFactorRoles(ctx context.Context) ([]string, error)
	PersonalDataOf(ctx context.Context, exchangeID, pid string, waves []string, now time.Time) (*privacy.PersonalData, error)
	EraseParticipant(ctx context.Context, exchangeID, pid string, answers bool, by string, now time.Time) (*privacy.Erased, error)
	SetTwoFactorRoles(ctx context.Context, roles []string) error
	AddSignOff(ctx context.Context, so *staff.SignOff) error
	SignOffs(ctx context.Context, exchangeID string) ([]*staff.SignOff, error)
}

// Config is how the service is configured.
type Config struct {
	// Catalog, when set, is the instruments with those admins upload, shared
	// with the rest of the process (the mailer); otherwise the server makes
	// its own from the instruments it is given and the store.
	Catalog *survey.Catalog
	// Secret keys the CSRF tokens (32 bytes). Set it in production so forms
	// survive restarts and work across instances; random when empty.
	Secret []byte
	// TrustedProxies are the addresses and CIDRs of the reverse proxies
	// in front of the service: only from them is X-Forwarded-For believed,
	// and the client address it names is what sign-in throttling counts.
	// None by default: a forged header from anyone else is ignored.
	TrustedProxies []string
	// Secure: the service is reached over HTTPS (directly or behind a
	// proxy): cookies are Secure and CSRF checks the Referer.
	Secure bool
	// BaseURL is the public address of the service, for personal links.
	BaseURL string
	// SessionTTL is how long a sign-in lasts; DefaultSessionTTL when 0.
	SessionTTL time.Duration
	// Now is the clock; time.Now when nil. Tests move it to expire sessions.
	Now func() time.Time
	// MinCell is the smallest group any analytic output shows.
	MinCell int
	// Version is the software version written into reports.
	Version string
	// Mail is how e-mail is sent; nil when it is not configured (the admin
	// page then says how to configure it, and queues nothing).
	Mail *mailing.Settings
	// StaffMail sends staff their own messages (a forgotten password's
	// link) at once, outside the delegates' outbox; nil when mail is not
	// configured, and then the sign-in page offers no reset.
	StaffMail MailSender
	// MaxImportRows bounds the rows of an uploaded participants file;
	// workbook.DefaultMaxRows when 0.
	MaxImportRows int
	// SetupCode is the one-time code serve prints while no admin account
	// exists, with which /setup creates the first; "" closes /setup.
	SetupCode string
	// MetricsToken, when set, is the bearer token /metrics asks for;
	// without it only clients on this machine, not through a proxy, read it.
	MetricsToken string
}

// MailSender delivers one message (smtpsend.Sender).
type MailSender interface {
	Send(ctx context.Context, m *mailing.Mail) error
}

// statusClientClosed is what the request log shows for a client that went
// away before its answer (nginx's convention); nobody receives it.
const statusClientClosed = 499

// MaxBodyBytes bounds a request body. The longest questionnaire, every text
// at its limit in four-byte characters, stays well below it.
const MaxBodyBytes = 1 << 20

// Server holds the dependencies of the handlers.
type Server struct {
	store       Store
	instruments *survey.Catalog
	log         *slog.Logger
	pages       map[string]*template.Template
	css         []byte
	icon        []byte // favicon.ico, for browsers that ask for it unprompted
	iconSVG     []byte // the same, drawn, which pages link to
	js          []byte
	openAPI     []byte
	now         func() time.Time
	cfg         Config
	analyses    *analyses
	setupMu     sync.Mutex // one first-admin creation at a time (setup.go)
}

// set is the instruments as last read.
func (s *Server) set() *survey.Set { return s.instruments.Set() }

// instrumentOf returns the instrument version an exchange was created
// with, reading uploaded instruments again when it is not known yet
// (another process may have stored it).
func (s *Server) instrumentOf(ctx context.Context, x *exchange.Exchange) *survey.Instrument {
	if in := x.InstrumentIn(s.set()); in != nil {
		return in
	}
	set, err := s.instruments.Refresh(ctx, 2*time.Second)
	if err != nil {
		s.log.Warn("read uploaded instruments", "err", err)
	}
	return x.InstrumentIn(set)
}

// NewServer returns the HTTP handler of the whole service. templates is the
// file system holding templates/ (the embedded one in production).
func NewServer(store Store, instruments *survey.Set, templates fs.FS, log *slog.Logger, cfg Config) (http.Handler, error) {
	_, h, err := newServer(store, instruments, templates, log, cfg)
	return h, err
}

func newServer(store Store, instruments *survey.Set, templates fs.FS, log *slog.Logger, cfg Config) (*Server, http.Handler, error) {
	if cfg.MinCell < 1 {
		cfg.MinCell = analysis.DefaultMinCell
	}
	if cfg.SessionTTL <= 0 {
		cfg.SessionTTL = DefaultSessionTTL
	}
	if len(cfg.Secret) == 0 {
		cfg.Secret = make([]byte, 32)
		if _, err := rand.Read(cfg.Secret); err != nil {
			return nil, nil, fmt.Errorf("generate a CSRF key: %w", err)
		}
	}
	css, err := fs.ReadFile(templates, "templates/app.css")
	if err != nil {
		return nil, nil, fmt.Errorf("read stylesheet: %w", err)
	}
	// The stylesheet's URL carries its content hash, so browsers may cache
	// it for long and still fetch a new release's at once.
	sum := sha256.Sum256(css)
	cssURL := "/static/app.css?v=" + hex.EncodeToString(sum[:6])
	js, err := fs.ReadFile(templates, "templates/app.js")
	if err != nil {
		return nil, nil, fmt.Errorf("read script: %w", err)
	}
	sum = sha256.Sum256(js)
	jsURL := "/static/app.js?v=" + hex.EncodeToString(sum[:6])
	icon, err := fs.ReadFile(templates, "templates/favicon.ico")
	if err != nil {
		return nil, nil, fmt.Errorf("read icon: %w", err)
	}
	iconSVG, err := fs.ReadFile(templates, "templates/favicon.svg")
	if err != nil {
		return nil, nil, fmt.Errorf("read icon: %w", err)
	}
	pages, err := parsePages(templates, cssURL, jsURL)
	if err != nil {
		return nil, nil, err
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	catalog := cfg.Catalog
	if catalog == nil {
		catalog = survey.NewCatalog(instruments.Every(), store.StoredInstruments, store.AddInstrument)
	}
	// Uploaded instruments are read now; a store out of reach at start-up
	// is no reason not to start (they are read again when first needed).
	if _, err := catalog.Reload(context.Background()); err != nil {
		log.Warn("read uploaded instruments", "err", err)
	}
	s := &Server{store: store, instruments: catalog, log: log, pages: pages, css: css, js: js, icon: icon, iconSVG: iconSVG, openAPI: OpenAPI(), now: now, cfg: cfg,
		analyses: newAnalyses(store, cfg.Version, now)}
	// Gin's mode is process-wide; release mode stops it printing every route
	// on start-up and writing debug warnings to stdout.
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	// Gin believes X-Forwarded-For from anyone unless told whom to trust.
	if err := r.SetTrustedProxies(cfg.TrustedProxies); err != nil {
		return nil, nil, exchange.Errorf(exchange.EINVALID, "EXCHANGEEVAL_TRUSTED_PROXIES: %v (give addresses or CIDRs, comma-separated, e.g. 10.0.0.1,192.168.0.0/24)", err)
	}
	r.RedirectTrailingSlash = false
	r.HandleMethodNotAllowed = true
	s.routes(r)
	return s, served{Handler: headAsGet(compressed(r)), engine: r}, nil
}

var pageNames = []string{"questionnaire", "message", "home", "login", "forgot", "reset", "code", "enrol", "personal_data", "setup", "account", "exchanges", "dashboard", "coding", "codebook", "admin_exchange", "audit", "users", "programme", "instruments"}

func parsePages(fsys fs.FS, cssURL, jsURL string) (map[string]*template.Template, error) {
	funcs := template.FuncMap{"choice": choice, "join": strings.Join, "stylesheet": func() string { return cssURL }, "script": func() string { return jsURL }}
	pages := map[string]*template.Template{}
	for _, name := range pageNames {
		t, err := template.New(name).Funcs(funcs).ParseFS(fsys, "templates/layout.html", "templates/questions.html", "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("parse template %s: %w", name, err)
		}
		pages[name] = t
	}
	return pages, nil
}

// render executes a page into a buffer first, so a template failure is an
// error page rather than half a page.
func (s *Server) render(c *gin.Context, status int, name string, data any) {
	var buf bytes.Buffer
	if err := s.pages[name].ExecuteTemplate(&buf, "layout", data); err != nil {
		s.log.Error("render page", "page", name, "err", err)
		c.Data(http.StatusInternalServerError, "text/plain; charset=utf-8", []byte("Internal error."))
		return
	}
	c.Header("Cache-Control", "no-store")
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
}

// statusOf maps the error vocabulary to HTTP statuses: the one place where
// that is decided.
func statusOf(err error) int {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return http.StatusRequestEntityTooLarge
	}
	switch exchange.ErrorCode(err) {
	case exchange.EINVALID:
		return http.StatusBadRequest
	case exchange.ENOTFOUND:
		return http.StatusNotFound
	case exchange.ECONFLICT:
		return http.StatusConflict
	case exchange.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case exchange.EFORBIDDEN:
		return http.StatusForbidden
	case exchange.EUNAVAILABLE:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// retryAfter is what a 503 tells clients: try again in a minute.
const retryAfter = "60"

// logIfInternal records the cause of errors users only see as "Internal
// error". A request whose client gave up is not a failure of the service:
// it is logged as such, at info.
func (s *Server) logIfInternal(c *gin.Context, err error) {
	switch {
	case gaveUp(c, err):
		s.log.Info("client gave up before the answer", "route", c.FullPath(), "err", err)
	case exchange.IsInstrumentMissing(err):
		s.log.Error("request refused: an instrument is missing", "route", c.FullPath(), "err", err)
	case exchange.IsStoreFull(err):
		// The store said "disk full" in the log once; each refusal is
		// not news.
		s.log.Info("request refused: disk full", "route", c.FullPath())
	case statusOf(err) == http.StatusServiceUnavailable:
		s.log.Warn("request refused: the database does not answer", "route", c.FullPath(), "err", err)
	case statusOf(err) >= 500:
		s.log.Error("request failed", "route", c.FullPath(), "err", err)
	}
}

// gaveUp reports whether err comes from the client going away mid-request.
func gaveUp(c *gin.Context, err error) bool {
	return c.Request.Context().Err() != nil && errors.Is(err, context.Canceled)
}

// jsonError answers an API request with {"error": …, "fields": …}.
func (s *Server) jsonError(c *gin.Context, err error) {
	s.logIfInternal(c, err)
	if gaveUp(c, err) {
		c.AbortWithStatus(statusClientClosed)
		return
	}
	status := statusOf(err)
	if status == http.StatusServiceUnavailable && !exchange.IsInstrumentMissing(err) {
		c.Header("Retry-After", retryAfter)
	}
	body := errorJSON{Error: exchange.ErrorMessage(err)}
	var e *exchange.Error
	if errors.As(err, &e) && len(e.Fields) > 0 {
		body.Fields = e.Fields
	}
	if status == http.StatusRequestEntityTooLarge {
		body.Error = fmt.Sprintf("request body larger than %d bytes", MaxBodyBytes)
	}
	c.AbortWithStatusJSON(status, body)
}

// htmlError answers a page request with a message page in lang.
func (s *Server) htmlError(c *gin.Context, lang string, err error) {
	s.logIfInternal(c, err)
	if gaveUp(c, err) {
		c.AbortWithStatus(statusClientClosed)
		return
	}
	status := statusOf(err)
	if status == http.StatusServiceUnavailable && !exchange.IsInstrumentMissing(err) {
		c.Header("Retry-After", retryAfter)
	}
	p := messagePage{page: page{Lang: lang}}
	// Staff pages answer in staff terms, with their navigation: a missing
	// exchange is not a delegate's unrecognised link, and a conflict is
	// not a closed questionnaire.
	onStaffPage := !strings.HasPrefix(c.Request.URL.Path, "/s/") && s.staffUser(c) != nil
	if onStaffPage {
		p.page = s.staffPage(c, lang, "")
	}
	switch {
	case onStaffPage && exchange.IsInstrumentMissing(err):
		p.Heading, p.Body = translate(lang, "missing.title"), coded(lang, err)
	case onStaffPage && status == http.StatusNotFound:
		p.Heading, p.Body = translate(lang, "staff.notfound.title"), translate(lang, "staff.notfound.body")
	case onStaffPage && (status == http.StatusConflict || status == http.StatusBadRequest):
		p.Heading, p.Body = translate(lang, "staff.notdone.title"), coded(lang, err)
	}
	switch {
	case p.Heading != "":
	case status == http.StatusNotFound:
		p.Heading, p.Body = translate(lang, "notfound.title"), translate(lang, "notfound.body")
	case status == http.StatusRequestEntityTooLarge:
		p.Heading, p.Body = translate(lang, "toolarge.title"), translate(lang, "toolarge.body")
	case exchange.IsInstrumentMissing(err):
		p.Heading, p.Body = translate(lang, "missing.title"), translate(lang, "missing.body")
	case status == http.StatusServiceUnavailable:
		p.Heading, p.Body = translate(lang, "internal.title"), translate(lang, "unavailable.body")
	case status == http.StatusConflict:
		p.Heading, p.Body = translate(lang, "closed.title"), exchange.ErrorMessage(err)
	case status == http.StatusBadRequest:
		p.Heading, p.Body = translate(lang, "invalid.title"), exchange.ErrorMessage(err)
	default:
		p.Heading, p.Body = translate(lang, "internal.title"), translate(lang, "internal.body")
	}
	p.Title = p.Heading
	s.render(c, status, "message", p)
	c.Abort()
}
