package demo

import (
	"testing"

	"github.com/csci/exchangeeval"
	"github.com/csci/exchangeeval/internal/survey"
)

// Every invented Spanish and German answer names a theme of the shipped
// codebook in its language, so the demo's theme figures count something
// there as in English and French — and a pattern that misses how people
// write ("recaudan fondos" against "recaudar fondos") shows here. Some
// English and French answers are outside the codebook on purpose: real
// answers are too.
func TestDemoAnswersAreCodedInTheirLanguage(t *testing.T) {
	ins, probs := survey.LoadFS(exchangeeval.Surveys, "surveys", "surveys/")
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	in := survey.NewSet(ins...).Get(InstrumentID)
	for _, texts := range []map[string][]string{expectations, takeaways, changes} {
		for lang, answers := range texts {
			if !in.HasLanguage(lang) {
				t.Errorf("answers in %s, which the instrument does not speak", lang)
			}
			for _, a := range answers {
				tokens := survey.Tokens(a)
				var coded []string
				for _, th := range in.Themes {
					for _, src := range th.Patterns[lang] {
						p, err := survey.CompilePattern(src)
						if err != nil {
							t.Fatalf("theme %s, %s pattern %q: %v", th.ID, lang, src, err)
						}
						if p.Count(tokens) > 0 {
							coded = append(coded, th.ID)
						}
					}
				}
				if len(coded) == 0 && (lang == "es" || lang == "de") {
					t.Errorf("%s answer matches no theme: %q", lang, a)
				}
			}
		}
	}
}
