package mongostore_test

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/csci/exchangeeval"
	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/mongostore"
	"github.com/csci/exchangeeval/internal/mongostore/storetest"
	"github.com/csci/exchangeeval/internal/survey"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

func instruments(t *testing.T) *survey.Set {
	t.Helper()
	ins, probs := survey.LoadFS(exchangeeval.Surveys, "surveys", "surveys/")
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	return survey.NewSet(ins...)
}

var t0 = time.Date(2014, 3, 10, 9, 0, 0, 0, time.UTC)

func newExchange(t *testing.T, s *mongostore.Store, id string) *exchange.Exchange {
	t.Helper()
	x, err := exchange.NewExchange{ID: id, Name: "Chicago–Paris 2014", Instrument: "csci-social-services",
		HostCity: "Chicago", VisitingCity: "Paris", Start: "2014-03-09", End: "2014-03-15"}.Build(instruments(t), t0)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CreateExchange(context.Background(), x); err != nil {
		t.Fatal(err)
	}
	return x
}

// invite makes P0001 … Pn participants of an exchange: answers are stored
// only for participants.
func invite(t *testing.T, s *mongostore.Store, id string, n int) {
	t.Helper()
	if _, err := s.ImportParticipants(context.Background(), id, rows(n), t0); err != nil {
		t.Fatal(err)
	}
}

func rows(n int) []exchange.ParticipantRow {
	var out []exchange.ParticipantRow
	for i := range n {
		out = append(out, exchange.ParticipantRow{Row: i + 2, Name: "Delegate " + string(rune('A'+i)),
			Email: "d" + string(rune('a'+i)) + "@example.org", City: "Paris", Role: "practitioner", Language: "fr", Side: "visiting"})
	}
	return out
}

