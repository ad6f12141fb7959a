package staff

import (
	"strings"
	"time"

	"github.com/csci/exchangeeval/internal/analysis"
	"github.com/csci/exchangeeval/internal/exchange"
)

// Session is a signed-in browser. Only the hash of its secret is stored.
type Session struct {
	Hash      string    `bson:"_id"`
	User      string    `bson:"user"`
	CreatedAt time.Time `bson:"created_at"`
	ExpiresAt time.Time `bson:"expires_at"`
	// Pending: the password was right and the second factor is awaited;
	// such a session opens nothing but the page that asks for the code.
	Pending bool `bson:"pending,omitempty"`
}

// PendingSessionTTL is how long the code may take after the password.
const PendingSessionTTL = 5 * time.Minute

// APIToken lets a script act as a user. Only its hash is stored.
type APIToken struct {
	Hash      string    `bson:"_id"`
	User      string    `bson:"user"`
	Name      string    `bson:"name"`
	CreatedAt time.Time `bson:"created_at"`
	// ExpiresAt is when it stops working; a token made before tokens
	// expired has none, and lasts DefaultTokenTTL from its creation.
	ExpiresAt time.Time `bson:"expires_at,omitempty"`
}

// DefaultTokenTTL is how long an API token lasts unless told otherwise.
const DefaultTokenTTL = 90 * 24 * time.Hour

// ID is how a token is named in lists and revoked: the start of its hash,
// which says nothing of the secret.
func (t *APIToken) ID() string { return t.Hash[:min(12, len(t.Hash))] }

// Expires is when the token stops working.
func (t *APIToken) Expires() time.Time {
	if t.ExpiresAt.IsZero() {
		return t.CreatedAt.Add(DefaultTokenTTL)
	}
	return t.ExpiresAt
}

// Decisions on a verdict.
const (
	Accept   = "accept"
	Disagree = "disagree"
)

// SignOff is a committee member's decision on one goal's verdict, kept with
// the figures it was made on, so later responses never silently change what
// was signed. Decisions are never overwritten: a new one is added.
type SignOff struct {
	Exchange string    `bson:"exchange"`
	Goal     string    `bson:"goal"`
	User     string    `bson:"user"`
	Name     string    `bson:"name"`
	Decision string    `bson:"decision"`
	Comment  string    `bson:"comment"`
	At       time.Time `bson:"at"`
	Figures  Figures   `bson:"figures"`
}

// Figures are what a verdict rested on.
type Figures struct {
	Verdict  string   `bson:"verdict"`
	Reason   string   `bson:"reason"`
	Pairs    int      `bson:"pairs"`
	MeanDiff *float64 `bson:"mean_diff"`
	PHolm    *float64 `bson:"p_holm"`
}

// FiguresOf takes a goal's current figures from a report.
func FiguresOf(g analysis.GoalReport) Figures {
	f := Figures{Verdict: g.Verdict, Reason: g.VerdictReason}
	for _, c := range g.Comparisons {
		if c.From == g.Criterion.From && c.To == g.Criterion.To {
			f.Pairs, f.MeanDiff, f.PHolm = c.Paired.N, c.Paired.MeanDiff, c.Paired.PHolm
		}
	}
	return f
}

// Same reports whether two sets of figures would read the same.
func (f Figures) Same(g Figures) bool { return f.Verdict == g.Verdict && f.Reason == g.Reason }

// MaxComment bounds a sign-off comment.
const MaxComment = 2000

// NewSignOff checks a decision.
func NewSignOff(u *User, exchangeID string, goal analysis.GoalReport, decision, comment string, now time.Time) (*SignOff, error) {
	comment = strings.TrimSpace(comment)
	fields := map[string]string{}
	if decision != Accept && decision != Disagree {
		fields["decision"] = "accept or disagree"
	}
	if decision == Disagree && comment == "" {
		fields["comment"] = "say why you disagree"
	}
	if len([]rune(comment)) > MaxComment {
		fields["comment"] = "at most 2000 characters"
	}
	if len(fields) > 0 {
		return nil, &exchange.Error{Code: exchange.EINVALID, Message: "decision not recorded", Fields: fields}
	}
	return &SignOff{Exchange: exchangeID, Goal: goal.ID, User: u.Email, Name: u.Name, Decision: decision, Comment: comment,
		At: now.UTC(), Figures: FiguresOf(goal)}, nil
}

// Audit actions.
const (
	AuditLogin        = "login"
	AuditLoginFailed  = "login-failed"
	AuditLogout       = "logout"
	AuditExport       = "export"
	AuditSignOff      = "sign-off"
	AuditAdminister   = "administer"
	AuditTokenCreated = "token-created"
	AuditTokenRevoked = "token-revoked"
)

// AuditActions lists the actions of the audit trail, for filtering.
var AuditActions = []string{AuditLogin, AuditLoginFailed, AuditLogout, AuditExport, AuditSignOff, AuditAdminister, AuditTokenCreated, AuditTokenRevoked}

// Event is one line of the audit trail.
type Event struct {
	At       time.Time `bson:"at"`
	Actor    string    `bson:"actor"`
	Action   string    `bson:"action"`
	Exchange string    `bson:"exchange,omitempty"`
	// Detail is what happened, in English, for anyone reading the
	// database; Note and Args say it again for the staff pages to word in
	// their reader's language (Note is a catalogue key). Events recorded
	// before notes existed have a Detail only.
	Detail  string   `bson:"detail"`
	Note    string   `bson:"note,omitempty"`
	Args    []string `bson:"args,omitempty"`
	Address string   `bson:"address,omitempty"`
}

// AuditQuery picks a page of the audit trail: newest first, the events
// matching every filter given, after the place After (a cursor the
// previous page returned; "" for the newest).
type AuditQuery struct {
	Actor, Action, Exchange string
	// From and To bound the time (To excluded); zero for no bound.
	From, To time.Time
	After    string
	Limit    int
}

// PasswordReset is the one-time link that sets a forgotten password,
// sent by e-mail. Only its hash is stored; it ends when used or at
// ExpiresAt.
type PasswordReset struct {
	Hash      string    `bson:"_id"`
	User      string    `bson:"user"`
	CreatedAt time.Time `bson:"created_at"`
	ExpiresAt time.Time `bson:"expires_at"`
}

// PasswordResetTTL is how long a reset link works: long enough to reach
// a mailbox on a slow day, short enough that an old message in a mailbox
// read later by someone else opens nothing.
const PasswordResetTTL = time.Hour
