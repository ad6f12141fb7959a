package mongostore

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/csci/exchangeeval/internal/exchange"
)

// ResponseImportResult tells what a responses import did.
type ResponseImportResult struct {
	Added, Replaced int
}

// ImportResponses stores checked responses from a file, each as a new
// version marked as imported, all or nothing (see imports.go): the versions
// are written as a batch nobody reads until it is committed; then each
// becomes its response's current answers, unless a newer submission came
// in meanwhile.
func (s *Store) ImportResponses(ctx context.Context, exchangeID string, rows []exchange.ImportedResponse) (*ResponseImportResult, error) {
	if err := s.prepare(ctx, exchangeID); err != nil {
		return nil, err
	}
	run, err := s.beginImport(ctx, exchangeID, importResponses)
	if err != nil {
		return nil, err
	}
	versions := make([]*versionDoc, 0, len(rows))
	for _, row := range rows {
		r := row.Response
		if r.Exchange != exchangeID {
			return nil, run.abort(fmt.Errorf("row %d is for exchange %s, not %s", row.Row, r.Exchange, exchangeID))
		}
		unlock := s.lockResponse(r.Exchange, r.Participant, r.Wave)
		v, _, err := s.addVersion(ctx, &r, run.doc.Batch, false)
		unlock()
		if err != nil {
			return nil, run.abort(fmt.Errorf("row %d: %w", row.Row, err))
		}
		versions = append(versions, v)
	}
	if err := run.markCommitted(ctx); err != nil {
		return nil, run.abort(err)
	}
	// Committed: from here a failure leaves the import to be finished when
	// the store next opens, never undone.
	res := &ResponseImportResult{}
	for _, v := range versions {
		replaced, err := s.applyVersion(ctx, v)
		if err != nil {
			return nil, fmt.Errorf("the import into %s is committed but not yet applied (%w); it is finished when exchangeeval next starts", exchangeID, err)
		}
		if replaced {
			res.Replaced++
		} else {
			res.Added++
		}
	}
	if err := run.done(ctx); err != nil {
		return nil, err
	}
	s.changes.touch(exchangeID)
	return res, nil
}

// applyVersion makes an imported version current unless the response has
// a newer one, and reports whether the response had answers before.
func (s *Store) applyVersion(ctx context.Context, v *versionDoc) (replaced bool, err error) {
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
	return cur != nil, s.catchUp(ctx, v.Exchange, v.Participant, v.Wave, v.Seq, v.Seq)
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
