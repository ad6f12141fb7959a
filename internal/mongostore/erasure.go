package mongostore

import (
	"context"
	"fmt"
	"regexp"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/csci/exchangeeval/internal/privacy"
)

// collErasures logs every erasure — who, when, what kind — without the
// erased data, so that it can be applied again (to a restored backup).
const collErasures = "erasures"

// Erasure is one entry of the erasure log.
type Erasure struct {
	ID       string    `bson:"_id"` // exchange/pid
	Exchange string    `bson:"exchange"`
	PID      string    `bson:"pid"`
	Answers  bool      `bson:"answers"`
	By       string    `bson:"by"`
	At       time.Time `bson:"at"`
}

// EraseParticipant erases a delegate on request (GDPR art. 17): their
// identity — name, e-mail, personal link, every message to them and its
// delivery record — while their answers stay, under the pseudonymous id
// only; with answers, those too (current answers, history, drafts), so
// the figures change and sign-offs over them are flagged as after any
// change. On the embedded store the SQLite files are rewritten (VACUUM)
// so the erased text is not left in their free pages. The erasure is
// logged without the erased data. Running it again erases nothing more
// and fails nothing.
func (s *Store) EraseParticipant(ctx context.Context, exchangeID, pid string, answers bool, by string, now time.Time) (*privacy.Erased, error) {
	out, err := s.eraseParticipant(ctx, exchangeID, pid, answers, by, now)
	if err != nil {
		return nil, err
	}
	return out, s.rewriteFiles(ctx, pid+"'s data")
}

// rewriteFiles rewrites the embedded store's SQLite files (VACUUM), so
// that what was erased is not left in their free pages.
func (s *Store) rewriteFiles(ctx context.Context, what string) error {
	if s.sqlite == nil {
		return nil
	}
	if err := s.sqlite.vacuum(ctx, s.db.Name()); err != nil {
		return fmt.Errorf("rewrite the store's files without %s: %w", what, err)
	}
	return nil
}

// eraseParticipant is EraseParticipant but for the files' rewriting.
func (s *Store) eraseParticipant(ctx context.Context, exchangeID, pid string, answers bool, by string, now time.Time) (*privacy.Erased, error) {
	d, err := s.participantDocOf(ctx, exchangeID, pid)
	if err != nil {
		return nil, err
	}
	// The log first: an erasure cut short is found in it, and finished
	// when run again.
	log := Erasure{ID: exchangeID + "/" + pid, Exchange: exchangeID, PID: pid, Answers: answers, By: by, At: now.UTC()}
	if _, err := s.db.Collection(collErasures).ReplaceOne(ctx, byID(log.ID), log, upsert()); err != nil {
		return nil, s.fail("log the erasure of "+pid, err)
	}
	out := &privacy.Erased{}
	del := func(coll string, filter bson.D, n *int64) error {
		r, err := s.db.Collection(coll).DeleteMany(ctx, filter)
		if err != nil {
			return s.fail("erase "+pid+" from "+coll, err)
		}
		if n != nil {
			*n += r.DeletedCount
		}
		return nil
	}
	mine := bson.D{{Key: "exchange", Value: exchangeID}, {Key: "pid", Value: pid}}
	keyed := bson.D{{Key: "_id", Value: bson.D{{Key: "$regex", Value: "^" + regexp.QuoteMeta(pid) + "/"}}}}
	steps := []func() error{
		func() error { return del(collLinks, mine, &out.Links) },
		func() error {
			return del(collName(exchangeID, kindMail), bson.D{{Key: "participant", Value: pid}}, &out.Messages)
		},
		func() error {
			return del(collMailQueue, bson.D{{Key: "exchange", Value: exchangeID}, {Key: "participant", Value: pid}}, nil)
		},
		func() error {
			claims := bson.D{{Key: "_id", Value: bson.D{{Key: "$regex", Value: "^" + regexp.QuoteMeta(exchangeID+"/"+pid+"/")}}}}
			return del(collMailClaims, claims, nil)
		},
		func() error {
			set := bson.D{{Key: "$set", Value: bson.D{{Key: "name", Value: ""}, {Key: "email", Value: ""}, {Key: "erased_at", Value: now.UTC()}}},
				{Key: "$unset", Value: bson.D{{Key: "token_sealed", Value: ""}, {Key: "token", Value: ""}}}}
			_, err := s.coll(exchangeID, kindParticipants).UpdateOne(ctx, byID(pid), set)
			return s.fail("erase "+pid+"'s identity", err)
		},
	}
	if answers {
		steps = append(steps,
			func() error { return del(collName(exchangeID, kindResponses), keyed, &out.Responses) },
			func() error { return del(collName(exchangeID, kindVersions), keyed, &out.Versions) },
			func() error { return del(collName(exchangeID, kindDrafts), keyed, &out.Drafts) },
			func() error {
				return del(collCodes, bson.D{{Key: "exchange", Value: exchangeID}, {Key: "participant", Value: pid}}, nil)
			},
		)
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return nil, err
		}
	}
	if p, err := s.participantOf(d); err == nil && p.Token != "" {
		s.holders.del(linkID(p.Token)) // this process's cache: the link is gone
	}
	s.changes.touch(exchangeID)
	return out, nil
}

// Erasures lists the erasure log of an exchange, oldest first.
func (s *Store) Erasures(ctx context.Context, exchangeID string) ([]*Erasure, error) {
	return findAll[Erasure](ctx, s, s.db.Collection(collErasures), bson.D{{Key: "exchange", Value: exchangeID}}, nil, "the erasures of "+exchangeID)
}
