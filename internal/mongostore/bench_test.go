package mongostore

import (
	"context"
	"fmt"
	"io"
	"os"
	"testing"
	"time"

	"github.com/csci/exchangeeval"
	"github.com/csci/exchangeeval/internal/analysis"
	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/peakrss"
	"github.com/csci/exchangeeval/internal/staff"
	"github.com/csci/exchangeeval/internal/survey"
	"github.com/csci/exchangeeval/internal/workbook"
)

// BenchmarkAnalyzeFromStore analyses 100 000 participants × 3 waves streamed
// from the store's cursors. It loads the data once (minutes on the embedded
// store) into a database it drops afterwards; set MONGODB_URI to measure a
// real MongoDB instead:
//
//	go test ./internal/mongostore -run '^$' -bench AnalyzeFromStore -benchmem -benchtime 3x
func BenchmarkAnalyzeFromStore(b *testing.B) {
	ctx := context.Background()
	const n = 100_000
	s, in, x := loadedStore(b, "bench_analyze", n)
	b.ResetTimer()
	for b.Loop() {
		r, err := analysis.Analyze(ctx, s.AnalysisInput(ctx, x, in), analysis.Options{})
		if err != nil || r.Participation.Invited != n || r.Participation.Waves[2].Responded != n {
			b.Fatalf("%v %+v", err, r.Participation)
		}
	}
}

// loadedStore opens a store of its own (MONGODB_URI, or an embedded one in a
// temporary dir) with an exchange "bench" of n synthetic participants who
// answered every wave; it is dropped when the benchmark ends.
func loadedStore(b *testing.B, database string, n int) (*Store, *survey.Instrument, *exchange.Exchange) {
	ctx := context.Background()
	s, err := Open(ctx, Config{URI: os.Getenv("MONGODB_URI"), Database: database, DataDir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		_ = s.Drop(ctx)
		_ = s.Close(ctx)
	})
	ins, probs := survey.LoadFS(exchangeeval.Surveys, "surveys", "surveys/")
	if len(probs) > 0 {
		b.Fatal(probs)
	}
	in := survey.NewSet(ins...).Get("csci-social-services")
	x := &exchange.Exchange{ID: "bench", Name: "Benchmark", Instrument: in.ID, Waves: map[string]exchange.WaveState{}}
	if err := s.CreateExchange(ctx, x); err != nil {
		b.Fatal(err)
	}
	if err := LoadSynthetic(ctx, s, in, x.ID, n); err != nil {
		b.Fatal(err)
	}
	return s, in, x
}

// LoadSynthetic bulk-loads analysis.Synthetic data for benchmarks.
func LoadSynthetic(ctx context.Context, s *Store, in *survey.Instrument, exchangeID string, n int) error {
	ps, rs := analysis.Synthetic(in, exchangeID, n)
	return s.BulkLoad(ctx, exchangeID, ps, rs)
}

// BenchmarkExportFromStore writes the evaluator workbook of 10 000 and
// 100 000 participants × 3 waves read from the store's cursors, through
// workbook.Build as the export command does. One size per process, for a
// true peak RSS (which includes the embedded FerretDB):
//
//	go test ./internal/mongostore -run '^$' -bench 'ExportFromStore/10k$' -benchtime 1x -timeout 60m
//	go test ./internal/mongostore -run '^$' -bench 'ExportFromStore/100k$' -benchtime 1x -timeout 60m
func BenchmarkExportFromStore(b *testing.B) {
	for _, size := range []struct {
		name string
		n    int
	}{{"10k", 10_000}, {"100k", 100_000}} {
		b.Run(size.name, func(b *testing.B) {
			ctx := context.Background()
			s, in, _ := loadedStore(b, "bench_export", size.n)
			set := survey.NewSet(in)
			b.ResetTimer()
			for b.Loop() {
				e, err := workbook.Build(ctx, s, set, []string{"bench"}, workbook.Options{GeneratedAt: time.Now()})
				if err != nil {
					b.Fatal(err)
				}
				if err := workbook.Write(io.Discard, *e); err != nil {
					b.Fatal(err)
				}
			}
			if mb, ok := peakrss.MiB(); ok {
				b.ReportMetric(mb, "peak-RSS-MiB")
			}
		})
	}
}

// BenchmarkAnalysisAgainstScan compares the analysis of an exchange of
// 10 000 participants × 3 waves, read from the store, with one bare pass
// over that exchange's responses (decoded, nothing else done): the
// analysis reads the participants beside the responses in the same pass,
// so the two should take nearly the same time.
//
//	go test ./internal/mongostore -run '^$' -bench AnalysisAgainstScan -benchtime 3x -timeout 30m
//
// Target: analysis ≤ 1.1 × the bare scan.
func BenchmarkAnalysisAgainstScan(b *testing.B) {
	ctx := context.Background()
	const n = 10_000
	s, in, x := loadedStore(b, "bench_scan", n)
	var scan, analyse time.Duration
	b.ResetTimer()
	for b.Loop() {
		t0 := time.Now()
		count := 0
		for _, err := range s.StreamResponses(ctx, x.ID) {
			if err != nil {
				b.Fatal(err)
			}
			count++
		}
		scan += time.Since(t0)
		if count != 3*n {
			b.Fatalf("%d responses scanned", count)
		}
		t0 = time.Now()
		r, err := analysis.Analyze(ctx, s.AnalysisInput(ctx, x, in), analysis.Options{})
		analyse += time.Since(t0)
		if err != nil || r.Participation.Invited != n {
			b.Fatalf("%v %+v", err, r.Participation)
		}
	}
	b.ReportMetric(scan.Seconds()/float64(b.N), "scan-s")
	b.ReportMetric(analyse.Seconds()/float64(b.N), "analysis-s")
	b.ReportMetric(analyse.Seconds()/scan.Seconds(), "analysis/scan")
}

