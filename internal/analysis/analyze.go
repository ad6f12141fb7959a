package analysis

import (
	"context"
	"fmt"
	"iter"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/survey"
)

// DefaultMinCell is the smallest group any figure is shown for.
const DefaultMinCell = 5

// DefaultQuotes is how many example quotes a theme gets per wave.
const DefaultQuotes = 3

// Options tune an analysis.
type Options struct {
	// MinCell: any group, cell, distribution or quote group with fewer
	// respondents is reported as suppressed. DefaultMinCell when 0.
	MinCell int
	// Quotes per theme and wave; DefaultQuotes when 0.
	Quotes          int
	GeneratedAt     time.Time
	SoftwareVersion string
}

// Input is what an analysis reads. Responses may come in any order: a
// database need not sort them, which on the embedded store would hold them
// all in memory. Consent to be quoted, which a participant may give in a
// later wave than the answer quoted, is read first from Consents (responses
// carrying at least the consent answer; a cheap projection for a database),
// or from a first pass over Responses when Consents is nil.
type Input struct {
	Instrument   *survey.Instrument
	Exchange     *exchange.Exchange
	Participants iter.Seq2[*exchange.Participant, error]
	Responses    iter.Seq2[*exchange.Response, error]
	Consents     iter.Seq2[*exchange.Response, error]
}

// Attributes the breakdowns are by, in report order.
var breakdownAttributes = []string{"city", "role", "language", "side"}

const notGiven = "(not given)"

type compiledTheme struct {
	id     string
	byLang map[string][]survey.Pattern
}

type candidate struct {
	question, lang, text string
}

// responseState is what is kept of the response being read: the themes its
// open answers mention and the first answer mentioning each.
type responseState struct {
	idx        int
	wave       int
	consent    bool
	answered   bool
	mentioned  []bool      // [theme]
	candidates []candidate // [theme]; question "" when none
}

type analyzer struct {
	in    *survey.Instrument
	opts  Options
	waves []string
	wix   map[string]int

	items  []*survey.Question
	texts  []*survey.Question
	themes []compiledTheme

	pix       map[string]int
	keys      []string        // [participant]
	consent   map[string]bool // participant → may be quoted
	goalCache map[string][][]float64
	attrs     [][]int // [attribute][participant] → value index
	attrVals  [][]string
	attrIndex []map[string]int
	invited   int

	responded [][]bool   // [wave][participant]
	imported  []int      // [wave]
	scores    [][][]int8 // [wave][item][participant]; 0 = no answer
	finished  []bool     // [participant]: one entry per participant

	textResp     []int       // [wave]
	themeResp    [][]int     // [wave][theme]
	themeMention [][]int     // [wave][theme]
	cooc         [][][]int   // [wave][theme][theme]
	qResp        [][]int     // [text question][wave]
	qThemeResp   [][][]int   // [text question][wave][theme]
	qThemeMent   [][][]int   // [text question][wave][theme]
	groupText    [][][]int   // [attribute][value][wave]
	groupTheme   [][][][]int // [attribute][value][wave][theme]
	quotes       [][][]Quote // [wave][theme]
	cur          *responseState
}

// Analyze reads the participants and responses of one exchange and returns
// its report.
func Analyze(ctx context.Context, input Input, opts Options) (*Report, error) {
	if opts.MinCell <= 0 {
		opts.MinCell = DefaultMinCell
	}
	if opts.Quotes <= 0 {
		opts.Quotes = DefaultQuotes
	}
	a := newAnalyzer(input.Instrument, opts)
	if input.Participants != nil {
		for p, err := range input.Participants {
			if err != nil {
				return nil, fmt.Errorf("read participants: %w", err)
			}
			a.addParticipant(p.PID, p)
			a.invited++
		}
	}
	if input.Instrument.QuoteConsent != "" {
		consents := input.Consents
		if consents == nil {
			consents = input.Responses
		}
		if err := a.readConsents(consents); err != nil {
			return nil, err
		}
	}
	n := 0
	for r, err := range input.Responses {
		if err != nil {
			return nil, fmt.Errorf("read responses: %w", err)
		}
		if n++; n%4096 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		a.addResponse(r)
	}
	return a.report(input.Exchange), nil
}

