package survey

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
)

// KoboToolbox exports submissions "with XML values" (the codes) or "with
// labels": a question's label for its column, an option's label for its
// code, a multiple choice's labels joined by spaces. These read the
// latter back, in any of the instrument's languages.

// QuestionsByLabel maps the answered questions' texts, in every
// language, as LabelKey writes them, to the questions (the first, where
// two share a text).
func (in *Instrument) QuestionsByLabel() map[string]*Question {
	byLabel := map[string]*Question{}
	for _, q := range in.Questions() {
		for _, text := range q.Text {
			if k := LabelKey(text); k != "" && byLabel[k] == nil {
				byLabel[k] = q
			}
		}
	}
	return byLabel
}

// OptionLabelled finds the option of a single or multiple choice whose
// label, in any language, is label; nil for none.
func (q *Question) OptionLabelled(label string) *Option {
	for _, o := range q.Options {
		for _, text := range o.Label {
			if text != "" && LabelKey(text) == LabelKey(label) {
				return o
			}
		}
	}
	return nil
}

// CodesOf reads a choice answer exported with labels as its codes: an
// option's (or a Likert point's) label as its code, and a multiple
// choice's labels, joined by spaces, as its codes joined by spaces. An
// answer that already is codes, or that is not made of labels, comes
// back as it is, for the answer's own check to take or name.
func (in *Instrument) CodesOf(q *Question, v string) string {
	labelled := map[string]string{} // label, lower-cased → code
	switch q.Type {
	case TypeSingle, TypeMulti:
		for _, o := range q.Options {
			if o.Code == v {
				return v
			}
			for _, text := range o.Label {
				labelled[LabelKey(text)] = o.Code
			}
		}
	case TypeLikert:
		sc := in.Scales[q.Scale]
		if sc == nil {
			return v
		}
		for _, labels := range sc.Labels {
			for i, text := range labels {
				labelled[LabelKey(text)] = strconv.Itoa(i + 1)
			}
		}
	default:
		return v
	}
	if code, ok := labelled[LabelKey(v)]; ok {
		return code
	}
	if q.Type != TypeMulti || slices.ContainsFunc(strings.Fields(v), func(c string) bool { return q.Option(c) != nil }) {
		return v
	}
	// Labels joined by spaces, some holding spaces themselves: the
	// longest are taken out first, so "Youth work" is not read as
	// "Youth" and a stray "work".
	labels := make([]string, 0, len(labelled))
	for l := range labelled {
		labels = append(labels, l)
	}
	slices.SortFunc(labels, func(a, b string) int { return cmp.Or(cmp.Compare(len(b), len(a)), cmp.Compare(a, b)) })
	rest := " " + LabelKey(v) + " "
	chosen := map[string]bool{}
	for _, l := range labels {
		if strings.Contains(rest, " "+l+" ") {
			rest = strings.Replace(rest, " "+l+" ", " ", 1)
			chosen[labelled[l]] = true
		}
	}
	if strings.TrimSpace(rest) != "" {
		return v
	}
	var codes []string
	for _, o := range q.Options {
		if chosen[o.Code] {
			codes = append(codes, o.Code)
		}
	}
	return strings.Join(codes, " ")
}

// LabelKey is a label as labels are matched: spaces and case aside.
func LabelKey(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }

// AnswerIn words an answer to q for a reader of lang: a choice by its
// option's label (several joined by "; "), anything else as AnswerText
// gives it. A code the question does not offer is shown as it is.
func (q *Question) AnswerIn(answer any, lang, base string) string {
	label := func(code string) string {
		if o := q.Option(code); o != nil {
			return o.Label.In(lang, base)
		}
		return code
	}
	switch v := answer.(type) {
	case string:
		return label(v)
	case []string:
		labels := make([]string, len(v))
		for i, c := range v {
			labels[i] = label(c)
		}
		return strings.Join(labels, "; ")
	}
	return AnswerText(answer)
}
