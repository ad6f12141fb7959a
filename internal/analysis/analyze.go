package analysis

import (
	"cmp"
	"context"
	"fmt"
	"iter"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/csci/exchangeeval/internal/coding"
	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/stemming"
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

// Input is what an analysis reads: one pass over the participants and one
// over the responses, in any order — a database need not sort them, which
// on the embedded store would hold them all in memory. The two passes run
// at the same time.
type Input struct {
	Instrument   *survey.Instrument
	Exchange     *exchange.Exchange
	Participants iter.Seq2[*exchange.Participant, error]
	Responses    iter.Seq2[*exchange.Response, error]
	// Codes reads the codes people gave open answers (coding), for the
	// agreement between coders; nil when there are none.
	Codes func() ([]coding.Record, error)
	// Codebook reads the exchange's codebook when evaluators have changed
	// the instrument's (coding.Codebook); nil, or nil returned, when not.
	Codebook func() (*coding.Codebook, error)
}

// Attributes the breakdowns are by, in report order.
var breakdownAttributes = []string{"city", "role", "language", "side"}

// NotGiven is the breakdown group of the participants who have no value
// for its attribute (no city, say).
const NotGiven = "(not given)"

type compiledTheme struct {
	id     string
	byLang map[string][]survey.Pattern
}

// responseState is what is kept of the response being read: the themes its
// open answers mention and the first answer mentioning each.
type responseState struct {
	idx        int
	wave       int
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
	words  int // bytes of a theme bit set

	pix   map[string]int
	keys  []string // [participant]
	order []int32  // places of the participants, by key (sortOrder)
	// attrs holds each participant's attribute values as places in
	// attrVals: [attribute][participant]. While reading, attrVals lists
	// every value met ("" first: not given); groupBy keeps those in use.
	attrs     []column[uint32]
	attrVals  [][]string
	attrIndex []map[string]uint32
	goalIdx   map[string][][]int // goal → [wave] → its items asked then
	invited   int

	responded []column[bool]   // [wave][participant]
	imported  []int            // [wave]
	scores    [][]column[int8] // [wave][item][participant]; 0 = no answer
	// itemNA counts, per wave and item, the responses to which the item
	// did not apply; conditional says whether any item has a condition.
	itemNA      [][]int
	conditional bool

	textResp     []int          // [wave]
	themeResp    [][]int        // [wave][theme]
	themeMention [][]int        // [wave][theme]
	cooc         [][][]int      // [wave][theme][theme]
	qResp        [][]int        // [text question][wave]
	qThemeResp   [][][]int      // [text question][wave][theme]
	qThemeMent   [][][]int      // [text question][wave][theme]
	textAnswered []column[bool] // [wave][participant]: answered an open question
	themeBits    []column[byte] // [wave][participant][words]: themes mentioned
	quotes       *quoteCandidates
	cur          *responseState
	// vocab counts the words of each wave's open answers, for candidate
	// themes (candidates.go); seenWords a response's, counted once.
	// codes are people's codes of open answers; auto the codebook's own
	// of the answers people coded, autoSeen those answers that are there
	// (coders.go).
	codes    []coding.Record
	auto     map[coding.AnswerKey][]string
	autoSeen map[coding.AnswerKey]bool
	// codebook is the exchange's codebook version, when evaluators have
	// changed the instrument's (nil: the instrument's, version 0).
	codebook *coding.Codebook
	// effective are the themes people's codes give (coding.Effective);
	// openAnswers and peopleCoded count, per wave, the open answers and
	// those whose themes came from people.
	effective   map[coding.AnswerKey][]string
	openAnswers []int
	peopleCoded []int
	vocab       []vocabulary // [wave]
	stemmer     stemming.Stemmer
	stemSeen    []int32 // [stem]: the response it was last counted in
	responseNo  int32
}

// Analyze reads the participants and responses of one exchange and returns
// its report. Participants are read beside the responses, not before them:
// on the store they are a second cursor that costs no extra time.
func Analyze(ctx context.Context, input Input, opts Options) (*Report, error) {
	if opts.MinCell <= 0 {
		opts.MinCell = DefaultMinCell
	}
	if opts.Quotes <= 0 {
		opts.Quotes = DefaultQuotes
	}
	var codebook *coding.Codebook
	if input.Codebook != nil {
		cb, err := input.Codebook()
		if err != nil {
			return nil, fmt.Errorf("read codebook: %w", err)
		}
		codebook = cb
	}
	a := newAnalyzer(coding.Apply(input.Instrument, codebook), opts)
	a.codebook = codebook
	if input.Codes != nil {
		codes, err := input.Codes()
		if err != nil {
			return nil, fmt.Errorf("read codes: %w", err)
		}
		a.humanCodes(codes)
	}
	// The participants are read beside the responses; both add to the
	// analyzer, one at a time. Reading, not adding, is what takes the time.
	var mu sync.Mutex
	rosterErr := make(chan error, 1)
	readCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		var err error
		if input.Participants != nil {
			seen := newInterner(len(breakdownAttributes))
			for p, perr := range input.Participants {
				if perr != nil {
					err = fmt.Errorf("read participants: %w", perr)
					break
				}
				if readCtx.Err() != nil {
					err = readCtx.Err()
					break
				}
				attrs := seen.attrs(p)
				mu.Lock()
				a.addParticipant(p.PID, &attrs)
				a.invited++
				mu.Unlock()
			}
		}
		rosterErr <- err
	}()
	n := 0
	var readErr error
	for r, err := range input.Responses {
		if err != nil {
			readErr = fmt.Errorf("read responses: %w", err)
			break
		}
		if n++; n%4096 == 0 && ctx.Err() != nil {
			readErr = ctx.Err()
			break
		}
		mu.Lock()
		a.addResponse(r)
		mu.Unlock()
	}
	if readErr != nil {
		cancel()
	}
	err := <-rosterErr
	if readErr != nil {
		return nil, readErr
	}
	if err != nil {
		return nil, err
	}
	a.sortOrder()
	a.compact()
	return a.report(input.Exchange), nil
}

