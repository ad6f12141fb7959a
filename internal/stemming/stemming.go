// Package stemming splits open answers into words and reduces each to its
// stem, per language, so that "empowered", "empowering" and "empowerment"
// count as one word when themes are sought: the Snowball stemmers
// (github.com/blevesearch/snowballstem) for the languages that have one,
// and, for Chinese, written without spaces, pairs of characters. Words
// that carry no theme (the, de, und, في, 的 …) are left out by the lists
// in stopwords/. It is the only package that imports the stemmers.
package stemming

import (
	"bufio"
	"embed"
	"strings"
	"sync"
	"unicode"

	"github.com/blevesearch/snowballstem"
	"github.com/blevesearch/snowballstem/arabic"
	"github.com/blevesearch/snowballstem/english"
	"github.com/blevesearch/snowballstem/french"
	"github.com/blevesearch/snowballstem/german"
	"github.com/blevesearch/snowballstem/portuguese"
	"github.com/blevesearch/snowballstem/spanish"

	"golang.org/x/text/cases"
	"golang.org/x/text/language"
)

var stemmers = map[string]func(*snowballstem.Env) bool{
	"en": english.Stem, "fr": french.Stem, "es": spanish.Stem, "de": german.Stem, "pt": portuguese.Stem, "ar": arabic.Stem,
}

//go:embed stopwords/*.txt
var stopFiles embed.FS

var (
	stopOnce sync.Once
	stops    map[string]map[string]bool
)

// stopWords is lang's list of words that carry no theme.
func stopWords(lang string) map[string]bool {
	stopOnce.Do(func() {
		stops = map[string]map[string]bool{}
		entries, _ := stopFiles.ReadDir("stopwords")
		for _, e := range entries {
			f, err := stopFiles.Open("stopwords/" + e.Name())
			if err != nil {
				continue
			}
			set := map[string]bool{}
			sc := bufio.NewScanner(f)
			for sc.Scan() {
				line, _, _ := strings.Cut(sc.Text(), "#")
				for _, w := range strings.Fields(line) {
					set[w] = true
				}
			}
			f.Close()
			stops[strings.TrimSuffix(e.Name(), ".txt")] = set
		}
	})
	return stops[lang]
}

// Token is one word of a text: as written (lower case), and its stem.
type Token struct {
	Word, Stem string
}

// Tokens splits text, written in lang, into its words that may carry a
// theme, in order: lower case, without stop words, numbers or one-letter
// words, each with its stem. A language without a stemmer keeps words
// whole; Chinese is cut into overlapping pairs of characters.
func Tokens(lang, text string) []Token {
	lower := cases.Lower(language.Make(lang)).String(text)
	stop := stopWords(lang)
	stem := stemmers[lang]
	var out []Token
	isPart := func(r rune) bool {
		return unicode.IsLetter(r) || unicode.IsMark(r) || unicode.IsDigit(r) || r == '\'' || r == '’'
	}
	for _, w := range strings.FieldsFunc(lower, func(r rune) bool { return !isPart(r) }) {
		w = strings.Trim(w, "'’")
		if strings.IndexFunc(w, unicode.IsDigit) >= 0 {
			continue // 2nd, 2014, 10h: no theme
		}
		if lang == "zh" {
			out = append(out, hanPairs(w, stop)...)
			continue
		}
		if len([]rune(w)) < 2 || stop[w] || stop[elided(w)] {
			continue
		}
		w = elided(w)
		s := w
		if stem != nil {
			env := snowballstem.NewEnv(w)
			stem(env)
			s = env.Current()
		}
		out = append(out, Token{Word: w, Stem: s})
	}
	return out
}

// elided takes the elided article or pronoun off a French or Italian word
// (l'autonomie → autonomie), which the stemmer would keep.
func elided(w string) string {
	if i := strings.IndexAny(w, "'’"); i > 0 && i <= 3 {
		return strings.TrimLeft(w[i:], "'’")
	}
	return w
}

// hanPairs cuts a run of Chinese characters into overlapping pairs (most
// Chinese words are two characters long), leaving out pairs with a stop
// character.
func hanPairs(run string, stop map[string]bool) []Token {
	rs := []rune(run)
	var out []Token
	for i := 0; i+1 < len(rs); i++ {
		a, b := string(rs[i]), string(rs[i+1])
		if stop[a] || stop[b] {
			continue
		}
		out = append(out, Token{Word: a + b, Stem: a + b})
	}
	return out
}

// Stems reports whether lang has a stemmer (Chinese and languages without
// one keep words whole).
func Stems(lang string) bool { return stemmers[lang] != nil }
