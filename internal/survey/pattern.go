package survey

import (
	"errors"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// Pattern is one compiled codebook pattern: a word or a phrase of words, each
// word matched whole or, when written with a trailing *, as a prefix.
// Matching ignores case and accents, so "Évaluation" matches "evaluation".
type Pattern struct {
	Source string
	Words  []string
	Prefix []bool
}

// CompilePattern checks and compiles a codebook pattern such as "empower*",
// "volunteer*" or "pouvoir d'agir".
func CompilePattern(src string) (Pattern, error) {
	p := Pattern{Source: src}
	if strings.TrimSpace(src) == "" {
		return p, errors.New("empty pattern")
	}
	for _, field := range strings.Fields(src) {
		prefix := strings.HasSuffix(field, "*")
		body := strings.TrimSuffix(field, "*")
		if strings.Contains(body, "*") {
			return p, errors.New("a * may only end a word (a prefix wildcard such as empower*)")
		}
		words := Tokens(body)
		if len(words) == 0 {
			if prefix {
				return p, errors.New("a * needs at least one letter before it")
			}
			return p, errors.New("a pattern needs letters or digits")
		}
		for i, w := range words {
			p.Words = append(p.Words, w)
			p.Prefix = append(p.Prefix, prefix && i == len(words)-1)
		}
	}
	return p, nil
}

// Count returns how many times the pattern occurs in the token sequence.
func (p Pattern) Count(tokens []string) int {
	n := 0
	for i := 0; i+len(p.Words) <= len(tokens); i++ {
		if p.matchAt(tokens, i) {
			n++
		}
	}
	return n
}

func (p Pattern) matchAt(tokens []string, i int) bool {
	for j, w := range p.Words {
		t := tokens[i+j]
		if p.Prefix[j] {
			if !strings.HasPrefix(t, w) {
				return false
			}
		} else if t != w {
			return false
		}
	}
	return true
}

// foldAccents hands out accent-removing transformers. A transformer keeps
// state while it works, so one must never serve two goroutines at once
// (a shared one made concurrent dashboards panic); a pool saves building
// the chain's buffers for every answer.
var foldAccents = sync.Pool{New: func() any {
	return transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
}}

// Fold lower-cases s and removes accents: "Évaluée" → "evaluee". Case is
// folded as Unicode folds it, not merely lowered, so German "Straße"
// matches "STRASSE"; Turkish "İ" loses its dot with the accents; letters
// that carry their mark in their shape (Polish ł, Danish ø, Croatian đ,
// Turkish dotless ı) are folded to the Latin letter as well. It is safe
// for concurrent use.
func Fold(s string) string {
	if isASCII(s) {
		return strings.ToLower(s)
	}
	t := foldAccents.Get().(transform.Transformer)
	defer foldAccents.Put(t)
	out, _, err := transform.String(t, s)
	if err != nil {
		out = s
	}
	return shapedLetters.Replace(cases.Fold().String(out))
}

// shapedLetters are the letters whose accent is part of the letter, which
// no decomposition removes, folded to the letter a pattern is typed with.
var shapedLetters = strings.NewReplacer("ł", "l", "ø", "o", "đ", "d", "ħ", "h", "ı", "i", "æ", "ae", "œ", "oe", "þ", "th")

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// Tokens splits text into folded words: letters and digits; everything else
// (spaces, punctuation, apostrophes, hyphens) separates words, which is what
// makes matches respect word boundaries. Scripts written without spaces
// between words (Chinese, Japanese, Thai, Lao, Khmer, Burmese) have no
// boundaries to respect: each of their characters is a token of its own,
// so a pattern in them (a run of characters) matches wherever the run
// occurs, within a longer run or not.
func Tokens(s string) []string {
	words := strings.FieldsFunc(Fold(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	for i, w := range words {
		if !hasUnspaced(w) {
			continue
		}
		var split []string
		for len(w) > 0 {
			j := 0
			for j < len(w) {
				r, n := utf8.DecodeRuneInString(w[j:])
				if unspaced(r) {
					if j == 0 {
						j = n
					}
					break
				}
				j += n
			}
			split, w = append(split, w[:j]), w[j:]
		}
		return append(append(append([]string{}, words[:i]...), split...), Tokens(strings.Join(words[i+1:], " "))...)
	}
	return words
}

// unspaced reports whether r belongs to a script written without spaces
// between words.
func unspaced(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Thai, unicode.Lao, unicode.Khmer, unicode.Myanmar) ||
		r == 'ー' // the katakana length mark is in no script of its own
}

func hasUnspaced(w string) bool {
	for _, r := range w {
		if unspaced(r) {
			return true
		}
	}
	return false
}
