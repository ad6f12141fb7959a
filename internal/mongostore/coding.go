package mongostore

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/csci/exchangeeval/internal/coding"
)

// collCodes holds the codes people gave open answers: one document per
// coder and answer, replaced when the coder codes it again.
const collCodes = "codes"

type codeDoc struct {
	ID            string `bson:"_id"` // exchange/participant/wave/question/coder
	coding.Record `bson:",inline"`
}

// SaveCodes stores coders' records, each replacing that coder's earlier
// codes of the answer; coders' codes are kept apart.
func (s *Store) SaveCodes(ctx context.Context, records []coding.Record) error {
	if err := s.outage.check(); err != nil {
		return err
	}
	if len(records) == 0 {
		return nil
	}
	var models []mongo.WriteModel
	for _, r := range records {
		id := r.Exchange + "/" + r.Participant + "/" + r.Wave + "/" + r.Question + "/" + r.Coder
		models = append(models, mongo.NewReplaceOneModel().SetFilter(byID(id)).SetReplacement(codeDoc{ID: id, Record: r}).SetUpsert(true))
	}
	if _, err := s.db.Collection(collCodes).BulkWrite(ctx, models); err != nil {
		return s.fail("store codes", err)
	}
	s.changes.touch(records[0].Exchange)
	return nil
}

// Codes lists every code people gave the open answers of an exchange.
func (s *Store) Codes(ctx context.Context, exchangeID string) ([]coding.Record, error) {
	docs, err := findAll[codeDoc](ctx, s, s.db.Collection(collCodes), bson.D{{Key: "exchange", Value: exchangeID}}, nil, "the codes of "+exchangeID)
	if err != nil {
		return nil, err
	}
	out := make([]coding.Record, len(docs))
	for i, d := range docs {
		out[i] = d.Record
	}
	return out, nil
}
