package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/csci/exchangeeval"
	"github.com/csci/exchangeeval/internal/analysis"
	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/mongostore"
	"github.com/csci/exchangeeval/internal/mongostore/storetest"
	"github.com/csci/exchangeeval/internal/staff"
	"github.com/csci/exchangeeval/internal/survey"
	"github.com/csci/exchangeeval/internal/web"
)

// The benchmarks here run the whole service on a store of their own — the
// embedded one in a temporary data dir, or MONGODB_URI when set — loaded
// with synthetic exchanges, and send it HTTP from loopback clients.

func benchStore(b *testing.B) *mongostore.Store {
	ctx := context.Background()
	s, err := mongostore.Open(ctx, mongostore.Config{URI: os.Getenv("MONGODB_URI"), DataDir: b.TempDir(), Database: storetest.NewDatabaseName(), Secret: storetest.Secret})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		_ = s.Drop(ctx)
		_ = s.Close(ctx)
	})
	return s
}

// loadExchange creates an exchange of n synthetic participants who have
// answered the waves listed (all when none are), opens openWave, and
// returns their personal tokens.
func loadExchange(b *testing.B, s *mongostore.Store, in *survey.Instrument, id string, n int, openWave string, answered ...string) []string {
	ctx := context.Background()
	x := &exchange.Exchange{ID: id, Name: "Synthetic " + id, Instrument: in.ID, HostCity: "Chicago", VisitingCity: "Paris",
		Start: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2026, 4, 7, 0, 0, 0, 0, time.UTC), Waves: map[string]exchange.WaveState{}}
	if err := s.CreateExchange(ctx, x); err != nil {
		b.Fatal(err)
	}
	if openWave != "" {
		if _, err := s.SetWave(ctx, id, openWave, true, time.Now()); err != nil {
			b.Fatal(err)
		}
	}
	ps, rs := analysis.Synthetic(in, id, n)
	tokens := make([]string, 0, n)
	withTokens := func(yield func(*exchange.Participant, error) bool) {
		for p, err := range ps {
			if err == nil {
				p.Token = exchange.NewToken()
				tokens = append(tokens, p.Token)
			}
			if !yield(p, err) {
				return
			}
		}
	}
	only := func(yield func(*exchange.Response, error) bool) {
		for r, err := range rs {
			if err == nil && len(answered) > 0 && !slices.Contains(answered, r.Wave) {
				continue
			}
			if !yield(r, err) {
				return
			}
		}
	}
	if err := s.BulkLoad(ctx, id, iter.Seq2[*exchange.Participant, error](withTokens), only); err != nil {
		b.Fatal(err)
	}
	return tokens
}

func benchServer(b *testing.B, s *mongostore.Store, set *survey.Set) *httptest.Server {
	h, err := web.NewServer(s, set, exchangeeval.Templates, slog.New(slog.NewTextHandler(io.Discard, nil)), web.Config{})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(h)
	b.Cleanup(srv.Close)
	return srv
}

func percentile(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	return s[min(len(s)-1, int(p*float64(len(s))))]
}

// answersIn is a complete questionnaire of a wave as the JSON API takes it,
// varied by k.
func answersIn(in *survey.Instrument, wave string, k int) []byte {
	body, _ := json.Marshal(map[string]any{"wave": wave, "answers": analysis.CompleteAnswers(in, wave, k)})
	return body
}

