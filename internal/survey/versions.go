package survey

import (
	"fmt"
	"slices"
	"strings"
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
			return &Difference{Kind: "question", ID: id, Code: DiffType, Args: append(pair, first.Type, q.Type),
				Detail: fmt.Sprintf("question %s is %s in version %d and %s in version %d", id, first.Type, vs[0].Version, q.Type, in.Version)}
		case q.Type == TypeLikert && points(vs[0], first) != points(in, q):
			return &Difference{Kind: "question", ID: id, Code: DiffScale, Args: append(pair, points(vs[0], first), points(in, q)),
				Detail: fmt.Sprintf("question %s is scored on %d points in version %d and %d points in version %d", id, points(vs[0], first), vs[0].Version, points(in, q), in.Version)}
		case q.Reverse != first.Reverse:
			return &Difference{Kind: "question", ID: id, Code: DiffReverse, Args: pair,
				Detail: fmt.Sprintf("question %s is reverse-scored in only one of versions %d and %d", id, vs[0].Version, in.Version)}
		case !slices.Equal(optionCodes(first), optionCodes(q)):
			return &Difference{Kind: "question", ID: id, Code: DiffOptions, Args: pair,
				Detail: fmt.Sprintf("question %s has other options in version %d than in version %d", id, in.Version, vs[0].Version)}
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
			return &Difference{Kind: "goal", ID: id, Code: DiffCriterion, Args: []any{id, vs[0].Version, first.From, first.To, in.Version, c.From, c.To},
				Detail: fmt.Sprintf("goal %s compares %s→%s in version %d and %s→%s in version %d", id, first.From, first.To, vs[0].Version, c.From, c.To, in.Version)}
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
		return &Difference{Kind: "goal", ID: id, Code: DiffItems, Args: []any{id, list},
			Detail: fmt.Sprintf("goal %s is not scored from the same questions in every version (see %s)", id, list)}
	}
	return nil
}

func absent(kind, id string, vs, missing []*Instrument) Difference {
	having := slices.DeleteFunc(slices.Clone(vs), func(in *Instrument) bool { return slices.Contains(missing, in) })
	return Difference{Kind: kind, ID: id, Code: DiffAbsent, Args: []any{kind, id, versionList(having), versionList(missing)},
		Detail: fmt.Sprintf("%s %s is in version %s, not in version %s", kind, id, versionList(having), versionList(missing))}
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

// The ids of every version, in the newest version's order and then the
// older versions' (newest first), each once.
func questionsOfAll(vs []*Instrument) []string {
	return idsOfAll(vs, func(in *Instrument) []string {
		var ids []string
		for _, q := range in.Questions() {
			ids = append(ids, q.ID)
		}
		return ids
	})
}

func goalsOfAll(vs []*Instrument) []string {
	return idsOfAll(vs, func(in *Instrument) []string {
		var ids []string
		for _, g := range in.Goals {
			ids = append(ids, g.ID)
		}
		return ids
	})
}

func themesOfAll(vs []*Instrument) []string {
	return idsOfAll(vs, func(in *Instrument) []string {
		var ids []string
		for _, t := range in.Themes {
			ids = append(ids, t.ID)
		}
		return ids
	})
}

func idsOfAll(vs []*Instrument, ids func(*Instrument) []string) []string {
	seen := map[string]bool{}
	var out []string
	for i := len(vs) - 1; i >= 0; i-- {
		for _, id := range ids(vs[i]) {
			if !seen[id] {
				seen[id] = true
				out = append(out, id)
			}
		}
	}
	return out
}
