// Package staff is the people who run and read the evaluation — admins,
// evaluators and committee members — their accounts, sessions and API
// tokens, and the access rules, decided in one place (Can). It knows neither
// the web framework nor the database.
package staff

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"

	"github.com/csci/exchangeeval/internal/exchange"
)

// Roles.
const (
	RoleAdmin     = "admin"
	RoleEvaluator = "evaluator"
	RoleCommittee = "committee"
)

// Roles lists every role.
var Roles = []string{RoleAdmin, RoleEvaluator, RoleCommittee}

// User is a staff account. Committee members see only the exchanges listed
// in Exchanges.
type User struct {
	Email        string    `bson:"_id"`
	Name         string    `bson:"name"`
	Roles        []string  `bson:"roles"`
	PasswordHash []byte    `bson:"password_hash"`
	Disabled     bool      `bson:"disabled"`
	Language     string    `bson:"language"`
	Exchanges    []string  `bson:"exchanges"`
	CreatedAt    time.Time `bson:"created_at"`
	// TOTP is the second factor, when enrolled (totp.go).
	TOTP TOTP `bson:"totp"`
}

// Has reports whether the user holds role.
func (u *User) Has(role string) bool { return u != nil && slices.Contains(u.Roles, role) }

// MinPasswordLength is the shortest password accepted.
const MinPasswordLength = 10

// bcryptCost (cost.go, cost_race.go) is bcrypt's work factor.

// NewUser checks and builds an account.
func NewUser(email, name string, roles []string, password string, now time.Time) (*User, error) {
	problems := map[string]exchange.FieldProblem{}
	email = strings.ToLower(strings.TrimSpace(email))
	if a, err := mail.ParseAddress(email); err != nil || a.Address != email {
		problems["email"] = exchange.FieldProblem{Code: exchange.ProblemEmail}
	}
	if p := exchange.TextProblem(email, exchange.MaxNameLength); p != nil {
		problems["email"] = *p
	}
	if p := exchange.TextProblem(name, exchange.MaxNameLength); p != nil {
		problems["name"] = *p
	}
	if len(roles) == 0 {
		problems["role"] = exchange.FieldProblem{Code: exchange.ProblemRole}
	}
	for _, r := range roles {
		if !slices.Contains(Roles, r) {
			problems["role"] = exchange.FieldProblem{Code: exchange.ProblemRole}
		}
	}
	if p := PasswordProblem(password); p != nil {
		problems["password"] = *p
	}
	if len(problems) > 0 {
		e := &exchange.Error{Code: exchange.EINVALID, Message: "account not created", Fields: map[string]string{}, Problems: problems}
		for _, k := range []string{"email", "name", "role", "password"} {
			if p, ok := problems[k]; ok {
				e.Fields[k] = p.English()
				e.Details = append(e.Details, k+": "+p.English())
			}
		}
		return nil, e
	}
	hash, err := HashPassword(password)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(name) == "" {
		name = email
	}
	return &User{Email: email, Name: strings.TrimSpace(name), Roles: roles, PasswordHash: hash, Language: "en", CreatedAt: now.UTC()}, nil
}

// PasswordProblem says what is wrong with a new password, nil when nothing.
func PasswordProblem(pw string) *exchange.FieldProblem {
	switch {
	case utf8.RuneCountInString(pw) < MinPasswordLength:
		return &exchange.FieldProblem{Code: exchange.ProblemPasswordShort, Args: []any{MinPasswordLength}}
	case len(pw) > 72:
		// bcrypt reads 72 bytes; a longer password would be silently cut.
		return &exchange.FieldProblem{Code: exchange.ProblemPasswordLong}
	}
	return nil
}

// CheckPassword says what is wrong with a new password, if anything.
func CheckPassword(pw string) error {
	if p := PasswordProblem(pw); p != nil {
		return errors.New(p.English())
	}
	return nil
}

// HashPassword hashes a password with bcrypt.
func HashPassword(pw string) ([]byte, error) {
	if err := CheckPassword(pw); err != nil {
		return nil, exchange.Errorf(exchange.EINVALID, "password: %v", err)
	}
	return bcrypt.GenerateFromPassword([]byte(pw), bcryptCost)
}

// PasswordMatches reports whether pw is the user's password.
func (u *User) PasswordMatches(pw string) bool {
	return u != nil && bcrypt.CompareHashAndPassword(u.PasswordHash, []byte(pw)) == nil
}

// dummyHash is compared against when an account does not exist, so that a
// wrong e-mail takes as long as a wrong password and reveals nothing.
var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("no account has this password"), bcryptCost)

// SpendPasswordCheck costs what a password check costs.
func SpendPasswordCheck(pw string) { _ = bcrypt.CompareHashAndPassword(dummyHash, []byte(pw)) }

// NewSecret returns a random URL-safe secret (a session or an API token) and
// the hash under which it is stored: a copy of the database never holds a
// usable secret.
func NewSecret() (secret, hash string) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("crypto/rand: %v", err))
	}
	secret = base64.RawURLEncoding.EncodeToString(b)
	return secret, HashSecret(secret)
}

// HashSecret is how a secret is looked up.
func HashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// Action is something a staff member may do.
type Action string

// Actions.
const (
	// ViewDashboard: the committee dashboard of an exchange (aggregates).
	ViewDashboard Action = "view-dashboard"
	// SignGoal: record a decision on a goal's verdict.
	SignGoal Action = "sign-off"
	// ViewAnalytics: the full analysis, as the report JSON.
	ViewAnalytics Action = "view-analytics"
	// DownloadData: the workbook, with its Responses and Pairs sheets.
	DownloadData Action = "download-data"
	// Administer: create and edit exchanges, participants, links, waves.
	Administer Action = "administer"
	// ReadAudit: the audit trail.
	ReadAudit Action = "read-audit"
	// ListExchanges: see which exchanges there are.
	ListExchanges Action = "list-exchanges"
)

// Can is the access rule, the only one: admins may do everything;
// evaluators everything analytic; committee members see the dashboard of,
// and sign off, the exchanges they are assigned to — aggregates only.
// Disabled accounts may do nothing.
func Can(u *User, a Action, exchangeID string) bool {
	if u == nil || u.Disabled {
		return false
	}
	if u.Has(RoleAdmin) {
		return true
	}
	switch a {
	case ListExchanges:
		return u.Has(RoleEvaluator) || u.Has(RoleCommittee)
	case ViewDashboard:
		return u.Has(RoleEvaluator) || (u.Has(RoleCommittee) && slices.Contains(u.Exchanges, exchangeID))
	case SignGoal:
		return u.Has(RoleCommittee) && slices.Contains(u.Exchanges, exchangeID)
	case ViewAnalytics, DownloadData:
		return u.Has(RoleEvaluator)
	}
	return false
}

// SeesExchange reports whether the user may see that the exchange exists.
func SeesExchange(u *User, exchangeID string) bool {
	return Can(u, ViewDashboard, exchangeID) || Can(u, Administer, exchangeID)
}
