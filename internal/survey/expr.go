package survey

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// A condition says when a question (or a whole section) applies: XLSForm's
// "relevant" column, in the subset questionnaire designers use —
//
//	${visited} = 'yes'    ${years} >= 2    selected(${areas}, 'youth')
//	count-selected(${areas}) > 1    not(${a} = 'no') and (${b} < 3 or ${c} != '')
//
// Comparisons (=, !=, <, <=, >, >=), and, or, not(…), parentheses, string
// and number literals, true() and false(). A question that is not
// answered, or that does not apply itself, is the empty string '' — as in
// ODK: "${q} != 'yes'" holds before q is answered, and every numeric
// comparison with it is false.

// Condition is a parsed relevant expression.
type Condition struct {
	Source string
	root   expr
}

type expr interface{ pos() int }

type (
	refExpr struct {
		id string
		at int
	}
	strExpr struct {
		v  string
		at int
	}
	numExpr struct {
		v  float64
		at int
	}
	callExpr struct {
		fn   string
		args []expr
		at   int
	}
	binExpr struct {
		op   string
		l, r expr
		at   int
	}
)

func (e refExpr) pos() int  { return e.at }
func (e strExpr) pos() int  { return e.at }
func (e numExpr) pos() int  { return e.at }
func (e callExpr) pos() int { return e.at }
func (e binExpr) pos() int  { return e.at }

// ExprError is a mistake in an expression, at a character (1-based).
type ExprError struct {
	At  int
	Msg string
}

func (e *ExprError) Error() string { return fmt.Sprintf("at character %d: %s", e.At, e.Msg) }

type token struct {
	kind string // ref, str, num, name, op, (, ), ",", end
	text string
	at   int
}

// curlyQuotes are the typographic quotes taken for straight ones: single
// (‘ ’, three bytes each), then double (“ ”).
const curlyQuotes = "‘’“”"

func lex(src string) ([]token, error) {
	var toks []token
	rs := []rune(src)
	for i := 0; i < len(rs); {
		r := rs[i]
		at := i + 1
		switch {
		case unicode.IsSpace(r):
			i++
		case r == '$':
			if i+1 >= len(rs) || rs[i+1] != '{' {
				return nil, &ExprError{at, "a question is written ${name}"}
			}
			end := slices.Index(rs[i:], '}')
			if end < 0 {
				return nil, &ExprError{at, "${ is not closed with }"}
			}
			name := strings.TrimSpace(string(rs[i+2 : i+end]))
			if name == "" {
				return nil, &ExprError{at, "${} names no question"}
			}
			toks = append(toks, token{"ref", name, at})
			i += end + 1
		case r == '\'' || r == '"':
			end := slices.Index(rs[i+1:], r)
			if end < 0 {
				return nil, &ExprError{at, fmt.Sprintf("the text starting here is not closed with %c", r)}
			}
			toks = append(toks, token{"str", string(rs[i+1 : i+1+end]), at})
			i += end + 2
		case strings.ContainsRune(curlyQuotes, r):
			// ‘yes’ and “yes”, as word processors and spreadsheets type
			// quotes: read as straight ones, as pyxform reads them.
			closers := curlyQuotes[:6] // ‘ ’
			if r == '“' || r == '”' {
				closers = curlyQuotes[6:] // “ ”
			}
			end := slices.IndexFunc(rs[i+1:], func(c rune) bool { return strings.ContainsRune(closers, c) })
			if end < 0 {
				return nil, &ExprError{at, fmt.Sprintf("the text starting here is not closed with %c", r)}
			}
			toks = append(toks, token{"str", string(rs[i+1 : i+1+end]), at})
			i += end + 2
		case r >= '0' && r <= '9' || r == '.' && i+1 < len(rs) && rs[i+1] >= '0' && rs[i+1] <= '9' ||
			r == '-' && i+1 < len(rs) && (rs[i+1] >= '0' && rs[i+1] <= '9') && !afterValue(toks):
			j := i + 1
			for j < len(rs) && (rs[j] >= '0' && rs[j] <= '9' || rs[j] == '.') {
				j++
			}
			text := string(rs[i:j])
			if _, err := strconv.ParseFloat(text, 64); err != nil {
				return nil, &ExprError{at, fmt.Sprintf("%q is not a number", text)}
			}
			toks = append(toks, token{"num", text, at})
			i = j
		case unicode.IsLetter(r):
			j := i + 1
			for j < len(rs) && (unicode.IsLetter(rs[j]) || unicode.IsDigit(rs[j]) || rs[j] == '-' || rs[j] == '_') {
				j++
			}
			toks = append(toks, token{"name", string(rs[i:j]), at})
			i = j
		case r == '(' || r == ')' || r == ',':
			toks = append(toks, token{string(r), string(r), at})
			i++
		case r == '=':
			toks = append(toks, token{"op", "=", at})
			i++
		case r == '!' || r == '<' || r == '>':
			if i+1 < len(rs) && rs[i+1] == '=' {
				toks = append(toks, token{"op", string(r) + "=", at})
				i += 2
			} else if r == '!' {
				return nil, &ExprError{at, "! is written != (not equal) or not(…)"}
			} else {
				toks = append(toks, token{"op", string(r), at})
				i++
			}
		case r == '+' || r == '-' || r == '*':
			// Arithmetic (div and mod are words); a - that starts a
			// value, not after one, is a minus sign.
			toks = append(toks, token{"arith", string(r), at})
			i++
		case r == '/':
			return nil, &ExprError{at, "paths such as /data/x or ../x are not supported: name the question as ${x}; divide with div"}
		case r == '|':
			return nil, &ExprError{at, "| (node-set union) is not supported in conditions"}
		default:
			return nil, &ExprError{at, fmt.Sprintf("unexpected character %q", r)}
		}
	}
	return append(toks, token{"end", "", len(rs) + 1}), nil
}

