package mongostore

import (
	"cmp"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/staff"
)

// layoutVersion is the storage layout this code reads and writes:
//
//  1. one collection each for every exchange's participants, responses,
//     response versions and sign-offs, with generated ObjectId keys;
//  2. per-exchange collections with natural keys (see the README);
//  3. the audit trail in one collection per month.
const layoutVersion = 3

// The layout-1 collections, removed once their documents are moved.
const (
	v1Participants = "participants"
	v1Responses    = "responses"
	v1Versions     = "response_versions"
	v1SignOffs     = "signoffs"
)

type metaDoc struct {
	ID      string    `bson:"_id"`
	Version int       `bson:"version"`
	At      time.Time `bson:"at"`
}

// migrate brings a database written by an earlier release to the current
// layout, once. It is logged, and resumable: every document is inserted
// under its new natural key, so running it again after an interruption
// skips what is already there, and the old collections are dropped only
// when everything is moved.
func (s *Store) migrate(ctx context.Context) error {
	meta := s.db.Collection(collMeta)
	m, err := findByID[metaDoc](ctx, s, meta, "layout", "the storage layout")
	if err != nil {
		return err
	}
	if m != nil && m.Version > layoutVersion {
		return exchange.Errorf(exchange.EINVALID, "the database %s was written by a newer exchangeeval (storage layout %d; this one knows %d): upgrade exchangeeval",
			s.db.Name(), m.Version, layoutVersion)
	}
	if m != nil && m.Version == layoutVersion {
		return nil
	}
	names, err := s.db.ListCollectionNames(ctx, bson.D{})
	if err != nil {
		return s.fail("list collections", err)
	}
	var old []string
	for _, n := range []string{v1Participants, v1Responses, v1Versions, v1SignOffs} {
		if slices.Contains(names, n) {
			old = append(old, n)
		}
	}
	if len(old) > 0 {
		start := time.Now()
		s.log.Warn("moving the data to storage layout 2 (collections per exchange, natural keys); this happens once, and an interrupted move resumes at the next start",
			"database", s.db.Name())
		st, err := s.migrateV1(ctx)
		if err != nil {
			return fmt.Errorf("move the data to storage layout 2 (it resumes at the next start): %w", err)
		}
		for _, n := range old {
			if err := s.db.Collection(n).Drop(ctx); err != nil {
				return s.fail("drop the old collection "+n, err)
			}
		}
		s.log.Warn("data moved to storage layout 2", "database", s.db.Name(), "participants", st.participants,
			"responses", st.responses, "versions", st.versions, "repaired", st.repaired, "signoffs", st.signoffs,
			"seconds", time.Since(start).Seconds())
	}
	if slices.Contains(names, collAudit) {
		if err := s.splitAuditByMonth(ctx); err != nil {
			return fmt.Errorf("move the audit trail into monthly collections (it resumes at the next start): %w", err)
		}
	}
	_, err = meta.ReplaceOne(ctx, byID("layout"), metaDoc{ID: "layout", Version: layoutVersion, At: time.Now().UTC()}, upsert())
	return s.fail("record the storage layout", err)
}

type migrationStats struct {
	participants, responses, versions, repaired, signoffs int
}

// v1Participant, v1Response and v1Version are the layout-1 documents.
type v1Participant struct {
	exchange.Participant `bson:",inline"`
	Token                string `bson:"token"`
}

type v1Response struct {
	ID                bson.ObjectID `bson:"_id"`
	exchange.Response `bson:",inline"`
}

type v1Version struct {
	ID                bson.ObjectID `bson:"_id"`
	Exchange          string        `bson:"exchange"`
	Participant       string        `bson:"participant"`
	Wave              string        `bson:"wave"`
	Instrument        string        `bson:"instrument"`
	InstrumentVersion int           `bson:"instrument_version"`
	exchange.Version  `bson:",inline"`
}