// interner shares the strings of attribute values: a hundred thousand
// participants have a handful of cities.
type interner []map[string]string

func newInterner(n int) interner {
	in := make(interner, n)
	for i := range in {
		in[i] = map[string]string{}
	}
	return in
}

func (in interner) attrs(p *exchange.Participant) [4]string {
	var out [4]string
	for k, v := range []string{p.City, p.Role, p.Language, p.Side} {
		s, ok := in[k][v]
		if !ok {
			s = v
			in[k][v] = s
		}
		out[k] = s
	}
	return out
}

func newAnalyzer(in *survey.Instrument, opts Options) *analyzer {
	a := &analyzer{in: in, opts: opts, waves: in.WaveIDs(), wix: map[string]int{}, pix: map[string]int{}}
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
	a.themes = compileThemes(in)
	nw, nt := len(a.waves), len(a.themes)
	a.words = (nt + 7) / 8
	a.responded = make([]column[bool], nw)
	a.imported = make([]int, nw)
	a.scores = make([][]column[int8], nw)
	a.textAnswered = make([]column[bool], nw)
	a.themeBits = make([]column[byte], nw)
	for w := range nw {
		a.responded[w], a.textAnswered[w] = newColumn[bool](1), newColumn[bool](1)
		a.themeBits[w] = newColumn[byte](max(a.words, 1))
		a.scores[w] = make([]column[int8], len(a.items))
		for j, q := range a.items {
			// Nothing is kept for an item the wave does not ask.
			if q.AskedIn(a.waves[w]) {
				a.scores[w][j] = newColumn[int8](1)
			} else {
				a.scores[w][j] = newColumn[int8](0)
			}
		}
	}
	a.itemNA = grid(nw, len(a.items))
	for _, q := range a.items {
		a.conditional = a.conditional || q.Conditional()
	}
	a.textResp = make([]int, nw)
	a.vocab = make([]vocabulary, nw)
	a.openAnswers, a.peopleCoded = make([]int, nw), make([]int, nw)
	a.themeResp, a.themeMention = grid(nw, nt), grid(nw, nt)
	a.cooc = make([][][]int, nw)
	for w := range a.cooc {
		a.cooc[w] = grid(nt, nt)
	}
	a.qResp = grid(len(a.texts), nw)
	a.qThemeResp, a.qThemeMent = make([][][]int, len(a.texts)), make([][][]int, len(a.texts))
	for q := range a.texts {
		a.qThemeResp[q], a.qThemeMent[q] = grid(nw, nt), grid(nw, nt)
	}
	na := len(breakdownAttributes)
	a.attrs, a.attrVals, a.attrIndex = make([]column[uint32], na), make([][]string, na), make([]map[string]uint32, na)
	for k := range na {
		a.attrs[k] = newColumn[uint32](1)
		a.attrVals[k], a.attrIndex[k] = []string{""}, map[string]uint32{"": 0}
	}
	a.goalIdx = map[string][][]int{}
	for _, g := range in.Goals {
		a.goalIdx[g.ID] = make([][]int, len(a.waves))
		for w, wave := range a.waves {
			for j, q := range a.items {
				if q.Goal == g.ID && q.AskedIn(wave) {
					a.goalIdx[g.ID][w] = append(a.goalIdx[g.ID][w], j)
				}
			}
		}
	}
	a.quotes = newQuoteCandidates(nw, nt, opts.Quotes)
	if q := in.Question(in.QuoteConsent); q != nil {
		for w, id := range a.waves {
			if q.AskedIn(id) {
				a.quotes.setLastAsked(w)
			}
		}
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

// addParticipant registers a participant, or gives one already known from
// a response their attributes (nil: not known yet), and returns their index.
func (a *analyzer) addParticipant(pid string, attrs *[4]string) int {
	i, ok := a.pix[pid]
	if !ok {
		i = len(a.pix)
		a.pix[pid] = i
		a.keys = append(a.keys, pid)
		for k := range a.attrs {
			a.attrs[k].add()
		}
		a.growWaves()
	}
	if attrs != nil {
		for k, v := range attrs {
			vi, seen := a.attrIndex[k][v]
			if !seen {
				vi = uint32(len(a.attrVals[k]))
				a.attrIndex[k][v] = vi
				a.attrVals[k] = append(a.attrVals[k], v)
			}
			*a.attrs[k].at(i) = vi
		}
	}
	return i
}

// growWaves makes room in every wave for one more participant.
func (a *analyzer) growWaves() {
	for w := range a.waves {
		a.responded[w].add()
		a.textAnswered[w].add()
		a.themeBits[w].add()
		for j := range a.items {
			a.scores[w][j].add()
		}
	}
	a.quotes.grow()
}

func (a *analyzer) addResponse(r *exchange.Response) {
	w, ok := a.wix[r.Wave]
	if !ok {
		return // a wave the instrument no longer declares
	}
	i := a.addParticipant(r.Participant, nil)
	if a.responded[w].get(i) {
		return
	}
	*a.responded[w].at(i) = true
	if r.Imported() {
		a.imported[w]++
	}
	if q := a.in.QuoteConsent; q != "" {
		if c, answered := r.Answers[q].(string); answered && a.in.Question(q).AskedIn(r.Wave) {
			a.quotes.record(i, w, c == "yes")
		}
	}
	var notApplicable []string
	if a.conditional {
		notApplicable = a.in.NotApplicable(r.Wave, r.Answers)
	}
	for j, q := range a.items {
		if !q.AskedIn(r.Wave) {
			continue
		}
		if slices.Contains(notApplicable, q.ID) {
			// Stored answers never hold one (the form drops it); an
			// imported file might, and it is not counted either.
			a.itemNA[w][j]++
			continue
		}
		if v, ok := likertValue(r.Answers[q.ID]); ok {
			points := a.in.Scales[q.Scale].Points
			if v >= 1 && v <= points {
				*a.scores[w][j].at(i) = int8(Score(v, points, q.Reverse))
			}
		}
	}
	st := a.state(i, w)
	a.responseNo++
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
		written := r.Language
		if written == "" {
			written = a.in.BaseLanguage()
		}
		a.countWords(w, i, q.ID, written, text)
		key := coding.AnswerKey{Participant: r.Participant, Wave: r.Wave, Question: q.ID}
		_, wanted := a.auto[key]
		if wanted {
			a.autoSeen[key] = true
		}
		a.openAnswers[w]++
		byPeople, coded := a.effective[key]
		if coded {
			a.peopleCoded[w]++
		}
		tokens := survey.Tokens(text)
		for t, th := range a.themes {
			n := 0
			for _, p := range th.byLang[lang] {
				n += p.Count(tokens)
			}
			if wanted && n > 0 {
				a.auto[key] = append(a.auto[key], th.id)
			}
			// Where people coded the answer, their codes count (once
			// each), not the codebook's matches.
			if coded {
				n = 0
				if slices.Contains(byPeople, th.id) {
					n = 1
				}
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
func (a *analyzer) state(i, w int) *responseState {
	st := a.cur
	if st == nil {
		st = &responseState{mentioned: make([]bool, len(a.themes)), candidates: make([]candidate, len(a.themes))}
		a.cur = st
	}
	st.idx, st.wave, st.answered = i, w, false
	clear(st.mentioned)
	clear(st.candidates)
	return st
}

// finishResponse adds a response's themes to the counts. Who the
// respondent is (their city, role …) is not needed yet: the breakdowns are
// counted from the theme bits when the report is written, so responses may
// come before their participant.
func (a *analyzer) finishResponse(st *responseState) {
	if !st.answered {
		return
	}
	w := st.wave
	a.textResp[w]++
	*a.textAnswered[w].at(st.idx) = true
	bits := a.themeBits[w].span(st.idx)
	for t := range a.themes {
		if !st.mentioned[t] {
			continue
		}
		a.themeResp[w][t]++
		bits[t/8] |= 1 << (t % 8)
		for u := range a.themes {
			if st.mentioned[u] {
				a.cooc[w][t][u]++
			}
		}
		if c := st.candidates[t]; c.question != "" {
			c.participant = st.idx
			a.quotes.add(w, t, c)
		}
	}
}

// mentions reports whether participant i's answers in wave w mention theme t.
func (a *analyzer) mentions(w, i, t int) bool {
	return a.themeBits[w].span(i)[t/8]&(1<<(t%8)) != 0
}

// sortOrder settles the order participants are taken in, whatever order
// the participants and responses came in: by key (P0001, P0002 … by
// number). Sums are then added in the same order every time, so the same
// data gives the same figures to the last bit, and wide tables list people
// by id. Only the order is kept (a.order[k] is the k-th participant's
// place); nothing is moved.
func (a *analyzer) sortOrder() {
	a.order = make([]int32, len(a.keys))
	for i := range a.order {
		a.order[i] = int32(i)
	}
	slices.SortFunc(a.order, func(x, y int32) int { return naturalCompare(a.keys[x], a.keys[y]) })
}

// naturalCompare orders keys with their runs of digits compared as
// numbers: P9999 before P10000.
func naturalCompare(a, b string) int {
	for a != "" && b != "" {
		da, db := digitRun(a), digitRun(b)
		if da > 0 && db > 0 {
			x, y := strings.TrimLeft(a[:da], "0"), strings.TrimLeft(b[:db], "0")
			if c := cmp.Or(cmp.Compare(len(x), len(y)), strings.Compare(x, y)); c != 0 {
				return c
			}
			a, b = a[da:], b[db:]
			continue
		}
		if c := cmp.Compare(a[0], b[0]); c != 0 {
			return c
		}
		a, b = a[1:], b[1:]
	}
	return cmp.Compare(len(a), len(b))
}

func digitRun(s string) int {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return i
}

// compact gives back the map from ids to places, which only reading needs
// (Scores.Index searches the sorted ids instead): a cached report of 100 000
// participants holds megabytes less.
func (a *analyzer) compact() {
	a.pix = nil
}
