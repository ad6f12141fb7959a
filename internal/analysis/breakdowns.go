package analysis

import (
	"math"
	"sort"
)

// groupBy settles the breakdowns' groups once every participant and
// response is read: the values someone has, in the order first met, "not
// given" named as such.
func (a *analyzer) groupBy() {
	for k := range a.attrs {
		remap := make([]uint32, len(a.attrVals[k]))
		used := make([]bool, len(a.attrVals[k]))
		var vals []string
		for i := range a.attrs[k].len() {
			vi := a.attrs[k].get(i)
			if !used[vi] {
				used[vi] = true
				remap[vi] = uint32(len(vals))
				v := a.attrVals[k][vi]
				if v == "" {
					v = NotGiven
				}
				vals = append(vals, v)
			}
			*a.attrs[k].at(i) = remap[vi]
		}
		a.attrVals[k] = vals
	}
	a.attrIndex = nil
}

// scoresByGroup is the goal scores in wave w of each group of attribute
// ai (by value index), in key order, laid out group after group in `into`.
// scores and into hold one float64 per participant and are reused for every
// goal and wave: gathering a group's scores by appending, group by group,
// cost a pass per group and hundreds of megabytes of garbage at 100 000
// participants. The slices returned are valid until the next call.
func (a *analyzer) scoresByGroup(goal string, w, ai int, scores, into []float64) [][]float64 {
	attr := &a.attrs[ai]
	starts := make([]int, len(a.attrVals[ai])+1)
	for i := range a.keys {
		scores[i] = a.goalScore(goal, w, i)
		if !math.IsNaN(scores[i]) {
			starts[attr.get(i)+1]++
		}
	}
	for vi := 1; vi < len(starts); vi++ {
		starts[vi] += starts[vi-1]
	}
	out := make([][]float64, len(starts)-1)
	for vi := range out {
		out[vi] = into[starts[vi]:starts[vi]:starts[vi+1]]
	}
	for _, i := range a.order {
		if x := scores[i]; !math.IsNaN(x) {
			vi := attr.get(int(i))
			out[vi] = append(out[vi], x)
		}
	}
	return out
}

// groupThemes counts, for one attribute, the respondents to open questions
// of each group in each wave, and how many of them mention each theme.
func (a *analyzer) groupThemes(ai int) (text [][]int, themes [][][]int) {
	text = make([][]int, len(a.attrVals[ai]))
	themes = make([][][]int, len(a.attrVals[ai]))
	for vi := range text {
		text[vi] = make([]int, len(a.waves))
		themes[vi] = grid(len(a.waves), len(a.themes))
	}
	for w := range a.waves {
		for i := range a.attrs[ai].len() {
			vi := a.attrs[ai].get(i)
			if !a.textAnswered[w].get(i) {
				continue
			}
			text[vi][w]++
			for t := range a.themes {
				if a.mentions(w, i, t) {
					themes[vi][w][t]++
				}
			}
		}
	}
	return text, themes
}

func (a *analyzer) breakdowns() []BreakdownReport {
	k := a.opts.MinCell
	var out []BreakdownReport
	scores, into := make([]float64, len(a.keys)), make([]float64, len(a.keys))
	for ai, attr := range breakdownAttributes {
		br := BreakdownReport{By: attr}
		order := make([]int, len(a.attrVals[ai]))
		for i := range order {
			order[i] = i
		}
		sort.Slice(order, func(x, y int) bool { return a.attrVals[ai][order[x]] < a.attrVals[ai][order[y]] })
		groups := make([]BreakdownGroup, len(order))
		for gi, vi := range order {
			groups[gi].Value = a.attrVals[ai][vi]
		}
		for _, g := range a.in.Goals {
			for w, id := range a.waves {
				if len(a.goalIdx[g.ID][w]) == 0 {
					continue
				}
				byGroup := a.scoresByGroup(g.ID, w, ai, scores, into)
				cells := make([]Descriptive, len(order))
				ns := make([]int, len(order))
				for gi, vi := range order {
					xs := byGroup[vi]
					cells[gi], ns[gi] = describeSorting(xs), len(xs)
				}
				hide := suppressionSet(ns, k)
				for gi := range groups {
					d := cells[gi]
					if hide[gi] {
						d = Descriptive{Suppressed: true}
					}
					groups[gi].Goals = append(groups[gi].Goals, BreakdownGoal{Goal: g.ID, Wave: id, Descriptive: d})
				}
			}
		}
		groupText, groupTheme := a.groupThemes(ai)
		for w, id := range a.waves {
			if !a.anyTextIn(id) {
				continue
			}
			ns := make([]int, len(order))
			for gi, vi := range order {
				ns[gi] = groupText[vi][w]
			}
			hide := suppressionSet(ns, k)
			for t, th := range a.themes {
				for gi, vi := range order {
					bt := BreakdownTheme{Theme: th.id, Wave: id}
					if hide[gi] {
						bt.Suppressed = true
					} else if resp := ns[gi]; resp > 0 {
						m := groupTheme[vi][w][t]
						s := float64(m) / float64(resp)
						bt.Respondents, bt.Mentioning, bt.Share = resp, &m, &s
					}
					groups[gi].Themes = append(groups[gi].Themes, bt)
				}
			}
		}
		br.Groups = groups
		out = append(out, br)
	}
	return out
}

// suppressionSet decides which groups of a breakdown to hide, given their
// sizes. Groups smaller than k are hidden (primary suppression). Because the
// whole exchange's figure is shown too, one hidden group could be worked out
// from the total and the shown groups; so further groups, smallest first,
// are hidden until the hidden groups together hold at least k people
// (secondary suppression). Empty groups reveal nothing and stay as they are.
func suppressionSet(ns []int, k int) []bool {
	hide := make([]bool, len(ns))
	hidden := 0
	for i, n := range ns {
		if n > 0 && n < k {
			hide[i] = true
			hidden += n
		}
	}
	for hidden > 0 && hidden < k {
		next := -1
		for i, n := range ns {
			if !hide[i] && n > 0 && (next < 0 || n < ns[next]) {
				next = i
			}
		}
		if next < 0 {
			break
		}
		hide[next] = true
		hidden += ns[next]
	}
	return hide
}
