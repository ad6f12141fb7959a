package mongostore

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/survey"
)

func responseKey(exchangeID, pid, wave string) bson.D {
	return bson.D{{Key: "exchange", Value: exchangeID}, {Key: "participant", Value: pid}, {Key: "wave", Value: wave}}
}

// versionDoc is one submission, stored once and never changed.
type versionDoc struct {
	Exchange          string `bson:"exchange"`
	Participant       string `bson:"participant"`
	Wave              string `bson:"wave"`
	Instrument        string `bson:"instrument"`
	InstrumentVersion int    `bson:"instrument_version"`
	exchange.Version  `bson:",inline"`
	// ImportBatch marks the versions one import wrote, so a failed import
	// can remove exactly those.
	ImportBatch string `bson:"import_batch,omitempty"`
}

func versionOf(r *exchange.Response, batch string) versionDoc {
	return versionDoc{Exchange: r.Exchange, Participant: r.Participant, Wave: r.Wave, Instrument: r.Instrument,
		InstrumentVersion: r.InstrumentVersion, ImportBatch: batch,
		Version: exchange.Version{Answers: r.Answers, Language: r.Language, Source: r.Source, SubmittedAt: r.SubmittedAt.UTC()}}
}

// writeResponse stores a submission: first as a version record of its own —
// inserts cannot be lost to a concurrent writer, which FerretDB's
// read-modify-write updates can be — then as the response's current
// answers. Both writes are acknowledged before it returns.
func (s *Store) writeResponse(ctx context.Context, r *exchange.Response, batch string) error {
	if _, err := s.db.Collection(collVersions).InsertOne(ctx, versionOf(r, batch)); err != nil {
		return fmt.Errorf("save response version %s/%s/%s: %w", r.Exchange, r.Participant, r.Wave, err)
	}
	at := r.SubmittedAt.UTC()
	update := bson.D{
		{Key: "$set", Value: bson.D{
			{Key: "instrument", Value: r.Instrument},
			{Key: "instrument_version", Value: r.InstrumentVersion},
			{Key: "language", Value: r.Language},
			{Key: "answers", Value: r.Answers},
			{Key: "source", Value: r.Source},
			{Key: "submitted_at", Value: at},
		}},
		{Key: "$setOnInsert", Value: bson.D{{Key: "first_submitted_at", Value: at}}},
	}
	coll := s.db.Collection(collResponses)
	key := responseKey(r.Exchange, r.Participant, r.Wave)
	_, err := coll.UpdateOne(ctx, key, update, options.UpdateOne().SetUpsert(true))
	if isDuplicate(err) {
		// Two first submissions raced to insert; the loser's upsert is now
		// an update of the winner's document.
		_, err = coll.UpdateOne(ctx, key, update, options.UpdateOne().SetUpsert(true))
	}
	if err != nil {
		return fmt.Errorf("save response %s/%s/%s: %w", r.Exchange, r.Participant, r.Wave, err)
	}
	return nil
}

// SaveResponse stores a submission (see writeResponse) and returns the
// response as stored, with its whole history.
func (s *Store) SaveResponse(ctx context.Context, r *exchange.Response) (*exchange.Response, error) {
	if err := s.writeResponse(ctx, r, ""); err != nil {
		return nil, err
	}
	return s.Response(ctx, r.Exchange, r.Participant, r.Wave)
}

// AddResponseIfAbsent stores r only when the participant has no response in
// that wave yet, and reports whether it did. Seeding uses it so that running
// it twice adds nothing.
func (s *Store) AddResponseIfAbsent(ctx context.Context, r *exchange.Response) (bool, error) {
	r.FirstSubmittedAt = r.SubmittedAt
	_, err := s.db.Collection(collResponses).InsertOne(ctx, r)
	if isDuplicate(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("add response %s/%s/%s: %w", r.Exchange, r.Participant, r.Wave, err)
	}
	if _, err := s.db.Collection(collVersions).InsertOne(ctx, versionOf(r, "")); err != nil {
		return true, fmt.Errorf("add response version %s/%s/%s: %w", r.Exchange, r.Participant, r.Wave, err)
	}
	return true, nil
}

// Response returns a participant's response in a wave with its history,
// oldest submission first.
func (s *Store) Response(ctx context.Context, exchangeID, pid, wave string) (*exchange.Response, error) {
	where := exchangeID + "/" + pid + "/" + wave
	r, err := findOne[exchange.Response](ctx, s.db.Collection(collResponses), responseKey(exchangeID, pid, wave),
		"response "+where, exchange.Errorf(exchange.ENOTFOUND, "no %s response from %s", wave, pid))
	if err != nil {
		return nil, err
	}
	r.Answers = normalizeAnswers(r.Answers)
	versions, err := findAll[versionDoc](ctx, s.db.Collection(collVersions), responseKey(exchangeID, pid, wave),
		options.Find().SetSort(bson.D{{Key: "submitted_at", Value: 1}, {Key: "_id", Value: 1}}), "history of "+where)
	if err != nil {
		return nil, err
	}
	for _, v := range versions {
		v.Answers = normalizeAnswers(v.Answers)
		r.History = append(r.History, v.Version)
	}
	r.Versions = len(r.History)
	return r, nil
}

// CountResponses counts the responses of an exchange per wave.
func (s *Store) CountResponses(ctx context.Context, exchangeID string) (map[string]int, error) {
	cur, err := s.db.Collection(collResponses).Find(ctx, bson.D{{Key: "exchange", Value: exchangeID}},
		options.Find().SetProjection(bson.D{{Key: "wave", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("count responses of %s: %w", exchangeID, err)
	}
	defer cur.Close(ctx)
	counts := map[string]int{}
	for cur.Next(ctx) {
		var d struct {
			Wave string `bson:"wave"`
		}
		if err := cur.Decode(&d); err != nil {
			return nil, fmt.Errorf("count responses of %s: %w", exchangeID, err)
		}
		counts[d.Wave]++
	}
	return counts, cur.Err()
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

// Respondents returns who has answered a wave of an exchange, by
// pseudonymous id.
func (s *Store) Respondents(ctx context.Context, exchangeID, wave string) (map[string]bool, error) {
	cur, err := s.db.Collection(collResponses).Find(ctx, bson.D{{Key: "exchange", Value: exchangeID}, {Key: "wave", Value: wave}},
		options.Find().SetProjection(bson.D{{Key: "participant", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("respondents of %s/%s: %w", exchangeID, wave, err)
	}
	defer cur.Close(ctx)
	out := map[string]bool{}
	for cur.Next(ctx) {
		var d struct {
			Participant string `bson:"participant"`
		}
		if err := cur.Decode(&d); err != nil {
			return nil, err
		}
		out[d.Participant] = true
	}
	return out, cur.Err()
}
