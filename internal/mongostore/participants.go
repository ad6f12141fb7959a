package mongostore

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/csci/exchangeeval/internal/exchange"
)

type participantDoc struct {
	exchange.Participant `bson:",inline"`
	// ImportBatch marks the participants one import inserted, so a failed
	// import can remove exactly what it wrote: MongoDB-compatible stores
	// without transactions need this to keep imports all-or-nothing.
	ImportBatch string `bson:"import_batch"`
}

// ImportParticipants adds the rows that are not yet participants of the
// exchange (matched by e-mail) and keeps the others as they are, so importing
// the same file twice duplicates nobody and changes no link. Either every new
// participant is stored or none is.
func (s *Store) ImportParticipants(ctx context.Context, exchangeID string, rows []exchange.ParticipantRow, now time.Time) (*exchange.ImportResult, error) {
	if _, err := s.Exchange(ctx, exchangeID); err != nil {
		return nil, err
	}
	existing, err := s.participantsByEmail(ctx, exchangeID)
	if err != nil {
		return nil, err
	}
	res := &exchange.ImportResult{Created: map[string]bool{}}
	var fresh []*exchange.Participant
	for _, r := range rows {
		if p, ok := existing[r.Email]; ok {
			res.Participants = append(res.Participants, p)
			res.Kept++
			continue
		}
		p := &exchange.Participant{
			Exchange: exchangeID, Name: r.Name, Email: r.Email, City: r.City, Role: r.Role,
			Language: r.Language, Side: r.Side, Token: exchange.NewToken(), CreatedAt: now.UTC(),
		}
		fresh = append(fresh, p)
		res.Participants = append(res.Participants, p)
	}
	res.New = len(fresh)
	if len(fresh) == 0 {
		return res, nil
	}
	first, err := s.reserve(ctx, "pid:"+exchangeID, len(fresh))
	if err != nil {
		return nil, err
	}
	batch := exchange.NewToken()
	docs := make([]any, len(fresh))
	for i, p := range fresh {
		p.PID = exchange.PID(first + i)
		res.Created[p.PID] = true
		docs[i] = participantDoc{Participant: *p, ImportBatch: batch}
	}
	if _, err := s.db.Collection(collParticipants).InsertMany(ctx, docs); err != nil {
		// Undo with a fresh context: the request's may be what failed.
		cctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, derr := s.db.Collection(collParticipants).DeleteMany(cctx, bson.D{{Key: "import_batch", Value: batch}}); derr != nil {
			s.log.Error("could not undo a failed participants import", "exchange", exchangeID, "batch", batch, "err", derr)
		}
		if isDuplicate(err) {
			return nil, exchange.Errorf(exchange.ECONFLICT, "another import into %s added some of these participants at the same time; nothing was imported, run the import again", exchangeID)
		}
		return nil, fmt.Errorf("insert participants of %s: %w", exchangeID, err)
	}
	return res, nil
}

// reserve atomically takes n numbers from a named counter and returns the
// first. Numbers a failed import took are not reused, so a pseudonymous id is
// never given twice.
func (s *Store) reserve(ctx context.Context, name string, n int) (int, error) {
	var c struct {
		Seq int `bson:"seq"`
	}
	err := s.db.Collection(collCounters).FindOneAndUpdate(ctx,
		bson.D{{Key: "_id", Value: name}},
		bson.D{{Key: "$inc", Value: bson.D{{Key: "seq", Value: n}}}},
		options.FindOneAndUpdate().SetUpsert(true).SetReturnDocument(options.After)).Decode(&c)
	if err != nil {
		return 0, fmt.Errorf("reserve %d from counter %s: %w", n, name, err)
	}
	return c.Seq - n + 1, nil
}

func (s *Store) participantsByEmail(ctx context.Context, exchangeID string) (map[string]*exchange.Participant, error) {
	ps, err := s.Participants(ctx, exchangeID)
	if err != nil {
		return nil, err
	}
	m := make(map[string]*exchange.Participant, len(ps))
	for _, p := range ps {
		m[p.Email] = p
	}
	return m, nil
}

// Participants lists the participants of an exchange by pseudonymous id.
func (s *Store) Participants(ctx context.Context, exchangeID string) ([]*exchange.Participant, error) {
	return findAll[exchange.Participant](ctx, s.db.Collection(collParticipants), bson.D{{Key: "exchange", Value: exchangeID}},
		options.Find().SetSort(bson.D{{Key: "pid", Value: 1}}), "participants of "+exchangeID)
}

// ParticipantByToken finds the owner of a personal link.
func (s *Store) ParticipantByToken(ctx context.Context, token string) (*exchange.Participant, error) {
	// token is always a plain string here, so it can only ever be compared
	// for equality, never read as a query operator.
	return findOne[exchange.Participant](ctx, s.db.Collection(collParticipants), bson.D{{Key: "token", Value: token}},
		"participant by token", exchange.Errorf(exchange.ENOTFOUND, "unknown link"))
}
