package mongostore

import (
	"context"
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

// UseTOTPStep takes a code's time step for the account, once: false when
// that step, or a later one, was taken already — a code seen over a
// shoulder, or sent twice at once, signs in once.
func (s *Store) UseTOTPStep(ctx context.Context, email string, step int64) (bool, error) {
	res, err := s.db.Collection(collUsers).UpdateOne(ctx,
		bson.D{{Key: "_id", Value: email}, {Key: "totp.enabled", Value: true}, {Key: "totp.last_step", Value: bson.D{{Key: "$lt", Value: step}}}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "totp.last_step", Value: step}}}})
	if err != nil {
		return false, s.fail("use a two-factor code of "+email, err)
	}
	return res.ModifiedCount == 1, nil
}

// UseRecoveryCode takes a recovery code (its hash) of the account, once.
func (s *Store) UseRecoveryCode(ctx context.Context, email, hash string) (bool, error) {
	res, err := s.db.Collection(collUsers).UpdateOne(ctx,
		bson.D{{Key: "_id", Value: email}, {Key: "totp.enabled", Value: true}, {Key: "totp.recovery", Value: hash}},
		bson.D{{Key: "$pull", Value: bson.D{{Key: "totp.recovery", Value: hash}}}})
	if err != nil {
		return false, s.fail("use a recovery code of "+email, err)
	}
	return res.ModifiedCount == 1, nil
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
