package mongostore

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/csci/exchangeeval/internal/coding"
	"github.com/csci/exchangeeval/internal/exchange"
)

// collCodebooks holds the versions of exchanges' codebooks, one document
// per version, never changed once written.
const collCodebooks = "codebooks"

type codebookDoc struct {
	ID              string `bson:"_id"` // exchange/version, the version zero-padded
	coding.Codebook `bson:",inline"`
}

func codebookID(exchangeID string, version int) string {
	return fmt.Sprintf("%s/%06d", exchangeID, version)
}

// SaveCodebook stores a new version of an exchange's codebook. A version
// is written once: when someone else saved the same version first (two
// evaluators changing the codebook at once), the later is refused as a
// conflict and nothing is lost — they reload and decide again.
func (s *Store) SaveCodebook(ctx context.Context, cb coding.Codebook) error {
	if err := s.outage.check(); err != nil {
		return err
	}
	_, err := s.db.Collection(collCodebooks).InsertOne(ctx, codebookDoc{ID: codebookID(cb.Exchange, cb.Version), Codebook: cb})
	if isDuplicate(err) {
		return exchange.Errorf(exchange.ECONFLICT, "version %d of the codebook of %s was saved by someone else meanwhile: reload and decide again", cb.Version, cb.Exchange)
	}
	if err != nil {
		return s.fail("store codebook", err)
	}
	s.changes.touch(cb.Exchange)
	return nil
}

// Codebook is the latest version of an exchange's codebook; nil when
// nobody has changed the instrument's.
func (s *Store) Codebook(ctx context.Context, exchangeID string) (*coding.Codebook, error) {
	docs, err := findAll[codebookDoc](ctx, s, s.db.Collection(collCodebooks), bson.D{{Key: "exchange", Value: exchangeID}},
		options.Find().SetSort(bson.D{{Key: "version", Value: -1}}).SetLimit(1), "the codebook of "+exchangeID)
	if err != nil || len(docs) == 0 {
		return nil, err
	}
	return &docs[0].Codebook, nil
}

// CodebookHistory lists every version of an exchange's codebook, newest
// first.
func (s *Store) CodebookHistory(ctx context.Context, exchangeID string) ([]coding.Codebook, error) {
	docs, err := findAll[codebookDoc](ctx, s, s.db.Collection(collCodebooks), bson.D{{Key: "exchange", Value: exchangeID}},
		options.Find().SetSort(bson.D{{Key: "version", Value: -1}}), "the codebook history of "+exchangeID)
	if err != nil {
		return nil, err
	}
	out := make([]coding.Codebook, len(docs))
	for i, d := range docs {
		out[i] = d.Codebook
	}
	return out, nil
}
