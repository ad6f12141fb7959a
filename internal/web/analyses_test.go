package web

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/csci/exchangeeval"
	"github.com/csci/exchangeeval/internal/demo"
	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/mongostore/storetest"
	"github.com/csci/exchangeeval/internal/survey"
)

// TestAnAnalysisIsMadeOncePerChange: ten requests at once for an exchange's
// analysis cost one analysis; asked again, it is reused; after a delegate
// submits, it is made anew, once — also when the change is made by another
// process.
func TestAnAnalysisIsMadeOncePerChange(t *testing.T) {
	ins, probs := survey.LoadFS(exchangeeval.Surveys, "surveys", "surveys/")
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	set := survey.NewSet(ins...)
	store := storetest.Open(t)
	other := storetest.Reopen(t, store)
	ctx := context.Background()
	if _, err := demo.Seed(ctx, store, set, time.Now()); err != nil {
		t.Fatal(err)
	}
	c := newAnalyses(store, "test", time.Now)
	x, err := store.Exchange(ctx, demo.CompletedID)
	if err != nil {
		t.Fatal(err)
	}
	in := set.Get(x.Instrument)
	// ask sends n requests at once and says how many different analyses
	// they got.
	ask := func(n int) int {
		t.Helper()
		var wg sync.WaitGroup
		reports := make(chan any, n)
		for range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r, err := c.get(ctx, x, in, 5)
				if err != nil {
					t.Error(err)
				}
				reports <- r
			}()
		}
		wg.Wait()
		close(reports)
		distinct := map[any]bool{}
		for r := range reports {
			distinct[r] = true
		}
		return len(distinct)
	}
	if d := ask(10); d != 1 {
		t.Errorf("ten requests together got %d different analyses", d)
	}
	if n := c.made(); n != 1 {
		t.Fatalf("ten dashboards at once made %d analyses", n)
	}
	if d := ask(10); d != 1 {
		t.Errorf("ten requests together got %d different analyses", d)
	}
	if n := c.made(); n != 1 {
		t.Fatalf("unchanged data analysed again: %d analyses", n)
	}
	if _, err := store.SaveResponse(ctx, &exchange.Response{Exchange: x.ID, Participant: "P0001", Wave: "post", Instrument: in.ID,
		Answers: survey.Answers{"fund_corporate": 5}, Source: exchange.SourceAPI, SubmittedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	// Just after a change, its mark reaches the store within 50 ms: a
	// request in that window and one after it may each analyse, once.
	if d := ask(10); d > 2 {
		t.Errorf("ten requests after a change got %d different analyses", d)
	}
	n := c.made()
	if n < 2 || n > 3 {
		t.Fatalf("after a submission: %d analyses made in all", n)
	}
	// Once the change is recorded in the store, the analysis stays.
	time.Sleep(200 * time.Millisecond)
	ask(1)
	settled := c.made()
	if d := ask(10); d != 1 {
		t.Errorf("ten requests together got %d different analyses", d)
	}
	if c.made() != settled {
		t.Fatalf("analysed again without a change: %d → %d", settled, c.made())
	}
	// A change by another process is seen once it is recorded.
	if _, err := other.SaveResponse(ctx, &exchange.Response{Exchange: x.ID, Participant: "P0002", Wave: "post", Instrument: in.ID,
		Answers: survey.Answers{"fund_corporate": 1}, Source: exchange.SourceAPI, SubmittedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond)
	if d := ask(10); d != 1 {
		t.Errorf("ten requests after another process's change got %d different analyses", d)
	}
	if c.made() != settled+1 {
		t.Fatalf("another process's change: %d analyses, want %d", c.made(), settled+1)
	}
}
