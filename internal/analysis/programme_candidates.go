package analysis

import (
	"cmp"
	"slices"
	"strings"

	"github.com/csci/exchangeeval/internal/stemming"
	"github.com/csci/exchangeeval/internal/survey"
)

// Candidate themes of the programme: each exchange's words against the
// same wave of the programme's other exchanges — what one delegation
// wrote about that the others did not. The same statistics as an
// exchange's candidates (candidates.go), with the instrument's codebook.

// waveVocabulary is what a report keeps of a wave's words for the
// programme: words counted, and per stem its uses, delegates and the
// words written for it.
type waveVocabulary struct {
	tokens int
	stems  map[stemming.Stem]*stemUse
}

type stemUse struct {
	tokens, users int
	words         []wordUse
}

type wordUse struct {
	word string
	n    int
}

// keepVocabulary copies the analyzer's word counts, by stem, for the
// programme (the stemmer's numbers are the analyzer's own).
func (a *analyzer) keepVocabulary() map[string]*waveVocabulary {
	out := map[string]*waveVocabulary{}
	for w, v := range a.vocab {
		wv := &waveVocabulary{tokens: v.tokens, stems: map[stemming.Stem]*stemUse{}}
		for id, n := range v.stemTokens {
			if n > 0 {
				wv.stems[a.stemmer.Stems[id]] = &stemUse{tokens: n, users: at(v.stemUsers, id)}
			}
		}
		for id, n := range v.wordTokens {
			if n > 0 {
				word := a.stemmer.Words[id]
				su := wv.stems[a.stemmer.Stems[word.Stem]]
				su.words = append(su.words, wordUse{word.Word, n})
			}
		}
		out[a.waves[w]] = wv
	}
	return out
}

// ProgrammeCandidate is a candidate theme of one exchange of the
// programme: used far more in a wave of that exchange than in the same
// wave of the others. Delegates are the exchange's; Others how many
// delegates of the other exchanges used it (null below the smallest
// group shown).
type ProgrammeCandidate struct {
	Exchange  string   `json:"exchange"`
	Wave      string   `json:"wave"`
	Language  string   `json:"language"`
	Stem      string   `json:"stem"`
	Terms     []string `json:"terms"`
	Delegates int      `json:"delegates"`
	Others    *int     `json:"others_delegates"`
	Mentions  int      `json:"mentions"`
	G2        float64  `json:"g2"`
	P         float64  `json:"p"`
	LogRatio  float64  `json:"log_ratio"`
}

// programmeCandidates lists, for each exchange and wave, its candidates
// against the same wave of the other exchanges (at most MaxCandidates
// each, strongest first).
func programmeCandidates(rs []*Report, common *survey.Instrument, minCell int) []ProgrammeCandidate {
	out := []ProgrammeCandidate{}
	themes := compileThemes(common)
	least := max(minCell, 2)
	for _, wave := range common.WaveIDs() {
		total := 0
		for _, r := range rs {
			if v := r.vocabulary[wave]; v != nil {
				total += v.tokens
			}
		}
		for _, r := range rs {
			v := r.vocabulary[wave]
			if v == nil || v.tokens == 0 || total == v.tokens {
				continue
			}
			ref := total - v.tokens
			var found []ThemeCandidate
			others := map[string]int{}
			for st, use := range v.stems {
				if use.users < least {
					continue
				}
				b, bu := 0, 0
				for _, o := range rs {
					if o != r && o.vocabulary[wave] != nil {
						if ou := o.vocabulary[wave].stems[st]; ou != nil {
							b, bu = b+ou.tokens, bu+ou.users
						}
					}
				}
				g := LogLikelihood(float64(use.tokens), float64(b), float64(v.tokens), float64(ref))
				lr := LogRatio(float64(use.tokens), float64(b), float64(v.tokens), float64(ref))
				p := KeynessP(g)
				if lr <= 0 || p >= candidateP || !collocatedWith(st, use.tokens, v.uses) {
					continue
				}
				terms := use.terms()
				if coveredBy(themes, common, st.Lang, st.Stem, terms[0]) {
					continue
				}
				found = append(found, ThemeCandidate{Wave: wave, Language: st.Lang, Stem: st.Stem, Terms: terms, Mentions: use.tokens, G2: g, P: p, LogRatio: lr,
					Delegates: []CandidateWave{{Wave: wave, Delegates: &use.users}}})
				others[st.Lang+":"+st.Stem] = bu
			}
			found = withoutSubsumed(found)
			slices.SortFunc(found, byStrength)
			for _, c := range found[:min(len(found), MaxCandidates)] {
				pc := ProgrammeCandidate{Exchange: r.Exchange.ID, Wave: wave, Language: c.Language, Stem: c.Stem, Terms: c.Terms,
					Delegates: *c.Delegates[0].Delegates, Mentions: c.Mentions, G2: c.G2, P: c.P, LogRatio: c.LogRatio}
				if n := others[c.Language+":"+c.Stem]; n == 0 || n >= minCell {
					pc.Others = &n
				}
				out = append(out, pc)
			}
		}
	}
	return out
}

// terms are the words written for a stem, the most used first (three).
func (u *stemUse) terms() []string {
	ws := slices.Clone(u.words)
	slices.SortFunc(ws, func(x, y wordUse) int { return cmp.Or(cmp.Compare(y.n, x.n), strings.Compare(x.word, y.word)) })
	var out []string
	for _, w := range ws[:min(len(ws), 3)] {
		out = append(out, w.word)
	}
	return out
}

// uses is how often a kept vocabulary uses a stem; false for never.
func (v *waveVocabulary) uses(st stemming.Stem) (int, bool) {
	if u := v.stems[st]; u != nil {
		return u.tokens, true
	}
	return 0, false
}