func TestExchangeLifecycle(t *testing.T) {
	s := storetest.Open(t)
	ctx := context.Background()
	newExchange(t, s, "chicago-paris-2014")
	err := s.CreateExchange(ctx, &exchange.Exchange{ID: "chicago-paris-2014"})
	if exchange.ErrorCode(err) != exchange.ECONFLICT {
		t.Fatalf("second create: %v", err)
	}
	x, err := s.SetWave(ctx, "chicago-paris-2014", "pre", true, t0)
	if err != nil || !x.Waves["pre"].Open {
		t.Fatalf("open wave: %v %+v", err, x)
	}
	x, err = s.Exchange(ctx, "chicago-paris-2014")
	if err != nil || !x.Waves["pre"].Open || !x.Waves["pre"].OpenedAt.Equal(t0) {
		t.Fatalf("stored wave state: %v %+v", err, x.Waves)
	}
	if _, err := s.SetWave(ctx, "chicago-paris-2014", "pre", false, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	x, _ = s.Exchange(ctx, "chicago-paris-2014")
	if x.Waves["pre"].Open || x.Waves["pre"].ClosedAt == nil {
		t.Fatalf("closed wave: %+v", x.Waves["pre"])
	}
	if _, err := s.Exchange(ctx, "nope"); exchange.ErrorCode(err) != exchange.ENOTFOUND {
		t.Fatalf("missing exchange: %v", err)
	}
	list, err := s.Exchanges(ctx)
	if err != nil || len(list) != 1 {
		t.Fatalf("list: %v %v", err, list)
	}
}

func TestImportIsIdempotentAndKeepsLinks(t *testing.T) {
	s := storetest.Open(t)
	ctx := context.Background()
	newExchange(t, s, "x1")
	first, err := s.ImportParticipants(ctx, "x1", rows(3), t0)
	if err != nil || first.New != 3 {
		t.Fatalf("first import: %v %+v", err, first)
	}
	pids := []string{first.Participants[0].PID, first.Participants[1].PID, first.Participants[2].PID}
	if !reflect.DeepEqual(pids, []string{"P0001", "P0002", "P0003"}) {
		t.Errorf("pids = %v", pids)
	}
	for _, p := range first.Participants {
		if !exchange.PlausibleToken(p.Token) {
			t.Errorf("token %q is not a 256-bit URL-safe token", p.Token)
		}
	}
	again, err := s.ImportParticipants(ctx, "x1", rows(4), t0)
	if err != nil || again.New != 1 || again.Kept != 3 {
		t.Fatalf("re-import: %v %+v", err, again)
	}
	if again.Participants[0].Token != first.Participants[0].Token || again.Participants[3].PID != "P0004" {
		t.Errorf("re-import changed a link or numbering: %+v", again.Participants)
	}
	all, _ := s.Participants(ctx, "x1")
	if len(all) != 4 {
		t.Fatalf("participants = %d, want 4", len(all))
	}
	p, err := s.ParticipantByToken(ctx, first.Participants[1].Token)
	if err != nil || p.PID != "P0002" || p.Email != "db@example.org" {
		t.Fatalf("by token: %v %+v", err, p)
	}
	if _, err := s.ParticipantByToken(ctx, exchange.NewToken()); exchange.ErrorCode(err) != exchange.ENOTFOUND {
		t.Fatalf("unknown token: %v", err)
	}
	if _, err := s.ImportParticipants(ctx, "nope", rows(1), t0); exchange.ErrorCode(err) != exchange.ENOTFOUND {
		t.Fatalf("import into missing exchange: %v", err)
	}
}

func TestResubmissionKeepsHistory(t *testing.T) {
	s := storetest.Open(t)
	ctx := context.Background()
	newExchange(t, s, "x1")
	invite(t, s, "x1", 1)
	r := &exchange.Response{Exchange: "x1", Participant: "P0001", Wave: "pre", Instrument: "csci-social-services", InstrumentVersion: 1,
		Language: "fr", Source: exchange.SourceWeb, SubmittedAt: t0,
		Answers: survey.Answers{"fund_corporate": 2, "practice_areas": []string{"youth", "homelessness"}, "years_practice": 12.0, "expectations": "Découvrir l'évaluation"}}
	saved, err := s.SaveResponse(ctx, r)
	if err != nil || saved.Seq != 1 {
		t.Fatalf("first save: %v %+v", err, saved)
	}
	got, err := s.Response(ctx, "x1", "P0001", "pre")
	if err != nil || !reflect.DeepEqual(got.Answers, r.Answers) {
		t.Errorf("answers came back as %#v, want %#v (%v)", got.Answers, r.Answers, err)
	}
	r2 := *r
	r2.Answers = survey.Answers{"fund_corporate": 4}
	r2.SubmittedAt = t0.Add(time.Hour)
	saved, err = s.SaveResponse(ctx, &r2)
	if err != nil || saved.Seq != 2 {
		t.Fatalf("second save: %v %+v", err, saved)
	}
	got, err = s.ResponseHistory(ctx, "x1", "P0001", "pre")
	if err != nil || got.Seq != 2 || len(got.History) != 2 {
		t.Fatalf("read back: %v %+v", err, got)
	}
	if got.Answers["fund_corporate"] != 4 || got.History[0].Answers["fund_corporate"] != 2 || got.History[1].Seq != 2 {
		t.Errorf("current %v, history %v", got.Answers, got.History)
	}
	if !got.FirstSubmittedAt.Equal(t0) || !got.SubmittedAt.Equal(t0.Add(time.Hour)) {
		t.Errorf("times: first %v, last %v", got.FirstSubmittedAt, got.SubmittedAt)
	}
	if !reflect.DeepEqual(got.History[0].Answers["practice_areas"], []string{"youth", "homelessness"}) {
		t.Errorf("first version's multi choice: %#v", got.History[0].Answers["practice_areas"])
	}
	counts, err := s.CountResponses(ctx, "x1")
	if err != nil || counts["pre"] != 1 {
		t.Fatalf("counts: %v %v", err, counts)
	}
}

// TestConcurrentFirstSubmissionsMakeOneResponse checks the unique index: a
// double click must never create two responses for one participant and wave.
func TestConcurrentFirstSubmissionsMakeOneResponse(t *testing.T) {
	s := storetest.Open(t)
	ctx := context.Background()
	newExchange(t, s, "x1")
	invite(t, s, "x1", 1)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := s.SaveResponse(ctx, &exchange.Response{Exchange: "x1", Participant: "P0001", Wave: "post",
				Answers: survey.Answers{"fund_corporate": 1 + i%5}, Source: exchange.SourceAPI, SubmittedAt: t0})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("save: %v", err)
		}
	}
	counts, _ := s.CountResponses(ctx, "x1")
	got, _ := s.ResponseHistory(ctx, "x1", "P0001", "post")
	if counts["post"] != 1 || got.Seq != 8 || len(got.History) != 8 {
		t.Fatalf("responses %v, version %d, history %d", counts, got.Seq, len(got.History))
	}
	if !reflect.DeepEqual(got.Answers, got.History[7].Answers) {
		t.Errorf("current answers %v are not the newest version's %v", got.Answers, got.History[7].Answers)
	}
	added, err := s.AddResponseIfAbsent(ctx, &exchange.Response{Exchange: "x1", Participant: "P0001", Wave: "post", SubmittedAt: t0})
	if err != nil || added {
		t.Fatalf("AddResponseIfAbsent over an existing response: added=%v err=%v", added, err)
	}
}

