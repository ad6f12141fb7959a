package mongostore

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/survey"
)

// A response is stored twice over, each with a natural key:
//
//   - every submission as an insert-only version, _id "P0001/pre/000003",
//     in the exchange's versions collection. The number is claimed by the
//     insert itself: the unique _id makes two writers of one response take
//     different numbers, on MongoDB and on the embedded store alike (whose
//     read-and-write updates could otherwise lose one);
//   - the current answers, _id "P0001/pre", in the responses collection,
//     carrying the number of the version they come from (seq).
//
// The current answers must never be older than the newest version. The
// embedded store has no conditional update it can run without reading the
// whole collection, so instead every writer of the current answers looks,
// after writing, for a version numbered one more than what it wrote, and if
// there is one writes the newest instead (catchUp). Whichever write comes
// last in time is followed by a look that finds nothing newer, so the
// newest version always ends up current — with writers in several
// processes too. A crash between the two writes is repaired by the next
// read of that response (Response looks one number ahead) and when the
// store opens (recover.go looks at the versions written last).

func responseKey(pid, wave string) string { return pid + "/" + wave }

func versionKey(pid, wave string, seq int) string { return fmt.Sprintf("%s/%s/%06d", pid, wave, seq) }

// responseDoc is a response's current answers.
type responseDoc struct {
	ID                string `bson:"_id"`
	exchange.Response `bson:",inline"`
}

// versionDoc is one submission, stored once and never changed.
type versionDoc struct {
	ID                string `bson:"_id"`
	Exchange          string `bson:"exchange"`
	Participant       string `bson:"participant"`
	Wave              string `bson:"wave"`
	Instrument        string `bson:"instrument"`
	InstrumentVersion int    `bson:"instrument_version"`
	exchange.Version  `bson:",inline"`
	// RecordedAt is when the store received it; SubmittedAt is when the
	// delegate sent it (for an import, the date on the paper form).
	RecordedAt time.Time `bson:"recorded_at"`
	// Batch marks the versions an import wrote (see imports.go).
	Batch string `bson:"batch,omitempty"`
}

func versionOf(r *exchange.Response, batch string) versionDoc {
	return versionDoc{Exchange: r.Exchange, Participant: r.Participant, Wave: r.Wave, Instrument: r.Instrument,
		InstrumentVersion: r.InstrumentVersion, Batch: batch, RecordedAt: time.Now().UTC(),
		Version: exchange.Version{Answers: r.Answers, Language: r.Language, Source: r.Source, Submission: r.Submission, PrivacyNotice: r.PrivacyNotice,
			SubmittedAt: r.SubmittedAt.UTC(), RestoredFrom: r.RestoredFrom}}
}

// SaveResponse stores a submission as the response's next version and
// makes it the current answers. It returns the response as saved, with Seq
// set; it reads neither the stored response nor its history back.
func (s *Store) SaveResponse(ctx context.Context, r *exchange.Response) (*exchange.Response, error) {
	if err := s.prepare(ctx, r.Exchange); err != nil {
		return nil, err
	}
	defer s.lockResponse(r.Exchange, r.Participant, r.Wave)()
	v, written, err := s.addVersion(ctx, r, "", true)
	if err != nil {
		return nil, err
	}
	if !written {
		if err := s.setCurrent(ctx, v); err != nil {
			return nil, err
		}
		// The submission is stored; a failure to look further only
		// delays a repair that the next read makes anyway.
		if err := s.catchUp(ctx, r.Exchange, r.Participant, r.Wave, v.Seq, v.Seq); err != nil {
			s.log.Warn("look for newer versions after a save", "exchange", r.Exchange, "participant", r.Participant, "wave", r.Wave, "err", err)
		}
	}
	if v.Seq == 1 {
		// A first answer: make sure its participant was not removed
		// meanwhile (RemoveParticipant says why this look comes after).
		if err := s.stillInvited(ctx, v); err != nil {
			return nil, err
		}
	}
	// Current answers inserted with the first version need no look ahead:
	// the insert succeeds only while there are none, so any newer writer's
	// come after and replace them.
	s.changes.touch(r.Exchange)
	out := *r
	out.Seq = v.Seq
	out.SubmittedAt = v.SubmittedAt
	return &out, nil
}