// afterValue reports whether a '-' here would follow a value (and so be a
// subtraction, which conditions do not have) rather than start a number.
func afterValue(toks []token) bool {
	if len(toks) == 0 {
		return false
	}
	k := toks[len(toks)-1].kind
	return k == "ref" || k == "str" || k == "num" || k == ")"
}

type exprParser struct {
	toks  []token
	i     int
	depth int // parentheses and calls open at this point
}

// The limits of a condition: no real one comes near them, and the parser
// (and the evaluators that walk what it builds) recurse once a level, so
// a condition nested 440 000 deep would end the process — a stack
// overflow no recover catches — instead of being refused.
const (
	MaxConditionLength = 4000
	MaxConditionDepth  = 32
)

func (p *exprParser) peek() token { return p.toks[p.i] }
func (p *exprParser) next() token { t := p.toks[p.i]; p.i++; return t }

func describe(t token) string {
	switch t.kind {
	case "end":
		return "the end of the condition"
	case "ref":
		return "${" + t.text + "}"
	case "str":
		return "'" + t.text + "'"
	}
	return strconv.Quote(t.text)
}

// ParseCondition parses a relevant expression.
func ParseCondition(src string) (*Condition, error) {
	if strings.TrimSpace(src) == "" {
		return nil, &ExprError{1, "the condition is empty"}
	}
	if n := utf8.RuneCountInString(src); n > MaxConditionLength {
		return nil, &ExprError{MaxConditionLength + 1, fmt.Sprintf("the condition is %d characters long; a condition has at most %d", n, MaxConditionLength)}
	}
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	p := &exprParser{toks: toks}
	root, err := p.or()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != "end" {
		return nil, &ExprError{t.at, fmt.Sprintf("unexpected %s: join conditions with and / or", describe(t))}
	}
	return &Condition{Source: src, root: root}, nil
}

func (p *exprParser) or() (expr, error) { return p.joined("or", p.and) }

func (p *exprParser) and() (expr, error) { return p.joined("and", p.comparison) }

