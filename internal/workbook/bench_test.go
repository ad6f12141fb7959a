package workbook_test

import (
	"context"
	"io"
	"iter"
	"testing"
	"time"

	"github.com/csci/exchangeeval/internal/analysis"
	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/peakrss"
	"github.com/csci/exchangeeval/internal/workbook"
)

// BenchmarkExport writes the whole workbook for synthetic exchanges of 10 000
// and 100 000 participants × 3 waves × 32 questions, read from lazy
// generators as from a cursor. Peak RSS is the process's high-water mark, so
// measure each size in a process of its own:
//
//	go test ./internal/workbook -run '^$' -bench 'Export/10k$' -benchtime 1x
//	go test ./internal/workbook -run '^$' -bench 'Export/100k$' -benchtime 1x
func BenchmarkExport(b *testing.B) {
	for _, size := range []struct {
		name string
		n    int
	}{{"10k", 10_000}, {"100k", 100_000}} {
		b.Run(size.name, func(b *testing.B) {
			in := instrument(b)
			x := &exchange.Exchange{ID: "bench", Name: "Benchmark", Instrument: in.ID}
			for b.Loop() {
				ps, rs := analysis.Synthetic(in, x.ID, size.n)
				report, err := analysis.Analyze(context.Background(), analysis.Input{Instrument: in, Exchange: x, Participants: ps, Responses: rs},
					analysis.Options{GeneratedAt: time.Now()})
				if err != nil {
					b.Fatal(err)
				}
				err = workbook.Write(io.Discard, workbook.Export{Instrument: in, Exchanges: []*exchange.Exchange{x}, Report: report,
					Responses:   func() iter.Seq2[*exchange.Response, error] { return rs },
					GeneratedAt: time.Now(), Version: "bench", Methods: workbook.PlainMethods()})
				if err != nil {
					b.Fatal(err)
				}
			}
			if mb, ok := peakrss.MiB(); ok {
				b.ReportMetric(mb, "peak-RSS-MiB")
			}
		})
	}
}
