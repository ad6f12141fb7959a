package mongostore

import (
	"context"
	"iter"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/csci/exchangeeval/internal/analysis"
	"github.com/csci/exchangeeval/internal/coding"
	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/survey"
)

// streamBatch is how many documents a cursor fetches at a time: enough to
// keep round trips few, small enough that memory stays flat.
const streamBatch = 1000

// The streams below read one exchange's own collection whole and unsorted:
// a sort makes the embedded store hold the whole result in memory
// (measured: 151 MB unsorted, 708 MB sorted for 60 000 responses), and the
// analysis takes documents in any order.

// StreamResponses yields the current responses of an exchange one at a time
// from a cursor, in the order they were stored.
func (s *Store) StreamResponses(ctx context.Context, exchangeID string) iter.Seq2[*exchange.Response, error] {
	return func(yield func(*exchange.Response, error) bool) {
		for d, err := range stream[responseDoc](ctx, s, s.coll(exchangeID, kindResponses), nil) {
			if err != nil {
				yield(nil, err)
				return
			}
			r := d.Response
			r.Answers = normalizeAnswers(r.Answers)
			if !yield(&r, nil) {
				return
			}
		}
	}
}

// stream reads every document of coll matching filter (all when nil).
func stream[T any](ctx context.Context, s *Store, coll *mongo.Collection, filter bson.D) iter.Seq2[*T, error] {
	return func(yield func(*T, error) bool) {
		if err := s.outage.check(); err != nil {
			yield(nil, err)
			return
		}
		if filter == nil {
			filter = bson.D{}
		}
		cur, err := coll.Find(ctx, filter, options.Find().SetBatchSize(streamBatch))
		if err != nil {
			yield(nil, s.fail("read "+coll.Name(), err))
			return
		}
		defer cur.Close(context.Background())
		for cur.Next(ctx) {
			v := new(T)
			if err := cur.Decode(v); err != nil {
				yield(nil, s.fail("decode "+coll.Name(), err))
				return
			}
			if !yield(v, nil) {
				return
			}
		}
		if err := cur.Err(); err != nil {
			yield(nil, s.fail("read "+coll.Name(), err))
		}
	}
}

// AnalysisInput is what the analysis of an exchange reads: its participants
// and its responses, each one pass over the exchange's own collection, and
// the codes people gave its open answers.
func (s *Store) AnalysisInput(ctx context.Context, x *exchange.Exchange, in *survey.Instrument) analysis.Input {
	return analysis.Input{Instrument: in, Exchange: x,
		Participants: s.StreamParticipants(ctx, x.ID), Responses: s.StreamResponses(ctx, x.ID),
		Codes:    func() ([]coding.Record, error) { return s.Codes(ctx, x.ID) },
		Codebook: func() (*coding.Codebook, error) { return s.Codebook(ctx, x.ID) }}
}
