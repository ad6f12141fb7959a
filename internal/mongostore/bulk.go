package mongostore

import (
	"context"
	"fmt"
	"iter"

	"github.com/csci/exchangeeval/internal/exchange"
)

// BulkLoad writes participants and their responses straight into an
// exchange's collections, in the layout every other path writes, without
// the checks, the import protocol or the history of earlier versions: each
// response becomes version 1. It exists for benchmarks and load tests,
// which need tens of thousands of participants in seconds. A participant
// without a token is given one.
func (s *Store) BulkLoad(ctx context.Context, exchangeID string, participants iter.Seq2[*exchange.Participant, error], responses iter.Seq2[*exchange.Response, error]) error {
	if err := s.prepare(ctx, exchangeID); err != nil {
		return err
	}
	ins := newMigrationInserter(s)
	n := 0
	for p, err := range participants {
		if err != nil {
			return err
		}
		if p.Token == "" {
			p.Token = exchange.NewToken()
		}
		p.Exchange = exchangeID
		if err := ins.add(ctx, collName(exchangeID, kindParticipants), s.newParticipantDoc(p, "")); err != nil {
			return err
		}
		if err := ins.add(ctx, collLinks, linkDoc{ID: linkID(p.Token), Exchange: exchangeID, PID: p.PID, Language: p.Language}); err != nil {
			return err
		}
		n++
	}
	if _, err := s.reserve(ctx, "pid:"+exchangeID, n); err != nil {
		return err
	}
	for r, err := range responses {
		if err != nil {
			return err
		}
		if r.Exchange != exchangeID {
			return fmt.Errorf("bulk load into %s: a response of %s", exchangeID, r.Exchange)
		}
		v := versionOf(r, "")
		v.Seq, v.ID = 1, versionKey(r.Participant, r.Wave, 1)
		if err := ins.add(ctx, collName(exchangeID, kindVersions), v); err != nil {
			return err
		}
		rd := responseDoc{ID: responseKey(r.Participant, r.Wave), Response: *r}
		rd.Seq, rd.FirstSubmittedAt, rd.History = 1, r.SubmittedAt, nil
		if err := ins.add(ctx, collName(exchangeID, kindResponses), rd); err != nil {
			return err
		}
	}
	if err := ins.flush(ctx); err != nil {
		return err
	}
	s.changes.touch(exchangeID)
	return nil
}
