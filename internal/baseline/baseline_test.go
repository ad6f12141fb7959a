package baseline

import "testing"

// TestEveryShippedLanguageHasABaseline: each language the service speaks
// has its list, stemmed as answers are: the French "familles" and
// "famille" count under one stem, everyday words outnumber rare ones.
func TestEveryShippedLanguageHasABaseline(t *testing.T) {
	for _, lang := range []string{"en", "fr", "es", "de", "pt", "ar", "zh"} {
		c := Of(lang)
		if c == nil || c.Total < 1e6 || len(c.Stems) < 3000 {
			t.Errorf("%s: %+v", lang, c)
		}
	}
	fr := Of("fr")
	if fr.Stems["famill"] <= fr.Stems["résilient"] || fr.Stems["famill"] == 0 {
		t.Errorf("famille %v, résilience %v", fr.Stems["famill"], fr.Stems["résilient"])
	}
	if Of("xx") != nil {
		t.Error("a list for a language there is none of")
	}
}
