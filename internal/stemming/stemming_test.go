package stemming

import (
	"slices"
	"testing"
)

// TestTokens: words reduced to their Snowball stems, stop words, numbers
// and elided articles dropped, per language; Chinese cut into pairs.
func TestTokens(t *testing.T) {
	stems := func(lang, text string) []string {
		var out []string
		for _, tok := range Tokens(lang, text) {
			out = append(out, tok.Stem)
		}
		return out
	}
	for _, tc := range []struct {
		lang, text string
		want       []string
	}{
		{"en", "The families felt EMPOWERED; empowerment was the 2nd theme.", []string{"famili", "felt", "empow", "empower", "theme"}},
		{"fr", "L'autonomie des familles, c'est le pouvoir d'agir.", []string{"autonom", "famill", "pouvoir", "agir"}},
		{"de", "Die Familien haben mehr Selbstbestimmung.", []string{"famili", "selbstbestimm"}},
		{"zh", "家庭的赋权", []string{"家庭", "赋权"}},
	} {
		if got := stems(tc.lang, tc.text); !slices.Equal(got, tc.want) {
			t.Errorf("%s %q: %q, want %q", tc.lang, tc.text, got, tc.want)
		}
	}
	if !Stems("ar") || Stems("zh") {
		t.Error("which languages have stemmers")
	}
	for _, lang := range []string{"en", "fr", "es", "de", "pt", "ar", "zh"} {
		if len(stopWords(lang)) < 40 {
			t.Errorf("%s: %d stop words", lang, len(stopWords(lang)))
		}
	}
}

// FuzzTokens: any text in any shipped language splits without a panic,
// into non-empty words and stems free of digits and separators.
func FuzzTokens(f *testing.F) {
	for _, s := range []string{"L'autonomie des familles", "家庭的赋权", "التمكين", "Selbstbestimmung", "' ’ 2nd", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		for _, lang := range []string{"en", "fr", "es", "de", "pt", "ar", "zh", "xx"} {
			for _, tok := range Tokens(lang, text) {
				if tok.Word == "" || tok.Stem == "" {
					t.Fatalf("%s %q: an empty token %+v", lang, text, tok)
				}
			}
		}
	})
}

// TestPhrases: two words in a row make a phrase numbered once, its stem
// the two stems; the same two words again are the same phrase.
func TestPhrases(t *testing.T) {
	var s Stemmer
	var words []int32
	s.Each("fr", "La santé mentale des familles ; la santé mentale.", func(w, _ int32) { words = append(words, w) })
	if len(words) != 5 {
		t.Fatalf("words: %v", words)
	}
	first := s.Phrase(words[0], words[1])
	if got := s.Words[first]; got.Word != "santé mentale" || s.Stems[got.Stem] != (Stem{"fr", "sant mental"}) {
		t.Errorf("phrase: %+v %+v", got, s.Stems[got.Stem])
	}
	if again := s.Phrase(words[3], words[4]); again != first {
		t.Errorf("the same phrase numbered %d and %d", first, again)
	}
	if id, ok := s.StemID(Stem{"fr", "mental"}); !ok || s.Stems[id].Stem != "mental" {
		t.Errorf("StemID: %d %v", id, ok)
	}
}
