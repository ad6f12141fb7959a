package mongostore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"iter"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/csci/exchangeeval/internal/exchange"
)

// participantDoc is a participant in the exchange's own collection, keyed by
// pseudonymous id.
type participantDoc struct {
	ID                   string `bson:"_id"`
	exchange.Participant `bson:",inline"`
	// Batch is the import that wrote it (see imports.go).
	Batch string `bson:"batch,omitempty"`
	// SealedToken is the personal link's token, sealed (see sealLinks).
	SealedToken []byte `bson:"token_sealed,omitempty"`
	// PlainToken is the token as releases before sealing stored it; the
	// upgrade seals it and removes it.
	PlainToken string `bson:"token,omitempty"`
}

// linkDoc says whose a personal link is. Its _id is the SHA-256 of the
// link's token, so a link is found by one key look-up, wherever the
// participant's exchange is.
type linkDoc struct {
	ID       string `bson:"_id"`
	Exchange string `bson:"exchange"`
	PID      string `bson:"pid"`
	// Language is the participant's, so that a delegate's request needs
	// the link alone.
	Language string `bson:"language"`
	Batch    string `bson:"batch,omitempty"`
}

func linkID(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// insertChunk is how many documents an import writes per insert command.
const insertChunk = 1000

// ImportParticipants adds the rows that are not yet participants of the
// exchange (matched by e-mail) and keeps the others as they are, so importing
// the same file twice duplicates nobody and changes no link. Either every new
// participant is stored or none is, even if the process dies halfway.
func (s *Store) ImportParticipants(ctx context.Context, exchangeID string, rows []exchange.ParticipantRow, now time.Time) (*exchange.ImportResult, error) {
	if _, err := s.readExchange(ctx, exchangeID); err != nil {
		return nil, err
	}
	if err := s.prepare(ctx, exchangeID); err != nil {
		return nil, err
	}
	run, err := s.beginImport(ctx, exchangeID, importParticipants)
	if err != nil {
		return nil, err
	}
	res, err := s.importParticipants(ctx, run, exchangeID, rows, now)
	if err != nil {
		return nil, run.abort(err)
	}
	if res.New == 0 {
		err = run.done(ctx)
	} else {
		err = run.done(ctx) // the commit: the batch is no longer pending
		s.changes.touch(exchangeID)
	}
	if err != nil {
		return nil, run.abort(err)
	}
	return res, nil
}

func (s *Store) importParticipants(ctx context.Context, run *importRun, exchangeID string, rows []exchange.ParticipantRow, now time.Time) (*exchange.ImportResult, error) {
	existing, err := s.participantsByEmail(ctx, exchangeID)
	if err != nil {
		return nil, err
	}
	res := &exchange.ImportResult{Created: map[string]bool{}}
	var fresh []*exchange.Participant
	for _, r := range rows {
		if p, ok := existing[r.Email]; ok {
			res.Participants = append(res.Participants, p)
			res.Kept++
			continue
		}
		p := &exchange.Participant{
			Exchange: exchangeID, Name: r.Name, Email: r.Email, City: r.City, Role: r.Role,
			Language: r.Language, Side: r.Side, Token: exchange.NewToken(), CreatedAt: now.UTC(),
		}
		fresh = append(fresh, p)
		res.Participants = append(res.Participants, p)
	}
	res.New = len(fresh)
	if len(fresh) == 0 {
		return res, nil
	}
	first, err := s.reserve(ctx, "pid:"+exchangeID, len(fresh))
	if err != nil {
		return nil, err
	}
	batch := run.doc.Batch
	docs := make([]any, 0, insertChunk)
	links := make([]any, 0, insertChunk)
	flush := func() error {
		if len(docs) == 0 {
			return nil
		}
		if _, err := s.coll(exchangeID, kindParticipants).InsertMany(ctx, docs); err != nil {
			return s.fail("insert participants of "+exchangeID, err)
		}
		if _, err := s.db.Collection(collLinks).InsertMany(ctx, links); err != nil {
			return s.fail("insert the links of "+exchangeID, err)
		}
		docs, links = docs[:0], links[:0]
		return nil
	}
	for i, p := range fresh {
		p.PID = exchange.PID(first + i)
		res.Created[p.PID] = true
		docs = append(docs, s.newParticipantDoc(p, batch))
		links = append(links, linkDoc{ID: linkID(p.Token), Exchange: exchangeID, PID: p.PID, Language: p.Language, Batch: batch})
		if len(docs) == insertChunk {
			if err := flush(); err != nil {
				return nil, err
			}
		}
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return res, nil
}

// removeImportedParticipants deletes what a participants import wrote.
func (s *Store) removeImportedParticipants(ctx context.Context, exchangeID, batch string) error {
	coll := s.coll(exchangeID, kindParticipants)
	cur, err := coll.Find(ctx, bson.D{{Key: "batch", Value: batch}}, options.Find().SetProjection(bson.D{{Key: "token", Value: 1}, {Key: "token_sealed", Value: 1}}))
	if err != nil {
		return s.fail("find the participants of an unfinished import into "+exchangeID, err)
	}
	var docs []participantDoc
	if err := cur.All(ctx, &docs); err != nil {
		return s.fail("find the participants of an unfinished import into "+exchangeID, err)
	}
	for i := range docs {
		p, err := s.participantOf(&docs[i])
		if err != nil {
			return err
		}
		id := linkID(p.Token)
		if _, err := s.db.Collection(collLinks).DeleteOne(ctx, byID(id)); err != nil {
			return s.fail("remove a link of an unfinished import into "+exchangeID, err)
		}
		s.holders.del(id)
	}
	if _, err := coll.DeleteMany(ctx, bson.D{{Key: "batch", Value: batch}}); err != nil {
		return s.fail("remove the participants of an unfinished import into "+exchangeID, err)
	}
	return nil
}

// reserve takes n numbers from a named counter and returns the first.
// Numbers a failed import took are not reused, so a pseudonymous id is never
// given twice. Only an import, which holds its exchange, counts, so the
// read-and-write update of the embedded store cannot lose an increment.
func (s *Store) reserve(ctx context.Context, name string, n int) (int, error) {
	var c struct {
		Seq int `bson:"seq"`
	}
	err := s.db.Collection(collCounters).FindOneAndUpdate(ctx, byID(name),
		bson.D{{Key: "$inc", Value: bson.D{{Key: "seq", Value: n}}}},
		options.FindOneAndUpdate().SetUpsert(true).SetReturnDocument(options.After)).Decode(&c)
	if err != nil {
		return 0, s.fail(fmt.Sprintf("reserve %d from counter %s", n, name), err)
	}
	return c.Seq - n + 1, nil
}

func (s *Store) participantsByEmail(ctx context.Context, exchangeID string) (map[string]*exchange.Participant, error) {
	m := map[string]*exchange.Participant{}
	for p, err := range s.StreamParticipants(ctx, exchangeID) {
		if err != nil {
			return nil, err
		}
		m[p.Email] = p
	}
	return m, nil
}

// Participants lists the participants of an exchange by pseudonymous id.
func (s *Store) Participants(ctx context.Context, exchangeID string) ([]*exchange.Participant, error) {
	var out []*exchange.Participant
	for p, err := range s.StreamParticipants(ctx, exchangeID) {
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	// Sorted here: the embedded store would hold the result in memory to
	// sort it, and ids sort as text (P0001 …).
	slices.SortFunc(out, func(a, b *exchange.Participant) int {
		if len(a.PID) != len(b.PID) {
			return len(a.PID) - len(b.PID)
		}
		if a.PID < b.PID {
			return -1
		}
		if a.PID > b.PID {
			return 1
		}
		return 0
	})
	return out, nil
}

// StreamParticipants yields the participants of an exchange one at a time
// from a cursor, in the order they were stored, leaving out those of an
// import that has not committed.
func (s *Store) StreamParticipants(ctx context.Context, exchangeID string) iter.Seq2[*exchange.Participant, error] {
	return func(yield func(*exchange.Participant, error) bool) {
		pending, err := s.pendingBatch(ctx, exchangeID)
		if err != nil {
			yield(nil, err)
			return
		}
		for d, err := range stream[participantDoc](ctx, s, s.coll(exchangeID, kindParticipants), nil) {
			if err != nil {
				yield(nil, err)
				return
			}
			if pending != "" && d.Batch == pending {
				continue
			}
			p, err := s.participantOf(d)
			if err != nil {
				yield(nil, err)
				return
			}
			if !yield(p, nil) {
				return
			}
		}
	}
}

// LinkHolder finds whose a personal link is: one key look-up, kept for
// ownerTTL since a link never changes hands.
func (s *Store) LinkHolder(ctx context.Context, token string) (*exchange.LinkHolder, error) {
	id := linkID(token)
	if h, ok := s.holders.get(id); ok {
		c := *h
		return &c, nil
	}
	l, err := findByID[linkDoc](ctx, s, s.db.Collection(collLinks), id, "link")
	if err != nil {
		return nil, err
	}
	unknown := exchange.Errorf(exchange.ENOTFOUND, "unknown link")
	if l == nil {
		return nil, unknown
	}
	if ok, err := s.visible(ctx, l.Exchange, l.Batch); err != nil || !ok {
		if err != nil {
			return nil, err
		}
		return nil, unknown
	}
	if err := s.prepare(ctx, l.Exchange); err != nil {
		return nil, err
	}
	h := &exchange.LinkHolder{Exchange: l.Exchange, PID: l.PID, Language: l.Language}
	if h.Language == "" {
		// A link written before links carried the language.
		d, err := findByID[participantDoc](ctx, s, s.coll(l.Exchange, kindParticipants), l.PID, "participant "+l.PID+" of "+l.Exchange)
		if err != nil {
			return nil, err
		}
		if d == nil {
			return nil, unknown
		}
		h.Language = d.Language
	}
	s.holders.put(id, h)
	c := *h
	return &c, nil
}

// ParticipantByToken finds the owner of a personal link, with everything
// known of them.
func (s *Store) ParticipantByToken(ctx context.Context, token string) (*exchange.Participant, error) {
	h, err := s.LinkHolder(ctx, token)
	if err != nil {
		return nil, err
	}
	d, err := findByID[participantDoc](ctx, s, s.coll(h.Exchange, kindParticipants), h.PID, "participant "+h.PID+" of "+h.Exchange)
	if err != nil {
		return nil, err
	}
	if d == nil {
		return nil, exchange.Errorf(exchange.ENOTFOUND, "unknown link")
	}
	return s.participantOf(d)
}
