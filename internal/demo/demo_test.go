package demo_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/csci/exchangeeval"
	"github.com/csci/exchangeeval/internal/demo"
	"github.com/csci/exchangeeval/internal/mongostore/storetest"
	"github.com/csci/exchangeeval/internal/survey"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

func TestSeedIsCompleteAndIdempotent(t *testing.T) {
	ins, probs := survey.LoadFS(exchangeeval.Surveys, "surveys", "surveys/")
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	set := survey.NewSet(ins...)
	in := set.Get(demo.InstrumentID)
	store := storetest.Open(t)
	ctx := context.Background()
	first, err := demo.Seed(ctx, store, set, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	// The two exchanges of Paris, the Mexico City and Hamburg one, and
	// three earlier ones of the programme.
	if first.ExchangesCreated != 6 || first.ResponsesAdded < 30 || len(first.Open) != 2 || len(first.Open[0].Participants) == 0 {
		t.Fatalf("first seed: %+v", first)
	}
	again, err := demo.Seed(ctx, store, set, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if again.ExchangesCreated != 0 || again.ResponsesAdded != 0 || len(again.Open) != 2 || again.Open[1].Participants[0].Token != first.Open[1].Participants[0].Token {
		t.Fatalf("second seed changed things: %+v", again)
	}

	for id, people := range map[string]int{demo.HamburgID: 12, demo.DurbanID: 16, demo.BirminghamID: 4} {
		x, err := store.Exchange(ctx, id)
		ps, _ := store.Participants(ctx, id)
		counts, _ := store.CountResponses(ctx, id)
		if err != nil || len(x.OpenWaves(in)) != 0 || len(ps) != people || counts["pre"] != people || !strings.Contains(x.Name, "demonstration") {
			t.Errorf("%s: %v, %d participants, responses %v", id, err, len(ps), counts)
		}
	}
	done, err := store.Exchange(ctx, demo.CompletedID)
	if err != nil || len(done.OpenWaves(in)) != 0 {
		t.Fatalf("completed exchange: %v %+v", err, done)
	}
	ps, _ := store.Participants(ctx, demo.CompletedID)
	counts, _ := store.CountResponses(ctx, demo.CompletedID)
	if len(ps) < 18 || counts["pre"] < len(ps)-2 || counts["post"] < len(ps)-2 {
		t.Fatalf("%d participants, responses %v", len(ps), counts)
	}
	// Every seeded answer passes the same checks a delegate's would, and
	// the visiting delegates' goal items move up from pre to post.
	var preSum, postSum, n float64
	for _, p := range ps {
		for _, wave := range []string{"pre", "post"} {
			r, err := store.Response(ctx, demo.CompletedID, p.PID, wave)
			if err != nil {
				continue
			}
			values := map[string][]string{}
			for k, v := range r.Answers {
				values[k] = survey.Strings(v)
			}
			if _, errs := in.FromStrings(wave, values); len(errs) > 0 {
				t.Fatalf("%s %s: seeded answers fail the checks: %v", p.PID, wave, errs)
			}
			if p.Side == "visiting" {
				v := float64(r.Answers["fund_corporate"].(int))
				if wave == "pre" {
					preSum += v
					n++
				} else {
					postSum += v
				}
			}
		}
	}
	if postSum <= preSum {
		t.Errorf("funding item: pre total %v, post total %v; the demo should show the gain the 2014 summary reports", preSum, postSum)
	}
	up, err := store.Exchange(ctx, demo.UpcomingID)
	if err != nil || up.CurrentWave(in, "", nil) != "pre" || !up.Start.After(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("upcoming exchange: %v %+v", err, up)
	}

	// Delegates from Mexico City and Hamburg, in Spanish and German, some
	// of whom have answered the open questionnaire in their language.
	multi, err := store.Exchange(ctx, demo.MultilingualID)
	if err != nil || multi.CurrentWave(in, "", nil) != "pre" || multi.Names["es"] == "" || multi.Names["de"] == "" || multi.TimeZone != "America/Chicago" {
		t.Fatalf("multilingual exchange: %v %+v", err, multi)
	}
	answered := map[string]int{}
	langs := map[string]int{}
	for _, p := range first.Open[1].Participants {
		langs[p.Language]++
		if r, err := store.Response(ctx, demo.MultilingualID, p.PID, "pre"); err == nil {
			answered[r.Language]++
			if r.InstrumentVersion != in.Version || r.Answers["work_city"] == "" {
				t.Errorf("%s: %+v", p.PID, r)
			}
		}
	}
	if langs["es"] != 6 || langs["de"] != 6 || answered["es"] != 4 || answered["de"] != 4 || answered["en"] != 2 {
		t.Errorf("languages %v, answered %v", langs, answered)
	}
}
