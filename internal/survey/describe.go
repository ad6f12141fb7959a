package survey

import (
	"fmt"
	"strconv"
	"strings"
)

// Words for conditions, so a questionnaire without its script can say
// when a question applies ("Only if you answered “Yes” to “Did you visit a
// host agency?”"), and the codebook can too.
var conditionWords = map[string]map[string]string{
	"en": {
		"only":     "Only if %s.",
		"is":       "you answered %s to %s",
		"is-not":   "you did not answer %s to %s",
		"answered": "you answered %s",
		"blank":    "you did not answer %s",
		"selected": "you chose %s in %s",
		"value":    "your answer to %s is %s %s",
		"count":    "you chose %s %s answers in %s",
		"not":      "it is not the case that %s",
		"and":      " and ",
		"or":       " or ",
		"true":     "always",
		"false":    "never",
		"quote":    "“%s”",
		"num=":     "",
		"num!=":    "not",
		"num<":     "less than",
		"num<=":    "at most",
		"num>":     "more than",
		"num>=":    "at least",
		"count=":   "exactly",
		"count!=":  "other than",
		"count<":   "fewer than",
		"count<=":  "at most",
		"count>":   "more than",
		"count>=":  "at least",
	},
	"fr": {
		"only":     "Seulement si %s.",
		"is":       "vous avez répondu %s à %s",
		"is-not":   "vous n'avez pas répondu %s à %s",
		"answered": "vous avez répondu à %s",
		"blank":    "vous n'avez pas répondu à %s",
		"selected": "vous avez choisi %s à %s",
		"value":    "votre réponse à %s est %s %s",
		"count":    "vous avez choisi %s %s réponses à %s",
		"not":      "il n'est pas vrai que %s",
		"and":      " et ",
		"or":       " ou ",
		"true":     "toujours",
		"false":    "jamais",
		"quote":    "« %s »",
		"num=":     "égale à",
		"num!=":    "différente de",
		"num<":     "inférieure à",
		"num<=":    "au plus",
		"num>":     "supérieure à",
		"num>=":    "au moins",
		"count=":   "exactement",
		"count!=":  "un autre nombre que",
		"count<":   "moins de",
		"count<=":  "au plus",
		"count>":   "plus de",
		"count>=":  "au moins",
	},
}

// flipped is the operator seen from the other side: 4 <= ${x} is ${x} >= 4.
var flipped = map[string]string{"=": "=", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}

// Describe words the condition for someone answering in lang: "Only if
// you answered “Yes” to “Did you visit a host agency?”."
func (c *Condition) Describe(in *Instrument, lang string) string {
	w, ok := conditionWords[lang]
	if !ok {
		w = conditionWords["en"]
	}
	return fmt.Sprintf(w["only"], describeExpr(c.root, in, lang, w, false))
}

// DescribeConditions words the conditions a question applies under (its
// section's and its own) as one sentence, or "" when it always applies.
func (q *Question) DescribeConditions(in *Instrument, lang string) string {
	conds := q.Conditions()
	if len(conds) == 0 {
		return ""
	}
	w, ok := conditionWords[lang]
	if !ok {
		w = conditionWords["en"]
	}
	parts := make([]string, len(conds))
	for i, c := range conds {
		parts[i] = describeExpr(c.root, in, lang, w, len(conds) > 1)
	}
	return fmt.Sprintf(w["only"], strings.Join(parts, w["and"]))
}

func describeExpr(e expr, in *Instrument, lang string, w map[string]string, nested bool) string {
	base := in.BaseLanguage()
	quote := func(s string) string { return fmt.Sprintf(w["quote"], s) }
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
			return w[t.fn]
		case "not":
			return fmt.Sprintf(w["not"], describeExpr(t.args[0], in, lang, w, true))
		case "selected":
			if r, ok := t.args[0].(refExpr); ok {
				if code, ok := t.args[1].(strExpr); ok {
					if q, text := question(r.id); q != nil {
						return fmt.Sprintf(w["selected"], label(q, code.v), text)
					}
				}
			}
		}
	case binExpr:
		if t.op == "and" || t.op == "or" {
			s := describeExpr(t.l, in, lang, w, true) + w[t.op] + describeExpr(t.r, in, lang, w, true)
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
				return fmt.Sprintf(w["blank"], text)
			case lit == "" && op == "!=":
				return fmt.Sprintf(w["answered"], text)
			case q.Type == TypeSingle && op == "=":
				return fmt.Sprintf(w["is"], label(q, lit), text)
			case q.Type == TypeSingle && op == "!=":
				return fmt.Sprintf(w["is-not"], label(q, lit), text)
			case q.Type == TypeText && op == "=":
				return fmt.Sprintf(w["is"], quote(lit), text)
			case q.Type == TypeText && op == "!=":
				return fmt.Sprintf(w["is-not"], quote(lit), text)
			}
			shown := lit
			if q.Type == TypeLikert {
				shown = label(q, lit)
			}
			return strings.Replace(fmt.Sprintf(w["value"], text, w["num"+op], shown), "  ", " ", 1)
		case callExpr:
			if left.fn != "count-selected" || !isLit {
				break
			}
			if r, ok := left.args[0].(refExpr); ok {
				_, text := question(r.id)
				return fmt.Sprintf(w["count"], w["count"+op], lit, text)
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
