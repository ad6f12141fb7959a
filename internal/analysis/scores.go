package analysis

import (
	"math"
	"slices"

	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/survey"
)

// itemValues returns item j's scored values in wave w by participant, NaN
// where unanswered.
func (a *analyzer) itemValues(w, j int) []float64 {
	out := make([]float64, len(a.order))
	for k, i := range a.order {
		if v := a.scores[w][j].get(int(i)); v == 0 {
			out[k] = math.NaN()
		} else {
			out[k] = float64(v)
		}
	}
	return out
}

// goalScoresIn is each participant's goal score in wave w: the mean of the
// goal's answered items after reverse-coding, when at least half of them are
// answered; NaN otherwise. nil when the goal has no items in that wave.
// Made afresh each time — a few milliseconds for 100 000 participants —
// rather than kept: the analysis keeps only what it must.
func (a *analyzer) goalScoresIn(goal string, w int) []float64 {
	if len(a.goalIdx[goal][w]) == 0 {
		return nil
	}
	out := make([]float64, len(a.order))
	for k, i := range a.order {
		out[k] = a.goalScore(goal, w, int(i))
	}
	return out
}

// goalScore is participant i's score on goal in wave w (see goalScoresIn),
// computed from their item scores.
func (a *analyzer) goalScore(goal string, w, i int) float64 {
	items := a.goalIdx[goal][w]
	sum, n := 0, 0
	for _, j := range items {
		if v := a.scores[w][j].get(i); v != 0 {
			sum += int(v)
			n++
		}
	}
	if score, ok := goalScoreOf(sum, n, len(items)); ok {
		return score
	}
	return math.NaN()
}

func present(xs []float64) []float64 {
	out := make([]float64, 0, len(xs))
	for _, x := range xs {
		if !math.IsNaN(x) {
			out = append(out, x)
		}
	}
	return out
}

func pairs(from, to []float64) (earlier, later []float64) {
	earlier, later = make([]float64, 0, len(from)), make([]float64, 0, len(from))
	for i := range from {
		if !math.IsNaN(from[i]) && !math.IsNaN(to[i]) {
			earlier = append(earlier, from[i])
			later = append(later, to[i])
		}
	}
	return
}

// comparisons are the consecutive waves (pre → post, post → follow-up) and
// any other pair a goal's criterion names.
func (a *analyzer) comparisons() []WavePair {
	var out []WavePair
	for i := 0; i+1 < len(a.waves); i++ {
		out = append(out, WavePair{a.waves[i], a.waves[i+1]})
	}
	for _, g := range a.in.Goals {
		c := g.Criterion.Effective()
		wp := WavePair{c.From, c.To}
		if _, ok := a.wix[c.From]; ok && !slices.Contains(out, wp) {
			if _, ok := a.wix[c.To]; ok {
				out = append(out, wp)
			}
		}
	}
	return out
}

func (a *analyzer) describe(xs []float64) Descriptive {
	d := describeSorting(present(xs))
	if d.N < a.opts.MinCell {
		return Descriptive{Suppressed: true}
	}
	return d
}

func (a *analyzer) compare(wp WavePair, from, to []float64) Comparison {
	e, l := pairs(from, to)
	c := Comparison{From: wp.From, To: wp.To}
	if len(e) < a.opts.MinCell {
		c.Paired = Paired{N: len(e), Suppressed: true}
	} else {
		c.Paired = PairedT(e, l)
		c.Paired.Wilcoxon = SignedRank(e, l)
	}
	pf, pt := present(from), present(to)
	if len(pf) < a.opts.MinCell || len(pt) < a.opts.MinCell {
		c.Welch = Welch{Suppressed: true}
	} else {
		c.Welch = WelchT(pf, pt)
	}
	return c
}

func (a *analyzer) report(x *exchange.Exchange) *Report {
	in := a.in
	r := &Report{GeneratedAt: a.opts.GeneratedAt.UTC(), SoftwareVersion: a.opts.SoftwareVersion, MinCell: a.opts.MinCell}
	r.Exchange = ExchangeInfo{Instrument: in.ID, InstrumentVersion: in.Version, InstrumentHash: in.Hash}
	if x != nil {
		r.Exchange.ID, r.Exchange.Name, r.Exchange.HostCity, r.Exchange.VisitingCity = x.ID, x.Name, x.HostCity, x.VisitingCity
		r.Exchange.Start, r.Exchange.End = x.Start.Format(exchange.DateLayout), x.End.Format(exchange.DateLayout)
	}
	comps := a.comparisons()
	r.Comparisons = comps
	r.Participation = a.participation(comps)

	for _, g := range in.Goals {
		r.Goals = append(r.Goals, a.goalReport(g, comps))
	}
	// Holm across the goals of each comparison.
	for _, wp := range comps {
		var ps []float64
		var refs []*Paired
		for gi := range r.Goals {
			for ci := range r.Goals[gi].Comparisons {
				c := &r.Goals[gi].Comparisons[ci]
				if c.From == wp.From && c.To == wp.To {
					p := math.NaN()
					if c.Paired.P != nil {
						p = *c.Paired.P
					}
					ps = append(ps, p)
					refs = append(refs, &c.Paired)
				}
			}
		}
		for i, adj := range Holm(ps) {
			if !math.IsNaN(adj) {
				v := adj
				refs[i].PHolm = &v
			}
		}
	}
	for gi, g := range in.Goals {
		v, facts := verdict(g.Criterion.Effective(), r.Goals[gi].Comparisons, a.opts.MinCell)
		r.Goals[gi].Verdict, r.Goals[gi].VerdictReason, r.Goals[gi].reason = v, facts.text("en"), facts
	}
	for j, q := range a.items {
		r.Items = append(r.Items, a.itemReport(j, q, comps))
	}
	a.groupBy()
	r.Themes = a.themeReport()
	r.vocabulary = a.keepVocabulary()
	r.Breakdowns = a.breakdowns()
	a.release()
	r.Scores = Scores{a: a}
	return r
}

