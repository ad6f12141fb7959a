package analysis

import (
	"cmp"
	"slices"
	"strings"

	"github.com/csci/exchangeeval/internal/coding"
	"github.com/csci/exchangeeval/internal/stemming"
	"github.com/csci/exchangeeval/internal/survey"
)

// Candidate themes: words the delegates used in one wave's open answers
// far more than in the other waves', that no theme of the codebook
// covers — what the delegates came home talking about that nobody planned
// to ask (the 2014 exchange's empowerment). Words are counted per
// language by their stems (stemming), and a word becomes a candidate when
// its G² says the difference is unlikely by chance (p < 0.05), its log
// ratio that it is used more in the wave, and at least MinCell delegates
// (and never fewer than two) used it.

// MaxCandidates bounds the candidates listed per wave.
const MaxCandidates = 10

// candidateP is the largest p-value of G² a candidate may have.
const candidateP = 0.05

// ThemeCandidate is a word a wave's delegates used much more than the
// other waves', which the codebook does not cover.
type ThemeCandidate struct {
	Wave     string `json:"wave"`
	Language string `json:"language"`
	// Stem is what is counted; Terms the words written for it, the most
	// used first.
	Stem  string   `json:"stem"`
	Terms []string `json:"terms"`
	// Delegates is how many used it, wave by wave; Mentions how often in
	// this wave.
	Delegates []CandidateWave `json:"delegates"`
	Mentions  int             `json:"mentions"`
	G2        float64         `json:"g2"`
	P         float64         `json:"p"`
	LogRatio  float64         `json:"log_ratio"`
	// Quotes are answers of this wave using it, by delegates who agreed
	// to be quoted: what to read before making it a theme.
	Quotes []Quote `json:"quotes"`
	// Reference is what it was compared with: "waves", the exchange's
	// other waves, or "baseline", everyday language (internal/baseline).
	Reference string `json:"reference"`
	// Joined are the stems of other languages an evaluator joined with
	// this one (the same idea in French and in English): counted with
	// it, in Delegates, Mentions and the statistics.
	Joined []JoinedStem `json:"joined,omitempty"`
}

// JoinedStem is a stem counted with a candidate of another language.
type JoinedStem struct {
	Language string   `json:"language"`
	Stem     string   `json:"stem"`
	Terms    []string `json:"terms"`
}

// CandidateWave is how many delegates used a candidate in one wave; nil
// (suppressed) when fewer than the smallest group shown.
type CandidateWave struct {
	Wave      string `json:"wave"`
	Delegates *int   `json:"delegates"`
}

// vocabulary counts the words of a wave's open answers, by the stemmer's
// numbers: tokens in all; per stem, its tokens and the delegates who used
// it; per word, its tokens (the words written for a stem).
type vocabulary struct {
	tokens                int
	stemTokens, stemUsers []int
	wordTokens            []int
	// langTokens are the words counted, per language the answers were
	// written in (the baseline is compared language by language).
	langTokens map[string]int
	// examples are, per stem, the answers of its first users (at most
	// candidateExamples), from which its quotes are picked once consent
	// is known, at the end of the pass.
	examples [][]candidate
}

// candidateExamples bounds the answers kept per stem and wave; a
// candidate shows at most candidateQuotes of them.
const (
	candidateExamples = 6
	candidateQuotes   = 2
)

// grow makes room for the stemmer's numbers so far.
func grow(xs []int, n int) []int {
	if n > len(xs) {
		xs = append(xs, make([]int, n-len(xs))...)
	}
	return xs
}

// countWords adds a response's open answer, written in lang, to wave w's
// vocabulary: each word, and each phrase of two words in a row (not in
// Chinese, whose words are pairs already). Each stem counts once per
// response (a delegate) however many answers use it, by the response
// number it was last seen in. The corpus size counts words only: a phrase
// is measured against the words written, as its words are.
func (a *analyzer) countWords(w, participant int, question, lang, text string) {
	v := &a.vocab[w]
	quotable := a.in.QuoteConsent != ""
	count := func(word, stem int32) {
		v.wordTokens = grow(v.wordTokens, int(word)+1)
		v.stemTokens = grow(v.stemTokens, int(stem)+1)
		v.stemUsers = grow(v.stemUsers, int(stem)+1)
		for int(stem) >= len(a.stemSeen) {
			a.stemSeen = append(a.stemSeen, 0)
		}
		v.wordTokens[word]++
		v.stemTokens[stem]++
		if a.stemSeen[stem] != a.responseNo {
			a.stemSeen[stem] = a.responseNo
			v.stemUsers[stem]++
			if quotable {
				if int(stem) >= len(v.examples) {
					v.examples = append(v.examples, make([][]candidate, int(stem)+1-len(v.examples))...)
				}
				if len(v.examples[stem]) < candidateExamples {
					v.examples[stem] = append(v.examples[stem], candidate{participant: participant, question: question, lang: lang, text: text})
				}
			}
		}
	}
	// A phrase is within a clause: "… aux décisions : c'est une forme …"
	// has no phrase "décisions forme".
	for clause := range strings.FieldsFuncSeq(text, isClauseBreak) {
		prev := int32(-1)
		a.stemmer.Each(lang, clause, func(word, stem int32) {
			v.tokens++
			if v.langTokens == nil {
				v.langTokens = map[string]int{}
			}
			v.langTokens[lang]++
			count(word, stem)
			if prev >= 0 && lang != "zh" {
				ph := a.stemmer.Phrase(prev, word)
				count(ph, a.stemmer.Words[ph].Stem)
			}
			prev = word
		})
	}
}

