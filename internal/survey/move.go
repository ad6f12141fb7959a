package survey

import (
	"fmt"
	"slices"
	"strings"
)

var moveWords = map[string]map[string]string{
	"en": {
		"gone":    "question %s has answers, and version %d does not ask it",
		"type":    "question %s has answers as %s, and version %d makes it %s",
		"points":  "question %s has answers on %d points, and version %d's scale has %d",
		"reverse": "question %s has answers, and version %d changes its reverse scoring",
		"options": "question %s has answers, and version %d no longer offers %s",
		"waves":   "wave %s has answers, and version %d does not have it",
	},
	"fr": {
		"gone":    "la question %s a des réponses, et la version %d ne la pose plus",
		"type":    "la question %s a des réponses de type %s, et la version %d en fait une question %s",
		"points":  "la question %s a des réponses sur %d points, et l'échelle de la version %d en a %d",
		"reverse": "la question %s a des réponses, et la version %d change son codage inversé",
		"options": "la question %s a des réponses, et la version %d ne propose plus %s",
		"waves":   "la vague %s a des réponses, et la version %d ne l'a pas",
	},
}

// MoveProblems says why an exchange with answers to the questions in
// answered (and in the waves in waves) could not move from one version of
// its instrument to another: every answered question must keep its id, its
// type, its scale and its options, so the answers stay what they were and
// pair with those to come. Worded in lang; none means the move is safe.
func MoveProblems(from, to *Instrument, waves []string, answered map[string]bool, lang string) []string {
	w, ok := moveWords[lang]
	if !ok {
		w = moveWords["en"]
	}
	var out []string
	for _, wave := range waves {
		if to.Wave(wave) == nil {
			out = append(out, fmt.Sprintf(w["waves"], wave, to.Version))
		}
	}
	for _, old := range from.Questions() {
		if !answered[old.ID] {
			continue
		}
		nw := to.Question(old.ID)
		switch {
		case nw == nil:
			out = append(out, fmt.Sprintf(w["gone"], old.ID, to.Version))
		case nw.Type != old.Type:
			out = append(out, fmt.Sprintf(w["type"], old.ID, old.Type, to.Version, nw.Type))
		case old.Type == TypeLikert && points(from, old) != points(to, nw):
			out = append(out, fmt.Sprintf(w["points"], old.ID, points(from, old), to.Version, points(to, nw)))
		case old.Reverse != nw.Reverse:
			out = append(out, fmt.Sprintf(w["reverse"], old.ID, to.Version))
		default:
			var lost []string
			for _, code := range optionCodes(old) {
				if nw.Option(code) == nil {
					lost = append(lost, code)
				}
			}
			if len(lost) > 0 {
				slices.Sort(lost)
				out = append(out, fmt.Sprintf(w["options"], old.ID, to.Version, strings.Join(lost, ", ")))
			}
		}
	}
	return out
}
