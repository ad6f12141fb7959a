package mongostore

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/csci/exchangeeval/internal/exchange"
)

// ResponseImportResult tells what a responses import did.
type ResponseImportResult struct {
	Added, Replaced int
}

// ImportResponses stores checked responses from a file, each as a new
// version marked as imported. Without transactions, all-or-nothing is kept
// by hand: the current responses it replaces are read first, and if any
// write fails, the versions this import added are deleted and the replaced
// responses restored (or removed where there was none).
func (s *Store) ImportResponses(ctx context.Context, rows []exchange.ImportedResponse) (*ResponseImportResult, error) {
	res := &ResponseImportResult{}
	type previous struct {
		key    bson.D
		before bson.Raw // nil: there was no response
	}
	var done []previous
	batch := exchange.NewToken()
	coll := s.db.Collection(collResponses)
	undo := func(cause error) error {
		cctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		var failed error
		if _, err := s.db.Collection(collVersions).DeleteMany(cctx, bson.D{{Key: "import_batch", Value: batch}}); err != nil {
			failed = err
		}
		for i := len(done) - 1; i >= 0; i-- {
			var err error
			if done[i].before == nil {
				_, err = coll.DeleteOne(cctx, done[i].key)
			} else {
				_, err = coll.ReplaceOne(cctx, done[i].key, done[i].before)
			}
			if err != nil && failed == nil {
				failed = err
			}
		}
		if failed != nil {
			s.log.Error("could not undo a failed responses import", "batch", batch, "err", failed)
			return fmt.Errorf("import failed (%v) and could not be fully undone (%v); imported versions are marked import_batch=%s", cause, failed, batch)
		}
		return fmt.Errorf("import failed, nothing was kept: %w", cause)
	}
	for _, row := range rows {
		r := row.Response
		key := responseKey(r.Exchange, r.Participant, r.Wave)
		before, err := coll.FindOne(ctx, key).Raw()
		if err != nil && !notFound(err) {
			return nil, undo(err)
		}
		if notFound(err) {
			before = nil
			res.Added++
		} else {
			res.Replaced++
		}
		done = append(done, previous{key: key, before: before})
		if err := s.writeResponse(ctx, &r, batch); err != nil {
			return nil, undo(fmt.Errorf("row %d: %w", row.Row, err))
		}
	}
	return res, nil
}