// lockResponse makes this process's writers of one response take turns.
func (s *Store) lockResponse(exchangeID, pid, wave string) (unlock func()) {
	return s.locks.lock("response/" + exchangeID + "/" + responseKey(pid, wave))
}

// addVersion stores r as a new version under the next free number. With
// current, a first version is stored with its current answers in the same
// round of inserts, and written reports that they were.
func (s *Store) addVersion(ctx context.Context, r *exchange.Response, batch string, current bool) (v *versionDoc, written bool, err error) {
	if err := s.outage.check(); err != nil {
		return nil, false, err
	}
	where := r.Exchange + "/" + responseKey(r.Participant, r.Wave)
	seq, known := s.heads.get(where)
	if !known {
		cur, err := s.current(ctx, r.Exchange, r.Participant, r.Wave)
		if err != nil {
			return nil, false, err
		}
		if cur != nil {
			seq = cur.Seq
		}
	}
	nv := versionOf(r, batch)
	v = &nv
	coll := s.coll(r.Exchange, kindVersions)
	for range 1000 {
		seq++
		v.Seq, v.ID = seq, versionKey(r.Participant, r.Wave, seq)
		var err, curErr error
		if current && seq == 1 {
			err, curErr = s.inserts.insertThen(ctx, coll, v, s.coll(r.Exchange, kindResponses), firstCurrent(v))
		} else {
			err = s.inserts.insert(ctx, coll, v)
		}
		if err == nil {
			s.heads.put(where, seq)
			if current && seq == 1 && curErr != nil && !isDuplicate(curErr) {
				return nil, false, s.fail("save response "+where, curErr)
			}
			// A duplicate: current answers were there (a crash's
			// leftovers); the caller updates them.
			return v, current && seq == 1 && curErr == nil, nil
		}
		if !isDuplicate(err) {
			return nil, false, s.fail("save response version "+where, err)
		}
		// Another writer (another process) holds that number: carry on
		// from the newest current answers if they are further on.
		cur, err := s.current(ctx, r.Exchange, r.Participant, r.Wave)
		if err != nil {
			return nil, false, err
		}
		if cur != nil && cur.Seq > seq {
			seq = cur.Seq
		}
	}
	return nil, false, fmt.Errorf("save response version %s: no free version number found", where)
}

// firstCurrent is the current answers a first version makes.
func firstCurrent(v *versionDoc) responseDoc {
	return responseDoc{ID: responseKey(v.Participant, v.Wave), Response: exchange.Response{Exchange: v.Exchange, Participant: v.Participant,
		Wave: v.Wave, Instrument: v.Instrument, InstrumentVersion: v.InstrumentVersion, Language: v.Language, Answers: v.Answers,
		Source: v.Source, PrivacyNotice: v.PrivacyNotice, SubmittedAt: v.SubmittedAt, FirstSubmittedAt: v.SubmittedAt, Seq: v.Seq}}
}

// setCurrent makes v the response's current answers. The first version
// is inserted — an insert goes into the batch of concurrent ones, and costs
// the embedded store no read — and every later one updates them.
func (s *Store) setCurrent(ctx context.Context, v *versionDoc) error {
	coll := s.coll(v.Exchange, kindResponses)
	key := responseKey(v.Participant, v.Wave)
	if v.Seq == 1 {
		err := s.inserts.insert(ctx, coll, firstCurrent(v))
		if err == nil {
			s.heads.put(v.Exchange+"/"+key, v.Seq)
			return nil
		}
		if !isDuplicate(err) {
			return s.fail("save response "+v.Exchange+"/"+key, err)
		}
		// Answers are there already (a later version, or a crash's
		// leftovers): update them as any later version does.
	}
	update := bson.D{
		{Key: "$set", Value: bson.D{
			{Key: "exchange", Value: v.Exchange},
			{Key: "participant", Value: v.Participant},
			{Key: "wave", Value: v.Wave},
			{Key: "instrument", Value: v.Instrument},
			{Key: "instrument_version", Value: v.InstrumentVersion},
			{Key: "language", Value: v.Language},
			{Key: "answers", Value: v.Answers},
			{Key: "source", Value: v.Source},
			{Key: "privacy_notice", Value: v.PrivacyNotice},
			{Key: "submitted_at", Value: v.SubmittedAt},
			{Key: "seq", Value: v.Seq},
		}},
		{Key: "$setOnInsert", Value: bson.D{{Key: "first_submitted_at", Value: v.SubmittedAt}}},
	}
	if err := s.inserts.upsert(ctx, coll, key, update); err != nil {
		return s.fail("save response "+v.Exchange+"/"+key, err)
	}
	s.heads.put(v.Exchange+"/"+key, v.Seq)
	return nil
}