// BenchmarkSubmissions has 32 clients submit complete post-exchange
// questionnaires through the JSON API to an exchange of 2 000 and of 20 000
// participants who have all answered the pre-exchange one: "first" sends
// 1 600 delegates' first answers, "again" 1 600 resubmissions (answers
// replaced, the earlier kept as history). In the same run it measures the
// store's own single-document upsert rate at the same concurrency, of the
// same kind: upserts that make documents for first answers, upserts that
// replace them for resubmissions:
//
//	go test ./internal/web -run '^$' -bench Submissions -benchtime 1x -timeout 30m
//
// Targets: no errors; throughput at 20 000 ≥ 0.8 × at 2 000; throughput ≥
// 0.8 × the upsert rate.
func BenchmarkSubmissions(b *testing.B) {
	set := instruments(b)
	in := set.Get("csci-social-services")
	const clients, perClient = 32, 50
	for _, n := range []int{2000, 20000} {
		for _, kind := range []string{"first", "again"} {
			b.Run(fmt.Sprintf("%d/%s", n, kind), func(b *testing.B) {
				s := benchStore(b)
				tokens := loadExchange(b, s, in, "load", n, "post", "pre")
				srv := benchServer(b, s, set)
				// Each submission goes to another delegate.
				rng := rand.New(rand.NewPCG(uint64(n), 1))
				rng.Shuffle(len(tokens), func(i, j int) { tokens[i], tokens[j] = tokens[j], tokens[i] })
				tokens = tokens[:clients*perClient]
				submit := func() (latencies []time.Duration, errs int, elapsed time.Duration) {
					hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
					defer hc.CloseIdleConnections()
					var mu sync.Mutex
					elapsed = concurrently(clients, perClient, func(i int) {
						body := answersIn(in, "post", i)
						t0 := time.Now()
						resp, err := hc.Post(srv.URL+"/api/v1/responses/"+tokens[i], "application/json", bytes.NewReader(body))
						ok := err == nil && resp.StatusCode == http.StatusOK
						if err == nil {
							io.Copy(io.Discard, resp.Body)
							resp.Body.Close()
						}
						mu.Lock()
						latencies = append(latencies, time.Since(t0))
						if !ok {
							errs++
						}
						mu.Unlock()
					})
					return latencies, errs, elapsed
				}
				if kind == "again" {
					if _, errs, _ := submit(); errs > 0 {
						b.Fatalf("%d errors in the first answers", errs)
					}
				}
				inserting, replacing := upsertRates(b, s, in, clients, perClient)
				// Compared with upserts of the same kind: first answers
				// make documents, resubmissions replace them.
				upserts := inserting
				if kind == "again" {
					upserts = replacing
				}
				var (
					latencies []time.Duration
					errs      int
					elapsed   time.Duration
				)
				b.ResetTimer()
				for i := range b.N {
					if kind == "first" && i > 0 {
						continue // a second round would be resubmissions
					}
					l, e, d := submit()
					latencies, errs, elapsed = append(latencies, l...), errs+e, elapsed+d
				}
				rate := float64(len(latencies)) / elapsed.Seconds()
				b.ReportMetric(rate, "submissions/s")
				b.ReportMetric(float64(percentile(latencies, 0.5).Microseconds())/1000, "p50-ms")
				b.ReportMetric(float64(percentile(latencies, 0.99).Microseconds())/1000, "p99-ms")
				b.ReportMetric(float64(errs), "errors")
				b.ReportMetric(upserts, "store-upserts/s")
				b.ReportMetric(rate/upserts, "ratio-to-upserts")
			})
		}
	}
}

// upsertRates measures the store's own rate of single-document upserts by
// _id at this concurrency: documents shaped like a response, in a
// collection made as the service makes its own (so, on the embedded store,
// with the same index). First upserts that insert (what a delegate's first
// answers do), then upserts that replace those documents (what a
// resubmission does).
func upsertRates(b *testing.B, s *mongostore.Store, in *survey.Instrument, clients, perClient int) (inserting, replacing float64) {
	ctx := context.Background()
	if err := s.CreateExchange(ctx, &exchange.Exchange{ID: "upsert-baseline", Instrument: in.ID, Waves: map[string]exchange.WaveState{}}); err != nil {
		b.Fatal(err)
	}
	uri, embedded := s.Embedded()
	if !embedded {
		uri = os.Getenv("MONGODB_URI")
	}
	client, err := mongo.Connect(options.Client().ApplyURI(uri))
	if err != nil {
		b.Fatal(err)
	}
	defer client.Disconnect(ctx)
	coll := client.Database(s.DatabaseName()).Collection("exchange.upsert-baseline.responses")
	var answers bson.M
	if err := json.Unmarshal(answersIn(in, "post", 1), &answers); err != nil {
		b.Fatal(err)
	}
	pass := func(round int) float64 {
		elapsed := concurrently(clients, perClient, func(i int) {
			id := exchange.PID(1+i) + "/post"
			doc := bson.D{{Key: "_id", Value: id}, {Key: "exchange", Value: "upsert-baseline"}, {Key: "participant", Value: id[:5]},
				{Key: "wave", Value: "post"}, {Key: "answers", Value: answers["answers"]}, {Key: "seq", Value: round}, {Key: "submitted_at", Value: time.Now()}}
			if _, err := coll.ReplaceOne(ctx, bson.D{{Key: "_id", Value: id}}, doc, options.Replace().SetUpsert(true)); err != nil {
				b.Error(err)
			}
		})
		return float64(clients*perClient) / elapsed.Seconds()
	}
	return pass(1), pass(2)
}

// concurrently runs clients goroutines, each doing perClient requests in
// turn — do(i) for i = c*perClient+k, every i once — and says how long
// they all took.
func concurrently(clients, perClient int, do func(i int)) time.Duration {
	var wg sync.WaitGroup
	start := time.Now()
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range perClient {
				do(c*perClient + k)
			}
		}()
	}
	wg.Wait()
	return time.Since(start)
}