func (s *Store) migrateV1(ctx context.Context) (*migrationStats, error) {
	st := &migrationStats{}
	ins := newMigrationInserter(s)
	// Participants, and a link for each.
	for p, err := range stream[v1Participant](ctx, s, s.db.Collection(v1Participants), nil) {
		if err != nil {
			return nil, err
		}
		x := p.Exchange
		if err := s.prepare(ctx, x); err != nil {
			return nil, err
		}
		p.Participant.Token = p.Token
		if err := ins.add(ctx, collName(x, kindParticipants), s.newParticipantDoc(&p.Participant, "")); err != nil {
			return nil, err
		}
		if err := ins.add(ctx, collLinks, linkDoc{ID: linkID(p.Token), Exchange: x, PID: p.PID, Language: p.Language}); err != nil {
			return nil, err
		}
		st.participants++
	}
	// Versions are numbered in the order they were submitted (ties in the
	// order they were stored), per response.
	type stamp struct {
		id                          bson.ObjectID
		exchange, participant, wave string
		at                          time.Time
	}
	var stamps []stamp
	projection := bson.D{{Key: "exchange", Value: 1}, {Key: "participant", Value: 1}, {Key: "wave", Value: 1}, {Key: "submitted_at", Value: 1}}
	cur, err := s.db.Collection(v1Versions).Find(ctx, bson.D{}, options.Find().SetProjection(projection).SetBatchSize(streamBatch))
	if err != nil {
		return nil, s.fail("read old response versions", err)
	}
	for cur.Next(ctx) {
		var v v1Version
		if err := cur.Decode(&v); err != nil {
			cur.Close(ctx)
			return nil, s.fail("read old response versions", err)
		}
		stamps = append(stamps, stamp{v.ID, v.Exchange, v.Participant, v.Wave, v.SubmittedAt})
	}
	if err := cur.Err(); err != nil {
		return nil, s.fail("read old response versions", err)
	}
	cur.Close(ctx)
	slices.SortFunc(stamps, func(a, b stamp) int {
		return cmp.Or(cmp.Compare(a.exchange, b.exchange), cmp.Compare(a.participant, b.participant), cmp.Compare(a.wave, b.wave),
			a.at.Compare(b.at), bytesCompare(a.id, b.id))
	})
	seqOf := make(map[bson.ObjectID]int, len(stamps))
	newest := map[string]int{} // exchange/pid/wave → last number
	for i, sp := range stamps {
		k := sp.exchange + "/" + responseKey(sp.participant, sp.wave)
		if i > 0 && stamps[i-1].exchange == sp.exchange && stamps[i-1].participant == sp.participant && stamps[i-1].wave == sp.wave {
			seqOf[sp.id] = seqOf[stamps[i-1].id] + 1
		} else {
			seqOf[sp.id] = 1
		}
		newest[k] = seqOf[sp.id]
	}
	stamps = nil
	// The old current answers: their first submission time, and whether
	// they had fallen behind their newest version (the race layout 2 ends).
	type old struct {
		first   time.Time
		answers [sha256.Size]byte
	}
	olds := map[string]*old{}
	for r, err := range stream[v1Response](ctx, s, s.db.Collection(v1Responses), nil) {
		if err != nil {
			return nil, err
		}
		k := r.Exchange + "/" + responseKey(r.Participant, r.Wave)
		olds[k] = &old{first: r.FirstSubmittedAt, answers: answersHash(normalizeAnswers(r.Answers))}
		if newest[k] > 0 {
			continue
		}
		// Current answers without a version (written by a bulk load):
		// they become version 1.
		if err := s.prepare(ctx, r.Exchange); err != nil {
			return nil, err
		}
		v := versionOf(&r.Response, "")
		v.Seq, v.ID, v.RecordedAt = 1, versionKey(r.Participant, r.Wave, 1), r.SubmittedAt
		if err := ins.add(ctx, collName(r.Exchange, kindVersions), v); err != nil {
			return nil, err
		}
		rd := responseDoc{ID: responseKey(r.Participant, r.Wave), Response: r.Response}
		rd.Seq, rd.History = 1, nil
		if err := ins.add(ctx, collName(r.Exchange, kindResponses), rd); err != nil {
			return nil, err
		}
		st.versions++
		st.responses++
	}
	for v, err := range stream[v1Version](ctx, s, s.db.Collection(v1Versions), nil) {
		if err != nil {
			return nil, err
		}
		if err := s.prepare(ctx, v.Exchange); err != nil {
			return nil, err
		}
		seq := seqOf[v.ID]
		nv := versionDoc{ID: versionKey(v.Participant, v.Wave, seq), Exchange: v.Exchange, Participant: v.Participant, Wave: v.Wave,
			Instrument: v.Instrument, InstrumentVersion: v.InstrumentVersion, Version: v.Version, RecordedAt: v.SubmittedAt}
		nv.Seq = seq
		if err := ins.add(ctx, collName(v.Exchange, kindVersions), nv); err != nil {
			return nil, err
		}
		st.versions++
		k := v.Exchange + "/" + responseKey(v.Participant, v.Wave)
		if seq != newest[k] {
			continue
		}
		// The newest version becomes the current answers — also where the
		// old current answers had been left behind it.
		o := olds[k]
		first := v.SubmittedAt
		if o != nil {
			first = o.first
			if o.answers != answersHash(normalizeAnswers(v.Answers)) {
				st.repaired++
			}
		}
		rd := responseDoc{ID: responseKey(v.Participant, v.Wave), Response: exchange.Response{
			Exchange: v.Exchange, Participant: v.Participant, Wave: v.Wave, Instrument: v.Instrument, InstrumentVersion: v.InstrumentVersion,
			Language: v.Language, Answers: v.Answers, Source: v.Source, SubmittedAt: v.SubmittedAt, FirstSubmittedAt: first, Seq: seq}}
		if err := ins.add(ctx, collName(v.Exchange, kindResponses), rd); err != nil {
			return nil, err
		}
		st.responses++
	}
	for so, err := range stream[v1SignOff](ctx, s, s.db.Collection(v1SignOffs), nil) {
		if err != nil {
			return nil, err
		}
		if err := s.prepare(ctx, so.Exchange); err != nil {
			return nil, err
		}
		if err := ins.add(ctx, collName(so.Exchange, kindSignOffs), so); err != nil {
			return nil, err
		}
		st.signoffs++
	}
	if err := ins.flush(ctx); err != nil {
		return nil, err
	}
	return st, nil
}