// TestEmbeddedRestartAndLock opens an embedded store on a data dir, checks a
// second opener is turned away with directions, then restarts and finds the
// data still there.
func TestEmbeddedRestartAndLock(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	s, err := mongostore.Open(ctx, mongostore.Config{DataDir: dir, Command: "serve"})
	if err != nil {
		t.Fatal(err)
	}
	newExchange(t, s, "kept")
	uri, _ := s.Embedded()

	_, err = mongostore.Open(ctx, mongostore.Config{DataDir: dir, Command: "exchange list"})
	if exchange.ErrorCode(err) != exchange.ECONFLICT {
		t.Fatalf("second open of the same data dir: %v", err)
	}
	msg := err.Error()
	abs, _ := filepath.Abs(dir)
	for _, want := range []string{abs, "in use", "MONGODB_URI=" + uri, `"serve"`, "--data-dir"} {
		if !strings.Contains(msg, want) {
			t.Errorf("lock message lacks %q: %s", want, msg)
		}
	}
	// The directions work: a client of the running store sees its data.
	viaURI, err := mongostore.Open(ctx, mongostore.Config{URI: uri})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := viaURI.Exchange(ctx, "kept"); err != nil {
		t.Errorf("through the running process's store: %v", err)
	}
	viaURI.Close(ctx)

	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}
	s, err = mongostore.Open(ctx, mongostore.Config{DataDir: dir})
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer s.Close(ctx)
	if x, err := s.Exchange(ctx, "kept"); err != nil || x.VisitingCity != "Paris" {
		t.Fatalf("after restart: %v %+v", err, x)
	}
}

// TestImportResponsesIsAllOrNothing makes the second row of an import fail
// (a value BSON cannot encode) after the first has replaced a stored answer,
// and checks that the store is left exactly as it was.
func TestImportResponsesIsAllOrNothing(t *testing.T) {
	s := storetest.Open(t)
	ctx := context.Background()
	newExchange(t, s, "x1")
	invite(t, s, "x1", 3)
	orig := &exchange.Response{Exchange: "x1", Participant: "P0001", Wave: "pre", Answers: survey.Answers{"fund_corporate": 2},
		Source: exchange.SourceWeb, SubmittedAt: t0}
	if _, err := s.SaveResponse(ctx, orig); err != nil {
		t.Fatal(err)
	}
	rows := []exchange.ImportedResponse{
		{Row: 2, Response: exchange.Response{Exchange: "x1", Participant: "P0001", Wave: "pre", Answers: survey.Answers{"fund_corporate": 5}, Source: exchange.SourceImport, SubmittedAt: t0}},
		{Row: 3, Response: exchange.Response{Exchange: "x1", Participant: "P0002", Wave: "pre", Answers: survey.Answers{"fund_corporate": 4}, Source: exchange.SourceImport, SubmittedAt: t0}},
		{Row: 4, Response: exchange.Response{Exchange: "x1", Participant: "P0003", Wave: "pre", Answers: survey.Answers{"bad": make(chan int)}, Source: exchange.SourceImport, SubmittedAt: t0}},
	}
	if _, err := s.ImportResponses(ctx, "x1", rows, mongostore.ImportMerge); err == nil || !strings.Contains(err.Error(), "nothing was kept") {
		t.Fatalf("err = %v", err)
	}
	r, err := s.ResponseHistory(ctx, "x1", "P0001", "pre")
	if err != nil || r.Answers["fund_corporate"] != 2 || r.Source != exchange.SourceWeb || r.Seq != 1 || len(r.History) != 1 {
		t.Fatalf("P0001 not restored: %v %+v", err, r)
	}
	if _, err := s.Response(ctx, "x1", "P0002", "pre"); exchange.ErrorCode(err) != exchange.ENOTFOUND {
		t.Fatalf("P0002 left behind: %v", err)
	}
	res, err := s.ImportResponses(ctx, "x1", rows[:2], mongostore.ImportMerge)
	if err != nil || res.Added != 1 || res.Merged != 1 || res.Changed != 1 {
		t.Fatalf("good import: %v %+v", err, res)
	}
	r, _ = s.ResponseHistory(ctx, "x1", "P0001", "pre")
	if r.Answers["fund_corporate"] != 5 || !r.Imported() || len(r.History) != 2 || r.History[0].Answers["fund_corporate"] != 2 {
		t.Fatalf("after import: %+v", r)
	}
}