// joined parses operands joined by the word op (left to right), each
// parsed by operand — a level of the grammar that binds tighter.
func (p *exprParser) joined(op string, operand func() (expr, error)) (expr, error) {
	l, err := operand()
	for err == nil && p.peek().kind == "name" && p.peek().text == op {
		at := p.next().at
		var r expr
		if r, err = operand(); err == nil {
			l = binExpr{op, l, r, at}
		}
	}
	return l, err
}

func (p *exprParser) comparison() (expr, error) {
	l, err := p.additive()
	if err != nil {
		return nil, err
	}
	if p.peek().kind != "op" {
		return l, nil
	}
	op := p.next()
	r, err := p.additive()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind == "op" {
		return nil, &ExprError{t.at, fmt.Sprintf("comparisons do not chain (%s after %s): join them with and", t.text, op.text)}
	}
	return binExpr{op.text, l, r, op.at}, nil
}

// additive parses sums and differences, left to right, of terms;
// multiplicative, products, div and mod.
func (p *exprParser) additive() (expr, error) {
	return p.operators(p.multiplicative, func(t token) bool { return t.kind == "arith" && t.text != "*" })
}

func (p *exprParser) multiplicative() (expr, error) {
	return p.operators(p.unary, func(t token) bool {
		return t.kind == "arith" && t.text == "*" || t.kind == "name" && (t.text == "div" || t.text == "mod")
	})
}

// operators parses operands joined, left to right, by the operators is
// tells.
func (p *exprParser) operators(operand func() (expr, error), is func(token) bool) (expr, error) {
	l, err := operand()
	for err == nil && is(p.peek()) {
		t := p.next()
		var r expr
		if r, err = operand(); err == nil {
			l = binExpr{t.text, l, r, t.at}
		}
	}
	return l, err
}

// unary parses a minus sign before a value: 0 - the value.
func (p *exprParser) unary() (expr, error) {
	t := p.peek()
	if t.kind != "arith" || t.text != "-" {
		return p.primary()
	}
	p.next()
	if p.depth++; p.depth > MaxConditionDepth {
		return nil, &ExprError{t.at, fmt.Sprintf("minus signs are nested more than %d deep here; write the condition more simply", MaxConditionDepth)}
	}
	defer func() { p.depth-- }()
	e, err := p.unary()
	return binExpr{"-", numExpr{0, t.at}, e, t.at}, err
}

// arithmetic are the operators that make a number of two.
var arithmetic = []string{"+", "-", "*", "div", "mod"}

// functions are XPath's functions that conditions take, with their
// number of arguments.
var functions = map[string]int{"selected": 2, "count-selected": 1, "not": 1, "true": 0, "false": 0,
	"string-length": 1, "number": 1, "int": 1, "boolean": 1, "contains": 2, "starts-with": 2, "coalesce": 2, "if": 3}

func (p *exprParser) primary() (expr, error) {
	t := p.next()
	if t.kind == "(" || t.kind == "name" {
		if p.depth++; p.depth > MaxConditionDepth {
			return nil, &ExprError{t.at, fmt.Sprintf("parentheses and functions are nested more than %d deep here; write the condition more simply", MaxConditionDepth)}
		}
		defer func() { p.depth-- }()
	}
	switch t.kind {
	case "ref":
		return refExpr{t.text, t.at}, nil
	case "str":
		return strExpr{t.text, t.at}, nil
	case "num":
		f, _ := strconv.ParseFloat(t.text, 64)
		return numExpr{f, t.at}, nil
	case "(":
		e, err := p.or()
		if err != nil {
			return nil, err
		}
		if c := p.next(); c.kind != ")" {
			return nil, &ExprError{c.at, fmt.Sprintf("expected ) to close the ( at character %d, found %s", t.at, describe(c))}
		}
		return e, nil
	case "name":
		n, known := functions[t.text]
		if !known {
			if t.text == "and" || t.text == "or" {
				return nil, &ExprError{t.at, fmt.Sprintf("%s needs a condition before it", t.text)}
			}
			return nil, &ExprError{t.at, fmt.Sprintf("unknown function or word %q (conditions know selected, count-selected, not, true, false, string-length, number, int, boolean, contains, starts-with, coalesce, if, and, or, div, mod)", t.text)}
		}
		if o := p.next(); o.kind != "(" {
			return nil, &ExprError{o.at, fmt.Sprintf("%s is a function: write %s(…)", t.text, t.text)}
		}
		var args []expr
		if p.peek().kind != ")" {
			for {
				a, err := p.or()
				if err != nil {
					return nil, err
				}
				args = append(args, a)
				if p.peek().kind != "," {
					break
				}
				p.next()
			}
		}
		if c := p.next(); c.kind != ")" {
			return nil, &ExprError{c.at, fmt.Sprintf("expected ) to close %s(, found %s", t.text, describe(c))}
		}
		if len(args) != n {
			return nil, &ExprError{t.at, fmt.Sprintf("%s takes %d argument(s), not %d", t.text, n, len(args))}
		}
		return callExpr{t.text, args, t.at}, nil
	}
	return nil, &ExprError{t.at, fmt.Sprintf("expected a question, a value or ( but found %s", describe(t))}
}

