package analysis

import (
	"github.com/csci/exchangeeval/internal/coding"
	"github.com/csci/exchangeeval/internal/survey"
)

// compileThemes compiles the codebook's patterns: an answer in a language
// is matched with that language's patterns and the base language's.
func compileThemes(in *survey.Instrument) []compiledTheme {
	var out []compiledTheme
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
		out = append(out, ct)
	}
	return out
}

// AutoCoder returns the automatic coding of open answers by the
// codebook: the themes an answer written in lang mentions, in codebook
// order — what the theme figures count.
func AutoCoder(in *survey.Instrument) func(lang, text string) []string {
	themes := compileThemes(in)
	return func(lang, text string) []string {
		if !in.HasLanguage(lang) {
			lang = in.BaseLanguage()
		}
		tokens := survey.Tokens(text)
		var out []string
		for _, th := range themes {
			for _, p := range th.byLang[lang] {
				if p.Count(tokens) > 0 {
					out = append(out, th.id)
					break
				}
			}
		}
		return out
	}
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
	tr := ThemeReport{Candidates: a.themeCandidates(), Agreement: a.themeAgreement(), Disagreements: coding.Disagreements(a.codes)}
	if tr.Disagreements == nil {
		tr.Disagreements = []coding.AnswerKey{}
	}
	if a.codebook != nil {
		tr.CodebookVersion = a.codebook.Version
	}
	for _, t := range a.in.Themes {
		tr.Codebook = append(tr.Codebook, ThemeInfo{ID: t.ID, Label: t.Label})
	}
	for w, id := range a.waves {
		if !a.anyTextIn(id) {
			continue
		}
		tw := ThemeWave{Wave: id, Respondents: a.textResp[w], OpenAnswers: a.openAnswers[w], CodedByPeople: a.peopleCoded[w]}
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
				tq.Quotes = a.quotes.pick(w, t)
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
