package mongostore

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/staff"
	"github.com/csci/exchangeeval/internal/survey"
)

// RetentionBy is who the erasure log and the audit trail name for an
// erasure the retention period made.
const RetentionBy = "retention"

// EraseDueIdentities erases the identifying data of every exchange whose
// retention period has passed (exchange.IdentitiesDue) and not erased
// yet: each delegate's identity as EraseParticipant erases it, answers
// kept; then the files are rewritten once, the exchange marked, and the
// audit trail told. instrumentOf gives an exchange's instrument (nil
// when unknown: that exchange waits). It returns the exchanges erased.
// Run again — after a cut, or on a restored backup — it finishes what is
// left.
func (s *Store) EraseDueIdentities(ctx context.Context, instrumentOf func(*exchange.Exchange) *survey.Instrument, now time.Time) ([]string, error) {
	xs, err := s.Exchanges(ctx)
	if err != nil {
		return nil, err
	}
	var erased []string
	for _, x := range xs {
		in := instrumentOf(x)
		if in == nil || x.IdentitiesErasedAt != nil {
			continue
		}
		due := x.IdentitiesDue(in)
		if due.IsZero() || now.Before(due) {
			continue
		}
		n, err := s.eraseIdentities(ctx, x.ID, now)
		if err != nil {
			return erased, err
		}
		if err := s.rewriteFiles(ctx, "the identities of "+x.ID); err != nil {
			return erased, err
		}
		if _, err := s.db.Collection(collExchanges).UpdateOne(ctx, byID(x.ID), bson.D{{Key: "$set", Value: bson.D{{Key: "identities_erased_at", Value: now.UTC()}}}}); err != nil {
			return erased, s.fail("mark the identities of "+x.ID+" erased", err)
		}
		s.exchanges.del(x.ID)
		s.Audit(ctx, staff.Event{At: now, Actor: "exchangeeval", Action: staff.AuditAdminister, Exchange: x.ID,
			Detail: fmt.Sprintf("retention: the identities of %d delegates erased, answers kept", n), Note: "retention-erased",
			Args: []string{fmt.Sprint(n), fmt.Sprint(x.Retention())}})
		erased = append(erased, x.ID)
	}
	return erased, nil
}

// eraseIdentities erases the identity of every delegate of the exchange
// not erased yet, and says how many.
func (s *Store) eraseIdentities(ctx context.Context, exchangeID string, now time.Time) (int, error) {
	ps, err := s.Participants(ctx, exchangeID)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, p := range ps {
		if p.Name == "" && p.Email == "" && p.Token == "" {
			continue
		}
		if _, err := s.eraseParticipant(ctx, exchangeID, p.PID, false, RetentionBy, now); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}
