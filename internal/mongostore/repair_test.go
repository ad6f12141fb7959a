package mongostore

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"reflect"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/survey"
)

// These tests reach inside the store to stop a write halfway, as a crash or
// an unlucky interleaving of two processes would.

var tStart = time.Date(2014, 3, 10, 9, 0, 0, 0, time.UTC)

// openTemp opens a store of its own on a fresh database. With MONGODB_URI
// set it uses that server; otherwise an embedded store in a temporary dir.
func openTemp(t *testing.T) *Store {
	t.Helper()
	cfg := Config{URI: os.Getenv("MONGODB_URI"), Database: "repair" + exchange.NewToken()[:8], DataDir: t.TempDir(), Secret: testSecret}
	s, err := Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = s.Drop(context.Background())
		_ = s.Close(context.Background())
	})
	return s
}

// sibling is a second store on s's database: another process.
func sibling(t *testing.T, s *Store) *Store {
	t.Helper()
	o, err := s.WithDatabase(context.Background(), s.DatabaseName())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = o.Close(context.Background()) })
	return o
}

func submission(pid string, answer int) *exchange.Response {
	return &exchange.Response{Exchange: "x1", Participant: pid, Wave: "pre", Instrument: "csci-social-services", InstrumentVersion: 1,
		Language: "en", Answers: survey.Answers{"fund_corporate": answer}, Source: exchange.SourceWeb, SubmittedAt: tStart}
}

func createExchange(t *testing.T, s *Store) {
	t.Helper()
	createBareExchange(t, s)
	// Answers come from participants: P0001 to P0003.
	var rows []exchange.ParticipantRow
	for i := range 3 {
		rows = append(rows, exchange.ParticipantRow{Name: "D", Email: fmt.Sprintf("d%d@example.org", i), Language: "en", Side: "visiting"})
	}
	if _, err := s.ImportParticipants(context.Background(), "x1", rows, time.Now()); err != nil {
		t.Fatal(err)
	}
}

// createBareExchange makes exchange x1 with no participants.
func createBareExchange(t *testing.T, s *Store) {
	t.Helper()
	if err := s.CreateExchange(context.Background(), &exchange.Exchange{ID: "x1", Name: "X", Instrument: "csci-social-services"}); err != nil {
		t.Fatal(err)
	}
}

