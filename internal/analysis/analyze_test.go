package analysis_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"iter"
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/csci/exchangeeval/internal/analysis"
	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/survey"
)

func instrument(t testing.TB) *survey.Instrument {
	t.Helper()
	data, err := os.ReadFile("testdata/two-goals.yaml")
	if err != nil {
		t.Fatal(err)
	}
	in, probs := survey.Parse("two-goals.yaml", data)
	if probs != nil {
		t.Fatal(probs)
	}
	return in
}

func slice[T any](xs []T) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		for _, x := range xs {
			if !yield(x, nil) {
				return
			}
		}
	}
}

// The dataset of /tmp/an.R, reproduced in the test comments: 8
// participants, goal g1 = a1, a2, a3 (reverse), goal g2 = b1, b2; 0 means no
// answer. P6 answers 2 of 3 g1 items pre (enough), P7 only 1 (not enough),
// P8 only the pre wave.
var (
	preA  = [][3]int{{2, 3, 4}, {1, 2, 5}, {3, 3, 3}, {2, 2, 4}, {3, 4, 2}, {2, 0, 4}, {1, 0, 0}, {4, 4, 2}}
	postA = [][3]int{{4, 4, 2}, {3, 3, 3}, {4, 5, 1}, {2, 3, 4}, {5, 4, 2}, {4, 4, 0}, {3, 3, 3}}
	preB  = [][2]int{{3, 3}, {2, 2}, {4, 4}, {3, 2}, {5, 4}, {3, 3}, {2, 3}, {4, 4}}
	postB = [][2]int{{3, 4}, {2, 2}, {4, 5}, {3, 3}, {4, 4}, {0, 0}, {3, 3}}
	hopes = []struct{ lang, text string }{
		{"en", "I hope to learn about empowerment and evaluation."},
		{"fr", "Découvrir le pouvoir d'agir des habitants."},
		{"fr", "Comprendre l'évaluation des programmes."},
		{"en", "Networking, and the pouvoir d agir I read about."}, // English: French patterns do not apply
		{"en", "Empowering communities."},
		{"fr", "L'autonomisation et l'Évaluation."},
		{"en", ""},
		{"en", ""},
	}
	consent = []string{"yes", "no", "yes", "yes", "yes", "no", "yes"}
)

func dataset() ([]*exchange.Participant, []*exchange.Response) {
	var ps []*exchange.Participant
	var rs []*exchange.Response
	sides := []string{"visiting", "visiting", "visiting", "visiting", "host", "host", "host", "host"}
	for i := range preA {
		pid := exchange.PID(i + 1)
		ps = append(ps, &exchange.Participant{PID: pid, Name: "Secret Name", Email: "secret@example.org", Token: "secret-token",
			City: map[bool]string{true: "Paris", false: "Chicago"}[sides[i] == "visiting"], Role: "practitioner", Language: hopes[i].lang, Side: sides[i]})
		pre := survey.Answers{}
		for j, v := range preA[i] {
			if v != 0 {
				pre[[]string{"a1", "a2", "a3"}[j]] = v
			}
		}
		pre["b1"], pre["b2"] = preB[i][0], preB[i][1]
		if hopes[i].text != "" {
			pre["hopes"] = hopes[i].text
		}
		rs = append(rs, &exchange.Response{Participant: pid, Wave: "pre", Language: hopes[i].lang, Answers: pre})
		if i < len(postA) {
			post := survey.Answers{"consent": consent[i], "learned": "We saw how evaluation works."}
			for j, v := range postA[i] {
				if v != 0 {
					post[[]string{"a1", "a2", "a3"}[j]] = v
				}
			}
			for j, v := range postB[i] {
				if v != 0 {
					post[[]string{"b1", "b2"}[j]] = v
				}
			}
			src := exchange.SourceWeb
			if i == 0 {
				src = exchange.SourceImport
			}
			rs = append(rs, &exchange.Response{Participant: pid, Wave: "post", Language: hopes[i].lang, Answers: post, Source: src})
		}
	}
	return ps, rs
}

