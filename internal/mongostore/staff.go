package mongostore

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/staff"
)

const (
	collUsers    = "users"
	collSessions = "sessions"
	collTokens   = "api_tokens"
	collAttempts = "login_failures"
	collAudit    = "audit"
	collSignOffs = "signoffs"
)

// CreateUser stores a new account; an existing e-mail is a conflict.
func (s *Store) CreateUser(ctx context.Context, u *staff.User) error {
	_, err := s.db.Collection(collUsers).InsertOne(ctx, u)
	if isDuplicate(err) {
		return exchange.Errorf(exchange.ECONFLICT, "an account for %s already exists", u.Email)
	}
	if err != nil {
		return fmt.Errorf("create user %s: %w", u.Email, err)
	}
	return nil
}

// User returns the account with that e-mail.
func (s *Store) User(ctx context.Context, email string) (*staff.User, error) {
	return findOne[staff.User](ctx, s.db.Collection(collUsers), bson.D{{Key: "_id", Value: email}},
		"user "+email, exchange.Errorf(exchange.ENOTFOUND, "no account %s", email))
}

// Users lists every account by e-mail.
func (s *Store) Users(ctx context.Context) ([]*staff.User, error) {
	return findAll[staff.User](ctx, s.db.Collection(collUsers), bson.D{}, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}), "users")
}

// UpdateUser sets fields of an account: one document, one atomic update.
func (s *Store) UpdateUser(ctx context.Context, email string, set bson.D) error {
	res, err := s.db.Collection(collUsers).UpdateOne(ctx, bson.D{{Key: "_id", Value: email}}, bson.D{{Key: "$set", Value: set}})
	if err != nil {
		return fmt.Errorf("update user %s: %w", email, err)
	}
	if res.MatchedCount == 0 {
		return exchange.Errorf(exchange.ENOTFOUND, "no account %s", email)
	}
	return nil
}

// SetPassword replaces an account's password hash and ends its sessions.
func (s *Store) SetPassword(ctx context.Context, email string, hash []byte) error {
	if err := s.UpdateUser(ctx, email, bson.D{{Key: "password_hash", Value: hash}}); err != nil {
		return err
	}
	_, err := s.db.Collection(collSessions).DeleteMany(ctx, bson.D{{Key: "user", Value: email}})
	return err
}

// SetDisabled disables or enables an account; disabling ends its sessions
// and revokes its API tokens.
func (s *Store) SetDisabled(ctx context.Context, email string, disabled bool) error {
	if err := s.UpdateUser(ctx, email, bson.D{{Key: "disabled", Value: disabled}}); err != nil {
		return err
	}
	if disabled {
		for _, c := range []string{collSessions, collTokens} {
			if _, err := s.db.Collection(c).DeleteMany(ctx, bson.D{{Key: "user", Value: email}}); err != nil {
				return fmt.Errorf("end sessions of %s: %w", email, err)
			}
		}
	}
	return nil
}

// CreateSession stores a session and removes expired ones (the embedded
// store has no TTL indexes, so expiry is enforced on read and cleaned here).
func (s *Store) CreateSession(ctx context.Context, sess *staff.Session) error {
	if _, err := s.db.Collection(collSessions).DeleteMany(ctx, bson.D{{Key: "expires_at", Value: bson.D{{Key: "$lt", Value: time.Now().UTC()}}}}); err != nil {
		s.log.Warn("could not remove expired sessions", "err", err)
	}
	if _, err := s.db.Collection(collSessions).InsertOne(ctx, sess); err != nil {
		return fmt.Errorf("create session: %w", err)
	}
	return nil
}

// SessionUser returns the user of an unexpired session.
func (s *Store) SessionUser(ctx context.Context, hash string, now time.Time) (*staff.User, error) {
	signedOut := exchange.Errorf(exchange.EUNAUTHORIZED, "not signed in")
	sess, err := findOne[staff.Session](ctx, s.db.Collection(collSessions), bson.D{{Key: "_id", Value: hash}}, "session", signedOut)
	if err != nil {
		return nil, err
	}
	if !sess.ExpiresAt.After(now) {
		return nil, signedOut
	}
	return s.User(ctx, sess.User)
}

