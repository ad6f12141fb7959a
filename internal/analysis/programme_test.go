package analysis

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/csci/exchangeeval"
	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/survey"
)

// metaRef is metafor's figures for one set of estimates, from R 4.2.2 and
// metafor (r-cran-metafor), options(digits = 15):
//
//	r <- rma(yi, sei = sei, method = "DL"); p <- predict(r)
//	f <- rma(yi, sei = sei, method = "FE")
//	c(r$b, r$se, r$ci.lb, r$ci.ub, r$zval, r$pval, r$tau2, r$I2, r$QE, r$QEp, p$pi.lb, p$pi.ub)
//	c(f$b, f$se, f$ci.lb, f$ci.ub, f$zval, f$pval); weights(r) / 100
type metaRef struct {
	yi, sei []float64
	dl      [12]float64
	fe      [6]float64
	weights []float64
}

var metaRefs = []metaRef{
	{ // four exchanges, little heterogeneity
		yi: []float64{0.72, 0.5, 0.9, 0.3}, sei: []float64{0.19, 0.25, 0.3, 0.22},
		dl: [12]float64{0.585209617108681, 0.123515453944469, 0.343123775843406, 0.827295458373955, 4.73794653559533, 2.15894750042534e-06,
			0.00734405673868092, 11.7945166015633, 3.40114909460739, 0.333810859994383, 0.290561613416819, 0.879857620800543},
		fe:      [6]float64{0.584883169449797, 0.115107575915497, 0.359276466307713, 0.810489872591882, 5.08118744398867, 3.75082770853261e-07},
		weights: []float64{0.351165809741814, 0.218430430239587, 0.156723151615336, 0.273680608403263},
	},
	{ // three exchanges that agree: τ² = 0, random = fixed
		yi: []float64{0.72, 0.64, 0.61}, sei: []float64{0.19, 0.12, 0.13},
		dl: [12]float64{0.642820671526043, 0.0799828859790061, 0.486057095627618, 0.799584247424469, 8.03697770664053, 9.20814143668575e-16,
			0, 0, 0.229296070021627, 0.891679928799442, 0.486057095627618, 0.799584247424469},
		fe: [6]float64{0.642820671526043, 0.0799828859790061, 0.486057095627618, 0.799584247424469, 8.03697770664053, 9.20814143668575e-16},
	},
	{ // five that disagree: I² 85 %
		yi: []float64{1.2, 0.1, 0.8, -0.2, 0.5}, sei: []float64{0.2, 0.15, 0.25, 0.3, 0.1},
		dl: [12]float64{0.493803806316623, 0.205600378523473, 0.0908344692028129, 0.896773143430432, 2.40176506416425, 0.0163161835338975,
			0.170025505293551, 84.7279476830768, 26.191633691351, 2.89500458575513e-05, -0.409263336096848, 1.39687094873009},
	},
}

func nearAbs(t *testing.T, name string, got, want float64) {
	t.Helper()
	if want == 0 {
		if math.Abs(got) > 1e-12 {
			t.Errorf("%s = %.15g, want 0", name, got)
		}
		return
	}
	near(t, name, &got, want)
}

func TestPoolAgreesWithMetafor(t *testing.T) {
	for i, ref := range metaRefs {
		m := Pool(ref.yi, ref.sei)
		r, h := m.Random, m.Heterogeneity
		for j, got := range []float64{r.Estimate, r.SE, r.CI[0], r.CI[1], r.Z, r.P, h.Tau2, h.I2, h.Q, h.P, m.Prediction[0], m.Prediction[1]} {
			nearAbs(t, []string{"DL b", "DL se", "DL ci.lb", "DL ci.ub", "DL z", "DL p", "tau2", "I2", "QE", "QEp", "pi.lb", "pi.ub"}[j]+" #"+string(rune('1'+i)), got, ref.dl[j])
		}
		if ref.fe != [6]float64{} {
			f := m.Fixed
			for j, got := range []float64{f.Estimate, f.SE, f.CI[0], f.CI[1], f.Z, f.P} {
				nearAbs(t, []string{"FE b", "FE se", "FE ci.lb", "FE ci.ub", "FE z", "FE p"}[j]+" #"+string(rune('1'+i)), got, ref.fe[j])
			}
		}
		for j, w := range ref.weights {
			nearAbs(t, "weight", m.Weights[j], w)
		}
	}
}