func analyze(t testing.TB, minCell int) *analysis.Report {
	t.Helper()
	ps, rs := dataset()
	x := &exchange.Exchange{ID: "chicago-paris-2014", Name: "Chicago–Paris 2014", HostCity: "Chicago", VisitingCity: "Paris",
		Start: time.Date(2014, 3, 9, 0, 0, 0, 0, time.UTC), End: time.Date(2014, 3, 15, 0, 0, 0, 0, time.UTC)}
	r, err := analysis.Analyze(context.Background(), analysis.Input{Instrument: instrument(t), Exchange: x, Participants: slice(ps), Responses: slice(rs)},
		analysis.Options{MinCell: minCell, GeneratedAt: time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC), SoftwareVersion: "test"})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func near(t *testing.T, name string, got *float64, want float64) {
	t.Helper()
	if got == nil {
		t.Errorf("%s: nil, want %.15g", name, want)
		return
	}
	if rel := math.Abs(*got-want) / math.Max(math.Abs(want), 1e-300); rel > 1e-6 {
		t.Errorf("%s = %.15g, want %.15g", name, *got, want)
	}
}

func TestGoalFiguresAgreeWithR(t *testing.T) {
	r := analyze(t, 3)
	g1 := r.Goals[0]
	// g1pre: mean, sd, median over 7 scores (P7 has too few items):
	// c(mean, sd, median)(g1pre, na.rm = TRUE) = 2.619047619047619, 0.970463261437001, 2.333333333333333
	pre := g1.Waves[0]
	if pre.Wave != "pre" || pre.N != 7 {
		t.Fatalf("g1 pre: %+v", pre)
	}
	near(t, "g1 pre mean", pre.Mean, 2.619047619047619)
	near(t, "g1 pre sd", pre.SD, 0.970463261437001)
	near(t, "g1 pre median", pre.Median, 2.333333333333333)

	c := g1.Comparisons[0]
	p := c.Paired
	if c.From != "pre" || c.To != "post" || p.N != 6 {
		t.Fatalf("g1 comparison: %+v", c)
	}
	// t.test(g1post[ok], g1pre[ok], paired = TRUE)
	near(t, "t", p.T, 4.89897948556635665)
	near(t, "df", p.DF, 5)
	near(t, "p", p.P, 0.00447843231046212)
	near(t, "ci low", &p.CI[0], 0.63370957340267753)
	near(t, "ci high", &p.CI[1], 2.03295709326398955)
	near(t, "mean diff", p.MeanDiff, 1.33333333333333348)
	// p.adjust(c(p_g1, p_g2), "holm")
	near(t, "p holm", p.PHolm, 0.00895686462092424)
	near(t, "g2 p holm", r.Goals[1].Comparisons[0].Paired.PHolm, 0.20311066372005465)
	// wilcox.test(round(g1post[ok] - g1pre[ok], 9)): three tied differences of 5/3
	near(t, "V", p.Wilcoxon.V, 21)
	near(t, "wilcoxon p", p.Wilcoxon.P, 0.034006402864387)
	if p.Wilcoxon.Method != analysis.WilcoxonNormal {
		t.Errorf("method %q", p.Wilcoxon.Method)
	}
	// t.test(g1post[!is.na(g1post)], g1pre[!is.na(g1pre)])
	near(t, "welch t", c.Welch.T, 2.0526509192208851)
	near(t, "welch df", c.Welch.DF, 11.7890793144679122)
	near(t, "welch p", c.Welch.P, 0.0629911757166573)
	// psych::alpha of the complete pre cases, a3 reverse-coded
	near(t, "alpha pre", g1.Alpha[0].Alpha, 0.96085409252669)
	if g1.Alpha[0].N != 6 {
		t.Errorf("alpha pre over %d complete cases, want 6", g1.Alpha[0].N)
	}

	if g1.Verdict != analysis.Attained || g1.VerdictReason != "mean change +1.33 ≥ 0.50 and Holm p = 0.009 < 0.05 over 6 pairs" {
		t.Errorf("g1 verdict: %s — %s", g1.Verdict, g1.VerdictReason)
	}
	if fr := g1.ReasonIn("fr"); fr != "évolution moyenne +1,33 ≥ 0,50 et p de Holm = 0,009 < 0,05 sur 6 paires" {
		t.Errorf("g1 reason in French: %s", fr)
	}
	// g2: mean change +0.25 (differences .5, 0, .5, .5, −.5, .5) < 0.5,
	// Holm p 0.203: not attained.
	if g2 := r.Goals[1]; g2.Verdict != analysis.NotAttained || !strings.HasPrefix(g2.VerdictReason, "mean change +0.25 < 0.50 and Holm p = 0.203 ≥ 0.05") {
		t.Errorf("g2 verdict: %s — %s", g2.Verdict, g2.VerdictReason)
	}
}

