package mongostore_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/mongostore"
	"github.com/csci/exchangeeval/internal/mongostore/storetest"
	"github.com/csci/exchangeeval/internal/staff"
	"github.com/csci/exchangeeval/internal/survey"
)

// TestIDLookupsUseAnIndex checks, on the embedded store, that SQLite finds
// a document by _id through an index in every collection a request reads:
// without it each look-up reads the whole table (FerretDB's own _id index
// is on another expression), and a delegate's request slows with the size
// of everything stored.
func TestIDLookupsUseAnIndex(t *testing.T) {
	// An embedded store of its own, even when the other tests run on
	// MongoDB (TestHotQueriesUseIndexesOnMongoDB covers that one): SQLite's
	// plans are what this checks.
	s, err := mongostore.Open(context.Background(), mongostore.Config{DataDir: t.TempDir(), Command: "go test"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(context.Background()) })
	newExchange(t, s, "x1")
	for _, coll := range []string{"exchanges", "links", "users", "sessions", "api_tokens", "login_failures", "imports", "changes",
		"exchange.x1.participants", "exchange.x1.responses", "exchange.x1.versions"} {
		plan, err := s.QueryPlan(context.Background(), coll)
		if err != nil {
			t.Fatalf("%s: %v", coll, err)
		}
		if !strings.Contains(plan, "USING INDEX") || !strings.Contains(plan, "_id_path") {
			t.Errorf("%s: a look-up by _id is planned as %q", coll, plan)
		}
	}
}

// TestExchangesAreIsolated: everything an exchange's pages read is in its own
// collections, so another exchange's documents are never among them.
func TestExchangesAreIsolated(t *testing.T) {
	s := storetest.Open(t)
	ctx := context.Background()
	for _, id := range []string{"small", "big"} {
		newExchange(t, s, id)
	}
	in := instruments(t).Get("csci-social-services")
	if err := mongostore.LoadSynthetic(ctx, s, in, "big", 300); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ImportParticipants(ctx, "small", rows(3), t0); err != nil {
		t.Fatal(err)
	}
	for _, pid := range []string{"P0001", "P0002"} {
		if _, err := s.SaveResponse(ctx, &exchange.Response{Exchange: "small", Participant: pid, Wave: "pre", Answers: survey.Answers{"fund_corporate": 3}, SubmittedAt: t0}); err != nil {
			t.Fatal(err)
		}
	}
	counts, err := s.CountResponses(ctx, "small")
	if err != nil || counts["pre"] != 2 || len(counts) != 1 {
		t.Fatalf("small's responses: %v %v", counts, err)
	}
	ps, err := s.Participants(ctx, "small")
	if err != nil || len(ps) != 3 {
		t.Fatalf("small's participants: %d %v", len(ps), err)
	}
	n := 0
	for r, err := range s.StreamResponses(ctx, "big") {
		if err != nil || r.Exchange != "big" {
			t.Fatalf("big's stream: %v %+v", err, r)
		}
		n++
	}
	if n != 900 {
		t.Errorf("big has %d responses, want 900", n)
	}
	sizes, err := s.CollectionSizes(ctx, "small")
	if err != nil {
		t.Fatal(err)
	}
	if sizes["participants"] != 3 || sizes["responses"] != 2 || sizes["versions"] != 2 {
		t.Errorf("small's collections hold %v", sizes)
	}
}