// BenchmarkAuditTrailPage reads pages of an audit trail of 20 000 events —
// years of sign-ins, exports and changes — as the audit page does: the
// newest page, a filtered one, and a page deep in the trail. The embedded
// store reads the whole of each month a page needs; MongoDB uses the
// indexes:
//
//	go test ./internal/mongostore -run '^$' -bench AuditTrailPage -benchtime 20x
func BenchmarkAuditTrailPage(b *testing.B) {
	ctx := context.Background()
	s, err := Open(ctx, Config{URI: os.Getenv("MONGODB_URI"), Database: "bench_audit", DataDir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		_ = s.Drop(ctx)
		_ = s.Close(ctx)
	})
	// An event an hour: 20 000 events over 28 months.
	const n = 20_000
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	byMonth := map[string][]any{}
	for i := range n {
		e := staff.Event{At: t0.Add(time.Duration(i) * time.Hour), Actor: fmt.Sprintf("user%d@example.org", i%40),
			Action: staff.AuditActions[i%len(staff.AuditActions)], Exchange: fmt.Sprintf("x%d", i%12), Detail: "event"}
		byMonth[auditMonth(e.At)] = append(byMonth[auditMonth(e.At)], e)
	}
	for _, docs := range byMonth {
		coll, err := s.auditCollection(ctx, docs[0].(staff.Event).At)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := coll.InsertMany(ctx, docs); err != nil {
			b.Fatal(err)
		}
	}
	_, deep, err := s.AuditTrail(ctx, staff.AuditQuery{Limit: 10_000})
	if err != nil {
		b.Fatal(err)
	}
	for _, q := range []struct {
		name string
		q    staff.AuditQuery
	}{
		{"newest", staff.AuditQuery{Limit: 50}},
		{"by-actor", staff.AuditQuery{Actor: "user7@example.org", Limit: 50}},
		{"deep", staff.AuditQuery{After: deep, Limit: 50}},
	} {
		b.Run(q.name, func(b *testing.B) {
			for b.Loop() {
				events, _, err := s.AuditTrail(ctx, q.q)
				if err != nil || len(events) != 50 {
					b.Fatalf("%v: %d events", err, len(events))
				}
			}
		})
	}
}

// BenchmarkProgrammeAgainstExchanges analyses a programme of 30 exchanges
// of 40 delegates × 3 waves through the store, and the same 30 exchanges
// one by one, and reports the ratio (target ≤ 1.2: pooling costs nothing
// beside reading each exchange once):
//
//	go test ./internal/mongostore -run '^$' -bench ProgrammeAgainstExchanges -benchtime 5x
func BenchmarkProgrammeAgainstExchanges(b *testing.B) {
	ctx := context.Background()
	s, in, _ := loadedStore(b, "bench_programme", 40)
	xs := []*exchange.Exchange{}
	for i := range 30 {
		x := &exchange.Exchange{ID: fmt.Sprintf("p%02d", i), Name: "Benchmark", Instrument: in.ID, Start: time.Date(2000+i, 3, 1, 0, 0, 0, 0, time.UTC),
			Waves: map[string]exchange.WaveState{}}
		if err := s.CreateExchange(ctx, x); err != nil {
			b.Fatal(err)
		}
		if err := LoadSynthetic(ctx, s, in, x.ID, 40); err != nil {
			b.Fatal(err)
		}
		xs = append(xs, x)
	}
	var alone, together time.Duration
	b.ResetTimer()
	for b.Loop() {
		t0 := time.Now()
		for _, x := range xs {
			if _, err := analysis.Analyze(ctx, s.AnalysisInput(ctx, x, in), analysis.Options{}); err != nil {
				b.Fatal(err)
			}
		}
		alone += time.Since(t0)
		t0 = time.Now()
		p, err := analysis.ProgrammeOf(xs, survey.NewSet(in), func(x *exchange.Exchange, in *survey.Instrument) (*analysis.Report, error) {
			return analysis.Analyze(ctx, s.AnalysisInput(ctx, x, in), analysis.Options{})
		}, analysis.ProgrammeOptions{MinCell: analysis.DefaultMinCell, GeneratedAt: time.Now(), SoftwareVersion: "bench"})
		if err != nil {
			b.Fatal(err)
		}
		together += time.Since(t0)
		if len(p.Exchanges) != 30 || p.Goals[0].Random == nil || p.Goals[0].Random.K != 30 {
			b.Fatalf("programme of %d exchanges, %+v", len(p.Exchanges), p.Goals[0].Random)
		}
	}
	b.ReportMetric(float64(together)/float64(alone), "programme/alone")
	b.ReportMetric(float64(together.Milliseconds())/float64(b.N), "programme-ms")
}
