package analysis_test

import (
	"context"
	"encoding/json"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/csci/exchangeeval"
	"github.com/csci/exchangeeval/internal/analysis"
	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/survey"
)

// builtIn are the instruments every build carries.
func builtIn(tb testing.TB) []*survey.Instrument {
	tb.Helper()
	ins, probs := survey.LoadFS(exchangeeval.Surveys, "surveys", "surveys/")
	if len(probs) > 0 {
		tb.Fatal(probs)
	}
	return ins
}

// TestRandomExchangesRender: any exchange — none to 40 delegates, waves
// answered by nobody or everybody, items missing, groups empty, one
// language only — gives a report, its JSON and its text in every language
// of the instrument, without a panic or an error. A partial exchange of
// three delegates with one pre answer once crashed the text report.
func TestRandomExchangesRender(t *testing.T) {
	instruments := append(builtIn(t), instrument(t))
	for seed := range uint64(300) {
		in := instruments[seed%uint64(len(instruments))]
		rng := rand.New(rand.NewPCG(seed, 7))
		ps, rs := analysis.RandomExchange(in, "random", rng)
		minCell := 1 + rng.IntN(5)
		func() {
			defer func() {
				if v := recover(); v != nil {
					t.Fatalf("seed %d (%s, %d participants, %d responses, min cell %d): panic: %v", seed, in.ID, len(ps), len(rs), minCell, v)
				}
			}()
			r, err := analysis.Analyze(context.Background(), analysis.Input{Instrument: in, Exchange: &exchange.Exchange{ID: "random", Name: "Random"},
				Participants: slice(ps), Responses: slice(rs)}, analysis.Options{MinCell: minCell, GeneratedAt: time.Now()})
			if err != nil {
				t.Fatalf("seed %d: %v", seed, err)
			}
			b, err := json.Marshal(r)
			if err != nil || strings.Contains(string(b), "NaN") {
				t.Fatalf("seed %d: JSON: %v %.200s", seed, err, b)
			}
			for _, lang := range in.Languages {
				if err := analysis.WriteText(io.Discard, r, in, lang); err != nil {
					t.Fatalf("seed %d: text in %s: %v", seed, lang, err)
				}
			}
			if got := r.Participation.Invited; got != len(ps) {
				t.Fatalf("seed %d: %d invited, want %d", seed, got, len(ps))
			}
			responded := 0
			for _, w := range r.Participation.Waves {
				responded += w.Responded
			}
			if responded != len(rs) {
				t.Fatalf("seed %d: %d responses counted, want %d", seed, responded, len(rs))
			}
		}()
	}
}

// TestPartialExchangeText is the case that crashed `analyze`: three
// delegates, one of whom answered the pre questionnaire.
func TestPartialExchangeText(t *testing.T) {
	in := instrument(t)
	ps, rs := dataset()
	ps = ps[:3]
	var one []*exchange.Response
	for _, r := range rs {
		if r.Participant == ps[0].PID && r.Wave == "pre" {
			one = append(one, r)
		}
	}
	r, err := analysis.Analyze(context.Background(), analysis.Input{Instrument: in, Exchange: &exchange.Exchange{ID: "x"}, Participants: slice(ps), Responses: slice(one)},
		analysis.Options{GeneratedAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := analysis.WriteText(&b, r, in, "en"); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"invited 3", "fr: g1 pre – (n 0)"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("text report lacks %q:\n%s", want, b.String())
		}
	}
}
