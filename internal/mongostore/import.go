package mongostore

import (
	"context"
	"fmt"
	"maps"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/survey"
)

// ResponseImportResult tells what a responses import did.
type ResponseImportResult struct {
	// Added counts responses that had no answers before.
	Added int
	// Merged counts responses whose stored answers the file's cells were
	// merged into; Changed the answers that changed or were added so.
	Merged, Changed int
	// Replaced counts responses replaced whole (ImportReplace), Dropped the
	// stored answers that went with them (still in their history).
	Replaced, Dropped int
	// Unchanged counts rows that said what was stored already: no version
	// is written for them.
	Unchanged int
	// Superseded counts rows whose response was submitted again while the
	// import ran: the newer submission stays current, the import's version
	// goes to the history.
	Superseded int
}

// ImportMode says what an imported row does to a stored response.
type ImportMode int

const (
	// ImportMerge merges the row cell by cell into the stored answers: a
	// cell with a value sets that answer, an empty cell leaves it alone.
	ImportMerge ImportMode = iota
	// ImportReplace makes the row the whole response: stored answers the
	// row leaves empty are dropped (and kept in the history).
	ImportReplace
)

// ImportResponses stores checked responses from a file, each as a new
// version marked as imported, all or nothing (see imports.go): the versions
// are written as a batch nobody reads until it is committed; then each
// becomes its response's current answers, unless a newer submission came
// in meanwhile. A version holds the whole response after the import — the
// stored answers with the row merged in, or the row alone when replacing —
// so the history shows every state the response was ever in.
func (s *Store) ImportResponses(ctx context.Context, exchangeID string, rows []exchange.ImportedResponse, mode ImportMode) (*ResponseImportResult, error) {
	if err := s.prepare(ctx, exchangeID); err != nil {
		return nil, err
	}
	run, err := s.beginImport(ctx, exchangeID, importResponses)
	if err != nil {
		return nil, err
	}
	res := &ResponseImportResult{}
	versions := make([]*versionDoc, 0, len(rows))
	for _, row := range rows {
		r := row.Response
		if r.Exchange != exchangeID {
			return nil, run.abort(fmt.Errorf("row %d is for exchange %s, not %s", row.Row, r.Exchange, exchangeID))
		}
		unlock := s.lockResponse(r.Exchange, r.Participant, r.Wave)
		v, err := s.importRow(ctx, &r, run.doc.Batch, mode, res)
		unlock()
		if err != nil {
			return nil, run.abort(fmt.Errorf("row %d: %w", row.Row, err))
		}
		if v != nil {
			versions = append(versions, v)
		}
	}
	if err := run.markCommitted(ctx); err != nil {
		return nil, run.abort(err)
	}
	// Committed: from here a failure leaves the import to be finished when
	// the store next opens, never undone.
	for _, v := range versions {
		superseded, err := s.applyVersion(ctx, v)
		if err != nil {
			return nil, fmt.Errorf("the import into %s is committed but not yet applied (%w); it is finished when exchangeeval next starts", exchangeID, err)
		}
		if superseded {
			res.Superseded++
		}
	}
	if err := run.done(ctx); err != nil {
		return nil, err
	}
	s.changes.touch(exchangeID)
	return res, nil
}

// importRow writes the version one imported row makes, under the
// response's lock, and counts what it does; nil when the row changes
// nothing.
func (s *Store) importRow(ctx context.Context, r *exchange.Response, batch string, mode ImportMode, res *ResponseImportResult) (*versionDoc, error) {
	cur, err := s.newestLocked(ctx, r.Exchange, r.Participant, r.Wave)
	if err != nil {
		return nil, err
	}
	if cur == nil {
		res.Added++
		v, _, err := s.addVersion(ctx, r, batch, false)
		return v, err
	}
	stored := normalizeAnswers(cur.Answers)
	if mode == ImportReplace {
		dropped := 0
		for id := range stored {
			if _, kept := r.Answers[id]; !kept {
				dropped++
			}
		}
		if dropped == 0 && stored.Equal(r.Answers) {
			res.Unchanged++
			return nil, nil
		}
		res.Replaced++
		res.Dropped += dropped
	} else {
		merged := make(survey.Answers, len(stored)+len(r.Answers))
		maps.Copy(merged, stored)
		changed := 0
		for id, a := range r.Answers {
			if old, ok := stored[id]; !ok || !survey.SameAnswer(old, a) {
				changed++
			}
			merged[id] = a
		}
		if changed == 0 {
			res.Unchanged++
			return nil, nil
		}
		res.Merged++
		res.Changed += changed
		r.Answers = merged
	}
	v, _, err := s.addVersion(ctx, r, batch, false)
	return v, err
}

// applyVersion makes an imported version current unless the response has
// a newer one, and reports whether it had (the version is then history).
func (s *Store) applyVersion(ctx context.Context, v *versionDoc) (superseded bool, err error) {
	defer s.lockResponse(v.Exchange, v.Participant, v.Wave)()
	cur, err := s.current(ctx, v.Exchange, v.Participant, v.Wave)
	if err != nil {
		return false, err
	}
	if cur != nil && cur.Seq >= v.Seq {
		return true, nil
	}
	if err := s.setCurrent(ctx, v); err != nil {
		return false, err
	}
	return false, s.catchUp(ctx, v.Exchange, v.Participant, v.Wave, v.Seq, v.Seq)
}

// applyImportedVersions finishes a committed import: every version of the
// batch becomes current where nothing newer is.
func (s *Store) applyImportedVersions(ctx context.Context, exchangeID, batch string) error {
	var vs []*versionDoc
	for v, err := range stream[versionDoc](ctx, s, s.coll(exchangeID, kindVersions), bson.D{{Key: "batch", Value: batch}}) {
		if err != nil {
			return err
		}
		vs = append(vs, v)
	}
	for _, v := range vs {
		if _, err := s.applyVersion(ctx, v); err != nil {
			return err
		}
	}
	s.changes.touch(exchangeID)
	return nil
}

// removeImportedVersions deletes the versions an unfinished import wrote,
// then makes sure no response is left behind a newer version that had been
// numbered after one of them.
func (s *Store) removeImportedVersions(ctx context.Context, exchangeID, batch string) error {
	type key struct {
		Participant string `bson:"participant"`
		Wave        string `bson:"wave"`
		Seq         int    `bson:"seq"`
	}
	var keys []*key
	coll := s.coll(exchangeID, kindVersions)
	for k, err := range stream[key](ctx, s, coll, bson.D{{Key: "batch", Value: batch}}) {
		if err != nil {
			return err
		}
		keys = append(keys, k)
	}
	if _, err := coll.DeleteMany(ctx, bson.D{{Key: "batch", Value: batch}}); err != nil {
		return s.fail("remove the versions of an unfinished import into "+exchangeID, err)
	}
	for _, k := range keys {
		unlock := s.lockResponse(exchangeID, k.Participant, k.Wave)
		s.heads.del(exchangeID + "/" + responseKey(k.Participant, k.Wave))
		cur, err := s.current(ctx, exchangeID, k.Participant, k.Wave)
		if err == nil {
			seq := 0
			if cur != nil {
				seq = cur.Seq
			}
			err = s.catchUp(ctx, exchangeID, k.Participant, k.Wave, k.Seq, seq)
		}
		unlock()
		if err != nil {
			return err
		}
	}
	return nil
}
