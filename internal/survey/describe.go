package survey

import (
	"github.com/csci/exchangeeval/internal/i18n"
	"strconv"
	"strings"
)

// words is the wording of conditions in one language (catalogue keys
// "condition.*"), so a questionnaire without its script can say when a
// question applies ("Only if you answered “Yes” to “Did you visit a host
// agency?”"), and the codebook can too.
type words func(key string, args ...any) string

func conditionWords(lang string) words {
	return func(key string, args ...any) string { return i18n.T(lang, "condition."+key, args...) }
}

// flipped is the operator seen from the other side: 4 <= ${x} is ${x} >= 4.
var flipped = map[string]string{"=": "=", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}

// Describe words the condition for someone answering in lang: "Only if
// you answered “Yes” to “Did you visit a host agency?”."
func (c *Condition) Describe(in *Instrument, lang string) string {
	w := conditionWords(lang)
	return w("only", describeExpr(c.root, in, lang, w, false))
}

// DescribeConditions words the conditions a question applies under (its
// section's and its own) as one sentence, or "" when it always applies.
func (q *Question) DescribeConditions(in *Instrument, lang string) string {
	conds := q.Conditions()
	if len(conds) == 0 {
		return ""
	}
	w := conditionWords(lang)
	parts := make([]string, len(conds))
	for i, c := range conds {
		parts[i] = describeExpr(c.root, in, lang, w, len(conds) > 1)
	}
	return w("only", strings.Join(parts, w("and")))
}

func describeExpr(e expr, in *Instrument, lang string, w words, nested bool) string {
	base := in.BaseLanguage()
	quote := func(s string) string { return w("quote", s) }
	question := func(id string) (*Question, string) {
		q := in.Question(id)
		if q == nil {
			return nil, quote(id)
		}
		return q, quote(q.Text.In(lang, base))
	}
	label := func(q *Question, code string) string {
		if o := q.Option(code); o != nil {
			return quote(o.Label.In(lang, base))
		}
		if q.Type == TypeLikert {
			if n, err := strconv.Atoi(code); err == nil {
				if l := in.Scales[q.Scale].Label(n, lang, base); l != "" {
					return code + " (" + quote(l) + ")"
				}
			}
		}
		return quote(code)
	}
	switch t := e.(type) {
	case callExpr:
		switch t.fn {
		case "true", "false":
			return w(t.fn)
		case "not":
			return w("not", describeExpr(t.args[0], in, lang, w, true))
		case "selected":
			if r, ok := t.args[0].(refExpr); ok {
				if code, ok := t.args[1].(strExpr); ok {
					if q, text := question(r.id); q != nil {
						return w("selected", label(q, code.v), text)
					}
				}
			}
		}
	case binExpr:
		if t.op == "and" || t.op == "or" {
			s := describeExpr(t.l, in, lang, w, true) + w(t.op) + describeExpr(t.r, in, lang, w, true)
			if nested && t.op == "or" {
				return "(" + s + ")"
			}
			return s
		}
		l, r, op := t.l, t.r, t.op
		if _, isRef := l.(refExpr); !isRef {
			if _, isCount := l.(callExpr); !isCount {
				l, r, op = r, l, flipped[op]
			}
		}
		lit, isLit := literalText(r)
		switch left := l.(type) {
		case refExpr:
			q, text := question(left.id)
			if q == nil || !isLit {
				break
			}
			switch {
			case lit == "" && op == "=":
				return w("blank", text)
			case lit == "" && op == "!=":
				return w("answered", text)
			case q.Type == TypeSingle && op == "=":
				return w("is", label(q, lit), text)
			case q.Type == TypeSingle && op == "!=":
				return w("is-not", label(q, lit), text)
			case q.Type == TypeText && op == "=":
				return w("is", quote(lit), text)
			case q.Type == TypeText && op == "!=":
				return w("is-not", quote(lit), text)
			}
			shown := lit
			if q.Type == TypeLikert {
				shown = label(q, lit)
			}
			return strings.Replace(w("value", text, w("num"+op), shown), "  ", " ", 1)
		case callExpr:
			if left.fn != "count-selected" || !isLit {
				break
			}
			if r, ok := left.args[0].(refExpr); ok {
				_, text := question(r.id)
				return w("count", w("count"+op), lit, text)
			}
		}
	}
	return exprSource(e) // a form with no words of its own, as written
}

func literalText(e expr) (string, bool) {
	switch t := e.(type) {
	case strExpr:
		return t.v, true
	case numExpr:
		return strconv.FormatFloat(t.v, 'f', -1, 64), true
	}
	return "", false
}

// exprSource writes an expression back in the condition language.
func exprSource(e expr) string {
	switch t := e.(type) {
	case refExpr:
		return "${" + t.id + "}"
	case strExpr:
		return "'" + t.v + "'"
	case numExpr:
		return strconv.FormatFloat(t.v, 'f', -1, 64)
	case callExpr:
		args := make([]string, len(t.args))
		for i, a := range t.args {
			args[i] = exprSource(a)
		}
		return t.fn + "(" + strings.Join(args, ", ") + ")"
	case binExpr:
		return "(" + exprSource(t.l) + " " + t.op + " " + exprSource(t.r) + ")"
	}
	return ""
}
