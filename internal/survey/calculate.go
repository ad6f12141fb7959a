package survey

import (
	"math"
	"strconv"
)

// calculate computes a calculate question's answer from the answers
// before it: a number where its expression gives one, else a text;
// nothing (nil) where it gives NaN or ”.
func (q *Question) calculate(a answerView) any {
	a.in = q.calc.in
	v := eval(q.calc.root, a)
	if q.calcKind == kindNum {
		if n := number(v); !math.IsNaN(n) && !math.IsInf(n, 0) {
			return n
		}
		return nil
	}
	if s := text(v); s != "" {
		return s
	}
	return nil
}

// choiceName is jr:choice-name's label of code, chosen in the question
// ref names, in the instrument's base language.
func (a answerView) choiceName(ref expr, code string) string {
	if a.in == nil {
		return ""
	}
	return a.in.choiceLabels(ref)[code]
}

// choiceLabels are the labels, by code, of the options of the question
// ref names (a Likert item's points included), in the base language.
func (in *Instrument) choiceLabels(ref expr) map[string]string {
	labels := map[string]string{}
	r, ok := ref.(refExpr)
	if !ok {
		return labels
	}
	q, base := in.Question(r.id), in.BaseLanguage()
	if q == nil {
		return labels
	}
	for _, o := range q.Options {
		labels[o.Code] = o.Label.In(base, base)
	}
	if sc := in.Scales[q.Scale]; q.Type == TypeLikert && sc != nil {
		for p := 1; p <= sc.Points; p++ {
			labels[strconv.Itoa(p)] = sc.Label(p, base, base)
		}
	}
	return labels
}
