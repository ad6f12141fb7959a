package mongostore

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/csci/exchangeeval/internal/coding"
	"github.com/csci/exchangeeval/internal/exchange"
)

// TestACodebookVersionIsWrittenOnce: ten evaluators save version 1 of
// the same codebook at once; one is stored, the others are told of the
// conflict; the latest version is the one stored, and the history lists
// every version newest first.
func TestACodebookVersionIsWrittenOnce(t *testing.T) {
	s := openTemp(t)
	ctx := context.Background()
	if cb, err := s.Codebook(ctx, "x"); cb != nil || err != nil {
		t.Fatalf("a new exchange's codebook: %+v %v", cb, err)
	}
	v0 := coding.Codebook{Exchange: "x", Rejected: []string{}}
	var wg sync.WaitGroup
	var mu sync.Mutex
	stored, conflicts := []string{}, 0
	for i := range 10 {
		wg.Go(func() {
			by := fmt.Sprintf("e%d@example.org", i)
			err := s.SaveCodebook(ctx, v0.Reject("en:word", by, time.Now()))
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				stored = append(stored, by)
			case exchange.ErrorCode(err) == exchange.ECONFLICT:
				conflicts++
			default:
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if len(stored) != 1 || conflicts != 9 {
		t.Fatalf("%d stored (%v), %d conflicts", len(stored), stored, conflicts)
	}
	latest, err := s.Codebook(ctx, "x")
	if err != nil || latest.Version != 1 || latest.By != stored[0] {
		t.Fatalf("latest: %+v %v", latest, err)
	}
	if err := s.SaveCodebook(ctx, latest.Reject("fr:mot", "a@example.org", time.Now())); err != nil {
		t.Fatal(err)
	}
	history, err := s.CodebookHistory(ctx, "x")
	if err != nil || len(history) != 2 || history[0].Version != 2 || history[1].Version != 1 || len(history[0].Rejected) != 2 {
		t.Errorf("history: %+v %v", history, err)
	}
}
