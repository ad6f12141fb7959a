package mongostore

import (
	"context"
	"fmt"
	"iter"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/csci/exchangeeval/internal/analysis"
	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/survey"
)

// streamBatch is how many documents a cursor fetches at a time: enough to
// keep round trips few, small enough that memory stays flat.
const streamBatch = 1000

// The streams below are not sorted: a sort makes the embedded store hold the
// whole result in memory (measured: 151 MB unsorted, 708 MB sorted for 60 000
// responses), and the analysis takes documents in any order.

// StreamParticipants yields the participants of an exchange one at a time
// from a cursor, in the order they were stored.
func (s *Store) StreamParticipants(ctx context.Context, exchangeID string) iter.Seq2[*exchange.Participant, error] {
	return stream[exchange.Participant](ctx, s.db.Collection(collParticipants), exchangeID, nil, nil)
}

// StreamResponses yields the current responses of an exchange one at a time
// from a cursor, in the order they were stored.
func (s *Store) StreamResponses(ctx context.Context, exchangeID string) iter.Seq2[*exchange.Response, error] {
	return stream(ctx, s.db.Collection(collResponses), exchangeID, nil,
		func(r *exchange.Response) { r.Answers = normalizeAnswers(r.Answers) })
}

// StreamConsents yields the responses of the waves that ask the consent
// question, with only that answer: what the analysis reads first to know
// whom it may quote.
func (s *Store) StreamConsents(ctx context.Context, exchangeID, question string, waves []string) iter.Seq2[*exchange.Response, error] {
	projection := bson.D{{Key: "participant", Value: 1}, {Key: "wave", Value: 1}, {Key: "answers." + question, Value: 1}}
	filter := bson.E{Key: "wave", Value: bson.D{{Key: "$in", Value: waves}}}
	return stream[exchange.Response](ctx, s.db.Collection(collResponses), exchangeID, projection, nil, filter)
}

func stream[T any](ctx context.Context, coll *mongo.Collection, exchangeID string, projection bson.D, fix func(*T), also ...bson.E) iter.Seq2[*T, error] {
	return func(yield func(*T, error) bool) {
		opts := options.Find().SetBatchSize(streamBatch)
		if projection != nil {
			opts.SetProjection(projection)
		}
		filter := append(bson.D{{Key: "exchange", Value: exchangeID}}, also...)
		cur, err := coll.Find(ctx, filter, opts)
		if err != nil {
			yield(nil, fmt.Errorf("read %s of %s: %w", coll.Name(), exchangeID, err))
			return
		}
		defer cur.Close(context.Background())
		for cur.Next(ctx) {
			v := new(T)
			if err := cur.Decode(v); err != nil {
				yield(nil, fmt.Errorf("decode %s of %s: %w", coll.Name(), exchangeID, err))
				return
			}
			if fix != nil {
				fix(v)
			}
			if !yield(v, nil) {
				return
			}
		}
		if err := cur.Err(); err != nil {
			yield(nil, fmt.Errorf("read %s of %s: %w", coll.Name(), exchangeID, err))
		}
	}
}

// AnalysisInput is what the analysis of an exchange reads: its participants
// and its responses, each streamed from a cursor.
func (s *Store) AnalysisInput(ctx context.Context, x *exchange.Exchange, in *survey.Instrument) analysis.Input {
	input := analysis.Input{Instrument: in, Exchange: x,
		Participants: s.StreamParticipants(ctx, x.ID), Responses: s.StreamResponses(ctx, x.ID)}
	if q := in.Question(in.QuoteConsent); q != nil {
		input.Consents = s.StreamConsents(ctx, x.ID, q.ID, q.Waves)
	}
	return input
}