// readConsents notes who agreed to be quoted: their answer in the latest
// wave that asked.
func (a *analyzer) readConsents(rs iter.Seq2[*exchange.Response, error]) error {
	latest := map[string]int{}
	for r, err := range rs {
		if err != nil {
			return fmt.Errorf("read consents: %w", err)
		}
		w, ok := a.wix[r.Wave]
		c, answered := r.Answers[a.in.QuoteConsent].(string)
		if !ok || !answered {
			continue
		}
		if prev, seen := latest[r.Participant]; !seen || w >= prev {
			latest[r.Participant] = w
			a.consent[r.Participant] = c == "yes"
		}
	}
	return nil
}

func newAnalyzer(in *survey.Instrument, opts Options) *analyzer {
	a := &analyzer{in: in, opts: opts, waves: in.WaveIDs(), wix: map[string]int{}, pix: map[string]int{}, consent: map[string]bool{}, goalCache: map[string][][]float64{}}
	for i, w := range a.waves {
		a.wix[w] = i
	}
	for _, q := range in.Questions() {
		switch q.Type {
		case survey.TypeLikert:
			a.items = append(a.items, q)
		case survey.TypeText:
			a.texts = append(a.texts, q)
		}
	}
	base := in.BaseLanguage()
	for _, t := range in.Themes {
		ct := compiledTheme{id: t.ID, byLang: map[string][]survey.Pattern{}}
		for _, lang := range in.Languages {
			seen := map[string]bool{}
			for _, l := range []string{lang, base} {
				for _, src := range t.Patterns[l] {
					if p, err := survey.CompilePattern(src); err == nil && !seen[src] {
						seen[src] = true
						ct.byLang[lang] = append(ct.byLang[lang], p)
					}
				}
			}
		}
		a.themes = append(a.themes, ct)
	}
	nw, nt := len(a.waves), len(a.themes)
	a.responded = make([][]bool, nw)
	a.imported = make([]int, nw)
	a.scores = make([][][]int8, nw)
	for w := range a.scores {
		a.scores[w] = make([][]int8, len(a.items))
	}
	a.textResp = make([]int, nw)
	a.themeResp, a.themeMention = grid(nw, nt), grid(nw, nt)
	a.cooc = make([][][]int, nw)
	a.quotes = make([][][]Quote, nw)
	for w := range a.cooc {
		a.cooc[w] = grid(nt, nt)
		a.quotes[w] = make([][]Quote, nt)
	}
	a.qResp = grid(len(a.texts), nw)
	a.qThemeResp, a.qThemeMent = make([][][]int, len(a.texts)), make([][][]int, len(a.texts))
	for q := range a.texts {
		a.qThemeResp[q], a.qThemeMent[q] = grid(nw, nt), grid(nw, nt)
	}
	na := len(breakdownAttributes)
	a.attrs, a.attrVals, a.attrIndex = make([][]int, na), make([][]string, na), make([]map[string]int, na)
	a.groupText, a.groupTheme = make([][][]int, na), make([][][][]int, na)
	for i := range a.attrIndex {
		a.attrIndex[i] = map[string]int{}
	}
	return a
}

func grid(r, c int) [][]int {
	g := make([][]int, r)
	for i := range g {
		g[i] = make([]int, c)
	}
	return g
}

// addParticipant registers a participant (nil p: one known only from a
// response) and returns their index.
func (a *analyzer) addParticipant(pid string, p *exchange.Participant) int {
	if i, ok := a.pix[pid]; ok {
		return i
	}
	i := len(a.pix)
	a.pix[pid] = i
	a.keys = append(a.keys, pid)
	vals := []string{notGiven, notGiven, notGiven, notGiven}
	if p != nil {
		for k, v := range []string{p.City, p.Role, p.Language, p.Side} {
			if v != "" {
				vals[k] = v
			}
		}
	}
	for k, v := range vals {
		vi, ok := a.attrIndex[k][v]
		if !ok {
			vi = len(a.attrVals[k])
			a.attrIndex[k][v] = vi
			a.attrVals[k] = append(a.attrVals[k], v)
			a.groupText[k] = append(a.groupText[k], make([]int, len(a.waves)))
			a.groupTheme[k] = append(a.groupTheme[k], grid(len(a.waves), len(a.themes)))
		}
		a.attrs[k] = append(a.attrs[k], vi)
	}
	for w := range a.waves {
		a.responded[w] = append(a.responded[w], false)
		for j := range a.items {
			a.scores[w][j] = append(a.scores[w][j], 0)
		}
	}
	a.finished = append(a.finished, false)
	return i
}

