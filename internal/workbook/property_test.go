package workbook_test

import (
	"bytes"
	"context"
	"iter"
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/csci/exchangeeval/internal/analysis"
	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/survey"
	"github.com/csci/exchangeeval/internal/workbook"
)

// TestRandomExchangesWriteWorkbooks: a workbook is written, and opens, for
// any exchange RandomExchange draws — empty, partial, one language — with
// and without labels.
func TestRandomExchangesWriteWorkbooks(t *testing.T) {
	// The built-in instrument, and the analysis tests' small one, whose
	// open questions name goals too.
	data, err := os.ReadFile("../analysis/testdata/two-goals.yaml")
	if err != nil {
		t.Fatal(err)
	}
	small, probs := survey.Parse("two-goals.yaml", data)
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	instruments := []*survey.Instrument{instrument(t), small}
	for seed := range uint64(40) {
		in := instruments[seed%2]
		rng := rand.New(rand.NewPCG(seed, 11))
		x := &exchange.Exchange{ID: "random", Name: "Random", Instrument: in.ID}
		ps, rs := analysis.RandomExchange(in, x.ID, rng)
		r, err := analysis.Analyze(context.Background(), analysis.Input{Instrument: in, Exchange: x, Participants: seq(ps), Responses: seq(rs)},
			analysis.Options{MinCell: 1 + rng.IntN(5), GeneratedAt: time.Now()})
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		labels := []string{"", "fr"}[seed%2]
		var buf bytes.Buffer
		err = workbook.Write(&buf, workbook.Export{Instrument: in, Exchanges: []*exchange.Exchange{x}, Report: r, Labels: labels,
			Responses:   func() iter.Seq2[*exchange.Response, error] { return seq(rs) },
			GeneratedAt: time.Now(), Version: "test", Methods: workbook.PlainMethods()})
		if err != nil {
			t.Fatalf("seed %d (%d participants, %d responses): %v", seed, len(ps), len(rs), err)
		}
		f, err := excelize.OpenReader(&buf)
		if err != nil {
			t.Fatalf("seed %d: the workbook does not open: %v", seed, err)
		}
		// An Excel table needs a data row: an exchange without answers
		// has one empty row under the header.
		want := max(len(rs), 1) + 1
		rows, err := f.GetRows("Responses")
		if err != nil || len(rows) != want {
			t.Errorf("seed %d: Responses has %d rows (%v), want %d", seed, len(rows), err, want)
		}
		f.Close()
	}
}
