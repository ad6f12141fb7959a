package mongostore

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/csci/exchangeeval/internal/exchange"
)

// CreateExchange stores a new exchange; an existing id is a conflict.
func (s *Store) CreateExchange(ctx context.Context, x *exchange.Exchange) error {
	_, err := s.db.Collection(collExchanges).InsertOne(ctx, x)
	if isDuplicate(err) {
		return exchange.Errorf(exchange.ECONFLICT, "exchange %s already exists", x.ID)
	}
	if err != nil {
		return fmt.Errorf("insert exchange %s: %w", x.ID, err)
	}
	return nil
}

// Exchange returns the exchange with id.
func (s *Store) Exchange(ctx context.Context, id string) (*exchange.Exchange, error) {
	return findOne[exchange.Exchange](ctx, s.db.Collection(collExchanges), bson.D{{Key: "_id", Value: id}},
		"exchange "+id, exchange.Errorf(exchange.ENOTFOUND, "no exchange %q", id))
}

// Exchanges lists every exchange, latest start first.
func (s *Store) Exchanges(ctx context.Context) ([]*exchange.Exchange, error) {
	return findAll[exchange.Exchange](ctx, s.db.Collection(collExchanges), bson.D{},
		options.Find().SetSort(bson.D{{Key: "start", Value: -1}, {Key: "_id", Value: 1}}), "exchanges")
}

// SetWave opens or closes a wave of an exchange and returns the exchange as
// it now is. The caller checks that the instrument declares the wave.
func (s *Store) SetWave(ctx context.Context, id, wave string, open bool, at time.Time) (*exchange.Exchange, error) {
	x, err := s.Exchange(ctx, id)
	if err != nil {
		return nil, err
	}
	st := x.Waves[wave]
	if st.Open == open {
		return x, nil
	}
	at = at.UTC()
	st.Open = open
	if open {
		st.OpenedAt = &at
	} else {
		st.ClosedAt = &at
	}
	// One field of one document: atomic without a transaction.
	_, err = s.db.Collection(collExchanges).UpdateOne(ctx, bson.D{{Key: "_id", Value: id}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "waves." + wave, Value: st}}}})
	if err != nil {
		return nil, fmt.Errorf("set wave %s of %s: %w", wave, id, err)
	}
	if x.Waves == nil {
		x.Waves = map[string]exchange.WaveState{}
	}
	x.Waves[wave] = st
	return x, nil
}

// UpdateExchangeDetails changes an exchange's name, cities and dates; its
// id, instrument and waves stay.
func (s *Store) UpdateExchangeDetails(ctx context.Context, x *exchange.Exchange) error {
	res, err := s.db.Collection(collExchanges).UpdateOne(ctx, bson.D{{Key: "_id", Value: x.ID}}, bson.D{{Key: "$set", Value: bson.D{
		{Key: "name", Value: x.Name}, {Key: "host_city", Value: x.HostCity}, {Key: "visiting_city", Value: x.VisitingCity},
		{Key: "start", Value: x.Start}, {Key: "end", Value: x.End},
	}}})
	if err != nil {
		return fmt.Errorf("update exchange %s: %w", x.ID, err)
	}
	if res.MatchedCount == 0 {
		return exchange.Errorf(exchange.ENOTFOUND, "no exchange %q", x.ID)
	}
	return nil
}