func (a *analyzer) addResponse(r *exchange.Response) {
	w, ok := a.wix[r.Wave]
	if !ok {
		return // a wave the instrument no longer declares
	}
	i := a.addParticipant(r.Participant, nil)
	if a.responded[w][i] {
		return
	}
	a.responded[w][i] = true
	if r.Imported() {
		a.imported[w]++
	}
	for j, q := range a.items {
		if !q.AskedIn(r.Wave) {
			continue
		}
		if v, ok := likertValue(r.Answers[q.ID]); ok {
			points := a.in.Scales[q.Scale].Points
			if v >= 1 && v <= points {
				a.scores[w][j][i] = int8(Score(v, points, q.Reverse))
			}
		}
	}
	st := a.state(i, w, a.consent[r.Participant])
	lang := r.Language
	if !a.in.HasLanguage(lang) {
		lang = a.in.BaseLanguage()
	}
	for qi, q := range a.texts {
		text, _ := r.Answers[q.ID].(string)
		if text == "" || !q.AskedIn(r.Wave) {
			continue
		}
		st.answered = true
		a.qResp[qi][w]++
		tokens := survey.Tokens(text)
		for t, th := range a.themes {
			n := 0
			for _, p := range th.byLang[lang] {
				n += p.Count(tokens)
			}
			if n == 0 {
				continue
			}
			a.themeMention[w][t] += n
			a.qThemeResp[qi][w][t]++
			a.qThemeMent[qi][w][t] += n
			st.mentioned[t] = true
			if st.candidates[t].question == "" {
				st.candidates[t] = candidate{question: q.ID, lang: r.Language, text: text}
			}
		}
	}
	a.finishResponse(st)
}

// Score is the scored value of a Likert answer: reverse-coded items count
// min + max − x, so a higher score is always towards the goal.
func Score(x, points int, reverse bool) int {
	if reverse {
		return 1 + points - x
	}
	return x
}

func likertValue(v any) (int, bool) {
	switch t := v.(type) {
	case int:
		return t, true
	case int32:
		return int(t), true
	case int64:
		return int(t), true
	case float64:
		if t == math.Trunc(t) {
			return int(t), true
		}
	}
	return 0, false
}

// state returns the state for a response, reusing the previous one's: one
// is alive at a time, and 300 000 fresh ones add up.
func (a *analyzer) state(i, w int, consent bool) *responseState {
	st := a.cur
	if st == nil {
		st = &responseState{mentioned: make([]bool, len(a.themes)), candidates: make([]candidate, len(a.themes))}
		a.cur = st
	}
	st.idx, st.wave, st.consent, st.answered = i, w, consent, false
	clear(st.mentioned)
	clear(st.candidates)
	return st
}

// finishResponse adds a response's themes to the counts.
func (a *analyzer) finishResponse(st *responseState) {
	if !st.answered {
		return
	}
	w := st.wave
	a.textResp[w]++
	for k := range breakdownAttributes {
		a.groupText[k][a.attrs[k][st.idx]][w]++
	}
	for t := range a.themes {
		if !st.mentioned[t] {
			continue
		}
		a.themeResp[w][t]++
		for k := range breakdownAttributes {
			a.groupTheme[k][a.attrs[k][st.idx]][w][t]++
		}
		for u := range a.themes {
			if st.mentioned[u] {
				a.cooc[w][t][u]++
			}
		}
		if c := st.candidates[t]; st.consent && c.question != "" {
			a.addQuote(w, t, Quote{Question: c.question, Language: c.lang, Text: c.text})
		}
	}
}

// addQuote keeps a quote unless the theme has enough for the wave or the
// same words are already quoted.
func (a *analyzer) addQuote(w, t int, q Quote) {
	qs := a.quotes[w][t]
	if len(qs) >= a.opts.Quotes {
		return
	}
	for _, have := range qs {
		if have.Text == q.Text {
			return
		}
	}
	a.quotes[w][t] = append(qs, q)
}

// itemValues returns item j's scored values in wave w by participant, NaN
// where unanswered.
func (a *analyzer) itemValues(w, j int) []float64 {
	out := make([]float64, len(a.finished))
	for i, v := range a.scores[w][j] {
		if v == 0 {
			out[i] = math.NaN()
		} else {
			out[i] = float64(v)
		}
	}
	return out
}

