package mongostore

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/staff"
)

// collResets holds forgotten passwords' one-time links, by hash.
const collResets = "password_resets"

// CreatePasswordReset stores a reset link's hash, and removes expired
// ones (the embedded store has no TTL indexes).
func (s *Store) CreatePasswordReset(ctx context.Context, r *staff.PasswordReset) error {
	if _, err := s.db.Collection(collResets).DeleteMany(ctx, bson.D{{Key: "expires_at", Value: bson.D{{Key: "$lt", Value: r.CreatedAt.UTC()}}}}); err != nil {
		return s.fail("remove expired password resets", err)
	}
	if _, err := s.db.Collection(collResets).InsertOne(ctx, r); err != nil {
		return s.fail("store a password reset", err)
	}
	return nil
}

// PasswordReset returns the unexpired reset link with that hash.
func (s *Store) PasswordReset(ctx context.Context, hash string, now time.Time) (*staff.PasswordReset, error) {
	return findOne[staff.PasswordReset](ctx, s, s.db.Collection(collResets),
		bson.D{{Key: "_id", Value: hash}, {Key: "expires_at", Value: bson.D{{Key: "$gt", Value: now.UTC()}}}},
		"password reset", exchange.Errorf(exchange.ENOTFOUND, "no such password reset link, or it has expired"))
}

// UsePasswordReset sets the password of the reset link's account and
// ends the link, once: of two uses at the same moment, one deletes the
// link and sets the password, the other finds it gone. The account's
// other links and its sessions end too. It returns the account.
func (s *Store) UsePasswordReset(ctx context.Context, hash string, now time.Time, passwordHash []byte) (string, error) {
	r, err := s.PasswordReset(ctx, hash, now)
	if err != nil {
		return "", err
	}
	res, err := s.db.Collection(collResets).DeleteOne(ctx, bson.D{{Key: "_id", Value: hash}})
	if err != nil {
		return "", s.fail("use a password reset", err)
	}
	if res.DeletedCount == 0 {
		return "", exchange.Errorf(exchange.ENOTFOUND, "no such password reset link, or it has expired")
	}
	if err := s.SetPassword(ctx, r.User, passwordHash); err != nil {
		return "", err
	}
	if _, err := s.db.Collection(collResets).DeleteMany(ctx, bson.D{{Key: "user", Value: r.User}}); err != nil {
		return "", s.fail("end password resets of "+r.User, err)
	}
	return r.User, nil
}