// References lists the question ids the condition reads, in order of
// first appearance.
func (c *Condition) References() []string {
	var ids []string
	walk(c.root, func(e expr) {
		if r, ok := e.(refExpr); ok && !slices.Contains(ids, r.id) {
			ids = append(ids, r.id)
		}
	})
	return ids
}

func walk(e expr, f func(expr)) {
	f(e)
	switch t := e.(type) {
	case callExpr:
		for _, a := range t.args {
			walk(a, f)
		}
	case binExpr:
		walk(t.l, f)
		walk(t.r, f)
	}
}

// Static types of expressions, for checking a condition against its
// instrument before anyone answers.
const (
	kindBool  = "a condition"
	kindNum   = "a number"
	kindStr   = "a text"
	kindCodes = "a list of choices"
)

// Check types a condition against the instrument: every question must
// exist, comparisons must compare like with like, and a code must be one
// of its question's options. It returns the mistakes, each worded for the
// definition's author.
func (c *Condition) Check(in *Instrument) []string {
	var probs []string
	kind := in.typeOf(c.root, &probs)
	if kind != kindBool && len(probs) == 0 {
		probs = append(probs, fmt.Sprintf("the condition is %s, not a test: compare it, e.g. ${q} = 'yes' or ${q} != ''", kind))
	}
	return probs
}

