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
	var s Stemmer
	var out []Token
	s.Each(lang, text, func(word, stem int32) {
		out = append(out, Token{Word: s.Words[word].Word, Stem: s.Stems[stem].Stem})
	})
	return out
}

// Stemmer splits and stems as Tokens does, remembering every word it has
// met by a number: an evaluation's answers use the same few thousand words
// again and again, and each is lowered, looked up and stemmed once. Not
// safe for concurrent use.
type Stemmer struct {
	// Words and Stems are what the numbers stand for.
	Words   []Word
	Stems   []Stem
	known   map[string]map[string]int32 // lang → word as written → Words index, -1 for none
	stems   map[Stem]int32
	phrases map[[2]int32]int32 // two words → the Words index of the phrase
}

// Word is a word as counted: lower case, without an elided article.
type Word struct {
	Word string
	Stem int32 // index in Stems
}

// Stem is a stem of a language.
type Stem struct {
	Lang, Stem string
}

// Each calls f with the numbers of each word of text that may carry a
// theme, and of its stem, in order.
func (s *Stemmer) Each(lang, text string, f func(word, stem int32)) {
	if s.known == nil {
		s.known, s.stems = map[string]map[string]int32{}, map[Stem]int32{}
	}
	known := s.known[lang]
	if known == nil {
		known = map[string]int32{}
		s.known[lang] = known
	}
	for w := range strings.FieldsFuncSeq(text, func(r rune) bool { return !isPart(r) }) {
		if lang == "zh" {
			s.hanPairs(strings.Trim(w, "'’"), known, f)
			continue
		}
		id, ok := known[w]
		if !ok {
			id = s.intern(lang, w)
			known[w] = id
		}
		if id >= 0 {
			f(id, s.Words[id].Stem)
		}
	}
}

// intern numbers a word as written: -1 when it carries no theme.
func (s *Stemmer) intern(lang, written string) int32 {
	// strings.ToLower, not a language's own casing: the shipped languages
	// lower the same way.
	w := strings.Trim(strings.ToLower(written), "'’")
	stem := stemOf(lang, w)
	if stem == "" {
		return -1
	}
	return s.word(lang, elided(w), stem)
}

func (s *Stemmer) word(lang, w, stem string) int32 {
	k := Stem{lang, stem}
	sid, ok := s.stems[k]
	if !ok {
		sid = int32(len(s.Stems))
		s.Stems = append(s.Stems, k)
		s.stems[k] = sid
	}
	s.Words = append(s.Words, Word{Word: w, Stem: sid})
	return int32(len(s.Words) - 1)
}

// Phrase numbers the phrase of two words met one after the other (stop
// words between them left out): a word of its own, "santé mentale", whose
// stem is the two stems, "sant mental". A phrase says what neither word
// says alone; it is counted beside its words.
func (s *Stemmer) Phrase(first, second int32) int32 {
	if s.phrases == nil {
		s.phrases = map[[2]int32]int32{}
	}
	k := [2]int32{first, second}
	if id, ok := s.phrases[k]; ok {
		return id
	}
	a, b := s.Words[first], s.Words[second]
	st := s.Stems[a.Stem]
	id := s.word(st.Lang, a.Word+" "+b.Word, st.Stem+" "+s.Stems[b.Stem].Stem)
	s.phrases[k] = id
	return id
}

// StemID is the number of a stem met so far.
func (s *Stemmer) StemID(st Stem) (int32, bool) {
	id, ok := s.stems[st]
	return id, ok
}

// hanPairs cuts a run of Chinese characters into overlapping pairs (most
// Chinese words are two characters long), leaving out pairs with a stop
// character.
func (s *Stemmer) hanPairs(run string, known map[string]int32, f func(word, stem int32)) {
	stop := stopWords("zh")
	rs := []rune(run)
	for i := 0; i+1 < len(rs); i++ {
		pair := string(rs[i : i+2])
		id, ok := known[pair]
		if !ok {
			id = -1
			if !stop[string(rs[i])] && !stop[string(rs[i+1])] && !unicode.IsDigit(rs[i]) && !unicode.IsDigit(rs[i+1]) {
				id = s.word("zh", pair, pair)
			}
			known[pair] = id
		}
		if id >= 0 {
			f(id, s.Words[id].Stem)
		}
	}
}

// isPart: the characters of a word — letters, marks, digits (a word with
// a digit is then dropped), apostrophes.
func isPart(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsMark(r) || unicode.IsDigit(r) || r == '\'' || r == '’'
}

// stemOf is the stem of the lower-case word w of lang; "" when it carries
// no theme (a stop word, a number, a single letter).
func stemOf(lang, w string) string {
	stop := stopWords(lang)
	if strings.IndexFunc(w, unicode.IsDigit) >= 0 || len([]rune(w)) < 2 || stop[w] || stop[elided(w)] {
		return ""
	}
	w = elided(w)
	if len([]rune(w)) < 2 {
		return ""
	}
	if stem := stemmers[lang]; stem != nil {
		env := snowballstem.NewEnv(w)
		stem(env)
		return env.Current()
	}
	return w
}

// elided takes the elided article or pronoun off a French or Italian word
// (l'autonomie → autonomie), which the stemmer would keep.
func elided(w string) string {
	if i := strings.IndexAny(w, "'’"); i > 0 && i <= 3 {
		return strings.TrimLeft(w[i:], "'’")
	}
	return w
}

// Stems reports whether lang has a stemmer (Chinese and languages without
// one keep words whole).
func Stems(lang string) bool { return stemmers[lang] != nil }