// catchUp makes the current answers those of the newest visible version
// numbered above from, unless current (the number they hold) is newer
// already; after each write it looks again. Call it holding lockResponse.
func (s *Store) catchUp(ctx context.Context, exchangeID, pid, wave string, from, current int) error {
	coll := s.coll(exchangeID, kindVersions)
	for {
		var newest *versionDoc
		for n := from + 1; ; n++ {
			v, err := findByID[versionDoc](ctx, s, coll, versionKey(pid, wave, n), "response version")
			if err != nil {
				return err
			}
			if v == nil {
				break
			}
			ok, err := s.visible(ctx, exchangeID, v.Batch)
			if err != nil {
				return err
			}
			if ok {
				newest = v
			}
		}
		if newest == nil || newest.Seq <= current {
			return nil
		}
		s.log.Info("current answers were behind their newest version; repaired", "exchange", exchangeID,
			"response", responseKey(pid, wave), "was", current, "now", newest.Seq)
		if err := s.setCurrent(ctx, newest); err != nil {
			return err
		}
		s.changes.touch(exchangeID)
		from, current = newest.Seq, newest.Seq
	}
}

// current reads a response's current answers; nil when there are none.
func (s *Store) current(ctx context.Context, exchangeID, pid, wave string) (*responseDoc, error) {
	return findByID[responseDoc](ctx, s, s.coll(exchangeID, kindResponses), responseKey(pid, wave), "response "+exchangeID+"/"+responseKey(pid, wave))
}

// newestLocked is a response's newest answers, nil when it has none; the
// caller holds the response's lock. Current answers behind a version
// written after them (a crash between the two writes) are caught up first.
func (s *Store) newestLocked(ctx context.Context, exchangeID, pid, wave string) (*responseDoc, error) {
	cur, err := s.current(ctx, exchangeID, pid, wave)
	if err != nil {
		return nil, err
	}
	seq := 0
	if cur != nil {
		seq = cur.Seq
	}
	next, err := findByID[versionDoc](ctx, s, s.coll(exchangeID, kindVersions), versionKey(pid, wave, seq+1), "response version")
	if err != nil || next == nil {
		return cur, err
	}
	if err := s.catchUp(ctx, exchangeID, pid, wave, seq, seq); err != nil {
		return nil, err
	}
	return s.current(ctx, exchangeID, pid, wave)
}

// AddResponseIfAbsent stores r only when the participant has no response in
// that wave yet, and reports whether it did. Seeding uses it so that running
// it twice adds nothing.
func (s *Store) AddResponseIfAbsent(ctx context.Context, r *exchange.Response) (bool, error) {
	if err := s.prepare(ctx, r.Exchange); err != nil {
		return false, err
	}
	defer s.lockResponse(r.Exchange, r.Participant, r.Wave)()
	cur, err := s.current(ctx, r.Exchange, r.Participant, r.Wave)
	if err != nil || cur != nil {
		return false, err
	}
	v, written, err := s.addVersion(ctx, r, "", true)
	if err != nil {
		return false, err
	}
	if !written {
		if err := s.setCurrent(ctx, v); err != nil {
			return false, err
		}
	}
	s.changes.touch(r.Exchange)
	return true, nil
}

// Response returns a participant's current answers in a wave, without their
// history. It looks one version ahead, so answers left behind by a crash
// are repaired the first time they are read.
func (s *Store) Response(ctx context.Context, exchangeID, pid, wave string) (*exchange.Response, error) {
	if err := s.prepare(ctx, exchangeID); err != nil {
		return nil, err
	}
	unlock := s.lockResponse(exchangeID, pid, wave)
	cur, err := s.newestLocked(ctx, exchangeID, pid, wave)
	unlock()
	if err != nil {
		return nil, err
	}
	if cur == nil {
		return nil, exchange.Errorf(exchange.ENOTFOUND, "no %s response from %s", wave, pid)
	}
	s.heads.put(exchangeID+"/"+cur.ID, cur.Seq)
	r := cur.Response
	r.Answers = normalizeAnswers(r.Answers)
	return &r, nil
}