// TestWritersInTwoProcessesLeaveTheNewestCurrent has two stores on one
// database — two processes, each with its own locks and caches — write the
// same responses at once. Every version is kept under its own number, and
// each response's current answers are its newest version's.
func TestWritersInTwoProcessesLeaveTheNewestCurrent(t *testing.T) {
	a := storetest.Open(t)
	b := storetest.Reopen(t, a)
	ctx := context.Background()
	newExchange(t, a, "x1")
	invite(t, a, "x1", 2)
	const links, writers, saves = 2, 12, 8
	var wg sync.WaitGroup
	errs := make(chan error, writers*saves)
	for w := range writers {
		s := a
		if w%2 == 1 {
			s = b
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range saves {
				for l := range links {
					_, err := s.SaveResponse(ctx, &exchange.Response{Exchange: "x1", Participant: exchange.PID(l + 1), Wave: "pre",
						Answers: survey.Answers{"fund_corporate": 1 + (w+i)%5, "expectations": fmt.Sprintf("writer %d save %d", w, i)},
						Source:  exchange.SourceAPI, SubmittedAt: t0.Add(time.Duration(i) * time.Second)})
					if err != nil {
						errs <- err
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("save: %v", err)
	}
	check := storetest.Reopen(t, a)
	for l := range links {
		pid := exchange.PID(l + 1)
		// Read without the look-ahead repair: the stream shows what the
		// analysis would read.
		var cur *exchange.Response
		for r, err := range check.StreamResponses(ctx, "x1") {
			if err != nil {
				t.Fatal(err)
			}
			if r.Participant == pid {
				cur = r
			}
		}
		h, err := check.ResponseHistory(ctx, "x1", pid, "pre")
		if err != nil {
			t.Fatal(err)
		}
		if len(h.History) != writers*saves || h.History[len(h.History)-1].Seq != writers*saves {
			t.Fatalf("%s: %d versions, newest %d; want %d", pid, len(h.History), h.History[len(h.History)-1].Seq, writers*saves)
		}
		newest := h.History[len(h.History)-1]
		if cur == nil || cur.Seq != newest.Seq || !reflect.DeepEqual(cur.Answers, newest.Answers) {
			t.Errorf("%s: current %+v, newest version %+v", pid, cur, newest)
		}
	}
}

// TestLoginAttemptsAreCountedAtomically sends thirty attempts at once: the
// limit lets exactly max through, however they interleave.
func TestLoginAttemptsAreCountedAtomically(t *testing.T) {
	s := storetest.Open(t)
	b := storetest.Reopen(t, s)
	ctx := context.Background()
	now := time.Now()
	const max = 5
	var wg sync.WaitGroup
	var mu sync.Mutex
	admitted := map[int]int{}
	for i := range 30 {
		st := s
		if i%2 == 1 {
			st = b
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			n, _, err := st.ClaimLoginAttempt(ctx, "account:ana@example.org", now, 15*time.Minute, max)
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			admitted[n]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	for n := 1; n <= max; n++ {
		if admitted[n] != 1 {
			t.Errorf("place %d given %d times", n, admitted[n])
		}
	}
	if admitted[max+1] != 30-max {
		t.Errorf("%d refused, want %d (%v)", admitted[max+1], 30-max, admitted)
	}
	// Outside the window the places are free again.
	n, slot, err := s.ClaimLoginAttempt(ctx, "account:ana@example.org", now.Add(16*time.Minute), 15*time.Minute, max)
	if err != nil || n != 1 || slot == "" {
		t.Fatalf("after the window: %d %q %v", n, slot, err)
	}
	if err := s.ClearLoginAttempts(ctx, "account:ana@example.org", now.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	if n, _, _ := s.ClaimLoginAttempt(ctx, "account:ana@example.org", now.Add(16*time.Minute), 15*time.Minute, max); n != 1 {
		t.Errorf("after a clear: place %d", n)
	}
}

// TestChangeMark: the mark moves after every kind of write to an exchange —
// seen at once by the writer, and by another process once recorded — and
// only then.
func TestChangeMark(t *testing.T) {
	s := storetest.Open(t)
	other := storetest.Reopen(t, s)
	ctx := context.Background()
	newExchange(t, s, "x1")
	newExchange(t, s, "x2")
	settle := func() { time.Sleep(200 * time.Millisecond) }
	settle()
	mark := func(st *mongostore.Store, id string) string {
		t.Helper()
		m, err := st.ChangeMark(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	writes := []struct {
		name  string
		write func() error
	}{
		{"participants import", func() error { _, err := s.ImportParticipants(ctx, "x1", rows(2), t0); return err }},
		{"submission", func() error {
			_, err := s.SaveResponse(ctx, &exchange.Response{Exchange: "x1", Participant: "P0001", Wave: "pre", Answers: survey.Answers{"fund_corporate": 2}, SubmittedAt: t0})
			return err
		}},
		{"responses import", func() error {
			_, err := s.ImportResponses(ctx, "x1", []exchange.ImportedResponse{{Row: 2, Response: exchange.Response{Exchange: "x1", Participant: "P0002", Wave: "pre",
				Answers: survey.Answers{"fund_corporate": 4}, Source: exchange.SourceImport, SubmittedAt: t0}}}, mongostore.ImportMerge)
			return err
		}},
		{"details", func() error {
			x, _ := s.Exchange(ctx, "x1")
			x.Name = "Renamed"
			return s.UpdateExchangeDetails(ctx, x)
		}},
		{"wave", func() error { _, err := s.SetWave(ctx, "x1", "pre", true, t0); return err }},
	}
	for _, w := range writes {
		before, otherBefore, x2Before := mark(s, "x1"), mark(other, "x1"), mark(other, "x2")
		if err := w.write(); err != nil {
			t.Fatalf("%s: %v", w.name, err)
		}
		if mark(s, "x1") == before {
			t.Errorf("%s: the writer does not see its own change", w.name)
		}
		settle()
		if mark(other, "x1") == otherBefore {
			t.Errorf("%s: another process does not see the change", w.name)
		}
		if mark(other, "x2") != x2Before {
			t.Errorf("%s: x2's mark moved with x1's change", w.name)
		}
	}
	quiet := mark(other, "x1")
	settle()
	if mark(other, "x1") != quiet {
		t.Error("the mark moves without a write")
	}
}

// TestMigratesARealLayout1DataDir opens a data dir written by the release
// before layout 2 (testdata/v1: `serve --demo`, then through the JSON API a
// resubmission by P0001, a French answer by P0006, eight concurrent
// submissions by P0002 — which left its current answers behind its newest
// version, the race layout 2 ends — and two committee sign-offs). Every
// participant, link, answer, version and sign-off must survive, and the
// current answers must be each response's newest version.
func TestMigratesARealLayout1DataDir(t *testing.T) {
	// The fixture is an embedded store's data dir: it is opened as one
	// whatever store the other tests run on.
	dir := t.TempDir()
	copyFile(t, filepath.Join("testdata", "v1", "exchangeeval.sqlite"), filepath.Join(dir, "exchangeeval.sqlite"))
	ctx := context.Background()
	s, err := mongostore.Open(ctx, mongostore.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(ctx)
	// Facts of the fixture, read from its SQLite file with sqlite3 when it
	// was made: 21 + 8 participants, 42 responses, 50 versions.
	participants, responses, versions := 0, 0, 0
	for _, x := range []string{"chicago-paris-2014", "chicago-paris-2027"} {
		sizes, err := s.CollectionSizes(ctx, x)
		if err != nil {
			t.Fatal(err)
		}
		participants += sizes["participants"]
		responses += sizes["responses"]
		versions += sizes["versions"]
	}
	if participants != 29 || responses != 42 || versions != 50 {
		t.Errorf("after the move: %d participants, %d responses, %d versions; want 29, 42, 50", participants, responses, versions)
	}
	p, err := s.ParticipantByToken(ctx, "WDXa3cVfVPyEtyXVbnWAY0v6npZagQMRpkweeZHpaas")
	if err != nil || p.PID != "P0002" || p.Exchange != "chicago-paris-2027" {
		t.Fatalf("P0002's link: %v %+v", err, p)
	}
	// The old current answers of P0002 held fund_corporate 4 while the
	// newest of its eight versions (submitted last) says 3.
	var cur *exchange.Response
	for r, err := range s.StreamResponses(ctx, "chicago-paris-2027") {
		if err != nil {
			t.Fatal(err)
		}
		if r.Participant == "P0002" {
			cur = r
		}
	}
	h, err := s.ResponseHistory(ctx, "chicago-paris-2027", "P0002", "pre")
	if err != nil {
		t.Fatal(err)
	}
	if len(h.History) != 8 || cur == nil || cur.Seq != 8 || cur.Answers["fund_corporate"] != 3 || !reflect.DeepEqual(cur.Answers, h.History[7].Answers) {
		t.Fatalf("P0002: %d versions, current %+v", len(h.History), cur)
	}
	for i := 1; i < len(h.History); i++ {
		if h.History[i].SubmittedAt.Before(h.History[i-1].SubmittedAt) {
			t.Errorf("versions out of submission order: %v after %v", h.History[i].SubmittedAt, h.History[i-1].SubmittedAt)
		}
	}
	h1, err := s.ResponseHistory(ctx, "chicago-paris-2027", "P0001", "pre")
	if err != nil || len(h1.History) != 2 || h1.History[0].Answers["expectations"] == h1.History[1].Answers["expectations"] {
		t.Fatalf("P0001's resubmission: %v %+v", err, h1)
	}
	signs, err := s.SignOffs(ctx, "chicago-paris-2014")
	if err != nil || len(signs) != 2 || signs[0].Goal != "funding" || signs[1].Decision != staff.Disagree {
		t.Fatalf("sign-offs: %v %+v", err, signs)
	}
	// The audit trail (5 events, 2 of them sign-offs, by sqlite3 on the
	// fixture) moved into its months.
	events, _, err := s.AuditTrail(ctx, staff.AuditQuery{Limit: 100})
	signOffs := 0
	for _, e := range events {
		if e.Action == staff.AuditSignOff {
			signOffs++
		}
	}
	if err != nil || len(events) != 5 || signOffs != 2 {
		t.Errorf("audit trail after the move: %d events, %d sign-offs (%v); want 5 and 2", len(events), signOffs, err)
	}
	// A new participant continues the numbering.
	res, err := s.ImportParticipants(ctx, "chicago-paris-2027", []exchange.ParticipantRow{{Row: 2, Name: "New", Email: "new@example.org", City: "Paris", Role: "lawyer", Language: "fr", Side: "host"}}, time.Now())
	if err != nil || res.Participants[0].PID != "P0009" {
		t.Fatalf("import after the move: %v %+v", err, res)
	}
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}
	// Opened again, nothing moves twice.
	s, err = mongostore.Open(ctx, mongostore.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(ctx)
	sizes, _ := s.CollectionSizes(ctx, "chicago-paris-2027")
	if sizes["participants"] != 9 || sizes["versions"] != 11 {
		t.Errorf("reopened: %v", sizes)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestHotQueriesUseIndexesOnMongoDB asks a real MongoDB (MONGODB_URI) how it
// runs each look-up a request makes: by _id, through the _id index, never a
// collection scan. (The embedded store's plans are TestIDLookupsUseAnIndex.)
func TestHotQueriesUseIndexesOnMongoDB(t *testing.T) {
	uri := os.Getenv("MONGODB_URI")
	if uri == "" {
		t.Skip("needs MongoDB: set MONGODB_URI")
	}
	s := storetest.Open(t)
	ctx := context.Background()
	newExchange(t, s, "x1")
	if _, err := s.ImportParticipants(ctx, "x1", rows(2), t0); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SaveResponse(ctx, &exchange.Response{Exchange: "x1", Participant: "P0001", Wave: "pre", Answers: survey.Answers{"fund_corporate": 2}, SubmittedAt: t0}); err != nil {
		t.Fatal(err)
	}
	client, err := mongo.Connect(options.Client().ApplyURI(uri))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Disconnect(ctx)
	db := client.Database(s.DatabaseName())
	for _, q := range []struct{ coll, id string }{
		{"links", "0000"}, {"exchanges", "x1"}, {"exchange.x1.participants", "P0001"}, {"exchange.x1.responses", "P0001/pre"},
		{"exchange.x1.versions", "P0001/pre/000002"}, {"users", "ana@example.org"}, {"sessions", "hash"}, {"api_tokens", "hash"},
		{"login_failures", "account:ana@example.org#1"}, {"changes", "x1"}, {"imports", "x1"},
	} {
		var plan bson.M
		err := db.RunCommand(ctx, bson.D{{Key: "explain", Value: bson.D{{Key: "find", Value: q.coll}, {Key: "filter", Value: bson.D{{Key: "_id", Value: q.id}}}}},
			{Key: "verbosity", Value: "queryPlanner"}}).Decode(&plan)
		if err != nil {
			t.Fatalf("explain %s: %v", q.coll, err)
		}
		stages := fmt.Sprint(plan["queryPlanner"])
		if strings.Contains(stages, "COLLSCAN") || !(strings.Contains(stages, "IDHACK") || strings.Contains(stages, "IXSCAN") || strings.Contains(stages, "EXPRESS")) {
			t.Errorf("%s by _id: %s", q.coll, stages)
		}
	}
}
