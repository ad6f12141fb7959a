// Package baseline is everyday language as a reference for candidate
// themes: how often each stem is used in a large general corpus (film and
// television subtitles), per language, so that a wave's words can be
// compared with ordinary speech when there is no other wave to compare
// them with. The lists and their licence are in data/.
package baseline

import (
	"bufio"
	"compress/gzip"
	"embed"
	"strconv"
	"strings"
	"sync"

	"github.com/csci/exchangeeval/internal/stemming"
)

//go:embed data/*.txt.gz
var lists embed.FS

// Counts are a language's stems in the corpus: Total words, and per stem
// its uses (the words of the list that have that stem, added).
type Counts struct {
	Total float64
	Stems map[string]float64
}

var (
	mu     sync.Mutex
	loaded = map[string]*Counts{}
)

// Of is a language's counts; nil when there is no list for it. The list
// is read and stemmed once, on first use.
func Of(lang string) *Counts {
	mu.Lock()
	defer mu.Unlock()
	if c, ok := loaded[lang]; ok {
		return c
	}
	c := read(lang)
	loaded[lang] = c
	return c
}

func read(lang string) *Counts {
	f, err := lists.Open("data/" + lang + ".txt.gz")
	if err != nil {
		return nil
	}
	defer f.Close()
	z, err := gzip.NewReader(f)
	if err != nil {
		return nil
	}
	c := &Counts{Stems: map[string]float64{}}
	sc := bufio.NewScanner(z)
	for sc.Scan() {
		line := sc.Text()
		if t, ok := strings.CutPrefix(line, "# total "); ok {
			c.Total, _ = strconv.ParseFloat(t, 64)
			continue
		}
		word, n, ok := strings.Cut(line, " ")
		count, err := strconv.ParseFloat(n, 64)
		if !ok || err != nil {
			continue
		}
		for _, tok := range stemming.Tokens(lang, word) {
			c.Stems[tok.Stem] += count
		}
	}
	if c.Total <= 0 || sc.Err() != nil {
		return nil
	}
	return c
}