func (in *Instrument) typeOf(e expr, probs *[]string) string {
	bad := func(at int, format string, args ...any) {
		*probs = append(*probs, fmt.Sprintf("at character %d: ", at)+fmt.Sprintf(format, args...))
	}
	switch t := e.(type) {
	case refExpr:
		q := in.Question(t.id)
		if q == nil {
			bad(t.at, "${%s} is not a question of this instrument", t.id)
			return ""
		}
		switch q.Type {
		case TypeLikert, TypeNumber:
			return kindNum
		case TypeMulti:
			return kindCodes
		}
		return kindStr
	case strExpr:
		return kindStr
	case numExpr:
		return kindNum
	case callExpr:
		switch t.fn {
		case "true", "false":
			return kindBool
		case "not":
			if k := in.typeOf(t.args[0], probs); k != kindBool && k != "" {
				bad(t.at, "not(…) takes a condition, not %s", k)
			}
			return kindBool
		case "count-selected":
			r, ok := t.args[0].(refExpr)
			if !ok {
				bad(t.at, "count-selected takes a question: count-selected(${q})")
			} else if q := in.Question(r.id); q == nil {
				in.typeOf(r, probs)
			} else if q.Type != TypeMulti {
				bad(t.at, "count-selected(${%s}): %s is not a multiple choice question", r.id, r.id)
			}
			return kindNum
		case "selected":
			r, ok := t.args[0].(refExpr)
			code, isCode := t.args[1].(strExpr)
			switch {
			case !ok || !isCode:
				bad(t.at, "selected takes a question and a quoted code: selected(${q}, 'code')")
			case in.Question(r.id) == nil:
				in.typeOf(r, probs)
			default:
				q := in.Question(r.id)
				if q.Type != TypeMulti && q.Type != TypeSingle {
					bad(t.at, "selected(${%s}, …): %s is not a choice question", r.id, r.id)
				} else if q.Option(code.v) == nil {
					bad(code.at, "'%s' is not an option of %s (options: %s)", code.v, r.id, strings.Join(optionCodes(q), ", "))
				}
			}
			return kindBool
		case "string-length", "number", "int":
			if k := in.typeOf(t.args[0], probs); k == kindCodes || k == kindBool {
				bad(t.at, "%s(…) takes a value, not %s", t.fn, k)
			}
			return kindNum
		case "boolean":
			in.typeOf(t.args[0], probs)
			return kindBool
		case "contains", "starts-with":
			for _, a := range t.args {
				if k := in.typeOf(a, probs); k == kindCodes || k == kindBool {
					bad(a.pos(), "%s(…) takes texts, not %s", t.fn, k)
				}
			}
			return kindBool
		case "coalesce":
			a, b := in.typeOf(t.args[0], probs), in.typeOf(t.args[1], probs)
			if a == b {
				return a
			}
			return kindStr
		case "if":
			if k := in.typeOf(t.args[0], probs); k != kindBool && k != "" {
				bad(t.args[0].pos(), "if(…) needs a condition first, not %s", k)
			}
			a, b := in.typeOf(t.args[1], probs), in.typeOf(t.args[2], probs)
			if a == b {
				return a
			}
			return kindStr
		}
	case binExpr:
		if slices.Contains(arithmetic, t.op) {
			for _, side := range []expr{t.l, t.r} {
				if k := in.typeOf(side, probs); k == kindCodes || k == kindBool {
					bad(side.pos(), "%s works on numbers, but this is %s", t.op, k)
				}
			}
			return kindNum
		}
		if t.op == "and" || t.op == "or" {
			for _, side := range []expr{t.l, t.r} {
				if k := in.typeOf(side, probs); k != kindBool && k != "" {
					bad(side.pos(), "%s joins conditions, but this is %s: compare it, e.g. ${q} = 'yes'", t.op, k)
				}
			}
			return kindBool
		}
		lk, rk := in.typeOf(t.l, probs), in.typeOf(t.r, probs)
		if lk == "" || rk == "" {
			return kindBool
		}
		if lk == kindCodes || rk == kindCodes {
			bad(t.at, "a multiple choice question is tested with selected(${q}, 'code') or count-selected(${q}), not %s", t.op)
			return kindBool
		}
		if lk == kindBool || rk == kindBool {
			bad(t.at, "%s compares values, not conditions", t.op)
			return kindBool
		}
		in.checkLiteral(t.l, t.r, bad)
		in.checkLiteral(t.r, t.l, bad)
		if t.op != "=" && t.op != "!=" {
			for _, side := range []expr{t.l, t.r} {
				if !numeric(in, side) {
					bad(side.pos(), "%s compares numbers, but this is a text or a choice", t.op)
				}
			}
		} else if lk != rk && !numeric(in, t.l) && !numeric(in, t.r) {
			bad(t.at, "%s compares %s with %s", t.op, lk, rk)
		}
		return kindBool
	}
	return ""
}

// numeric reports whether e is a number, or a text that reads as one (a
// Likert point written '4', as XLSForm choice names are).
func numeric(in *Instrument, e expr) bool {
	switch t := e.(type) {
	case numExpr:
		return true
	case strExpr:
		_, err := strconv.ParseFloat(t.v, 64)
		return err == nil
	case refExpr:
		q := in.Question(t.id)
		return q != nil && (q.Type == TypeNumber || q.Type == TypeLikert)
	case callExpr:
		switch t.fn {
		case "if":
			return numeric(in, t.args[1]) && numeric(in, t.args[2])
		case "coalesce":
			return numeric(in, t.args[0]) && numeric(in, t.args[1])
		}
		return slices.Contains([]string{"count-selected", "string-length", "number", "int"}, t.fn)
	case binExpr:
		return slices.Contains(arithmetic, t.op)
	}
	return false
}