func TestItemsAreOnTheScoredScale(t *testing.T) {
	r := analyze(t, 3)
	a3 := r.Items[2]
	if a3.ID != "a3" || !a3.Reverse {
		t.Fatalf("%+v", a3)
	}
	// pre answers to a3: 4, 5, 3, 4, 2, 4, 2 → scored 2, 1, 3, 2, 4, 2, 4
	pre := a3.Waves[0]
	want := []int{1, 3, 1, 2, 0}
	for i, n := range want {
		if pre.Distribution[i] != n {
			t.Fatalf("a3 pre distribution %v, want %v", pre.Distribution, want)
		}
	}
	near(t, "a3 top two box", pre.TopTwoBox, 2.0/7)
	if p := a3.Comparisons[0].Paired; p.N != 5 || p.MeanDiff == nil {
		t.Errorf("a3 pairs: %+v", p)
	}
}

func TestParticipation(t *testing.T) {
	r := analyze(t, 3)
	p := r.Participation
	if p.Invited != 8 || p.Waves[0].Responded != 8 || p.Waves[1].Responded != 7 || p.Waves[1].Imported != 1 || p.Pairs[0].N != 7 {
		t.Fatalf("%+v", p)
	}
	near(t, "post rate", p.Waves[1].Rate, 7.0/8)
}

func TestThemes(t *testing.T) {
	r := analyze(t, 3)
	pre := r.Themes.Waves[0]
	if pre.Wave != "pre" || pre.Respondents != 6 {
		t.Fatalf("pre: %+v", pre)
	}
	emp, eval := pre.Themes[0], pre.Themes[1]
	// empowerment: P1 (empowerment), P2 (pouvoir d'agir), P5 (Empowering),
	// P6 (autonomisation); P4 writes French words in an English answer.
	if emp.Respondents != 4 || emp.Mentions != 4 {
		t.Errorf("empowerment: %+v", emp)
	}
	near(t, "empowerment share", emp.Share, 4.0/6)
	// evaluation: P1, P3 (l'évaluation), P6 (l'Évaluation)
	if eval.Respondents != 3 {
		t.Errorf("evaluation: %+v", eval)
	}
	if m := r.Themes.Cooccurrence[0].Matrix; m[0][1] != 2 || m[1][0] != 2 || m[0][0] != 4 {
		t.Errorf("co-occurrence %v", m)
	}
	// Quotes only from those who said yes (P1, P5), in post, for a pre answer.
	var q []string
	for _, tq := range r.Themes.Quotes {
		if tq.Theme == "empowerment" && tq.Wave == "pre" {
			for _, x := range tq.Quotes {
				q = append(q, x.Text)
			}
		}
	}
	if len(q) != 2 || q[0] != hopes[0].text || q[1] != hopes[4].text {
		t.Errorf("quotes %q", q)
	}
	var learned *analysis.ThemeQuestion
	for i := range r.Themes.ByQuestion {
		if r.Themes.ByQuestion[i].Question == "learned" {
			learned = &r.Themes.ByQuestion[i]
		}
	}
	if learned == nil || learned.Goal != "g1" || learned.Respondents != 7 || learned.Themes[1].Respondents != 7 {
		t.Errorf("by question: %+v", learned)
	}
}