func TestStreamsAreComplete(t *testing.T) {
	s := storetest.Open(t)
	ctx := context.Background()
	x := newExchange(t, s, "x1")
	if _, err := s.ImportParticipants(ctx, "x1", rows(3), t0); err != nil {
		t.Fatal(err)
	}
	for _, pid := range []string{"P0003", "P0001", "P0002"} {
		for _, w := range []string{"post", "pre"} {
			a := survey.Answers{"fund_corporate": 3, "takeaways": "long text"}
			if w == "post" {
				a["quote_consent"] = "yes"
			}
			if _, err := s.AddResponseIfAbsent(ctx, &exchange.Response{Exchange: "x1", Participant: pid, Wave: w, Answers: a, SubmittedAt: t0}); err != nil {
				t.Fatal(err)
			}
		}
	}
	input := s.AnalysisInput(ctx, x, instruments(t).Get("csci-social-services"))
	got := map[string]bool{}
	for r, err := range input.Responses {
		if err != nil {
			t.Fatal(err)
		}
		if r.Answers["fund_corporate"] != 3 {
			t.Fatalf("answers not normalised: %#v", r.Answers)
		}
		got[r.Participant+"/"+r.Wave] = true
	}
	if len(got) != 6 {
		t.Errorf("responses streamed: %v", got)
	}
	n := 0
	for p, err := range input.Participants {
		if err != nil || p.PID == "" {
			t.Fatal(err)
		}
		n++
	}
	if n != 3 {
		t.Errorf("%d participants streamed", n)
	}
}

// TestImportMergesCellByCell is the case that wiped a delegate's answers: a
// file with one cell for someone who had answered online sets that answer
// and leaves the others alone; replacing whole takes an explicit mode and
// counts what it drops; re-importing what is stored writes nothing; and any
// version can be restored, as a new version.
func TestImportMergesCellByCell(t *testing.T) {
	s := storetest.Open(t)
	ctx := context.Background()
	newExchange(t, s, "x1")
	invite(t, s, "x1", 3)
	online := survey.Answers{"fund_corporate": 2, "fund_volunteers": 3, "takeaways": "Mentoring"}
	if _, err := s.SaveResponse(ctx, &exchange.Response{Exchange: "x1", Participant: "P0001", Wave: "pre", Answers: online,
		Source: exchange.SourceWeb, SubmittedAt: t0}); err != nil {
		t.Fatal(err)
	}
	row := func(a survey.Answers) []exchange.ImportedResponse {
		return []exchange.ImportedResponse{{Row: 2, Response: exchange.Response{Exchange: "x1", Participant: "P0001", Wave: "pre",
			Answers: a, Source: exchange.SourceImport, SubmittedAt: t0}}}
	}
	res, err := s.ImportResponses(ctx, "x1", row(survey.Answers{"fund_corporate": 4}), mongostore.ImportMerge)
	if err != nil || res.Merged != 1 || res.Changed != 1 || res.Added+res.Replaced+res.Dropped != 0 {
		t.Fatalf("merge: %v %+v", err, res)
	}
	r, err := s.Response(ctx, "x1", "P0001", "pre")
	if err != nil || len(r.Answers) != 3 || r.Answers["fund_corporate"] != 4 || r.Answers["fund_volunteers"] != 3 || r.Answers["takeaways"] != "Mentoring" {
		t.Fatalf("after merge: %v %v", err, r.Answers)
	}
	res, err = s.ImportResponses(ctx, "x1", row(survey.Answers{"fund_corporate": 4}), mongostore.ImportMerge)
	if err != nil || res.Unchanged != 1 || res.Merged != 0 {
		t.Fatalf("same cell again: %v %+v", err, res)
	}
	res, err = s.ImportResponses(ctx, "x1", row(survey.Answers{"fund_corporate": 5}), mongostore.ImportReplace)
	if err != nil || res.Replaced != 1 || res.Dropped != 2 {
		t.Fatalf("replace: %v %+v", err, res)
	}
	h, err := s.ResponseHistory(ctx, "x1", "P0001", "pre")
	if err != nil || len(h.Answers) != 1 || h.Seq != 3 || len(h.History) != 3 {
		t.Fatalf("after replace: %v %+v", err, h)
	}
	r, restored, err := s.RestoreResponse(ctx, "x1", "P0001", "pre", 1, t0.Add(time.Hour))
	if err != nil || !restored || r.Seq != 4 || r.Answers["fund_corporate"] != 2 || r.Answers["takeaways"] != "Mentoring" {
		t.Fatalf("restore: %v %v %+v", err, restored, r)
	}
	h, _ = s.ResponseHistory(ctx, "x1", "P0001", "pre")
	if last := h.History[len(h.History)-1]; last.RestoredFrom != 1 || last.Source != exchange.SourceWeb || len(h.History) != 4 {
		t.Fatalf("the restore is not recorded as one: %+v", h.History)
	}
	if _, restored, err := s.RestoreResponse(ctx, "x1", "P0001", "pre", 1, t0); err != nil || restored {
		t.Errorf("restoring the current answers again: %v %v", restored, err)
	}
	if _, _, err := s.RestoreResponse(ctx, "x1", "P0001", "pre", 9, t0); exchange.ErrorCode(err) != exchange.ENOTFOUND || !strings.Contains(err.Error(), "1, 2, 3, 4") {
		t.Errorf("an unknown version: %v", err)
	}
}