// TestProgrammePoolsEachExchangesPairedChange builds three exchanges,
// analyses each once, and checks that the programme takes each one's
// paired change and standard error as its report gives them, pools them
// as Pool does, leaves out an exchange with too few pairs and says so,
// and compares the latest exchange with the earlier ones.
func TestProgrammePoolsEachExchangesPairedChange(t *testing.T) {
	ctx := context.Background()
	var reports []*Report
	ins, probs := survey.LoadFS(exchangeeval.Surveys, "surveys", "surveys/")
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	instrument := survey.NewSet(ins...).Get("csci-social-services")
	for i, n := range []int{40, 3, 25, 60} {
		id := []string{"x-2014", "x-2015", "x-2016", "x-2017"}[i]
		x := &exchange.Exchange{ID: id, Name: id, Instrument: instrument.ID, Start: time.Date(2014+i, 3, 9, 0, 0, 0, 0, time.UTC)}
		ps, rs := Synthetic(instrument, id, n)
		r, err := Analyze(ctx, Input{Instrument: instrument, Exchange: x, Participants: ps, Responses: rs}, Options{MinCell: 5})
		if err != nil {
			t.Fatal(err)
		}
		reports = append(reports, r)
	}
	// Given out of order: the programme sorts by date.
	p := Programme([]*Report{reports[3], reports[1], reports[0], reports[2]}, []*survey.Instrument{instrument}, ProgrammeOptions{MinCell: 5, GeneratedAt: time.Now(), SoftwareVersion: "test"})
	if len(p.Exchanges) != 4 || p.Exchanges[0].ID != "x-2014" || p.Exchanges[3].ID != "x-2017" {
		t.Fatalf("exchanges %+v", p.Exchanges)
	}
	if len(p.Goals) != len(reports[0].Goals) {
		t.Fatalf("%d goals", len(p.Goals))
	}
	for gi, g := range p.Goals {
		var yi, sei []float64
		for ri, e := range g.Exchanges {
			c := comparisonOf(reports[ri].Goals[gi], g.From, g.To)
			if ri == 1 {
				if e.Pooled || e.Excluded != "suppressed" {
					t.Errorf("goal %s: the exchange of 3 delegates is pooled: %+v", g.ID, e)
				}
				continue
			}
			if !e.Pooled || *e.MeanDiff != *c.MeanDiff || *e.SE != *c.SE || e.N != c.N {
				t.Errorf("goal %s, %s: %+v is not its report's %+v", g.ID, e.Exchange, e, c)
				continue
			}
			yi, sei = append(yi, *c.MeanDiff), append(sei, *c.SE)
		}
		m := Pool(yi, sei)
		if g.Random == nil || g.Random.Estimate != m.Random.Estimate || g.Heterogeneity == nil || g.Heterogeneity.Q != m.Heterogeneity.Q || g.Random.K != 3 {
			t.Errorf("goal %s pooled %+v, want %+v", g.ID, g.Random, m.Random)
		}
		if g.Trend == nil || g.Trend.Latest != "x-2017" || g.Trend.Earlier.Estimate != Pool(yi[:2], sei[:2]).Random.Estimate {
			t.Errorf("goal %s trend %+v", g.ID, g.Trend)
		}
	}
	// Themes: the exchange of 3 is listed, suppressed, in every wave it
	// answered; the others show their shares.
	for _, th := range p.Themes {
		small := 0
		for _, sh := range th.Shares {
			if sh.Exchange == "x-2015" {
				small++
				if !sh.Suppressed || sh.Share != nil || sh.Respondents != 0 {
					t.Errorf("theme %s: the exchange of 3 shows %+v", th.ID, sh)
				}
			} else if sh.Suppressed || sh.Share == nil {
				t.Errorf("theme %s: %+v is suppressed", th.ID, sh)
			}
		}
		if small != len(instrument.Waves) {
			t.Errorf("theme %s: the exchange of 3 is listed in %d waves, want %d", th.ID, small, len(instrument.Waves))
		}
	}
	// One exchange: it is the pool, and heterogeneity says why it is absent.
	one := Programme(reports[:1], []*survey.Instrument{instrument}, ProgrammeOptions{MinCell: 5, GeneratedAt: time.Now(), SoftwareVersion: "test"})
	g := one.Goals[0]
	if g.Random == nil || g.Random.Estimate != *g.Exchanges[0].MeanDiff || g.Heterogeneity != nil || g.HeterogeneityNote == "" || g.Trend != nil {
		t.Errorf("one exchange: %+v", g)
	}
}

