package mongostore

import (
	"context"
	"time"

	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/survey"
)

// draftDoc is a delegate's unsent answers in a wave, one document per
// participant and wave under the response's own key: a save replaces it.
type draftDoc struct {
	ID             string `bson:"_id"`
	exchange.Draft `bson:",inline"`
}

// SaveDraft keeps what a delegate has answered so far in a wave, replacing
// their earlier draft. Drafts live in their own collection: nothing that
// reads responses (the analysis, the workbook, the counts) sees them.
func (s *Store) SaveDraft(ctx context.Context, exchangeID, pid, wave, language string, answers survey.Answers, at time.Time) error {
	if err := s.prepare(ctx, exchangeID); err != nil {
		return err
	}
	if err := s.outage.check(); err != nil {
		return err
	}
	doc := draftDoc{ID: responseKey(pid, wave), Draft: exchange.Draft{Answers: answers, Language: language, SavedAt: at.UTC()}}
	if _, err := s.coll(exchangeID, kindDrafts).ReplaceOne(ctx, byID(doc.ID), doc, upsert()); err != nil {
		return s.fail("save the draft of "+exchangeID+"/"+doc.ID, err)
	}
	return nil
}

// Draft returns a delegate's draft in a wave; nil when there is none.
func (s *Store) Draft(ctx context.Context, exchangeID, pid, wave string) (*exchange.Draft, error) {
	if err := s.prepare(ctx, exchangeID); err != nil {
		return nil, err
	}
	d, err := findByID[draftDoc](ctx, s, s.coll(exchangeID, kindDrafts), responseKey(pid, wave), "draft")
	if err != nil || d == nil {
		return nil, err
	}
	d.Answers = normalizeAnswers(d.Answers)
	return &d.Draft, nil
}

// DeleteDraft drops a delegate's draft in a wave, once they have sent it.
func (s *Store) DeleteDraft(ctx context.Context, exchangeID, pid, wave string) error {
	if _, err := s.coll(exchangeID, kindDrafts).DeleteOne(ctx, byID(responseKey(pid, wave))); err != nil {
		return s.fail("drop the draft of "+exchangeID+"/"+responseKey(pid, wave), err)
	}
	return nil
}
