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

// StreamParticipants yields the participants of an exchange one at a time,
// by pseudonymous id, from a cursor.
func (s *Store) StreamParticipants(ctx context.Context, exchangeID string) iter.Seq2[*exchange.Participant, error] {
	return stream[exchange.Participant](ctx, s.db.Collection(collParticipants), exchangeID, bson.D{{Key: "pid", Value: 1}}, nil)
}

// StreamResponses yields the current responses of an exchange one at a time
// from a cursor, grouped by participant (sorted by participant and wave), as
// the analysis needs them.
func (s *Store) StreamResponses(ctx context.Context, exchangeID string) iter.Seq2[*exchange.Response, error] {
	return stream(ctx, s.db.Collection(collResponses), exchangeID,
		bson.D{{Key: "participant", Value: 1}, {Key: "wave", Value: 1}},
		func(r *exchange.Response) { r.Answers = normalizeAnswers(r.Answers) })
}

func stream[T any](ctx context.Context, coll *mongo.Collection, exchangeID string, sort bson.D, fix func(*T)) iter.Seq2[*T, error] {
	return func(yield func(*T, error) bool) {
		cur, err := coll.Find(ctx, bson.D{{Key: "exchange", Value: exchangeID}},
			options.Find().SetSort(sort).SetBatchSize(streamBatch))
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
	return analysis.Input{Instrument: in, Exchange: x,
		Participants: s.StreamParticipants(ctx, x.ID), Responses: s.StreamResponses(ctx, x.ID)}
}
