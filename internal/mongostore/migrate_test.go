package mongostore

import (
	"context"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/csci/exchangeeval/internal/exchange"
)

// TestAnInterruptedMoveResumes writes a database as the previous release
// did (layout 1) and moves it, interrupted at its worst point — everything
// copied, the old collections not yet dropped nor the layout recorded — and
// again with part of the copy lost; each time the next start finishes the
// move with nothing twice and nothing missing.
func TestAnInterruptedMoveResumes(t *testing.T) {
	s := openTemp(t)
	ctx := context.Background()
	at := func(min int) time.Time { return time.Date(2014, 3, 10, 9, min, 0, 0, time.UTC) }
	insert := func(coll string, docs ...any) {
		t.Helper()
		if _, err := s.db.Collection(coll).InsertMany(ctx, docs); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.CreateExchange(ctx, &exchange.Exchange{ID: "x1", Name: "X", Instrument: "csci-social-services", Waves: map[string]exchange.WaveState{}}); err != nil {
		t.Fatal(err)
	}
	// Layout 1: ObjectId keys, everything of every exchange together.
	insert(v1Participants,
		bson.D{{Key: "exchange", Value: "x1"}, {Key: "pid", Value: "P0001"}, {Key: "name", Value: "A"}, {Key: "email", Value: "a@example.org"},
			{Key: "language", Value: "fr"}, {Key: "token", Value: "token-a"}, {Key: "import_batch", Value: "b1"}},
		bson.D{{Key: "exchange", Value: "x1"}, {Key: "pid", Value: "P0002"}, {Key: "name", Value: "B"}, {Key: "email", Value: "b@example.org"},
			{Key: "language", Value: "en"}, {Key: "token", Value: "token-b"}, {Key: "import_batch", Value: "b1"}})
	version := func(pid string, min, answer int) bson.D {
		return bson.D{{Key: "exchange", Value: "x1"}, {Key: "participant", Value: pid}, {Key: "wave", Value: "pre"},
			{Key: "answers", Value: bson.D{{Key: "fund_corporate", Value: answer}}}, {Key: "language", Value: "en"},
			{Key: "source", Value: "web"}, {Key: "submitted_at", Value: at(min)}}
	}
	// P0001 answered three times, and its current answers were left at
	// the second (the race of layout 1).
	insert(v1Versions, version("P0001", 1, 1), version("P0001", 3, 3), version("P0001", 2, 2))
	insert(v1Responses,
		bson.D{{Key: "exchange", Value: "x1"}, {Key: "participant", Value: "P0001"}, {Key: "wave", Value: "pre"},
			{Key: "answers", Value: bson.D{{Key: "fund_corporate", Value: 2}}}, {Key: "source", Value: "web"},
			{Key: "submitted_at", Value: at(2)}, {Key: "first_submitted_at", Value: at(1)}},
		// P0002's answers were loaded in bulk, without a version.
		bson.D{{Key: "exchange", Value: "x1"}, {Key: "participant", Value: "P0002"}, {Key: "wave", Value: "post"},
			{Key: "answers", Value: bson.D{{Key: "fund_corporate", Value: 5}}}, {Key: "source", Value: "import"},
			{Key: "submitted_at", Value: at(9)}, {Key: "first_submitted_at", Value: at(9)}})
	insert(v1SignOffs, bson.D{{Key: "exchange", Value: "x1"}, {Key: "goal", Value: "funding"}, {Key: "decision", Value: "accept"}, {Key: "at", Value: at(20)}})
	if _, err := s.db.Collection(collMeta).DeleteOne(ctx, byID("layout")); err != nil {
		t.Fatal(err)
	}

	// The worst interruption: all copied, nothing recorded.
	if _, err := s.migrateV1(ctx); err != nil {
		t.Fatal(err)
	}
	// And part of a copy lost besides.
	if _, err := s.coll("x1", kindVersions).DeleteOne(ctx, byID("P0001/pre/000002")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.Collection(collLinks).DeleteOne(ctx, byID(linkID("token-b"))); err != nil {
		t.Fatal(err)
	}
	restarted := sibling(t, s) // opening migrates
	sizes, err := restarted.CollectionSizes(ctx, "x1")
	if err != nil {
		t.Fatal(err)
	}
	if sizes[kindParticipants] != 2 || sizes[kindResponses] != 2 || sizes[kindVersions] != 4 || sizes[kindSignOffs] != 1 {
		t.Fatalf("after the move: %v", sizes)
	}
	names, _ := restarted.db.ListCollectionNames(ctx, bson.D{})
	for _, n := range names {
		if n == v1Participants || n == v1Responses || n == v1Versions || n == v1SignOffs {
			t.Errorf("old collection %s left", n)
		}
	}
	h, err := restarted.ResponseHistory(ctx, "x1", "P0001", "pre")
	if err != nil {
		t.Fatal(err)
	}
	if h.Seq != 3 || h.Answers["fund_corporate"] != 3 || len(h.History) != 3 || h.History[1].Answers["fund_corporate"] != 2 || !h.FirstSubmittedAt.Equal(at(1)) {
		t.Fatalf("P0001 after the move: %+v", h)
	}
	if p, err := restarted.LinkHolder(ctx, "token-b"); err != nil || p.PID != "P0002" || p.Language != "en" {
		t.Fatalf("P0002's link: %v %+v", err, p)
	}
	r, err := restarted.ResponseHistory(ctx, "x1", "P0002", "post")
	if err != nil || r.Seq != 1 || len(r.History) != 1 || r.Answers["fund_corporate"] != 5 || !r.Imported() {
		t.Fatalf("P0002's bulk-loaded answers: %v %+v", err, r)
	}
}
