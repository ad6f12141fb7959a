package survey

import (
	"fmt"
	"github.com/csci/exchangeeval/internal/i18n"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// An instrument evolves: a question is reworded, a scale gets more points, a
// goal is added. Each exchange keeps the version it was run with, so its
// pre and post answers stay comparable; exchanges run with different
// versions can be compared only where the versions agree. Compare finds
// those parts, and says of every other part why it is left out.

// Kinds of difference between versions.
const (
	DiffAbsent    = "absent"    // in some versions only
	DiffType      = "type"      // a question's type changed
	DiffScale     = "scale"     // a Likert question's number of points changed
	DiffReverse   = "reverse"   // reverse scoring was switched on or off
	DiffOptions   = "options"   // a choice question's option codes changed
	DiffCriterion = "criterion" // a goal compares other waves
	DiffItems     = "items"     // a goal's questions are not the same
	DiffCondition = "condition" // a question is asked under another condition
)

// Difference is one part of an instrument (a goal, a question or a theme)
// that is not the same across the versions compared, and so is not compared
// across them. Detail says why in English; Code and Args let a reader's
// language word it.
type Difference struct {
	Kind   string `json:"kind"` // goal, question, theme
	ID     string `json:"id"`
	Code   string `json:"code"`
	Args   []any  `json:"args,omitempty"`
	Detail string `json:"reason"`
}

// Compare finds what the versions of one instrument have in common: it
// returns an instrument made of the newest version's waves, scales and
// wording, restricted to the goals, questions and themes that are the same
// in every version, and the differences, goals first. With one version it
// returns that version and no differences.
func Compare(versions []*Instrument) (*Instrument, []Difference) {
	vs := slices.Clone(versions)
	slices.SortFunc(vs, func(a, b *Instrument) int { return a.Version - b.Version })
	newest := vs[len(vs)-1]
	if len(vs) == 1 {
		return newest, nil
	}
	var goalDiffs, questionDiffs, themeDiffs []Difference
	sameQuestion := map[string]bool{}
	for _, q := range questionsOfAll(vs) {
		if d := questionDifference(vs, q); d != nil {
			questionDiffs = append(questionDiffs, *d)
		} else {
			sameQuestion[q] = true
		}
	}
	sameGoal := map[string]bool{}
	for _, g := range goalsOfAll(vs) {
		if d := goalDifference(vs, g, sameQuestion); d != nil {
			goalDiffs = append(goalDiffs, *d)
		} else {
			sameGoal[g] = true
		}
	}
	for _, t := range themesOfAll(vs) {
		if missing := versionsWithout(vs, func(in *Instrument) bool { return themeIn(in, t) }); len(missing) > 0 {
			themeDiffs = append(themeDiffs, absent("theme", t, vs, missing))
		}
	}
	common := *newest
	common.Source = fmt.Sprintf("%s (the part common to versions %s)", newest.Source, versionList(vs))
	common.Goals = slices.DeleteFunc(slices.Clone(newest.Goals), func(g *Goal) bool { return !sameGoal[g.ID] })
	common.Themes = slices.DeleteFunc(slices.Clone(newest.Themes), func(t *Theme) bool {
		return slices.ContainsFunc(themeDiffs, func(d Difference) bool { return d.ID == t.ID })
	})
	common.Sections = nil
	for _, s := range newest.Sections {
		cs := *s
		cs.Questions = nil
		for _, q := range s.Questions {
			if !sameQuestion[q.ID] {
				continue
			}
			cq := *q
			if !sameGoal[cq.Goal] {
				cq.Goal = "" // still an item of its own, no longer scored for a goal
			}
			cs.Questions = append(cs.Questions, &cq)
		}
		if len(cs.Questions) > 0 {
			common.Sections = append(common.Sections, &cs)
		}
	}
	common.index()
	return &common, slices.Concat(goalDiffs, questionDiffs, themeDiffs)
}

func questionDifference(vs []*Instrument, id string) *Difference {
	if missing := versionsWithout(vs, func(in *Instrument) bool { return in.Question(id) != nil }); len(missing) > 0 {
		d := absent("question", id, vs, missing)
		return &d
	}
	first := vs[0].Question(id)
	for _, in := range vs[1:] {
		q := in.Question(id)
		pair := []any{id, vs[0].Version, in.Version}
		switch {
		case q.Type != first.Type:
			return newDifference("question", id, DiffType, append(pair, first.Type, q.Type))
		case q.Type == TypeLikert && points(vs[0], first) != points(in, q):
			return newDifference("question", id, DiffScale, append(pair, points(vs[0], first), points(in, q)))
		case q.Reverse != first.Reverse:
			return newDifference("question", id, DiffReverse, pair)
		case !slices.Equal(optionCodes(first), optionCodes(q)):
			return newDifference("question", id, DiffOptions, pair)
		case q.RelevantAll() != first.RelevantAll():
			// Asked of other delegates: its answers are another group's.
			return newDifference("question", id, DiffCondition, pair)
		}
	}
	return nil
}

func goalDifference(vs []*Instrument, id string, sameQuestion map[string]bool) *Difference {
	if missing := versionsWithout(vs, func(in *Instrument) bool { return in.Goal(id) != nil }); len(missing) > 0 {
		d := absent("goal", id, vs, missing)
		return &d
	}
	first := vs[0].Goal(id).Criterion.Effective()
	for _, in := range vs[1:] {
		c := in.Goal(id).Criterion.Effective()
		if c.From != first.From || c.To != first.To {
			return newDifference("goal", id, DiffCriterion, []any{id, vs[0].Version, first.From, first.To, in.Version, c.From, c.To})
		}
	}
	var differing []string
	for _, q := range questionsOfAll(vs) {
		if slices.ContainsFunc(vs, func(in *Instrument) bool { return itemOf(in, q, id) }) &&
			(!sameQuestion[q] || slices.ContainsFunc(vs, func(in *Instrument) bool { return !itemOf(in, q, id) })) {
			differing = append(differing, q)
		}
	}
	if len(differing) > 0 {
		list := strings.Join(differing, ", ")
		return newDifference("goal", id, DiffItems, []any{id, list})
	}
	return nil
}

func newDifference(kind, id, code string, args []any) *Difference {
	d := &Difference{Kind: kind, ID: id, Code: code, Args: args}
	d.Detail = d.In("en", nil, nil)
	return d
}

func absent(kind, id string, vs, missing []*Instrument) Difference {
	having := slices.DeleteFunc(slices.Clone(vs), func(in *Instrument) bool { return slices.Contains(missing, in) })
	return *newDifference(kind, id, DiffAbsent, []any{kind, id, versionList(having), versionList(missing)})
}

func itemOf(in *Instrument, question, goal string) bool {
	q := in.Question(question)
	return q != nil && q.Goal == goal
}

func points(in *Instrument, q *Question) int {
	if s := in.Scales[q.Scale]; s != nil {
		return s.Points
	}
	return 0
}

func optionCodes(q *Question) []string {
	codes := make([]string, len(q.Options))
	for i, o := range q.Options {
		codes[i] = o.Code
	}
	return codes
}

func themeIn(in *Instrument, id string) bool {
	return slices.ContainsFunc(in.Themes, func(t *Theme) bool { return t.ID == id })
}

func versionsWithout(vs []*Instrument, has func(*Instrument) bool) []*Instrument {
	var out []*Instrument
	for _, in := range vs {
		if !has(in) {
			out = append(out, in)
		}
	}
	return out
}

func versionList(vs []*Instrument) string {
	s := make([]string, len(vs))
	for i, in := range vs {
		s[i] = fmt.Sprint(in.Version)
	}
	return strings.Join(s, ", ")
}

// The ids of every version's questions, goals or themes: in the newest
// version's order, then the older versions' (newest first), each once.
func questionsOfAll(vs []*Instrument) []string {
	return idsOfAll(vs, func(in *Instrument) []*Question { return in.Questions() }, func(q *Question) string { return q.ID })
}

func goalsOfAll(vs []*Instrument) []string {
	return idsOfAll(vs, func(in *Instrument) []*Goal { return in.Goals }, func(g *Goal) string { return g.ID })
}

func themesOfAll(vs []*Instrument) []string {
	return idsOfAll(vs, func(in *Instrument) []*Theme { return in.Themes }, func(t *Theme) string { return t.ID })
}

func idsOfAll[T any](vs []*Instrument, parts func(*Instrument) []T, id func(T) string) []string {
	seen := map[string]bool{}
	var out []string
	for _, in := range slices.Backward(vs) {
		for _, part := range parts(in) {
			if k := id(part); !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
	}
	return out
}

// differenceArgs names the placeholders of each code's message, in the
// order of the difference's Args.
var differenceArgs = map[string][]string{
	DiffAbsent:    {"part", "id", "in", "notin"},
	DiffType:      {"question", "a", "b", "atype", "btype"},
	DiffScale:     {"question", "a", "b", "apoints", "bpoints"},
	DiffReverse:   {"question", "a", "b"},
	DiffOptions:   {"question", "a", "b"},
	DiffCriterion: {"goal", "a", "afrom", "ato", "b", "bfrom", "bto"},
	DiffItems:     {"goal", "versions"},
	DiffCondition: {"question", "a", "b"},
}

// In words the difference in lang (English where lang has no wording), naming the
// part by name(kind, id) when name is given (a goal's title rather than
// its id) and waves by wave(id) when given.
func (d Difference) In(lang string, name func(kind, id string) string, wave func(id string) string) string {
	w := func(key string, args ...any) string { return i18n.T(lang, "version."+key, args...) }
	args := slices.Clone(d.Args)
	at := 0
	if d.Code == DiffAbsent {
		args[0] = w(d.Kind)
		at = 1
	}
	if name != nil {
		args[at] = name(d.Kind, d.ID)
	}
	if d.Code == DiffType {
		for _, i := range []int{3, 4} {
			args[i] = w(fmt.Sprint(args[i]))
		}
	}
	if d.Code == DiffCriterion && wave != nil {
		for _, i := range []int{2, 3, 5, 6} {
			args[i] = wave(fmt.Sprint(args[i]))
		}
	}
	named := i18n.Named{}
	for i, n := range differenceArgs[d.Code] {
		if i < len(args) {
			named[n] = args[i]
		}
	}
	s := w(d.Code, named)
	return capitalize(s)
}

// capitalize upper-cases the first letter of s, whatever its script (a
// byte-wise upper-casing would break a letter written in several bytes).
func capitalize(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}