// DeleteSession ends a session.
func (s *Store) DeleteSession(ctx context.Context, hash string) error {
	_, err := s.db.Collection(collSessions).DeleteOne(ctx, bson.D{{Key: "_id", Value: hash}})
	return err
}

// CreateToken stores an API token (its hash).
func (s *Store) CreateToken(ctx context.Context, t *staff.APIToken) error {
	if _, err := s.db.Collection(collTokens).InsertOne(ctx, t); err != nil {
		return fmt.Errorf("create token: %w", err)
	}
	return nil
}

// TokenUser returns the user of an API token.
func (s *Store) TokenUser(ctx context.Context, hash string) (*staff.User, error) {
	t, err := findOne[staff.APIToken](ctx, s.db.Collection(collTokens), bson.D{{Key: "_id", Value: hash}},
		"API token", exchange.Errorf(exchange.EUNAUTHORIZED, "unknown API token"))
	if err != nil {
		return nil, err
	}
	return s.User(ctx, t.User)
}

// RecordLoginFailure notes a failed sign-in under each key (the account, the
// address).
func (s *Store) RecordLoginFailure(ctx context.Context, at time.Time, keys ...string) error {
	docs := make([]any, len(keys))
	for i, k := range keys {
		docs[i] = bson.D{{Key: "key", Value: k}, {Key: "at", Value: at.UTC()}}
	}
	_, err := s.db.Collection(collAttempts).InsertMany(ctx, docs)
	return err
}

// LoginFailures counts the failures under key since a moment.
func (s *Store) LoginFailures(ctx context.Context, key string, since time.Time) (int, error) {
	n, err := s.db.Collection(collAttempts).CountDocuments(ctx, bson.D{{Key: "key", Value: key}, {Key: "at", Value: bson.D{{Key: "$gte", Value: since.UTC()}}}})
	return int(n), err
}

// ClearLoginFailures forgets the failures under key (after a success) and
// any older than a moment.
func (s *Store) ClearLoginFailures(ctx context.Context, key string, before time.Time) error {
	_, err := s.db.Collection(collAttempts).DeleteMany(ctx, bson.D{{Key: "$or", Value: bson.A{
		bson.D{{Key: "key", Value: key}},
		bson.D{{Key: "at", Value: bson.D{{Key: "$lt", Value: before.UTC()}}}},
	}}})
	return err
}

// Audit adds a line to the audit trail. A failure is logged, not returned:
// the action it records has already happened.
func (s *Store) Audit(ctx context.Context, e staff.Event) {
	if _, err := s.db.Collection(collAudit).InsertOne(ctx, e); err != nil {
		s.log.Error("could not write the audit trail", "action", e.Action, "actor", e.Actor, "err", err)
	}
}

// AuditTrail returns the latest events, newest first.
func (s *Store) AuditTrail(ctx context.Context, limit int) ([]*staff.Event, error) {
	return findAll[staff.Event](ctx, s.db.Collection(collAudit), bson.D{},
		options.Find().SetSort(bson.D{{Key: "at", Value: -1}}).SetLimit(int64(limit)), "audit trail")
}

// AddSignOff stores a decision; earlier ones stay.
func (s *Store) AddSignOff(ctx context.Context, so *staff.SignOff) error {
	if _, err := s.db.Collection(collSignOffs).InsertOne(ctx, so); err != nil {
		return fmt.Errorf("record sign-off: %w", err)
	}
	return nil
}

// SignOffs lists the decisions on an exchange, oldest first.
func (s *Store) SignOffs(ctx context.Context, exchangeID string) ([]*staff.SignOff, error) {
	return findAll[staff.SignOff](ctx, s.db.Collection(collSignOffs), bson.D{{Key: "exchange", Value: exchangeID}},
		options.Find().SetSort(bson.D{{Key: "at", Value: 1}}), "sign-offs of "+exchangeID)
}