func comparisonOf(g GoalReport, from, to string) Paired {
	for _, c := range g.Comparisons {
		if c.From == from && c.To == to {
			return c.Paired
		}
	}
	return Paired{}
}

// TestProgrammeLeavesOutAnExchangeWithoutSpread: an exchange whose every
// delegate changed by the same amount has a standard error of 0 and
// cannot be weighted; it is shown, left out of the pool, and said why.
func TestProgrammeLeavesOutAnExchangeWithoutSpread(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	report := func(id, start string, n int, diff, se float64) *Report {
		return &Report{Exchange: ExchangeInfo{ID: id, Start: start, Instrument: "i"}, MinCell: 5,
			Goals: []GoalReport{{ID: "g", Criterion: CriterionReport{From: "pre", To: "post", MinChange: 0.5}, Verdict: "attained",
				Comparisons: []Comparison{{From: "pre", To: "post", Paired: Paired{N: n, MeanDiff: f(diff), SE: f(se), CI: &[2]float64{diff - 2*se, diff + 2*se}, DZ: f(1)}}}}}}
	}
	in := &survey.Instrument{ID: "i", Version: 1, Goals: []*survey.Goal{{ID: "g"}}}
	p := Programme([]*Report{report("a", "2014-01-01", 20, 0.7, 0.2), report("b", "2015-01-01", 12, 1.0, 0), report("c", "2016-01-01", 30, 0.5, 0.15)},
		[]*survey.Instrument{in}, ProgrammeOptions{MinCell: 5, GeneratedAt: time.Now(), SoftwareVersion: "test"})
	g := p.Goals[0]
	if g.Exchanges[1].Pooled || g.Exchanges[1].Excluded != "no spread" || g.Random == nil || g.Random.K != 2 {
		t.Fatalf("%+v", g)
	}
	m := Pool([]float64{0.7, 0.5}, []float64{0.2, 0.15})
	if g.Random.Estimate != m.Random.Estimate {
		t.Errorf("pooled %v, want %v", g.Random.Estimate, m.Random.Estimate)
	}
}