// checkLiteral checks a value compared with a question: an option code of
// a choice, a point of a Likert scale, a number for a number question.
// The empty text ” (not answered) goes with anything.
func (in *Instrument) checkLiteral(ref, lit expr, bad func(int, string, ...any)) {
	r, ok := ref.(refExpr)
	q := in.Question(r.id)
	if !ok || q == nil {
		return
	}
	var text string
	switch l := lit.(type) {
	case strExpr:
		if l.v == "" {
			return
		}
		text = l.v
	case numExpr:
		text = strconv.FormatFloat(l.v, 'f', -1, 64)
	default:
		return
	}
	switch q.Type {
	case TypeSingle:
		if q.Option(text) == nil {
			bad(lit.pos(), "'%s' is not an option of %s (options: %s)", text, r.id, strings.Join(optionCodes(q), ", "))
		}
	case TypeLikert:
		sc := in.Scales[q.Scale]
		if sc == nil {
			return // an undefined scale is a problem of its own, said elsewhere
		}
		if n, err := strconv.Atoi(text); err != nil {
			bad(lit.pos(), "%s is a Likert item: compare it with a point 1…%d, not '%s'", r.id, sc.Points, text)
		} else if n < 1 || n > sc.Points {
			bad(lit.pos(), "%s is a Likert item on 1…%d: %d is not a point of its scale", r.id, sc.Points, n)
		}
	case TypeNumber:
		if _, err := strconv.ParseFloat(text, 64); err != nil {
			bad(lit.pos(), "%s is a number question: '%s' is not a number", r.id, text)
		}
	}
}

// value is what an expression evaluates to.
type value struct {
	kind  string // kindBool, kindNum, kindStr, kindCodes
	b     bool
	n     float64
	s     string
	codes []string
}

// Holds evaluates the condition against answers (in their question types'
// Go types, as Answers holds them); an absent answer is ”.
func (c *Condition) Holds(a Answers) bool { return c.holds(a, nil) }

// holds is Holds with some answers taken as absent (those of questions
// that did not apply), without copying the answers.
func (c *Condition) holds(a Answers, absent []string) bool {
	return eval(c.root, answerView{a, absent}).b
}

// answerView is answers less those of the questions in absent.
type answerView struct {
	a      Answers
	absent []string
}

func (v answerView) get(id string) any {
	if slices.Contains(v.absent, id) {
		return nil
	}
	return v.a[id]
}