// isClauseBreak reports whether r ends a clause: a stop, comma, colon,
// bracket, quotation mark or dash, in the shipped languages' scripts.
func isClauseBreak(r rune) bool {
	return strings.ContainsRune(".,;:!?()[]{}\"«»“”„…–—、，。；：！？（）؛،؟\n", r)
}

// at is xs[i], 0 beyond its end.
func at(xs []int, i int) int {
	if i < len(xs) {
		return xs[i]
	}
	return 0
}

// covered reports whether the codebook covers a stem of lang: a theme's
// pattern matches its most used word, or holds a word of that stem
// ("agir" in "pouvoir d'agir") — for a phrase, of one of its stems.
func (a *analyzer) covered(lang, stem, word string) bool {
	return coveredBy(a.themes, a.in, lang, stem, word)
}

// coveredBy is covered with the compiled themes of an instrument.
func coveredBy(themes []compiledTheme, in *survey.Instrument, lang, stem, word string) bool {
	parts := strings.Fields(stem)
	if !in.HasLanguage(lang) {
		lang = in.BaseLanguage()
	}
	tokens := survey.Tokens(word)
	for ti, th := range themes {
		for _, p := range th.byLang[lang] {
			if p.Count(tokens) > 0 {
				return true
			}
		}
		for _, src := range in.Themes[ti].Patterns[lang] {
			for _, tok := range stemming.Tokens(lang, strings.ReplaceAll(src, "*", "")) {
				if slices.Contains(parts, tok.Stem) {
					return true
				}
			}
		}
	}
	return false
}

// collocated reports whether a phrase's words go together: the phrase is
// at least half the uses of the rarer of its words in the wave. Two words
// that met by chance ("visited programmes") are not a phrase; a single
// word always passes.
func (a *analyzer) collocated(v vocabulary, st stemming.Stem, n int) bool {
	return collocatedWith(st, n, func(part stemming.Stem) (int, bool) {
		id, ok := a.stemmer.StemID(part)
		return at(v.stemTokens, int(id)), ok
	})
}

// collocatedWith is collocated with the uses of a stem in the wave given
// by uses (false when the wave has none).
func collocatedWith(st stemming.Stem, n int, uses func(stemming.Stem) (int, bool)) bool {
	parts := strings.Fields(st.Stem)
	if len(parts) < 2 {
		return true
	}
	rarer := 0
	for _, p := range parts {
		k, ok := uses(stemming.Stem{Lang: st.Lang, Stem: p})
		if !ok {
			return false
		}
		if rarer == 0 || k < rarer {
			rarer = k
		}
	}
	return 2*n >= rarer
}

// withoutSubsumed leaves out a word whose every use in the wave is in a
// phrase that is a candidate too ("mentale" beside "santé mentale"): the
// phrase says it.
func withoutSubsumed(found []ThemeCandidate) []ThemeCandidate {
	return slices.DeleteFunc(found, func(c ThemeCandidate) bool {
		if strings.Contains(c.Stem, " ") {
			return false
		}
		return slices.ContainsFunc(found, func(p ThemeCandidate) bool {
			return p.Language == c.Language && p.Mentions == c.Mentions && strings.Contains(p.Stem, " ") && slices.Contains(strings.Fields(p.Stem), c.Stem)
		})
	})
}

// themeCandidates lists each wave's candidates, against the other waves
// of the exchange; none for a wave without another to compare with. Stems
// an evaluator joined across languages (coding.Codebook.Joined) are one
// candidate, their counts added: the same idea written in English and in
// French.
func (a *analyzer) themeCandidates() []ThemeCandidate {
	out := []ThemeCandidate{}
	total := 0
	for _, v := range a.vocab {
		total += v.tokens
	}
	groups, joined := a.joinedStems()
	for w, v := range a.vocab {
		ref := total - v.tokens
		if v.tokens == 0 {
			continue
		}
		if ref == 0 {
			out = append(out, a.baselineCandidates(w, nil)...)
			continue
		}
		var found []ThemeCandidate
		for id := range v.stemUsers {
			if joined[int32(id)] {
				continue
			}
			if c, ok := a.candidateOf(w, []int32{int32(id)}, ref); ok {
				found = append(found, c)
			}
		}
		for _, g := range groups {
			if c, ok := a.candidateOf(w, g, ref); ok {
				found = append(found, c)
			}
		}
		found = withoutSubsumed(found)
		slices.SortFunc(found, byStrength)
		found = found[:min(len(found), MaxCandidates)]
		out = append(out, found...)
		out = append(out, a.baselineCandidates(w, found)...)
	}
	return out
}