// rawCurrent reads the current answers as the analysis does: without the
// look-ahead that repairs them.
func rawCurrent(t *testing.T, s *Store, pid string) *responseDoc {
	t.Helper()
	d, err := s.current(context.Background(), "x1", pid, "pre")
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestALateWriterCatchesUp plays the interleaving that left current answers
// behind history before: writer A numbers its version first, writer B (in
// another process) numbers the next and writes it as current, then A's
// current write lands last. A's look-ahead must put B's back.
func TestALateWriterCatchesUp(t *testing.T) {
	a := openTemp(t)
	b := sibling(t, a)
	ctx := context.Background()
	createExchange(t, a)
	va, _, err := a.addVersion(ctx, submission("P0001", 1), "", false)
	if err != nil {
		t.Fatal(err)
	}
	saved, err := b.SaveResponse(ctx, submission("P0001", 2))
	if err != nil || saved.Seq != 2 {
		t.Fatalf("B's save: %v %+v", err, saved)
	}
	if err := a.setCurrent(ctx, va); err != nil {
		t.Fatal(err)
	}
	if cur := rawCurrent(t, a, "P0001"); cur.Seq != 1 {
		t.Fatalf("the interleaving did not happen: current is version %d", cur.Seq)
	}
	if err := a.catchUp(ctx, "x1", "P0001", "pre", va.Seq, va.Seq); err != nil {
		t.Fatal(err)
	}
	if cur := rawCurrent(t, a, "P0001"); cur.Seq != 2 || cur.Answers["fund_corporate"] != int32(2) {
		t.Fatalf("after A's look-ahead: %+v", cur)
	}
}

// TestACrashBetweenTheTwoWritesIsRepaired: a version stored without its
// current answers (the process died in between) is made current by the next
// read of that response, and by the next start of the store for responses
// nobody reads.
func TestACrashBetweenTheTwoWritesIsRepaired(t *testing.T) {
	s := openTemp(t)
	ctx := context.Background()
	createExchange(t, s)
	if _, err := s.SaveResponse(ctx, submission("P0001", 1)); err != nil {
		t.Fatal(err)
	}
	// Died after storing the version: one response answered before, one
	// never answered.
	for _, r := range []*exchange.Response{submission("P0001", 4), submission("P0002", 5)} {
		if _, _, err := s.addVersion(ctx, r, "", false); err != nil {
			t.Fatal(err)
		}
	}
	if cur := rawCurrent(t, s, "P0001"); cur.Seq != 1 {
		t.Fatalf("before the read: %+v", cur)
	}
	r, err := s.Response(ctx, "x1", "P0001", "pre")
	if err != nil || r.Seq != 2 || r.Answers["fund_corporate"] != 4 {
		t.Fatalf("read after the crash: %v %+v", err, r)
	}
	if cur := rawCurrent(t, s, "P0001"); cur.Seq != 2 {
		t.Errorf("the read did not repair the stored answers: %+v", cur)
	}
	if cur := rawCurrent(t, s, "P0002"); cur != nil {
		t.Fatalf("P0002 has current answers before the restart: %+v", cur)
	}
	restarted := sibling(t, s)
	if cur := rawCurrent(t, restarted, "P0002"); cur == nil || cur.Seq != 1 || cur.Answers["fund_corporate"] != int32(5) {
		t.Fatalf("after a restart: %+v", cur)
	}
	n := 0
	for r, err := range restarted.StreamResponses(ctx, "x1") {
		if err != nil {
			t.Fatal(err)
		}
		n++
		if r.Participant == "P0002" && r.Answers["fund_corporate"] != 5 {
			t.Errorf("the analysis reads %+v", r)
		}
	}
	if n != 2 {
		t.Errorf("%d responses streamed", n)
	}
}

// deadProcess returns the id of a process that has ended: this test
// binary run again with no test to run, which exists wherever the test
// does.
func deadProcess(t *testing.T) int {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	if err := cmd.Run(); err != nil {
		t.Fatalf("run a child process: %v", err)
	}
	return cmd.Process.Pid
}

// orphan makes the exchange's import look like one whose process died.
func orphan(t *testing.T, s *Store) {
	t.Helper()
	_, err := s.db.Collection(collImports).UpdateOne(context.Background(), byID("x1"), bson.D{{Key: "$set", Value: bson.D{
		{Key: "pid", Value: deadProcess(t)}, {Key: "run", Value: "an earlier process"}}}})
	if err != nil {
		t.Fatal(err)
	}
}

func people(n int) []exchange.ParticipantRow {
	var out []exchange.ParticipantRow
	for i := range n {
		out = append(out, exchange.ParticipantRow{Row: i + 2, Name: "D", Email: string(rune('a'+i)) + "@example.org",
			City: "Paris", Role: "lawyer", Language: "fr", Side: "visiting"})
	}
	return out
}

// TestAnInterruptedParticipantsImportLeavesNothing: while an import has not
// committed, its participants and links are invisible; if its process dies,
// the next start removes them.
func TestAnInterruptedParticipantsImportLeavesNothing(t *testing.T) {
	s := openTemp(t)
	ctx := context.Background()
	createBareExchange(t, s)
	if _, err := s.ImportParticipants(ctx, "x1", people(2), tStart); err != nil {
		t.Fatal(err)
	}
	run, err := s.beginImport(ctx, "x1", importParticipants)
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.importParticipants(ctx, run, "x1", people(5), tStart)
	if err != nil || res.New != 3 {
		t.Fatalf("half an import: %v %+v", err, res)
	}
	run.stopHeartbeat()
	other := sibling(t, s)
	ps, err := other.Participants(ctx, "x1")
	if err != nil || len(ps) != 2 {
		t.Fatalf("while the import is pending another process sees %d participants (%v)", len(ps), err)
	}
	if _, err := other.ParticipantByToken(ctx, res.Participants[4].Token); exchange.ErrorCode(err) != exchange.ENOTFOUND {
		t.Fatalf("a pending import's link works: %v", err)
	}
	if _, err := other.ImportParticipants(ctx, "x1", people(6), tStart); exchange.ErrorCode(err) != exchange.ECONFLICT {
		t.Fatalf("a second import while one runs: %v", err)
	}
	orphan(t, s)
	restarted := sibling(t, s)
	sizes, err := restarted.CollectionSizes(ctx, "x1")
	if err != nil || sizes["participants"] != 2 {
		t.Fatalf("after the restart: %v %v", sizes, err)
	}
	if n, _ := restarted.db.Collection(collLinks).CountDocuments(ctx, bson.D{}); n != 2 {
		t.Errorf("%d links left", n)
	}
	if n, _ := restarted.db.Collection(collImports).CountDocuments(ctx, bson.D{}); n != 0 {
		t.Errorf("the import is still recorded")
	}
	res, err = restarted.ImportParticipants(ctx, "x1", people(3), tStart)
	if err != nil || res.New != 1 || res.Participants[2].PID != "P0006" {
		t.Fatalf("the next import: %v %+v", err, res)
	}
}

// TestAnInterruptedResponsesImport: versions of a pending import are not
// history yet and never current; a pending import whose process died is
// removed, one that had committed is finished.
func TestAnInterruptedResponsesImport(t *testing.T) {
	s := openTemp(t)
	ctx := context.Background()
	createExchange(t, s)
	if _, err := s.SaveResponse(ctx, submission("P0001", 1)); err != nil {
		t.Fatal(err)
	}
	write := func() *importRun {
		run, err := s.beginImport(ctx, "x1", importResponses)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range []*exchange.Response{submission("P0001", 3), submission("P0002", 4)} {
			r.Source = exchange.SourceImport
			if _, _, err := s.addVersion(ctx, r, run.doc.Batch, false); err != nil {
				t.Fatal(err)
			}
		}
		return run
	}
	run := write()
	// A delegate answers meanwhile: their version is numbered after the
	// import's and is current.
	saved, err := s.SaveResponse(ctx, submission("P0001", 5))
	if err != nil || saved.Seq != 3 {
		t.Fatalf("a save during the import: %v %+v", err, saved)
	}
	h, err := s.ResponseHistory(ctx, "x1", "P0001", "pre")
	if err != nil || len(h.History) != 2 || h.Answers["fund_corporate"] != 5 {
		t.Fatalf("history during the import: %v %+v", err, h)
	}
	run.stopHeartbeat()
	orphan(t, s)
	restarted := sibling(t, s)
	h, err = restarted.ResponseHistory(ctx, "x1", "P0001", "pre")
	if err != nil || len(h.History) != 2 || h.History[1].Seq != 3 || h.Answers["fund_corporate"] != 5 {
		t.Fatalf("after rolling back: %v %+v", err, h)
	}
	if _, err := restarted.Response(ctx, "x1", "P0002", "pre"); exchange.ErrorCode(err) != exchange.ENOTFOUND {
		t.Fatalf("P0002 answered by a rolled-back import: %v", err)
	}
	// Committed but not applied: finished at the next start. Its
	// versions are numbered after everything stored, so they become
	// current.
	run = write()
	if err := run.markCommitted(ctx); err != nil {
		t.Fatal(err)
	}
	run.stopHeartbeat()
	orphan(t, s)
	restarted = sibling(t, s)
	if cur := rawCurrent(t, restarted, "P0002"); cur == nil || cur.Answers["fund_corporate"] != int32(4) || cur.Source != exchange.SourceImport {
		t.Fatalf("P0002 after finishing the import: %+v", cur)
	}
	h, _ = restarted.ResponseHistory(ctx, "x1", "P0001", "pre")
	if len(h.History) != 3 || h.Answers["fund_corporate"] != 3 || !reflect.DeepEqual(h.Answers, h.History[2].Answers) {
		t.Fatalf("P0001 after finishing the import: %+v", h)
	}
}
