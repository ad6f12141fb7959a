package mongostore

import (
	"context"
	"fmt"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/staff"
)

// Staff accounts' second factor (staff.TOTP): the keys sealed, each code
// and recovery code taken once by a conditional update, and the roles
// required to use one kept in collMeta.

// twoFactorKey names the policy document in collMeta.
const twoFactorKey = "two_factor"

type twoFactorDoc struct {
	ID    string   `bson:"_id"`
	Roles []string `bson:"roles"`
}

// openTOTP opens an account's sealed keys after it is read.
func (s *Store) openTOTP(u *staff.User) error {
	for _, k := range []struct {
		sealed []byte
		plain  *string
	}{{u.TOTP.Sealed, &u.TOTP.Secret}, {u.TOTP.PendingSealed, &u.TOTP.PendingSecret}} {
		if len(k.sealed) == 0 {
			continue
		}
		b, err := s.sealer.Open(k.sealed)
		if err != nil {
			return exchange.Errorf(exchange.EINTERNAL, "the two-factor key of %s does not open with this %s: %v", u.Email, secretName, err)
		}
		*k.plain = string(b)
	}
	return nil
}

// BeginTOTP keeps a key shown for enrolment until a code from it confirms
// it; an enrolled key stays in use meanwhile.
func (s *Store) BeginTOTP(ctx context.Context, email, secret string) error {
	return s.UpdateUser(ctx, email, bson.D{{Key: "totp.pending_sealed", Value: s.sealer.Seal([]byte(secret))}})
}

// EnableTOTP makes the pending key the account's second factor, with the
// recovery codes' hashes, step being the step of the code that confirmed
// it (not to be accepted again).
func (s *Store) EnableTOTP(ctx context.Context, email, secret string, recovery []string, step int64, now time.Time) error {
	// A new key: the steps an old one took say nothing of it.
	if _, err := s.db.Collection(collUsedCodes).DeleteMany(ctx, bson.D{{Key: "user", Value: email}}); err != nil {
		return s.fail("forget the old key's codes of "+email, err)
	}
	return s.setTOTP(ctx, email, bson.D{{Key: "enabled", Value: true}, {Key: "since", Value: now.UTC()},
		{Key: "sealed", Value: s.sealer.Seal([]byte(secret))}, {Key: "last_step", Value: step}, {Key: "recovery", Value: recovery}})
}

// DisableTOTP removes an account's second factor and its recovery codes.
func (s *Store) DisableTOTP(ctx context.Context, email string) error {
	return s.setTOTP(ctx, email, bson.D{{Key: "enabled", Value: false}, {Key: "last_step", Value: int64(0)}})
}

// SetRecoveryCodes replaces an account's recovery codes' hashes.
func (s *Store) SetRecoveryCodes(ctx context.Context, email string, recovery []string) error {
	return s.UpdateUser(ctx, email, bson.D{{Key: "totp.recovery", Value: recovery}})
}

func (s *Store) setTOTP(ctx context.Context, email string, totp bson.D) error {
	return s.UpdateUser(ctx, email, bson.D{{Key: "totp", Value: totp}})
}

// collUsedCodes records each code taken — a time step, or a recovery
// code's hash — under a unique _id: of concurrent requests taking the same
// one, a single insert succeeds, on MongoDB and on the embedded store
// alike (whose conditional updates are not atomic between requests).
const collUsedCodes = "used_codes"

type usedCode struct {
	ID   string    `bson:"_id"` // account/step/N or account/recovery/hash
	User string    `bson:"user"`
	At   time.Time `bson:"at"`
}

// takeCode records a code as taken, once: false when it was already.
func (s *Store) takeCode(ctx context.Context, email, id string) (bool, error) {
	_, err := s.db.Collection(collUsedCodes).InsertOne(ctx, usedCode{ID: email + "/" + id, User: email, At: time.Now().UTC()})
	switch {
	case isDuplicate(err):
		return false, nil
	case err != nil:
		return false, s.fail("take a two-factor code of "+email, err)
	}
	return true, nil
}

// UseTOTPStep takes a code's time step for the account, once: false when
// that step, or a later one, was taken already — a code seen over a
// shoulder, or sent twice at once, signs in once.
func (s *Store) UseTOTPStep(ctx context.Context, email string, step int64) (bool, error) {
	u, err := s.User(ctx, email)
	if err != nil || !u.TOTP.Enabled || step <= u.TOTP.LastStep {
		return false, err
	}
	if ok, err := s.takeCode(ctx, email, fmt.Sprintf("step/%d", step)); !ok || err != nil {
		return false, err
	}
	// The latest step taken, for the check above; a slower writer of an
	// earlier step does not move it back.
	if _, err := s.db.Collection(collUsers).UpdateOne(ctx,
		bson.D{{Key: "_id", Value: email}, {Key: "totp.last_step", Value: bson.D{{Key: "$lt", Value: step}}}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "totp.last_step", Value: step}}}}); err != nil {
		return false, s.fail("use a two-factor code of "+email, err)
	}
	// Steps taken are needed for the skew's minute and a half only.
	if _, err := s.db.Collection(collUsedCodes).DeleteMany(ctx, bson.D{{Key: "user", Value: email},
		{Key: "_id", Value: bson.D{{Key: "$regex", Value: "/step/"}}}, {Key: "at", Value: bson.D{{Key: "$lt", Value: time.Now().Add(-10 * time.Minute).UTC()}}}}); err != nil {
		s.log.Warn("remove old two-factor steps", "err", err)
	}
	return true, nil
}

// UseRecoveryCode takes a recovery code (its hash) of the account, once.
func (s *Store) UseRecoveryCode(ctx context.Context, email, hash string) (bool, error) {
	u, err := s.User(ctx, email)
	if err != nil || !u.TOTP.Enabled || !slices.Contains(u.TOTP.Recovery, hash) {
		return false, err
	}
	if ok, err := s.takeCode(ctx, email, "recovery/"+hash); !ok || err != nil {
		return false, err
	}
	if _, err := s.db.Collection(collUsers).UpdateOne(ctx, bson.D{{Key: "_id", Value: email}},
		bson.D{{Key: "$pull", Value: bson.D{{Key: "totp.recovery", Value: hash}}}}); err != nil {
		return false, s.fail("use a recovery code of "+email, err)
	}
	return true, nil
}

// TwoFactorRoles are the roles whose accounts must sign in with a second
// factor.
func (s *Store) TwoFactorRoles(ctx context.Context) ([]string, error) {
	d, err := findByID[twoFactorDoc](ctx, s, s.db.Collection(collMeta), twoFactorKey, "the two-factor policy")
	if err != nil || d == nil {
		return nil, err
	}
	return d.Roles, nil
}

// SetTwoFactorRoles sets the roles that must use a second factor.
func (s *Store) SetTwoFactorRoles(ctx context.Context, roles []string) error {
	if roles == nil {
		roles = []string{}
	}
	_, err := s.db.Collection(collMeta).ReplaceOne(ctx, byID(twoFactorKey), twoFactorDoc{ID: twoFactorKey, Roles: roles}, upsert())
	if err != nil {
		return s.fail("store the two-factor policy", err)
	}
	return nil
}