func TestSuppression(t *testing.T) {
	r := analyze(t, 7)
	// 6 pairs < 7: the paired figures are withheld and the verdict says why.
	g1 := r.Goals[0]
	if p := g1.Comparisons[0].Paired; !p.Suppressed || p.T != nil || p.MeanDiff != nil {
		t.Errorf("paired not suppressed: %+v", p)
	}
	if g1.Verdict != analysis.InsufficientData || !strings.Contains(g1.VerdictReason, "suppressed") {
		t.Errorf("verdict %s — %s", g1.Verdict, g1.VerdictReason)
	}
	if w := g1.Waves[0]; w.Suppressed || w.N != 7 {
		t.Errorf("7 pre scores are not below 7: %+v", w)
	}
	// a3 was answered post by 6 (P6 skipped it): its distribution is withheld.
	if d := r.Items[2].Waves[1]; !d.Suppressed || d.Distribution != nil || d.Mean != nil {
		t.Errorf("a3 post shown: %+v", d)
	}
	// Empowerment came up in 4 pre answers: no quotes, whoever consented.
	for _, tq := range r.Themes.Quotes {
		if tq.Theme == "empowerment" && tq.Wave == "pre" && (!tq.Suppressed || len(tq.Quotes) > 0) {
			t.Errorf("quotes shown for a group of 4: %+v", tq)
		}
	}
	// Each delegation side has 4 participants.
	for _, b := range r.Breakdowns {
		if b.By != "side" {
			continue
		}
		for _, g := range b.Groups {
			for _, s := range g.Goals {
				if !s.Suppressed || s.Mean != nil || s.N != 0 {
					t.Errorf("side=%s shows a group of 4: %+v", g.Value, s)
				}
			}
			for _, th := range g.Themes {
				if !th.Suppressed || th.Share != nil {
					t.Errorf("side=%s theme share shown: %+v", g.Value, th)
				}
			}
		}
	}
}

func TestBreakdowns(t *testing.T) {
	r := analyze(t, 3)
	var side analysis.BreakdownReport
	for _, b := range r.Breakdowns {
		if b.By == "side" {
			side = b
		}
	}
	if len(side.Groups) != 2 || side.Groups[0].Value != "host" {
		t.Fatalf("%+v", side)
	}
	// host P5–P8: g1 pre scores 3.667, 2, (P7 missing), 4 → mean 3.222
	host := side.Groups[0].Goals[0]
	if host.Goal != "g1" || host.Wave != "pre" || host.N != 3 {
		t.Fatalf("%+v", host)
	}
	near(t, "host g1 pre", host.Mean, (11.0/3+2+4)/3)
}

// TestSecondarySuppression: with two sides, showing the total and one side
// would reveal the other side's hidden figure, so both are hidden.
func TestSecondarySuppression(t *testing.T) {
	r := analyze(t, 3)
	for _, b := range r.Breakdowns {
		if b.By != "side" {
			continue
		}
		for _, g := range b.Groups {
			for _, s := range g.Goals {
				// g2 post: host has 2 scores (< 3), visiting 4: both hidden.
				if s.Goal == "g2" && s.Wave == "post" && !s.Suppressed {
					t.Errorf("side=%s g2 post shown next to a hidden group: %+v", g.Value, s)
				}
				if s.Goal == "g1" && s.Wave == "pre" && s.Suppressed {
					t.Errorf("side=%s g1 pre hidden though both groups have 3 or more", g.Value)
				}
			}
		}
	}
}

func TestSuppressionSet(t *testing.T) {
	tests := []struct {
		ns   []int
		k    int
		want []bool
	}{
		{[]int{10, 12, 8}, 5, []bool{false, false, false}},
		{[]int{10, 2}, 5, []bool{true, true}},
		{[]int{10, 2, 7}, 5, []bool{false, true, true}},
		{[]int{10, 2, 3, 7}, 5, []bool{false, true, true, false}},
		{[]int{0, 9, 8}, 5, []bool{false, false, false}},
		{[]int{1}, 5, []bool{true}},
	}
	for _, tt := range tests {
		got := analysis.SuppressionSetForTest(tt.ns, tt.k)
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("suppressionSet(%v, %d) = %v, want %v", tt.ns, tt.k, got, tt.want)
				break
			}
		}
	}
}

