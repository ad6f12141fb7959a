package analysis

import (
	"cmp"
	"slices"
	"strings"

	"github.com/csci/exchangeeval/internal/coding"
)

// Agreement between the people who coded the open answers, and between
// each of them and the codebook's automatic coding: per theme and over all
// themes, for every pair of coders, percent agreement, Cohen's κ with its
// interval and Krippendorff's α (agreement.go); and α across all the
// people when three or more coded.

// AllThemes names the agreement over every theme at once.
const AllThemes = "all"

// ThemeAgreement is how well coders agree on a theme (or all).
type ThemeAgreement struct {
	Theme  string   `json:"theme"`
	Coders []string `json:"coders"`
	Kappa
	Alpha *float64 `json:"alpha"`
}

// humanCodes keeps people's codes, and marks the answers they coded so
// that the automatic codes of those are kept while the responses are read.
func (a *analyzer) humanCodes(codes []coding.Record) {
	if len(codes) == 0 {
		return
	}
	a.codes = codes
	a.effective = coding.Effective(codes)
	a.auto, a.autoSeen = map[coding.AnswerKey][]string{}, map[coding.AnswerKey]bool{}
	for _, r := range codes {
		a.auto[r.Key()] = []string{} // non-nil: wanted
	}
}

// themeAgreement computes the agreement of every pair of coders.
func (a *analyzer) themeAgreement() []ThemeAgreement {
	out := []ThemeAgreement{}
	if len(a.codes) == 0 {
		return out
	}
	byCoder := map[string]map[coding.AnswerKey][]string{coding.Automatic: a.auto}
	var people []string
	for _, r := range a.codes {
		if r.Coder == coding.Reconciled {
			continue // settles disagreements; no coder of its own
		}
		if byCoder[r.Coder] == nil {
			byCoder[r.Coder] = map[coding.AnswerKey][]string{}
			people = append(people, r.Coder)
		}
		byCoder[r.Coder][r.Key()] = r.Themes
	}
	slices.Sort(people)
	// The answers people coded that are still there (an answer erased
	// since, or left empty, is no unit).
	var keys []coding.AnswerKey
	for k := range a.autoSeen {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(x, y coding.AnswerKey) int {
		return cmp.Or(strings.Compare(x.Participant, y.Participant), strings.Compare(x.Wave, y.Wave), strings.Compare(x.Question, y.Question))
	})
	// code is coder c's code of answer k for theme t: "1", "0", or "" when
	// c did not code k.
	code := func(c string, k coding.AnswerKey, t string) string {
		themes, ok := byCoder[c][k]
		switch {
		case !ok:
			return ""
		case slices.Contains(themes, t):
			return "1"
		}
		return "0"
	}
	var themes []string
	for _, th := range a.themes {
		themes = append(themes, th.id)
	}
	agree := func(coders []string, theme string) ThemeAgreement {
		var units [][]string
		for _, k := range keys {
			for _, t := range themes {
				if theme != AllThemes && t != theme {
					continue
				}
				u := make([]string, len(coders))
				for i, c := range coders {
					u[i] = code(c, k, t)
				}
				units = append(units, u)
			}
		}
		ta := ThemeAgreement{Theme: theme, Coders: coders, Alpha: KrippendorffAlpha(units)}
		if len(coders) == 2 {
			x, y := make([]string, len(units)), make([]string, len(units))
			for i, u := range units {
				x[i], y[i] = u[0], u[1]
			}
			ta.Kappa = CohenKappa(x, y)
		}
		return ta
	}
	coders := append(slices.Clone(people), coding.Automatic)
	for i, c := range coders {
		for _, d := range coders[i+1:] {
			for _, t := range append([]string{AllThemes}, themes...) {
				out = append(out, agree([]string{c, d}, t))
			}
		}
	}
	if len(people) >= 3 {
		for _, t := range append([]string{AllThemes}, themes...) {
			out = append(out, agree(people, t))
		}
	}
	return out
}
