package survey

import (
	"encoding/json"
	"maps"
	"slices"
)

// field is what a choice filter's bare word reads for the option: its
// code for name, as XLSForm's choices sheet names it, else one of its
// fields (empty for none, or for no option at all).
func (o *Option) field(name string) string {
	if o == nil {
		return ""
	}
	if name == "name" {
		return o.Code
	}
	return o.Fields[name]
}

// choiceFields lists the columns a choice filter on q may read: name,
// then its options' fields in alphabetical order.
func (q *Question) choiceFields() []string {
	seen := map[string]bool{}
	for _, o := range q.Options {
		for k := range o.Fields {
			seen[k] = true
		}
	}
	return append([]string{"name"}, slices.Sorted(maps.Keys(seen))...)
}

// Offers reports whether a choice question offers the option given the
// answers: always, without a choice filter.
func (q *Question) Offers(o *Option, a Answers) bool { return q.offers(o, a, nil) }

// offers is Offers with the answers of questions that did not apply taken
// as absent.
func (q *Question) offers(o *Option, a Answers, absent []string) bool {
	if q.filter == nil {
		return true
	}
	return eval(q.filter.root, answerView{a: a, absent: absent, choice: o, in: q.filter.in}).b
}

// FilterTree is the question's choice filter as Tree writes a condition,
// for the questionnaire's script to sift the options as the server does;
// nil without one.
func (q *Question) FilterTree(in *Instrument) json.RawMessage {
	if q.filter == nil {
		return nil
	}
	return q.filter.Tree(in)
}

// offered reports whether every code of a choice answer is among the
// options its question offers for the other answers.
func (q *Question) offered(answer any, a Answers, absent []string) bool {
	var codes []string
	switch v := answer.(type) {
	case string:
		codes = []string{v}
	case []string:
		codes = v
	default:
		return true
	}
	for _, c := range codes {
		if o := q.Option(c); o != nil && !q.offers(o, a, absent) {
			return false
		}
	}
	return true
}
