package survey

import (
	"github.com/csci/exchangeeval/internal/i18n"
	"slices"
	"strings"
)

// MoveProblems says why an exchange with answers to the questions in
// answered (and in the waves in waves) could not move from one version of
// its instrument to another: every answered question must keep its id, its
// type, its scale and its options, so the answers stay what they were and
// pair with those to come. Worded in lang; none means the move is safe.
func MoveProblems(from, to *Instrument, waves []string, answered map[string]bool, lang string) []string {
	w := func(key string, args ...any) string { return i18n.T(lang, "move."+key, args...) }
	var out []string
	for _, wave := range waves {
		if to.Wave(wave) == nil {
			out = append(out, w("waves", wave, to.Version))
		}
	}
	for _, old := range from.Questions() {
		if !answered[old.ID] {
			continue
		}
		nw := to.Question(old.ID)
		switch {
		case nw == nil:
			out = append(out, w("gone", old.ID, to.Version))
		case nw.Type != old.Type:
			out = append(out, w("type", old.ID, old.Type, to.Version, nw.Type))
		case old.Type == TypeLikert && points(from, old) != points(to, nw):
			out = append(out, w("points", old.ID, points(from, old), to.Version, points(to, nw)))
		case old.Reverse != nw.Reverse:
			out = append(out, w("reverse", old.ID, to.Version))
		default:
			var lost []string
			for _, code := range optionCodes(old) {
				if nw.Option(code) == nil {
					lost = append(lost, code)
				}
			}
			if len(lost) > 0 {
				slices.Sort(lost)
				out = append(out, w("options", old.ID, to.Version, strings.Join(lost, ", ")))
			}
		}
	}
	return out
}