func eval(e expr, a answerView) value {
	switch t := e.(type) {
	case refExpr:
		switch v := a.get(t.id).(type) {
		case nil:
			return value{kind: kindStr}
		case int:
			return value{kind: kindNum, n: float64(v)}
		case float64:
			return value{kind: kindNum, n: v}
		case string:
			return value{kind: kindStr, s: v}
		case []string:
			return value{kind: kindCodes, codes: v, s: strings.Join(v, " ")}
		default:
			return value{kind: kindStr, s: fmt.Sprint(v)}
		}
	case strExpr:
		return value{kind: kindStr, s: t.v}
	case numExpr:
		return value{kind: kindNum, n: t.v}
	case callExpr:
		switch t.fn {
		case "true", "false":
			return value{kind: kindBool, b: t.fn == "true"}
		case "not":
			return value{kind: kindBool, b: !eval(t.args[0], a).b}
		case "count-selected":
			v := eval(t.args[0], a)
			return value{kind: kindNum, n: float64(len(v.codes))}
		case "selected":
			v, code := eval(t.args[0], a), eval(t.args[1], a).s
			if v.kind == kindCodes {
				return value{kind: kindBool, b: slices.Contains(v.codes, code)}
			}
			return value{kind: kindBool, b: v.s == code && code != ""}
		case "string-length":
			return value{kind: kindNum, n: float64(utf8.RuneCountInString(text(eval(t.args[0], a))))}
		case "number":
			return value{kind: kindNum, n: number(eval(t.args[0], a))}
		case "int":
			return value{kind: kindNum, n: math.Trunc(number(eval(t.args[0], a)))}
		case "boolean":
			v := eval(t.args[0], a)
			b := v.b
			switch v.kind {
			case kindNum:
				b = v.n != 0 && !math.IsNaN(v.n)
			case kindStr:
				b = v.s != ""
			case kindCodes:
				b = len(v.codes) > 0
			}
			return value{kind: kindBool, b: b}
		case "contains":
			return value{kind: kindBool, b: strings.Contains(text(eval(t.args[0], a)), text(eval(t.args[1], a)))}
		case "starts-with":
			return value{kind: kindBool, b: strings.HasPrefix(text(eval(t.args[0], a)), text(eval(t.args[1], a)))}
		case "coalesce":
			if v := eval(t.args[0], a); text(v) != "" {
				return v
			}
			return eval(t.args[1], a)
		case "if":
			if eval(t.args[0], a).b {
				return eval(t.args[1], a)
			}
			return eval(t.args[2], a)
		}
	case binExpr:
		if slices.Contains(arithmetic, t.op) {
			x, y := number(eval(t.l, a)), number(eval(t.r, a))
			n := math.NaN()
			switch t.op {
			case "+":
				n = x + y
			case "-":
				n = x - y
			case "*":
				n = x * y
			case "div":
				n = x / y
			case "mod":
				n = math.Mod(x, y)
			}
			return value{kind: kindNum, n: n}
		}
		switch t.op {
		case "and":
			return value{kind: kindBool, b: eval(t.l, a).b && eval(t.r, a).b}
		case "or":
			return value{kind: kindBool, b: eval(t.l, a).b || eval(t.r, a).b}
		}
		return value{kind: kindBool, b: compare(t.op, eval(t.l, a), eval(t.r, a))}
	}
	return value{kind: kindBool}
}

// compare follows XPath: with a number on either side both are compared as
// numbers (an empty answer is NaN: equal to nothing, unequal to
// everything); otherwise as texts.
func compare(op string, l, r value) bool {
	if l.kind == kindNum || r.kind == kindNum || (op != "=" && op != "!=") {
		x, y := number(l), number(r)
		switch op {
		case "=":
			return x == y
		case "!=":
			return x != y
		case "<":
			return x < y
		case "<=":
			return x <= y
		case ">":
			return x > y
		case ">=":
			return x >= y
		}
		return false
	}
	if op == "=" {
		return l.s == r.s
	}
	return l.s != r.s
}

// text is a value as XPath's string(): a number as written, NaN as NaN,
// a condition as true or false.
func text(v value) string {
	switch v.kind {
	case kindNum:
		if math.IsNaN(v.n) {
			return "NaN"
		}
		return strconv.FormatFloat(v.n, 'f', -1, 64)
	case kindBool:
		return strconv.FormatBool(v.b)
	}
	return v.s
}

func number(v value) float64 {
	if v.kind == kindNum {
		return v.n
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(v.s), 64)
	if err != nil {
		return math.NaN()
	}
	return f
}

// Tree writes the parsed condition as nested arrays for the
// questionnaire's script, which evaluates the same tree the server does
// (it has no parser of its own):
// ["ref", id, type] ["str", s] ["num", n] ["call", fn, args…] [op, l, r].
func (c *Condition) Tree(in *Instrument) json.RawMessage {
	b, _ := json.Marshal(tree(c.root, in))
	return b
}

func tree(e expr, in *Instrument) any {
	switch t := e.(type) {
	case refExpr:
		typ := ""
		if q := in.Question(t.id); q != nil {
			typ = q.Type
		}
		return []any{"ref", t.id, typ}
	case strExpr:
		return []any{"str", t.v}
	case numExpr:
		return []any{"num", t.v}
	case callExpr:
		out := []any{"call", t.fn}
		for _, a := range t.args {
			out = append(out, tree(a, in))
		}
		return out
	case binExpr:
		return []any{t.op, tree(t.l, in), tree(t.r, in)}
	}
	return nil
}