// ResponseHistory returns a response with every stored version, oldest
// first.
func (s *Store) ResponseHistory(ctx context.Context, exchangeID, pid, wave string) (*exchange.Response, error) {
	r, err := s.Response(ctx, exchangeID, pid, wave)
	if err != nil {
		return nil, err
	}
	coll := s.coll(exchangeID, kindVersions)
	for n := 1; n <= r.Seq; n++ {
		v, err := findByID[versionDoc](ctx, s, coll, versionKey(pid, wave, n), "response version")
		if err != nil {
			return nil, err
		}
		if v == nil {
			continue // the number of an import that was rolled back
		}
		if ok, err := s.visible(ctx, exchangeID, v.Batch); err != nil {
			return nil, err
		} else if !ok {
			continue
		}
		v.Answers = normalizeAnswers(v.Answers)
		r.History = append(r.History, v.Version)
	}
	return r, nil
}

// RestoreResponse makes version seq of a response its current answers
// again, as a new version that says which one it restores: nothing in the
// history is changed or lost, and a restore can itself be undone the same
// way. restored is false when that version's answers are current already.
func (s *Store) RestoreResponse(ctx context.Context, exchangeID, pid, wave string, seq int, now time.Time) (r *exchange.Response, restored bool, err error) {
	h, err := s.ResponseHistory(ctx, exchangeID, pid, wave)
	if err != nil {
		return nil, false, err
	}
	var from *exchange.Version
	var numbers []string
	for i := range h.History {
		numbers = append(numbers, strconv.Itoa(h.History[i].Seq))
		if h.History[i].Seq == seq {
			from = &h.History[i]
		}
	}
	if from == nil {
		return nil, false, exchange.Errorf(exchange.ENOTFOUND, "%s's %s response has no version %d (its versions: %s)", pid, wave, seq, strings.Join(numbers, ", "))
	}
	if from.Answers.Equal(h.Answers) && from.Language == h.Language {
		return h, false, nil
	}
	next := &exchange.Response{Exchange: exchangeID, Participant: pid, Wave: wave, Instrument: h.Instrument, InstrumentVersion: h.InstrumentVersion,
		Language: from.Language, Answers: from.Answers, Source: from.Source, SubmittedAt: now, RestoredFrom: seq}
	saved, err := s.SaveResponse(ctx, next)
	return saved, err == nil, err
}

// CountResponses counts the responses of an exchange per wave.
func (s *Store) CountResponses(ctx context.Context, exchangeID string) (map[string]int, error) {
	by, err := s.Respondents(ctx, exchangeID)
	if err != nil {
		return nil, err
	}
	counts := map[string]int{}
	for w, who := range by {
		counts[w] = len(who)
	}
	return counts, nil
}

// Respondents returns who has answered each wave of an exchange, by
// pseudonymous id: one pass over the exchange's responses.
func (s *Store) Respondents(ctx context.Context, exchangeID string) (map[string]map[string]bool, error) {
	type key struct {
		Participant string `bson:"participant"`
		Wave        string `bson:"wave"`
	}
	out := map[string]map[string]bool{}
	for d, err := range stream[key](ctx, s, s.coll(exchangeID, kindResponses), nil) {
		if err != nil {
			return nil, fmt.Errorf("respondents of %s: %w", exchangeID, err)
		}
		if out[d.Wave] == nil {
			out[d.Wave] = map[string]bool{}
		}
		out[d.Wave][d.Participant] = true
	}
	return out, nil
}

// normalizeAnswers turns the driver's generic decoding of answers (int32,
// bson.A) back into the types survey.Answers promises.
func normalizeAnswers(a survey.Answers) survey.Answers {
	for k, v := range a {
		switch t := v.(type) {
		case int32:
			a[k] = int(t)
		case int64:
			a[k] = int(t)
		case bson.A:
			codes := make([]string, 0, len(t))
			for _, e := range t {
				if s, ok := e.(string); ok {
					codes = append(codes, s)
				}
			}
			a[k] = codes
		}
	}
	return a
}
