package analysis_test

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/csci/exchangeeval/internal/analysis"
	"github.com/csci/exchangeeval/internal/coding"
	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/survey"
)

// TestAgreementOfCodersAgreesWithR: two people code ten answers (B
// leaves the tenth uncoded) for empowerment and evaluation; the report's
// themes.agreement equals R for each theme and all, between them and
// between A and the automatic coding. The codes in R, in answer order
// (NA: not coded), and the calls (kalpha as in agreement_test.go):
//
//	Aemp <- c(1,0,1,0,1,0,1,0,1,0); Aev <- c(0,1,1,0,0,1,0,0,1,0)
//	Bemp <- c(1,0,1,1,1,0,1,0,1,NA); Bev <- c(0,1,0,0,0,0,0,1,1,NA)
//	Uemp <- c(1,0,1,0,0,0,1,0,1,0); Uev <- c(0,1,1,0,0,1,0,0,1,0)   # the automatic codes
//	ok <- !is.na(a) & !is.na(b); psych::cohen.kappa(cbind(a[ok], b[ok]))
//	kalpha(lapply(seq_along(a), function(i) as.character(c(a[i], b[i]))))
//	all themes: a <- as.vector(rbind(Aemp, Aev)), b likewise
//
//	AB emp      n=9  88.8888888888889 %  κ 0.769230769230769 [0.354308856531796, 1]                 α 0.779220779220779
//	AB eval     n=9  66.6666666666667 %  κ 0.307692307692308 [-0.30686153436945, 0.922246149754065]  α 0.337662337662338
//	AB all      n=18 77.7777777777778 %  κ 0.555555555555556 [0.171438719871391, 0.939672391239721]  α 0.567901234567901
//	A–auto all  n=20 95 %                κ 0.897959183673469 [0.704044383917509, 1]                 α 0.900255754475703
func TestAgreementOfCodersAgreesWithR(t *testing.T) {
	texts := []string{"Empowerment of families", "Evaluation is key", "Empowered evaluators", "Nothing new", "Families took charge",
		"We evaluated programmes", "Empowering youth", "Partnerships", "Evaluation and empowerment", "Learning"}
	a := [][2]int{{1, 0}, {0, 1}, {1, 1}, {0, 0}, {1, 0}, {0, 1}, {1, 0}, {0, 0}, {1, 1}, {0, 0}}
	b := [][2]int{{1, 0}, {0, 1}, {1, 0}, {1, 0}, {1, 0}, {0, 0}, {1, 0}, {0, 1}, {1, 1}}
	var ps []*exchange.Participant
	var rs []*exchange.Response
	var codes []coding.Record
	record := func(pid, coder string, c [2]int) coding.Record {
		r := coding.Record{Exchange: "x", Participant: pid, Wave: "post", Question: "learned", Coder: coder, Themes: []string{}, At: time.Now()}
		for i, th := range []string{"empowerment", "evaluation"} {
			if c[i] == 1 {
				r.Themes = append(r.Themes, th)
			}
		}
		return r
	}
	for i, text := range texts {
		pid := exchange.PID(i + 1)
		ps = append(ps, &exchange.Participant{PID: pid, Language: "en"})
		rs = append(rs, &exchange.Response{Participant: pid, Wave: "post", Language: "en", Answers: survey.Answers{"learned": text}})
		codes = append(codes, record(pid, "a@example.org", a[i]))
		if i < len(b) {
			codes = append(codes, record(pid, "b@example.org", b[i]))
		}
	}
	r, err := analysis.Analyze(context.Background(), analysis.Input{Instrument: instrument(t), Exchange: &exchange.Exchange{ID: "x"},
		Participants: slice(ps), Responses: slice(rs), Codes: func() ([]coding.Record, error) { return codes, nil }}, analysis.Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]analysis.ThemeAgreement{}
	for _, ag := range r.Themes.Agreement {
		got[strings.Join(ag.Coders, "+")+" "+ag.Theme] = ag
	}
	for _, w := range []struct {
		key                       string
		n                         int
		pct, kappa, lo, hi, alpha float64
	}{
		{"a@example.org+b@example.org empowerment", 9, 88.8888888888889, 0.769230769230769, 0.354308856531796, 1, 0.779220779220779},
		{"a@example.org+b@example.org evaluation", 9, 66.6666666666667, 0.307692307692308, -0.30686153436945, 0.922246149754065, 0.337662337662338},
		{"a@example.org+b@example.org all", 18, 77.7777777777778, 0.555555555555556, 0.171438719871391, 0.939672391239721, 0.567901234567901},
		{"a@example.org+" + coding.Automatic + " all", 20, 95, 0.897959183673469, 0.704044383917509, 1, 0.900255754475703},
	} {
		ag, ok := got[w.key]
		if !ok {
			t.Errorf("no agreement %s among %d", w.key, len(got))
			continue
		}
		close := func(name string, x *float64, want float64) {
			if x == nil || math.Abs(*x-want) > 1e-9 {
				t.Errorf("%s %s: %v, R says %.15g", w.key, name, x, want)
			}
		}
		close("percent", &ag.Percent, w.pct)
		close("kappa", ag.Kappa.Kappa, w.kappa)
		if ag.CI == nil {
			t.Errorf("%s: no interval", w.key)
		} else {
			close("lower", &ag.CI[0], w.lo)
			close("upper", &ag.CI[1], w.hi)
		}
		close("alpha", ag.Alpha, w.alpha)
		if ag.N != w.n {
			t.Errorf("%s: n %d, R %d", w.key, ag.N, w.n)
		}
	}
	if r, _ := analysis.Analyze(context.Background(), analysis.Input{Instrument: instrument(t), Participants: slice(ps), Responses: slice(rs)}, analysis.Options{}); len(r.Themes.Agreement) != 0 {
		t.Errorf("agreement without codes: %+v", r.Themes.Agreement)
	}

	// The figures: people's codes where they agree (answers 1, 2, 5, 7, 9,
	// and 10, coded by A alone), the codebook's where they disagree (3, 4,
	// 6, 8). Empowerment: 1, 5, 7, 9 by people and 3 by the codebook — 5,
	// where the codebook alone finds 4 (it misses "Families took charge").
	post := func(r *analysis.Report) (open, byPeople, empowerment int) {
		for _, w := range r.Themes.Waves {
			if w.Wave == "post" {
				return w.OpenAnswers, w.CodedByPeople, w.Themes[0].Respondents
			}
		}
		return
	}
	if open, people, emp := post(r); open != 10 || people != 6 || emp != 5 {
		t.Errorf("with people's codes: %d open answers, %d by people, empowerment %d; want 10, 6, 5", open, people, emp)
	}
	// An evaluator reconciles answer 4 as empowerment: it counts so, and
	// the reconciliation is no coder in the agreement.
	codes = append(codes, coding.Record{Exchange: "x", Participant: exchange.PID(4), Wave: "post", Question: "learned", Coder: coding.Reconciled,
		By: "lead@example.org", Themes: []string{"empowerment"}, At: time.Now()})
	r, err = analysis.Analyze(context.Background(), analysis.Input{Instrument: instrument(t), Exchange: &exchange.Exchange{ID: "x"},
		Participants: slice(ps), Responses: slice(rs), Codes: func() ([]coding.Record, error) { return codes, nil }}, analysis.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if open, people, emp := post(r); open != 10 || people != 7 || emp != 6 {
		t.Errorf("after the reconciliation: %d open answers, %d by people, empowerment %d; want 10, 7, 6", open, people, emp)
	}
	for _, ag := range r.Themes.Agreement {
		if slices.Contains(ag.Coders, coding.Reconciled) {
			t.Errorf("the reconciliation as a coder: %v", ag.Coders)
		}
	}
}