// goalItems lists the indices of goal g's items asked in wave w.
func (a *analyzer) goalItems(goal, wave string) []int {
	var idx []int
	for j, q := range a.items {
		if q.Goal == goal && q.AskedIn(wave) {
			idx = append(idx, j)
		}
	}
	return idx
}

// goalScoresIn is each participant's goal score in wave w: the mean of the
// goal's answered items after reverse-coding, when at least half of them are
// answered; NaN otherwise. nil when the goal has no items in that wave. Each
// is computed once, after all responses are read, and shared by the goal
// report, the breakdowns and the wide table.
func (a *analyzer) goalScoresIn(goal string, w int) []float64 {
	if cached, ok := a.goalCache[goal]; ok && cached[w] != nil {
		return cached[w]
	}
	items := a.goalItems(goal, a.waves[w])
	if len(items) == 0 {
		return nil
	}
	out := make([]float64, len(a.finished))
	for i := range out {
		sum, n := 0, 0
		for _, j := range items {
			if v := a.scores[w][j][i]; v != 0 {
				sum += int(v)
				n++
			}
		}
		if score, ok := goalScoreOf(sum, n, len(items)); ok {
			out[i] = score
		} else {
			out[i] = math.NaN()
		}
	}
	if a.goalCache[goal] == nil {
		a.goalCache[goal] = make([][]float64, len(a.waves))
	}
	a.goalCache[goal][w] = out
	return out
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
	d := Describe(present(xs))
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
	r.Themes = a.themeReport()
	r.Breakdowns = a.breakdowns()
	r.Scores = Scores{a: a}
	return r
}