func (a *analyzer) participation(comps []WavePair) Participation {
	p := Participation{Invited: a.invited}
	for w, id := range a.waves {
		n := 0
		for i := range a.responded[w].len() {
			if a.responded[w].get(i) {
				n++
			}
		}
		wp := WaveParticipation{Wave: id, Responded: n, Imported: a.imported[w]}
		if a.invited > 0 {
			rate := float64(n) / float64(a.invited)
			wp.Rate = &rate
		}
		p.Waves = append(p.Waves, wp)
	}
	for _, c := range comps {
		f, t := a.wix[c.From], a.wix[c.To]
		n := 0
		for i := range a.keys {
			if a.responded[f].get(i) && a.responded[t].get(i) {
				n++
			}
		}
		p.Pairs = append(p.Pairs, PairCount{From: c.From, To: c.To, N: n})
	}
	return p
}

func (a *analyzer) goalReport(g *survey.Goal, comps []WavePair) GoalReport {
	c := g.Criterion.Effective()
	gr := GoalReport{ID: g.ID, Title: g.Title,
		Criterion: CriterionReport{From: c.From, To: c.To, MinChange: c.MinChange, Alpha: c.Alpha, MinPairs: c.MinPairs}}
	for _, q := range a.items {
		if q.Goal == g.ID {
			gr.Items = append(gr.Items, q.ID)
		}
	}
	scores := make([][]float64, len(a.waves))
	for w, id := range a.waves {
		items := a.goalIdx[g.ID][w]
		if len(items) == 0 {
			continue
		}
		scores[w] = a.goalScoresIn(g.ID, w)
		gr.Waves = append(gr.Waves, WaveStats{Wave: id, Descriptive: a.describe(scores[w])})
		var acc alphaAccumulator
		row := make([]float64, 0, len(items))
		for _, i := range a.order {
			row = row[:0]
			for _, j := range items {
				if v := a.scores[w][j].get(int(i)); v != 0 {
					row = append(row, float64(v))
				}
			}
			if len(row) == len(items) {
				acc.add(row)
			}
		}
		al := acc.alpha()
		al.Wave = id
		if al.N < a.opts.MinCell {
			al = Alpha{Wave: id, Items: len(items), Suppressed: true}
		}
		gr.Alpha = append(gr.Alpha, al)
	}
	for _, wp := range comps {
		f, t := scores[a.wix[wp.From]], scores[a.wix[wp.To]]
		if f == nil || t == nil {
			continue
		}
		gr.Comparisons = append(gr.Comparisons, a.compare(wp, f, t))
	}
	return gr
}

func (a *analyzer) itemReport(j int, q *survey.Question, comps []WavePair) ItemReport {
	points := a.in.Scales[q.Scale].Points
	ir := ItemReport{ID: q.ID, Goal: q.Goal, Reverse: q.Reverse, Points: points}
	values := make([][]float64, len(a.waves))
	for w, id := range a.waves {
		if !q.AskedIn(id) {
			continue
		}
		values[w] = a.itemValues(w, j)
		iw := ItemWave{WaveStats: WaveStats{Wave: id, Descriptive: a.describe(values[w])}}
		if !iw.Suppressed {
			iw.Distribution = make([]int, points)
			top := 0
			for i := range a.scores[w][j].len() {
				if v := a.scores[w][j].get(i); v != 0 {
					iw.Distribution[v-1]++
					if int(v) >= points-1 {
						top++
					}
				}
			}
			share := float64(top) / float64(iw.N)
			iw.TopTwoBox = &share
			na := a.itemNA[w][j]
			blank := a.responses(w) - iw.N - na
			iw.NoAnswer, iw.NotApplicable = &blank, &na
		}
		ir.Waves = append(ir.Waves, iw)
	}
	for _, wp := range comps {
		f, t := values[a.wix[wp.From]], values[a.wix[wp.To]]
		if f == nil || t == nil {
			continue
		}
		ir.Comparisons = append(ir.Comparisons, a.compare(wp, f, t))
	}
	return ir
}

// goalScoreOf is the mean of the n answered items of a goal's `items`, when
// at least half of them are answered: the one rule for goal scores.
func goalScoreOf(sum, n, items int) (float64, bool) {
	if items == 0 || 2*n < items {
		return 0, false
	}
	return float64(sum) / float64(n), true
}

// release drops what the report no longer needs, keeping only what the
// wide table reads (Scores): the report may be cached a long while, and read
// by several requests at once, so nothing is cached lazily after this.
func (a *analyzer) release() {
	a.textAnswered, a.themeBits, a.quotes, a.cur = nil, nil, nil, nil
	a.qThemeResp, a.qThemeMent, a.cooc = nil, nil, nil
}

// responses counts the participants who answered wave w.
func (a *analyzer) responses(w int) int {
	n := 0
	for i := range a.responded[w].len() {
		if a.responded[w].get(i) {
			n++
		}
	}
	return n
}
