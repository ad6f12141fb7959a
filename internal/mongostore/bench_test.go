package mongostore

import (
	"context"
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
	ps, rs := analysis.Synthetic(in, x.ID, n)
	for _, p := range ps {
		p.Token = exchange.NewToken()
	}
	if err := bulkInsert(ctx, s, collParticipants, ps); err != nil {
		b.Fatal(err)
	}
	if err := bulkInsert(ctx, s, collResponses, rs); err != nil {
		b.Fatal(err)
	}
	ps, rs = nil, nil
	b.ResetTimer()
	for b.Loop() {
		r, err := analysis.Analyze(ctx, s.AnalysisInput(ctx, x, in), analysis.Options{})
		if err != nil || r.Participation.Invited != n || r.Participation.Waves[2].Responded != n {
			b.Fatalf("%v %+v", err, r.Participation)
		}
	}
}

func bulkInsert[T any](ctx context.Context, s *Store, coll string, docs []*T) error {
	const batch = 5000
	for i := 0; i < len(docs); i += batch {
		chunk := make([]any, 0, batch)
		for _, d := range docs[i:min(i+batch, len(docs))] {
			chunk = append(chunk, d)
		}
		if _, err := s.db.Collection(coll).InsertMany(ctx, chunk); err != nil {
			return err
		}
	}
	return nil
}