func (a *analyzer) participation(comps []WavePair) Participation {
	p := Participation{Invited: a.invited}
	for w, id := range a.waves {
		n := 0
		for _, ok := range a.responded[w] {
			if ok {
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
		for i := range a.finished {
			if a.responded[f][i] && a.responded[t][i] {
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
		items := a.goalItems(g.ID, id)
		if len(items) == 0 {
			continue
		}
		scores[w] = a.goalScoresIn(g.ID, w)
		gr.Waves = append(gr.Waves, WaveStats{Wave: id, Descriptive: a.describe(scores[w])})
		var rows [][]float64
		for i := range a.finished {
			row := make([]float64, 0, len(items))
			for _, j := range items {
				if v := a.scores[w][j][i]; v != 0 {
					row = append(row, float64(v))
				}
			}
			if len(row) == len(items) {
				rows = append(rows, row)
			}
		}
		al := CronbachAlpha(rows)
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
			for _, v := range a.scores[w][j] {
				if v != 0 {
					iw.Distribution[v-1]++
					if int(v) >= points-1 {
						top++
					}
				}
			}
			share := float64(top) / float64(iw.N)
			iw.TopTwoBox = &share
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

func (a *analyzer) themeCounts(respondents int, resp, mentions []int) []ThemeCount {
	out := make([]ThemeCount, len(a.themes))
	for t, th := range a.themes {
		tc := ThemeCount{Theme: th.id, Respondents: resp[t], Mentions: mentions[t]}
		if respondents > 0 {
			s := float64(resp[t]) / float64(respondents)
			tc.Share = &s
		}
		out[t] = tc
	}
	return out
}

func (a *analyzer) themeReport() ThemeReport {
	k := a.opts.MinCell
	var tr ThemeReport
	for _, t := range a.in.Themes {
		tr.Codebook = append(tr.Codebook, ThemeInfo{ID: t.ID, Label: t.Label})
	}
	for w, id := range a.waves {
		if !a.anyTextIn(id) {
			continue
		}
		tw := ThemeWave{Wave: id, Respondents: a.textResp[w]}
		co := ThemeCooccurrence{Wave: id}
		if a.textResp[w] < k {
			tw = ThemeWave{Wave: id, Suppressed: true}
			co.Suppressed = true
		} else {
			tw.Themes = a.themeCounts(a.textResp[w], a.themeResp[w], a.themeMention[w])
			co.Matrix = a.cooc[w]
		}
		tr.Waves = append(tr.Waves, tw)
		tr.Cooccurrence = append(tr.Cooccurrence, co)
		for t, th := range a.themes {
			tq := ThemeQuotes{Theme: th.id, Wave: id, Quotes: []Quote{}}
			if a.themeResp[w][t] < k {
				tq.Suppressed = true
			} else {
				tq.Quotes = append(tq.Quotes, a.quotes[w][t]...)
			}
			tr.Quotes = append(tr.Quotes, tq)
		}
	}
	for qi, q := range a.texts {
		for w, id := range a.waves {
			if !q.AskedIn(id) {
				continue
			}
			tq := ThemeQuestion{Question: q.ID, Goal: q.Goal, Wave: id, Respondents: a.qResp[qi][w]}
			if tq.Respondents < k {
				tq = ThemeQuestion{Question: q.ID, Goal: q.Goal, Wave: id, Suppressed: true}
			} else {
				tq.Themes = a.themeCounts(tq.Respondents, a.qThemeResp[qi][w], a.qThemeMent[qi][w])
			}
			tr.ByQuestion = append(tr.ByQuestion, tq)
		}
	}
	return tr
}

func (a *analyzer) anyTextIn(wave string) bool {
	for _, q := range a.texts {
		if q.AskedIn(wave) {
			return true
		}
	}
	return false
}

func (a *analyzer) breakdowns() []BreakdownReport {
	k := a.opts.MinCell
	var out []BreakdownReport
	for ai, attr := range breakdownAttributes {
		br := BreakdownReport{By: attr}
		order := make([]int, len(a.attrVals[ai]))
		for i := range order {
			order[i] = i
		}
		sort.Slice(order, func(x, y int) bool { return a.attrVals[ai][order[x]] < a.attrVals[ai][order[y]] })
		groups := make([]BreakdownGroup, len(order))
		for gi, vi := range order {
			groups[gi].Value = a.attrVals[ai][vi]
		}
		for _, g := range a.in.Goals {
			for w, id := range a.waves {
				all := a.goalScoresIn(g.ID, w)
				if all == nil {
					continue
				}
				cells := make([]Descriptive, len(order))
				ns := make([]int, len(order))
				for gi, vi := range order {
					var xs []float64
					for i, x := range all {
						if a.attrs[ai][i] == vi && !math.IsNaN(x) {
							xs = append(xs, x)
						}
					}
					cells[gi], ns[gi] = Describe(xs), len(xs)
				}
				hide := suppressionSet(ns, k)
				for gi := range groups {
					d := cells[gi]
					if hide[gi] {
						d = Descriptive{Suppressed: true}
					}
					groups[gi].Goals = append(groups[gi].Goals, BreakdownGoal{Goal: g.ID, Wave: id, Descriptive: d})
				}
			}
		}
		for w, id := range a.waves {
			if !a.anyTextIn(id) {
				continue
			}
			ns := make([]int, len(order))
			for gi, vi := range order {
				ns[gi] = a.groupText[ai][vi][w]
			}
			hide := suppressionSet(ns, k)
			for t, th := range a.themes {
				for gi, vi := range order {
					bt := BreakdownTheme{Theme: th.id, Wave: id}
					if hide[gi] {
						bt.Suppressed = true
					} else if resp := ns[gi]; resp > 0 {
						m := a.groupTheme[ai][vi][w][t]
						s := float64(m) / float64(resp)
						bt.Respondents, bt.Mentioning, bt.Share = resp, &m, &s
					}
					groups[gi].Themes = append(groups[gi].Themes, bt)
				}
			}
		}
		br.Groups = groups
		out = append(out, br)
	}
	return out
}

// suppressionSet decides which groups of a breakdown to hide, given their
// sizes. Groups smaller than k are hidden (primary suppression). Because the
// whole exchange's figure is shown too, one hidden group could be worked out
// from the total and the shown groups; so further groups, smallest first,
// are hidden until the hidden groups together hold at least k people
// (secondary suppression). Empty groups reveal nothing and stay as they are.
func suppressionSet(ns []int, k int) []bool {
	hide := make([]bool, len(ns))
	hidden := 0
	for i, n := range ns {
		if n > 0 && n < k {
			hide[i] = true
			hidden += n
		}
	}
	for hidden > 0 && hidden < k {
		next := -1
		for i, n := range ns {
			if !hide[i] && n > 0 && (next < 0 || n < ns[next]) {
				next = i
			}
		}
		if next < 0 {
			break
		}
		hide[next] = true
		hidden += ns[next]
	}
	return hide
}

// reasonFacts are what a verdict rests on, kept so the reason can be
// written in any language.
type reasonFacts struct {
	kind                   string // "missing", "few", "suppressed", "untestable", "tested"
	from, to               string
	n, minPairs, minCell   int
	change, minChange      float64
	pHolm, alpha           float64
	bigEnough, significant bool
	partly                 bool
	notComputable          string
}

// verdict applies a goal's criterion to its comparison; the facts say why.
func verdict(c survey.Criterion, comps []Comparison, minCell int) (string, reasonFacts) {
	f := reasonFacts{from: c.From, to: c.To, minPairs: c.MinPairs, minCell: minCell, minChange: c.MinChange, alpha: c.Alpha}
	var cmp *Comparison
	for i := range comps {
		if comps[i].From == c.From && comps[i].To == c.To {
			cmp = &comps[i]
		}
	}
	if cmp == nil {
		f.kind = "missing"
		return InsufficientData, f
	}
	p := cmp.Paired
	f.n = p.N
	switch {
	case p.N < c.MinPairs:
		f.kind = "few"
		return InsufficientData, f
	case p.Suppressed:
		f.kind = "suppressed"
		return InsufficientData, f
	case p.PHolm == nil:
		f.kind, f.notComputable = "untestable", p.NotComputable
		return InsufficientData, f
	}
	f.kind, f.change, f.pHolm = "tested", *p.MeanDiff, *p.PHolm
	f.bigEnough, f.significant = f.change >= c.MinChange, f.pHolm < c.Alpha
	switch {
	case f.change > 0 && f.bigEnough && f.significant:
		return Attained, f
	case f.change > 0 && (f.bigEnough || f.significant):
		f.partly = true
		return PartlyAttained, f
	default:
		return NotAttained, f
	}
}

// text writes the reason in lang (English, or French).
func (f reasonFacts) text(lang string) string {
	fr := lang == "fr"
	num := func(format string, x float64) string {
		s := fmt.Sprintf(format, x)
		if fr {
			s = strings.ReplaceAll(s, ".", ",")
		}
		return s
	}
	switch f.kind {
	case "missing":
		if fr {
			return fmt.Sprintf("les items de l'objectif ne sont pas posés à la fois en %s et en %s", f.from, f.to)
		}
		return fmt.Sprintf("the goal's items are not asked in both %s and %s", f.from, f.to)
	case "few":
		if fr {
			return fmt.Sprintf("%d paires ; le critère en demande au moins %d", f.n, f.minPairs)
		}
		return fmt.Sprintf("%d pairs; the criterion needs at least %d", f.n, f.minPairs)
	case "suppressed":
		if fr {
			return fmt.Sprintf("%d paires, moins que la taille minimale de groupe %d : chiffres masqués", f.n, f.minCell)
		}
		return fmt.Sprintf("%d pairs, fewer than the minimum cell size %d: figures suppressed", f.n, f.minCell)
	case "untestable":
		if fr {
			return fmt.Sprintf("aucun test possible sur %d paires : %s", f.n, f.notComputable)
		}
		return fmt.Sprintf("no test possible over %d pairs: %s", f.n, f.notComputable)
	}
	ge := map[bool]string{true: "≥", false: "<"}[f.bigEnough]
	lt := map[bool]string{true: "<", false: "≥"}[f.significant]
	join := "and"
	if f.partly {
		join = "but"
	}
	if fr {
		join = map[string]string{"and": "et", "but": "mais"}[join]
		return fmt.Sprintf("évolution moyenne %s %s %s %s p de Holm %s %s %s sur %d paires",
			strings.ReplaceAll(signed(f.change), ".", ","), ge, num("%.2f", f.minChange), join,
			strings.ReplaceAll(pValue(f.pHolm), ".", ","), lt, num("%.2g", f.alpha), f.n)
	}
	return fmt.Sprintf("mean change %s %s %.2f %s Holm p %s %s %.2g over %d pairs", signed(f.change), ge, f.minChange, join, pValue(f.pHolm), lt, f.alpha, f.n)
}

func signed(x float64) string {
	if x < 0 {
		return fmt.Sprintf("−%.2f", -x)
	}
	return fmt.Sprintf("+%.2f", x)
}

// pValue writes a p-value as reports do: "= 0.003", "= 0.0004", "< 0.0001".
func pValue(p float64) string {
	switch {
	case p < 0.0001:
		return "< 0.0001"
	case p < 0.001:
		return fmt.Sprintf("= %.4f", p)
	}
	return fmt.Sprintf("= %.3f", p)
}
