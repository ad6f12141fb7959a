package mongostore

import (
	"context"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/csci/exchangeeval/internal/exchange"
)

// RemoveParticipant takes out a participant who has answered nothing in
// any of waves (someone invited by mistake, or who will not travel): their
// record, their personal link and any draft. A participant with answers
// is refused — answers are evidence, and nothing may orphan them.
//
// A delegate may be sending a first answer while the admin removes them,
// through another process whose cache still knows the link. Both sides
// write, then look (see SaveResponse's check after a first answer): the
// removal deletes the participant, then looks for answers, and puts the
// participant back if it finds any; the submission stores its answers, then
// looks for the participant, and takes them back if it is gone. Whichever
// looks last sees the other's write, so an answer is never left without its
// participant. The removal holds the exchange as an import does, and its
// import document carries the participant, so a removal cut short by a
// crash is finished, or undone if answers came, when the store next opens.
func (s *Store) RemoveParticipant(ctx context.Context, exchangeID, pid string, waves []string) (*exchange.Participant, error) {
	d, err := s.participantDocOf(ctx, exchangeID, pid)
	if err != nil {
		return nil, err
	}
	if answered, err := s.answeredWaves(ctx, exchangeID, pid, waves); err != nil || len(answered) > 0 {
		if err != nil {
			return nil, err
		}
		return nil, hasAnswered(pid, answered)
	}
	run, err := s.holdForRemoval(ctx, exchangeID)
	if err != nil {
		return nil, err
	}
	// The import document names the participant before anything is
	// deleted: from here a crash is settled from it.
	mark := bson.D{{Key: "$set", Value: bson.D{{Key: "removing", Value: d}, {Key: "waves", Value: waves}}}}
	if _, err := s.db.Collection(collImports).UpdateOne(ctx, byID(exchangeID), mark); err != nil {
		return nil, run.abort(s.fail("start removing "+pid+" from "+exchangeID, err))
	}
	answered, err := s.settleRemoval(ctx, exchangeID, d, waves)
	if err != nil {
		return nil, run.abort(err)
	}
	if err := run.done(ctx); err != nil {
		return nil, err
	}
	s.changes.touch(exchangeID)
	if len(answered) > 0 {
		return nil, hasAnswered(pid, answered)
	}
	return s.participantOf(d)
}

// participantDocOf finds a participant's stored record, the exchange's
// collections ready; ENOTFOUND names what is missing.
func (s *Store) participantDocOf(ctx context.Context, exchangeID, pid string) (*participantDoc, error) {
	if _, err := s.readExchange(ctx, exchangeID); err != nil {
		return nil, err
	}
	if err := s.prepare(ctx, exchangeID); err != nil {
		return nil, err
	}
	d, err := findByID[participantDoc](ctx, s, s.coll(exchangeID, kindParticipants), pid, "participant "+pid+" of "+exchangeID)
	if err != nil {
		return nil, err
	}
	if d == nil {
		return nil, exchange.Errorf(exchange.ENOTFOUND, "%s has no participant %s", exchangeID, pid)
	}
	return d, nil
}

func hasAnswered(pid string, waves []string) error {
	return exchange.Coded(exchange.ECONFLICT, exchange.ProblemHasAnswered, pid, strings.Join(waves, ", "))
}

// holdForRemoval takes the exchange as an import does. Another removal
// holds it for milliseconds, so this one waits its turn (two admins
// clearing a list at once); an import is a real conflict, said at once.
func (s *Store) holdForRemoval(ctx context.Context, exchangeID string) (*importRun, error) {
	for wait := 0; ; wait++ {
		run, err := s.beginImport(ctx, exchangeID, importRemoval)
		if err == nil || exchange.ErrorCode(err) != exchange.ECONFLICT || wait == 250 {
			return run, err
		}
		other, ferr := findByID[importDoc](ctx, s, s.db.Collection(collImports), exchangeID, "the import in progress into "+exchangeID)
		if ferr != nil {
			return nil, ferr
		}
		if other != nil && other.Kind != importRemoval {
			return nil, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// settleRemoval carries out a removal, or finishes one a crash cut short:
// the participant is deleted first, then answers are looked for (the order
// the race with a first answer needs; see RemoveParticipant). When answers
// have come the participant is put back and the waves answered are
// returned; otherwise the link and any drafts go too.
func (s *Store) settleRemoval(ctx context.Context, exchangeID string, d *participantDoc, waves []string) ([]string, error) {
	if _, err := s.coll(exchangeID, kindParticipants).DeleteOne(ctx, byID(d.ID)); err != nil {
		return nil, s.fail("remove "+d.ID+" from "+exchangeID, err)
	}
	answered, err := s.answeredWaves(ctx, exchangeID, d.ID, waves)
	if err != nil {
		return nil, err
	}
	if len(answered) > 0 {
		if _, err := s.coll(exchangeID, kindParticipants).ReplaceOne(ctx, byID(d.ID), d, upsert()); err != nil {
			return nil, s.fail("put back "+d.ID+" of "+exchangeID, err)
		}
		return answered, nil
	}
	p, err := s.participantOf(d)
	if err != nil {
		return nil, err
	}
	link := linkID(p.Token)
	if _, err := s.db.Collection(collLinks).DeleteOne(ctx, byID(link)); err != nil {
		return nil, s.fail("remove the link of "+d.ID+" of "+exchangeID, err)
	}
	s.holders.del(link)
	for _, w := range waves {
		if err := s.DeleteDraft(ctx, exchangeID, d.ID, w); err != nil {
			return nil, err
		}
	}
	return nil, nil
}

// answeredWaves lists the waves in which a participant has a response —
// any version, an import's not yet committed included: key look-ups only.
func (s *Store) answeredWaves(ctx context.Context, exchangeID, pid string, waves []string) ([]string, error) {
	var out []string
	for _, w := range waves {
		v, err := findByID[versionDoc](ctx, s, s.coll(exchangeID, kindVersions), versionKey(pid, w, 1), "response version")
		if err != nil {
			return nil, err
		}
		cur := v != nil
		if !cur {
			c, err := s.current(ctx, exchangeID, pid, w)
			if err != nil {
				return nil, err
			}
			cur = c != nil
		}
		if cur {
			out = append(out, w)
		}
	}
	return out, nil
}

// stillInvited is SaveResponse's look after a first answer: the
// participant is still there. When they are not (removed meanwhile) the
// answer is taken back and the link reported unknown.
func (s *Store) stillInvited(ctx context.Context, v *versionDoc) error {
	d, err := findByID[participantDoc](ctx, s, s.coll(v.Exchange, kindParticipants), v.Participant, "participant "+v.Participant+" of "+v.Exchange)
	if err != nil || d != nil {
		return err
	}
	s.log.Warn("a first answer came as its participant was removed; taken back", "exchange", v.Exchange, "participant", v.Participant, "wave", v.Wave)
	if _, err := s.coll(v.Exchange, kindResponses).DeleteOne(ctx, byID(responseKey(v.Participant, v.Wave))); err != nil {
		return s.fail("take back an answer of a removed participant", err)
	}
	if _, err := s.coll(v.Exchange, kindVersions).DeleteOne(ctx, byID(v.ID)); err != nil {
		return s.fail("take back an answer of a removed participant", err)
	}
	s.heads.del(v.Exchange + "/" + responseKey(v.Participant, v.Wave))
	return exchange.Errorf(exchange.ENOTFOUND, "unknown link")
}