func TestReportCarriesNoIdentities(t *testing.T) {
	b, err := json.Marshal(analyze(t, 3))
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"Secret Name", "secret@example.org", "secret-token"} {
		if strings.Contains(string(b), secret) {
			t.Errorf("report contains %q", secret)
		}
	}
	for _, field := range []string{`"goals"`, `"comparisons"`, `"paired"`, `"p_holm"`, `"d_z"`, `"g_z"`, `"wilcoxon"`, `"method"`, `"alpha"`, `"verdict"`, `"ci"`} {
		if !strings.Contains(string(b), field) {
			t.Errorf("JSON lacks %s", field)
		}
	}
	if strings.Contains(string(b), "NaN") {
		t.Error("NaN in the report")
	}
}

// TestOrderDoesNotMatter: responses may come in any order (a database
// need not sort them); the report is the same, quotes included.
func TestOrderDoesNotMatter(t *testing.T) {
	want, err := json.Marshal(analyze(t, 3))
	if err != nil {
		t.Fatal(err)
	}
	ps, rs := dataset()
	// Waves apart, post first: consent (asked post) arrives before and after
	// the answers it governs.
	var shuffled []*exchange.Response
	for _, wave := range []string{"post", "pre"} {
		for i := len(rs) - 1; i >= 0; i-- {
			if rs[i].Wave == wave {
				shuffled = append(shuffled, rs[i])
			}
		}
	}
	x := &exchange.Exchange{ID: "chicago-paris-2014", Name: "Chicago–Paris 2014", HostCity: "Chicago", VisitingCity: "Paris",
		Start: time.Date(2014, 3, 9, 0, 0, 0, 0, time.UTC), End: time.Date(2014, 3, 15, 0, 0, 0, 0, time.UTC)}
	r, err := analysis.Analyze(context.Background(), analysis.Input{Instrument: instrument(t), Exchange: x, Participants: slice(ps), Responses: slice(shuffled)},
		analysis.Options{MinCell: 3, GeneratedAt: time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC), SoftwareVersion: "test"})
	if err != nil {
		t.Fatal(err)
	}
	// Quotes follow the order responses are read in: compare them as sets,
	// everything else exactly.
	var base analysis.Report
	if err := json.Unmarshal(want, &base); err != nil {
		t.Fatal(err)
	}
	quoteSet := func(r *analysis.Report) map[string]bool {
		m := map[string]bool{}
		for _, q := range r.Themes.Quotes {
			for _, x := range q.Quotes {
				m[q.Theme+"/"+q.Wave+"/"+x.Text] = true
			}
		}
		return m
	}
	if a, b := quoteSet(&base), quoteSet(r); len(a) != len(b) {
		t.Errorf("quotes differ: %v vs %v", a, b)
	}
	base.Themes.Quotes, r.Themes.Quotes = nil, nil
	a, _ := json.Marshal(base)
	b, _ := json.Marshal(r)
	if string(a) != string(b) {
		t.Errorf("shuffled responses give a different report:\n%s\n%s", b, a)
	}
	failing := func(yield func(*exchange.Response, error) bool) { yield(nil, errors.New("cursor died")) }
	if _, err := analysis.Analyze(context.Background(), analysis.Input{Instrument: instrument(t), Responses: failing}, analysis.Options{}); err == nil || !strings.Contains(err.Error(), "cursor died") {
		t.Fatalf("err = %v", err)
	}
}

func TestNoResponses(t *testing.T) {
	ps, _ := dataset()
	r, err := analysis.Analyze(context.Background(), analysis.Input{Instrument: instrument(t), Participants: slice(ps), Responses: slice([]*exchange.Response{})}, analysis.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Goals[0].Verdict != analysis.InsufficientData || r.Participation.Invited != 8 {
		t.Errorf("%+v", r.Goals[0])
	}
	if _, err := json.Marshal(r); err != nil {
		t.Fatal(err)
	}
}

var update = flag.Bool("update", false, "rewrite golden files")

// TestTextReportGolden pins the report people read; regenerate with
// go test ./internal/analysis -run Golden -update after a deliberate change.
func TestTextReportGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := analysis.WriteText(&buf, analyze(t, 3), instrument(t), "fr"); err != nil {
		t.Fatal(err)
	}
	const golden = "testdata/two-goals.golden.txt"
	if *update {
		if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if buf.String() != string(want) {
		t.Errorf("text report differs from %s:\n%s", golden, buf.String())
	}
}
