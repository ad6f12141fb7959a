package mongostore

import (
	"context"
	"iter"
	"os"
	"testing"

	"github.com/csci/exchangeeval"
	"github.com/csci/exchangeeval/internal/analysis"
	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/survey"
)

// BenchmarkAnalyzeFromStore analyses 100 000 participants × 3 waves streamed
// from the store's cursors. It loads the data once (minutes on the embedded
// store) into a database it drops afterwards; set MONGODB_URI to measure a
// real MongoDB instead:
//
//	go test ./internal/mongostore -run '^$' -bench AnalyzeFromStore -benchmem -benchtime 3x
func BenchmarkAnalyzeFromStore(b *testing.B) {
	ctx := context.Background()
	cfg := Config{URI: os.Getenv("MONGODB_URI"), Database: "bench_analyze", DataDir: b.TempDir()}
	s, err := Open(ctx, cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close(ctx)
	defer s.Drop(ctx)
	ins, probs := survey.LoadFS(exchangeeval.Surveys, "surveys", "surveys/")
	if len(probs) > 0 {
		b.Fatal(probs)
	}
	in := survey.NewSet(ins...).Get("csci-social-services")
	const n = 100_000
	x := &exchange.Exchange{ID: "bench", Instrument: in.ID}
	if err := LoadSynthetic(ctx, s, in, x.ID, n); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		r, err := analysis.Analyze(ctx, s.AnalysisInput(ctx, x, in), analysis.Options{})
		if err != nil || r.Participation.Invited != n || r.Participation.Waves[2].Responded != n {
			b.Fatalf("%v %+v", err, r.Participation)
		}
	}
}

// LoadSynthetic bulk-loads analysis.Synthetic data for benchmarks: no
// checks, no history, batches of 5 000 documents.
func LoadSynthetic(ctx context.Context, s *Store, in *survey.Instrument, exchangeID string, n int) error {
	ps, rs := analysis.Synthetic(in, exchangeID, n)
	if err := bulkInsert(ctx, s, collParticipants, ps, func(p *exchange.Participant) { p.Token = exchange.NewToken() }); err != nil {
		return err
	}
	return bulkInsert(ctx, s, collResponses, rs, nil)
}

func bulkInsert[T any](ctx context.Context, s *Store, coll string, docs iter.Seq2[*T, error], fix func(*T)) error {
	const batch = 5000
	chunk := make([]any, 0, batch)
	flush := func() error {
		if len(chunk) == 0 {
			return nil
		}
		_, err := s.db.Collection(coll).InsertMany(ctx, chunk)
		chunk = chunk[:0]
		return err
	}
	for d, err := range docs {
		if err != nil {
			return err
		}
		if fix != nil {
			fix(d)
		}
		if chunk = append(chunk, d); len(chunk) == batch {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}