// BenchmarkIsolation measures a 50-participant exchange's pages — the
// committee dashboard, the report made afresh (a new minimum cell size
// each time, so no analysis is reused) and a delegate's questionnaire —
// on a store holding nothing else, and on one also holding an exchange of
// 100 000 participants who answered every wave:
//
//	go test ./internal/web -run '^$' -bench Isolation -benchtime 1x -timeout 60m
//
// Target: each page's latency with the big exchange ≤ 1.5 × without it.
func BenchmarkIsolation(b *testing.B) {
	set := instruments(b)
	in := set.Get("csci-social-services")
	const requests = 40
	type latencies struct{ dashboard, report, questionnaire time.Duration }
	measure := func(others int) latencies {
		s := benchStore(b)
		tokens := loadExchange(b, s, in, "small", 50, "pre")
		if others > 0 {
			loadExchange(b, s, in, "big", others, "")
		}
		srv := benchServer(b, s, set)
		secret, hash := staff.NewSecret()
		u, err := staff.NewUser("admin@example.org", "Admin", []string{staff.RoleAdmin}, "benchmark-password", time.Now())
		if err != nil {
			b.Fatal(err)
		}
		ctx := context.Background()
		if err := s.CreateUser(ctx, u); err != nil {
			b.Fatal(err)
		}
		if err := s.CreateSession(ctx, &staff.Session{Hash: hash, User: u.Email, CreatedAt: time.Now(), ExpiresAt: time.Now().Add(time.Hour)}); err != nil {
			b.Fatal(err)
		}
		get := func(path string) time.Duration {
			req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
			req.AddCookie(&http.Cookie{Name: "exchangeeval_session", Value: secret})
			t0 := time.Now()
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				b.Fatalf("%s: %d", path, resp.StatusCode)
			}
			return time.Since(t0)
		}
		get("/exchanges/small") // the first view makes the analysis
		var l latencies
		for i := range requests {
			l.dashboard += get("/exchanges/small")
			l.report += get(fmt.Sprintf("/api/v1/exchanges/small/report?min_cell=%d", 5+i))
			l.questionnaire += get("/s/" + tokens[i%len(tokens)])
		}
		l.dashboard /= requests
		l.report /= requests
		l.questionnaire /= requests
		return l
	}
	for b.Loop() {
		alone := measure(0)
		crowded := measure(100_000)
		ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
		b.ReportMetric(ms(alone.dashboard), "dashboard-alone-ms")
		b.ReportMetric(ms(crowded.dashboard), "dashboard-crowded-ms")
		b.ReportMetric(ms(crowded.dashboard)/ms(alone.dashboard), "dashboard-ratio")
		b.ReportMetric(ms(alone.report), "fresh-report-alone-ms")
		b.ReportMetric(ms(crowded.report), "fresh-report-crowded-ms")
		b.ReportMetric(ms(crowded.report)/ms(alone.report), "fresh-report-ratio")
		b.ReportMetric(ms(alone.questionnaire), "questionnaire-alone-ms")
		b.ReportMetric(ms(crowded.questionnaire), "questionnaire-crowded-ms")
		b.ReportMetric(ms(crowded.questionnaire)/ms(alone.questionnaire), "questionnaire-ratio")
	}
}

// BenchmarkQuestionnaireWithWavesOpen: the questionnaire page when one
// wave is open, against when pre and post both are, where the page reads
// which of them the delegate has answered to choose (each delegate here
// answered pre, so post is shown and pre offered).
//
//	go test ./internal/web -run '^$' -bench QuestionnaireWithWavesOpen -benchtime 3x
func BenchmarkQuestionnaireWithWavesOpen(b *testing.B) {
	set := instruments(b)
	in := set.Get("csci-social-services")
	const requests = 200
	measure := func(both bool) time.Duration {
		s := benchStore(b)
		tokens := loadExchange(b, s, in, "x", 50, "post", "pre")
		if both {
			if _, err := s.SetWave(context.Background(), "x", "pre", true, time.Now()); err != nil {
				b.Fatal(err)
			}
		}
		srv := benchServer(b, s, set)
		var total time.Duration
		for i := range requests {
			t0 := time.Now()
			resp, err := http.Get(srv.URL + "/s/" + tokens[i%len(tokens)])
			if err != nil {
				b.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			total += time.Since(t0)
			if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `name="wave" value="post"`) {
				b.Fatalf("questionnaire: %d", resp.StatusCode)
			}
		}
		return total / requests
	}
	for b.Loop() {
		one, two := measure(false), measure(true)
		ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
		b.ReportMetric(ms(one), "one-wave-ms")
		b.ReportMetric(ms(two), "two-waves-ms")
		b.ReportMetric(ms(two)/ms(one), "ratio")
	}
}
