package web

import (
	"strings"

	"github.com/csci/exchangeeval/internal/analysis"
	"github.com/csci/exchangeeval/internal/survey"
)

// candidateView is a candidate theme as the dashboard lists it.
type candidateView struct {
	Wave, Language, Terms, G2, LogRatio string
	// Against says what it was compared with: the other waves, or
	// everyday language.
	Against string
	// Also are the words of other languages counted with these (joined
	// by an evaluator), each in its language.
	Also []candidateWords
	// Delegates are "wave: count" for each wave, each isolated on the page
	// (a wave's title may be in another direction than the page).
	Delegates []string
}

// candidateWords are a candidate's words in one language.
type candidateWords struct{ Language, Terms string }

// candidateViews words the report's candidate themes for the dashboard:
// the words (marked in their language), the delegates per wave (fewer
// than the smallest group: "fewer than K"), G² and the log ratio.
func candidateViews(in *survey.Instrument, r *analysis.Report, lang string) []candidateView {
	var out []candidateView
	for _, c := range r.Themes.Candidates {
		var by []string
		for _, d := range c.Delegates {
			n := translate(lang, "dash.candidates.fewer", r.MinCell)
			if d.Delegates != nil {
				n = formatNumber(lang, float64(*d.Delegates), 0)
			}
			by = append(by, translate(lang, "labelled", waveTitle(in, d.Wave, lang), n))
		}
		v := candidateView{Wave: waveTitle(in, c.Wave, lang), Language: c.Language, Terms: strings.Join(c.Terms, ", "),
			Delegates: by, G2: formatNumber(lang, c.G2, 1), LogRatio: formatSigned(lang, c.LogRatio, 2), Against: translate(lang, "dash.candidates.against."+c.Reference)}
		for _, j := range c.Joined {
			v.Also = append(v.Also, candidateWords{Language: j.Language, Terms: strings.Join(j.Terms, ", ")})
		}
		out = append(out, v)
	}
	return out
}