// v1SignOff keeps a layout-1 sign-off's own _id, so a resumed move does
// not copy it twice.
type v1SignOff struct {
	ID            bson.ObjectID `bson:"_id"`
	staff.SignOff `bson:",inline"`
}

// answersHash is a digest of answers that does not depend on map order.
func answersHash(a map[string]any) [sha256.Size]byte {
	keys := slices.Sorted(maps.Keys(a))
	h := sha256.New()
	for _, k := range keys {
		fmt.Fprintf(h, "%q=%#v;", k, a[k])
	}
	var out [sha256.Size]byte
	h.Sum(out[:0])
	return out
}

func bytesCompare(a, b bson.ObjectID) int {
	for i := range a {
		if c := cmp.Compare(a[i], b[i]); c != 0 {
			return c
		}
	}
	return 0
}

// migrationInserter writes moved documents in batches per collection,
// skipping those a previous, interrupted run already wrote.
type migrationInserter struct {
	s    *Store
	docs map[string][]any
}

func newMigrationInserter(s *Store) *migrationInserter {
	return &migrationInserter{s: s, docs: map[string][]any{}}
}

func (m *migrationInserter) add(ctx context.Context, coll string, doc any) error {
	m.docs[coll] = append(m.docs[coll], doc)
	if len(m.docs[coll]) >= insertChunk {
		return m.write(ctx, coll)
	}
	return nil
}

func (m *migrationInserter) flush(ctx context.Context) error {
	for coll := range m.docs {
		if err := m.write(ctx, coll); err != nil {
			return err
		}
	}
	return nil
}

func (m *migrationInserter) write(ctx context.Context, coll string) error {
	docs := m.docs[coll]
	if len(docs) == 0 {
		return nil
	}
	m.docs[coll] = nil
	_, err := m.s.db.Collection(coll).InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
	var bwe mongo.BulkWriteException
	if errors.As(err, &bwe) && bwe.WriteConcernError == nil {
		for _, we := range bwe.WriteErrors {
			if !mongo.IsDuplicateKeyError(mongo.WriteException{WriteErrors: mongo.WriteErrors{we.WriteError}}) {
				return m.s.fail("move documents into "+coll, err)
			}
		}
		return nil // already moved by an interrupted run
	}
	return m.s.fail("move documents into "+coll, err)
}

// splitAuditByMonth moves the single audit collection of layouts 1 and 2
// into the months' collections. Events keep their ids, so a move cut short
// and run again skips those already moved; the old collection is dropped
// last.
func (s *Store) splitAuditByMonth(ctx context.Context) error {
	start, moved := time.Now(), 0
	batches := map[string][]any{}
	flush := func(month string) error {
		docs := batches[month]
		if len(docs) == 0 {
			return nil
		}
		coll, err := s.auditCollection(ctx, docs[0].(*auditDoc).At)
		if err != nil {
			return err
		}
		if _, err := coll.InsertMany(ctx, docs, options.InsertMany().SetOrdered(false)); err != nil && !onlyDuplicates(err) {
			return s.fail("move audit events into "+month, err)
		}
		moved += len(docs)
		batches[month] = docs[:0]
		return nil
	}
	for d, err := range stream[auditDoc](ctx, s, s.db.Collection(collAudit), nil) {
		if err != nil {
			return err
		}
		m := auditMonth(d.At)
		batches[m] = append(batches[m], d)
		if len(batches[m]) == insertChunk {
			if err := flush(m); err != nil {
				return err
			}
		}
	}
	for m := range batches {
		if err := flush(m); err != nil {
			return err
		}
	}
	if err := s.db.Collection(collAudit).Drop(ctx); err != nil {
		return s.fail("drop the old audit collection", err)
	}
	s.log.Info("audit trail moved into monthly collections", "database", s.db.Name(), "events", moved, "seconds", time.Since(start).Seconds())
	return nil
}

// onlyDuplicates reports whether every error of a bulk insert is a
// duplicate key: what a resumed move meets.
func onlyDuplicates(err error) bool {
	var bw mongo.BulkWriteException
	if !errors.As(err, &bw) || bw.WriteConcernError != nil {
		return false
	}
	for _, e := range bw.WriteErrors {
		if e.Code != 11000 {
			return false
		}
	}
	return true
}
