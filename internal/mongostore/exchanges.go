package mongostore

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/csci/exchangeeval/internal/exchange"
)

// CreateExchange stores a new exchange and makes its collections; an
// existing id is a conflict.
func (s *Store) CreateExchange(ctx context.Context, x *exchange.Exchange) error {
	_, err := s.db.Collection(collExchanges).InsertOne(ctx, x)
	if isDuplicate(err) {
		return exchange.Errorf(exchange.ECONFLICT, "exchange %s already exists", x.ID)
	}
	if err != nil {
		return s.fail("insert exchange "+x.ID, err)
	}
	if err := s.prepare(ctx, x.ID); err != nil {
		return err
	}
	s.changes.touch(x.ID)
	return nil
}

// Exchange returns the exchange with id. A delegate's every request reads
// it, so it is cached for exchangeTTL; this process's own changes replace
// the cached copy at once.
func (s *Store) Exchange(ctx context.Context, id string) (*exchange.Exchange, error) {
	cached, fresh, known := s.exchanges.getStale(id)
	if known && fresh {
		return cloneExchange(cached), nil
	}
	x, err := s.readExchange(ctx, id)
	if known && exchange.ErrorCode(err) == exchange.EUNAVAILABLE {
		// The database does not answer: the last copy read lets a page
		// say so properly (a delegate's form comes back with their
		// answers); nothing can be saved meanwhile anyway.
		return cloneExchange(cached), nil
	}
	if err != nil {
		return nil, err
	}
	s.exchanges.put(id, cloneExchange(x))
	return x, nil
}

func (s *Store) readExchange(ctx context.Context, id string) (*exchange.Exchange, error) {
	return findOne[exchange.Exchange](ctx, s, s.db.Collection(collExchanges), byID(id),
		"exchange "+id, exchange.Errorf(exchange.ENOTFOUND, "no exchange %q", id))
}

// cloneExchange copies an exchange deeply enough that a caller changing its
// waves never changes the cached one.
func cloneExchange(x *exchange.Exchange) *exchange.Exchange {
	c := *x
	c.Waves = maps.Clone(x.Waves)
	return &c
}

// Exchanges lists every exchange, latest start first.
func (s *Store) Exchanges(ctx context.Context) ([]*exchange.Exchange, error) {
	return findAll[exchange.Exchange](ctx, s, s.db.Collection(collExchanges), bson.D{},
		options.Find().SetSort(bson.D{{Key: "start", Value: -1}, {Key: "_id", Value: 1}}), "exchanges")
}

// SetWave opens or closes a wave of an exchange and returns the exchange as
// it now is. The caller checks that the instrument declares the wave.
func (s *Store) SetWave(ctx context.Context, id, wave string, open bool, at time.Time) (*exchange.Exchange, error) {
	at = at.UTC()
	return s.updateWave(ctx, id, wave, func(st *exchange.WaveState) bool {
		if st.Open == open {
			return false
		}
		st.Open = open
		if open {
			st.OpenedAt = &at
		} else {
			st.ClosedAt = &at
		}
		return true
	})
}

// SetWaveSchedule sets a wave's planned opening day and closing day (nil:
// none) and how long before closing the automatic reminder goes (0:
// none). A new schedule may remind again.
func (s *Store) SetWaveSchedule(ctx context.Context, id, wave string, opens, closes *time.Time, remindBefore time.Duration) (*exchange.Exchange, error) {
	return s.updateWave(ctx, id, wave, func(st *exchange.WaveState) bool {
		st.Opens, st.Closes, st.RemindBefore, st.RemindedAt = opens, closes, remindBefore, nil
		return true
	})
}

// MarkReminded records that a wave's automatic reminder was queued.
func (s *Store) MarkReminded(ctx context.Context, id, wave string, at time.Time) error {
	at = at.UTC()
	_, err := s.updateWave(ctx, id, wave, func(st *exchange.WaveState) bool {
		st.RemindedAt = &at
		return true
	})
	return err
}

// updateWave changes a wave's state with change, which reports whether it
// changed anything, and returns the exchange as it now is.
func (s *Store) updateWave(ctx context.Context, id, wave string, change func(*exchange.WaveState) bool) (*exchange.Exchange, error) {
	// FerretDB applies an update by reading the document and writing it
	// back whole, so two changes of one exchange at once could lose one:
	// this process makes them one at a time.
	defer s.locks.lock("exchange/" + id)()
	x, err := s.readExchange(ctx, id)
	if err != nil {
		return nil, err
	}
	st := x.Waves[wave]
	if !change(&st) {
		return x, nil
	}
	_, err = s.db.Collection(collExchanges).UpdateOne(ctx, byID(id),
		bson.D{{Key: "$set", Value: bson.D{{Key: "waves." + wave, Value: st}}}})
	if err != nil {
		return nil, s.fail(fmt.Sprintf("set wave %s of %s", wave, id), err)
	}
	if x.Waves == nil {
		x.Waves = map[string]exchange.WaveState{}
	}
	x.Waves[wave] = st
	s.exchanges.put(id, cloneExchange(x))
	s.changes.touch(id)
	return x, nil
}

// UpdateExchangeDetails changes an exchange's name, cities, dates and time
// zone; its
// id, instrument and waves stay.
func (s *Store) UpdateExchangeDetails(ctx context.Context, x *exchange.Exchange) error {
	defer s.locks.lock("exchange/" + x.ID)()
	res, err := s.db.Collection(collExchanges).UpdateOne(ctx, byID(x.ID), bson.D{{Key: "$set", Value: bson.D{
		{Key: "name", Value: x.Name}, {Key: "names", Value: x.Names}, {Key: "host_city", Value: x.HostCity}, {Key: "visiting_city", Value: x.VisitingCity},
		{Key: "start", Value: x.Start}, {Key: "end", Value: x.End}, {Key: "time_zone", Value: x.TimeZone},
		{Key: "retention_months", Value: x.RetentionMonths},
	}}})
	if err != nil {
		return s.fail("update exchange "+x.ID, err)
	}
	if res.MatchedCount == 0 {
		return exchange.Errorf(exchange.ENOTFOUND, "no exchange %q", x.ID)
	}
	s.exchanges.del(x.ID)
	s.changes.touch(x.ID)
	return nil
}

// SetInstrumentVersion moves an exchange to another version of its
// instrument; whether it may is the caller's to check (survey.MoveProblems).
func (s *Store) SetInstrumentVersion(ctx context.Context, id string, version int) error {
	defer s.locks.lock("exchange/" + id)()
	res, err := s.db.Collection(collExchanges).UpdateOne(ctx, byID(id), bson.D{{Key: "$set", Value: bson.D{{Key: "instrument_version", Value: version}}}})
	if err != nil {
		return s.fail("move exchange "+id, err)
	}
	if res.MatchedCount == 0 {
		return exchange.Errorf(exchange.ENOTFOUND, "no exchange %q", id)
	}
	s.exchanges.del(id)
	s.changes.touch(id)
	return nil
}

// AnsweredQuestions lists the questions an exchange has answers to, and
// the waves it has answers in.
func (s *Store) AnsweredQuestions(ctx context.Context, id string) (questions map[string]bool, waves []string, err error) {
	questions = map[string]bool{}
	for r, err := range s.StreamResponses(ctx, id) {
		if err != nil {
			return nil, nil, err
		}
		for q := range r.Answers {
			questions[q] = true
		}
		if !slices.Contains(waves, r.Wave) {
			waves = append(waves, r.Wave)
		}
	}
	return questions, waves, nil
}