// joinedStems are the groups of stems joined across languages that the
// answers use, by the stemmer's numbers, and every stem in one.
func (a *analyzer) joinedStems() ([][]int32, map[int32]bool) {
	in := map[int32]bool{}
	if a.codebook == nil {
		return nil, in
	}
	var groups [][]int32
	for _, group := range a.codebook.Joined {
		var g []int32
		for _, k := range group.Keys {
			lang, stem, _ := strings.Cut(k, ":")
			if id, ok := a.stemmer.StemID(stemming.Stem{Lang: lang, Stem: stem}); ok {
				g = append(g, id)
				in[id] = true
			}
		}
		if len(g) > 0 {
			groups = append(groups, g)
		}
	}
	return groups, in
}

// candidateOf is the candidate of the stems ids (one, or a joined group)
// in wave w, against the ref words of the other waves; ok is false when
// it is not one.
func (a *analyzer) candidateOf(w int, ids []int32, ref int) (ThemeCandidate, bool) {
	v := a.vocab[w]
	users, n, b := 0, 0, 0
	for _, id := range ids {
		users += at(v.stemUsers, int(id))
	}
	if users < max(a.opts.MinCell, 2) {
		return ThemeCandidate{}, false
	}
	for _, id := range ids {
		n += at(v.stemTokens, int(id))
		for o := range a.vocab {
			if o != w {
				b += at(a.vocab[o].stemTokens, int(id))
			}
		}
	}
	g := LogLikelihood(float64(n), float64(b), float64(v.tokens), float64(ref))
	lr := LogRatio(float64(n), float64(b), float64(v.tokens), float64(ref))
	p := KeynessP(g)
	if lr <= 0 || p >= candidateP {
		return ThemeCandidate{}, false
	}
	var c ThemeCandidate
	for _, id := range ids {
		st := a.stemmer.Stems[id]
		own := at(v.stemTokens, int(id))
		if own == 0 {
			continue // a joined stem this wave does not use
		}
		if !a.collocated(v, st, own) || (a.codebook != nil && slices.Contains(a.codebook.Rejected, coding.CandidateKey(st.Lang, st.Stem))) {
			return ThemeCandidate{}, false
		}
		terms := a.formsByUse(v, id)
		if a.covered(st.Lang, st.Stem, terms[0]) {
			return ThemeCandidate{}, false
		}
		if c.Stem == "" {
			c = ThemeCandidate{Wave: a.waves[w], Reference: ReferenceWaves, Language: st.Lang, Stem: st.Stem, Terms: terms, Mentions: n, G2: g, P: p, LogRatio: lr, Quotes: []Quote{}}
		} else {
			c.Joined = append(c.Joined, JoinedStem{Language: st.Lang, Stem: st.Stem, Terms: terms})
		}
		if int(id) < len(v.examples) && len(c.Quotes) < candidateQuotes {
			c.Quotes = append(c.Quotes, a.quotes.consented(v.examples[id], candidateQuotes-len(c.Quotes))...)
		}
	}
	if c.Stem == "" {
		return ThemeCandidate{}, false
	}
	c.Delegates = a.delegatesByWave(ids)
	return c, true
}

// delegatesByWave is how many delegates used the stems ids in each wave,
// withheld below the smallest group shown.
func (a *analyzer) delegatesByWave(ids []int32) []CandidateWave {
	var out []CandidateWave
	for o, oid := range a.waves {
		u := 0
		for _, id := range ids {
			u += at(a.vocab[o].stemUsers, int(id))
		}
		cw := CandidateWave{Wave: oid}
		if u == 0 || u >= a.opts.MinCell {
			cw.Delegates = &u
		}
		out = append(out, cw)
	}
	return out
}

// byStrength orders candidates strongest first (G²), then by language
// and stem, so that equal ones always come in the same order.
func byStrength(x, y ThemeCandidate) int {
	return cmp.Or(cmp.Compare(y.G2, x.G2), strings.Compare(x.Language, y.Language), strings.Compare(x.Stem, y.Stem))
}

// formsByUse lists the words written for a stem in a wave, the most used
// first (at most three).
func (a *analyzer) formsByUse(v vocabulary, stem int32) []string {
	type form struct {
		word string
		n    int
	}
	var forms []form
	for id, n := range v.wordTokens {
		if n > 0 && a.stemmer.Words[id].Stem == stem {
			forms = append(forms, form{a.stemmer.Words[id].Word, n})
		}
	}
	slices.SortFunc(forms, func(x, y form) int { return cmp.Or(cmp.Compare(y.n, x.n), strings.Compare(x.word, y.word)) })
	var out []string
	for _, f := range forms[:min(len(forms), 3)] {
		if !slices.Contains(out, f.word) {
			out = append(out, f.word)
		}
	}
	return out
}