// TestProgrammeAcrossVersionsPoolsOnlyWhatIsComparable: two exchanges run
// with version 1 of an instrument and two with version 2
// (../survey/testdata/versions, which differ in every way an instrument
// can). Only the goal that is the same in both is pooled, over all four
// exchanges, each analysed with its own version; every other goal is
// listed as not comparable with the reason, and so are the themes.
func TestProgrammeAcrossVersionsPoolsOnlyWhatIsComparable(t *testing.T) {
	ctx := context.Background()
	ins, probs := survey.LoadPaths("../survey/testdata/versions")
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	set := survey.NewSet(ins...)
	var xs []*exchange.Exchange
	for i, v := range []int{1, 1, 2, 2} {
		id := fmt.Sprintf("x%d", i)
		xs = append(xs, &exchange.Exchange{ID: id, Name: id, Instrument: "evolving", InstrumentVersion: v, Start: time.Date(2014+i, 3, 9, 0, 0, 0, 0, time.UTC)})
	}
	reports := map[string]*Report{}
	p, err := ProgrammeOf(xs, set, func(x *exchange.Exchange, in *survey.Instrument) (*Report, error) {
		if in.Version != x.InstrumentVersion {
			t.Errorf("%s was run with version %d, analysed with %d", x.ID, x.InstrumentVersion, in.Version)
		}
		ps, rs := Synthetic(in, x.ID, 20)
		r, err := Analyze(ctx, Input{Instrument: in, Exchange: x, Participants: ps, Responses: rs}, Options{MinCell: 5})
		reports[x.ID] = r
		return r, err
	}, ProgrammeOptions{MinCell: 5, GeneratedAt: time.Now(), SoftwareVersion: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Goals) != 1 || p.Goals[0].ID != "same" || p.Goals[0].Random == nil || p.Goals[0].Random.K != 4 {
		t.Fatalf("pooled goals: %+v", p.Goals)
	}
	for i, e := range p.Goals[0].Exchanges {
		want := comparisonOf(reports[xs[i].ID].Goals[0], "pre", "post")
		if *e.MeanDiff != *want.MeanDiff {
			t.Errorf("%s: change %v, its own report says %v", e.Exchange, *e.MeanDiff, *want.MeanDiff)
		}
	}
	if fmt.Sprint(p.Versions) != "[1 2]" {
		t.Errorf("versions %v", p.Versions)
	}
	reasons := map[string]string{}
	for _, d := range p.NotComparable {
		reasons[d.Kind+"/"+d.ID] = d.Detail
	}
	for k, want := range map[string]string{
		"goal/rescaled": "Goal rescaled is not scored from the same questions in every version (see q3)",
		"question/q3":   "Question q3 is scored on 5 points in version 1 and 7 points in version 2",
		"goal/added":    "Goal added is in version 2, not in version 1",
		"theme/dropped": "Theme dropped is in version 1, not in version 2",
	} {
		if reasons[k] != want {
			t.Errorf("%s: %q, want %q", k, reasons[k], want)
		}
	}
	if len(p.Themes) != 1 || p.Themes[0].ID != "kept" {
		t.Errorf("themes: %+v", p.Themes)
	}

	// An exchange whose version is not loaded cannot be analysed: said.
	xs[0].InstrumentVersion = 7
	_, err = ProgrammeOf(xs, set, func(*exchange.Exchange, *survey.Instrument) (*Report, error) { return &Report{}, nil }, ProgrammeOptions{MinCell: 5, GeneratedAt: time.Now(), SoftwareVersion: "test"})
	if err == nil || !strings.HasPrefix(err.Error(), "exchange x0 uses instrument evolving version 7, which is neither in the store nor in a definition file") {
		t.Errorf("missing version: %v", err)
	}
}

// TestProgrammePoolsAChosenComparison: asked for post → follow-up, the
// programme pools that change for every goal (each exchange's as its
// report gives it), says it is not the goals' criterion, and names the
// comparisons that may be chosen; one that no exchange makes is refused
// with those named.
func TestProgrammePoolsAChosenComparison(t *testing.T) {
	ctx := context.Background()
	ins, probs := survey.LoadFS(exchangeeval.Surveys, "surveys", "surveys/")
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	set := survey.NewSet(ins...)
	in := set.Get("csci-social-services")
	var xs []*exchange.Exchange
	for i := range 3 {
		xs = append(xs, &exchange.Exchange{ID: fmt.Sprintf("x%d", i), Instrument: in.ID, Start: time.Date(2014+i, 3, 9, 0, 0, 0, 0, time.UTC)})
	}
	reports := map[string]*Report{}
	analyse := func(x *exchange.Exchange, in *survey.Instrument) (*Report, error) {
		ps, rs := Synthetic(in, x.ID, 15+5*len(reports))
		r, err := Analyze(ctx, Input{Instrument: in, Exchange: x, Participants: ps, Responses: rs}, Options{MinCell: 5})
		reports[x.ID] = r
		return r, err
	}
	p, err := ProgrammeOf(xs, set, analyse, ProgrammeOptions{MinCell: 5, From: "post", To: "follow-up"})
	if err != nil {
		t.Fatal(err)
	}
	if p.Comparison == nil || *p.Comparison != (WavePair{"post", "follow-up"}) || !slices.Contains(p.Comparisons, WavePair{"pre", "post"}) {
		t.Fatalf("comparison %v, offered %v", p.Comparison, p.Comparisons)
	}
	for gi, g := range p.Goals {
		if g.From != "post" || g.To != "follow-up" || g.Criterion {
			t.Errorf("goal %s pools %s→%s (criterion %v)", g.ID, g.From, g.To, g.Criterion)
		}
		var yi, sei []float64
		for _, e := range g.Exchanges {
			c := comparisonOf(reports[e.Exchange].Goals[gi], "post", "follow-up")
			if !e.Pooled || *e.MeanDiff != *c.MeanDiff || *e.SE != *c.SE {
				t.Errorf("goal %s, %s: %+v is not its report's post → follow-up %+v", g.ID, e.Exchange, e, c)
				continue
			}
			yi, sei = append(yi, *c.MeanDiff), append(sei, *c.SE)
		}
		if m := Pool(yi, sei); g.Random == nil || g.Random.Estimate != m.Random.Estimate {
			t.Errorf("goal %s pooled %+v, want %v", g.ID, g.Random, m.Random.Estimate)
		}
	}
	reports = map[string]*Report{}
	_, err = ProgrammeOf(xs, set, analyse, ProgrammeOptions{MinCell: 5, From: "follow-up", To: "pre"})
	if err == nil || !strings.HasPrefix(err.Error(), "follow-up→pre is not a comparison exchange x0 makes (it compares pre→post, post→follow-up") {
		t.Errorf("a comparison no exchange makes: %v", err)
	}
}
