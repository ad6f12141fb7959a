package analysis_test

import (
	"context"
	"testing"

	"github.com/csci/exchangeeval/internal/analysis"
	"github.com/csci/exchangeeval/internal/survey"
)

// BenchmarkAnalyzeMemory analyses 100 000 participants × 3 waves held in
// memory: go test ./internal/analysis -run '^$' -bench AnalyzeMemory -benchmem
func BenchmarkAnalyzeMemory(b *testing.B) {
	in := survey.NewSet(builtIn(b)...).Get("csci-social-services")
	// Collected first, so the benchmark times the analysis, not the data.
	pSeq, rSeq := analysis.Synthetic(in, "bench", 100_000)
	ps, rs := collect(pSeq), collect(rSeq)
	b.ResetTimer()
	for b.Loop() {
		r, err := analysis.Analyze(context.Background(), analysis.Input{Instrument: in, Participants: slice(ps), Responses: slice(rs)}, analysis.Options{})
		if err != nil || r.Participation.Waves[2].Responded != 100_000 {
			b.Fatal(err)
		}
	}
}

func collect[T any](seq func(func(T, error) bool)) []T {
	var out []T
	for v, err := range seq {
		if err != nil {
			panic(err)
		}
		out = append(out, v)
	}
	return out
}
