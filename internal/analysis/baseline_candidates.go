package analysis

import (
	"slices"
	"strings"

	"github.com/csci/exchangeeval/internal/baseline"
	"github.com/csci/exchangeeval/internal/coding"
)

// References a candidate theme is compared with.
const (
	ReferenceWaves    = "waves"
	ReferenceBaseline = "baseline"
)

// Against everyday language nearly every word of a topic stands out, so
// the bar is higher than against the other waves, and fewer are listed.
const (
	baselineP             = 0.001
	baselineLogRatio      = 1.0
	maxBaselineCandidates = 5
)

// baselineCandidates lists wave w's words used far more than in everyday
// language (internal/baseline), per language the answers were written in:
// what the wave talks about at all, also when no other wave has answers
// to compare with. Single words only (the lists have no phrases); none
// that is, or is in, a candidate against the waves already (listed).
func (a *analyzer) baselineCandidates(w int, listed []ThemeCandidate) []ThemeCandidate {
	v := a.vocab[w]
	var found []ThemeCandidate
	for id, users := range v.stemUsers {
		if users < max(a.opts.MinCell, 2) {
			continue
		}
		st := a.stemmer.Stems[id]
		if strings.Contains(st.Stem, " ") || slices.ContainsFunc(listed, func(c ThemeCandidate) bool {
			return c.Language == st.Lang && slices.Contains(strings.Fields(c.Stem), st.Stem)
		}) {
			continue
		}
		base := baseline.Of(st.Lang)
		c := v.langTokens[st.Lang]
		if base == nil || c == 0 {
			continue
		}
		n, b := v.stemTokens[id], base.Stems[st.Stem]
		g := LogLikelihood(float64(n), b, float64(c), base.Total)
		lr := LogRatio(float64(n), b, float64(c), base.Total)
		p := KeynessP(g)
		if lr < baselineLogRatio || p >= baselineP {
			continue
		}
		if a.codebook != nil && slices.Contains(a.codebook.Rejected, coding.CandidateKey(st.Lang, st.Stem)) {
			continue
		}
		terms := a.formsByUse(v, int32(id))
		if a.covered(st.Lang, st.Stem, terms[0]) {
			continue
		}
		cand := ThemeCandidate{Wave: a.waves[w], Reference: ReferenceBaseline, Language: st.Lang, Stem: st.Stem, Terms: terms, Mentions: n, G2: g, P: p, LogRatio: lr, Quotes: []Quote{}}
		if id < len(v.examples) {
			cand.Quotes = a.quotes.consented(v.examples[id], candidateQuotes)
		}
		cand.Delegates = a.delegatesByWave([]int32{int32(id)})
		found = append(found, cand)
	}
	slices.SortFunc(found, byStrength)
	return found[:min(len(found), maxBaselineCandidates)]
}
