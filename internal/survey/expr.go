package survey

import (
	"encoding/json"
	"fmt"
	"maps"
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
	in     *Instrument // set by the definition check, for jr:choice-name
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
	// selfExpr is ".", the answer a constraint is checking.
	selfExpr struct{ at int }
	// fieldExpr is a bare word in a choice filter: a column of the
	// choices sheet (name, or one of the list's own, such as country),
	// read for the choice being filtered.
	fieldExpr struct {
		name string
		at   int
	}
)

func (e refExpr) pos() int   { return e.at }
func (e strExpr) pos() int   { return e.at }
func (e numExpr) pos() int   { return e.at }
func (e callExpr) pos() int  { return e.at }
func (e binExpr) pos() int   { return e.at }
func (e selfExpr) pos() int  { return e.at }
func (e fieldExpr) pos() int { return e.at }

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
		case r == '/' && !afterValue(toks) || r == '.' && i+2 < len(rs) && rs[i+1] == '.' && rs[i+2] == '/':
			// A path as pyxform writes references (/data/group/x,
			// ../x): its last step names the question, as ${x} does.
			j := i
			for j < len(rs) && (rs[j] == '/' || rs[j] == '.' || rs[j] == '_' || rs[j] == '-' || unicode.IsLetter(rs[j]) || unicode.IsDigit(rs[j])) {
				j++
			}
			path := string(rs[i:j])
			name := path[strings.LastIndex(path, "/")+1:]
			if name == "" || name == "." || name == ".." {
				return nil, &ExprError{at, fmt.Sprintf("the path %s names no question: write ${name}", path)}
			}
			toks = append(toks, token{"ref", name, at})
			i = j
		case r == '.' && !(i+1 < len(rs) && rs[i+1] >= '0' && rs[i+1] <= '9'):
			toks = append(toks, token{"self", ".", at})
			i++
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
			for j < len(rs) && (unicode.IsLetter(rs[j]) || unicode.IsDigit(rs[j]) || rs[j] == '-' || rs[j] == '_' ||
				rs[j] == ':' && j+1 < len(rs) && unicode.IsLetter(rs[j+1])) { // jr:choice-name
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
			return nil, &ExprError{at, "/ does not divide: divide with div"}
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
	return k == "ref" || k == "str" || k == "num" || k == ")" || k == "self"
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
	case "self":
		return ". (the answer itself)"
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

// functions are XPath's and ODK's functions that expressions take, with
// their least and most numbers of arguments (-1: any).
var functions = map[string][2]int{"selected": {2, 2}, "count-selected": {1, 1}, "not": {1, 1}, "true": {0, 0}, "false": {0, 0},
	"string-length": {1, 1}, "number": {1, 1}, "int": {1, 1}, "boolean": {1, 1}, "contains": {2, 2}, "starts-with": {2, 2},
	"coalesce": {2, 2}, "if": {3, 3}, "today": {0, 0}, "now": {0, 0}, "date": {1, 1}, "decimal-date-time": {1, 1}, "round": {1, 2}, "concat": {1, -1},
	"selected-at": {2, 2}, "jr:choice-name": {2, 2}, "regex": {2, 2}, "string": {1, 1}}

// unsupportedFunctions are functions of ODK's that a web questionnaire
// cannot honour, with why, for a refusal clearer than an unknown word.
var unsupportedFunctions = map[string]string{
	"pulldata":       "it reads a CSV file attached to the form, which a web questionnaire does not have",
	"instance":       "it reads a choice list or file outside the form",
	"indexed-repeat": "repeat groups are not supported",
	"position":       "repeat groups are not supported",
	"once":           "an answer is computed again whenever answers are sent",
}

// functionNames lists the functions for a message, in a stable order.
func functionNames() string {
	names := slices.Sorted(maps.Keys(functions))
	return strings.Join(names, ", ")
}

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
	case "self":
		return selfExpr{t.at}, nil
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
		n, known := functions[strings.ToLower(t.text)]
		t.text = strings.ToLower(t.text)
		if !known {
			if t.text == "and" || t.text == "or" {
				return nil, &ExprError{t.at, fmt.Sprintf("%s needs a condition before it", t.text)}
			}
			if why, ok := unsupportedFunctions[t.text]; ok {
				return nil, &ExprError{t.at, fmt.Sprintf("%s(…) is not supported: %s", t.text, why)}
			}
			if p.peek().kind != "(" && t.text != "div" && t.text != "mod" {
				// A column of the choices sheet, which only a choice
				// filter reads; the check says so anywhere else.
				return fieldExpr{t.text, t.at}, nil
			}
			return nil, &ExprError{t.at, fmt.Sprintf("unknown function or word %q (expressions know %s, and, or, div, mod)", t.text, functionNames())}
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
		if len(args) < n[0] || n[1] >= 0 && len(args) > n[1] {
			want := strconv.Itoa(n[0])
			if n[1] != n[0] {
				want = fmt.Sprintf("%d or more", n[0])
				if n[1] > 0 {
					want = fmt.Sprintf("%d to %d", n[0], n[1])
				}
			}
			return nil, &ExprError{t.at, fmt.Sprintf("%s takes %s argument(s), not %d", t.text, want, len(args))}
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

// scope is what an expression may read besides the answers to earlier
// questions: the answer a constraint checks (.), and the columns of the
// choices a choice filter sifts.
type scope struct {
	self    *Question
	choices *Question
}

// Check types a condition against the instrument: every question must
// exist, comparisons must compare like with like, and a code must be one
// of its question's options. It returns the mistakes, each worded for the
// definition's author.
func (c *Condition) Check(in *Instrument) []string { return c.checkIn(in, scope{}) }

// checkIn is Check for a condition that may also read what sc holds: a
// constraint's answer ("."), a choice filter's choices.
func (c *Condition) checkIn(in *Instrument, sc scope) []string {
	c.in = in
	var probs []string
	kind := in.typeOf(c.root, sc, &probs)
	if kind != kindBool && len(probs) == 0 {
		probs = append(probs, fmt.Sprintf("the condition is %s, not a test: compare it, e.g. ${q} = 'yes' or ${q} != ''", kind))
	}
	return probs
}

// checkValue types a calculation: it may give a number or a text (a
// condition gives true or false, a list of choices its codes), which it
// returns.
func (c *Condition) checkValue(in *Instrument) (string, []string) {
	var probs []string
	switch kind := in.typeOf(c.root, scope{}, &probs); kind {
	case kindNum:
		return kindNum, probs
	default:
		return kindStr, probs
	}
}

// kindOf is the static type of a question's answer in an expression.
func kindOf(q *Question) string {
	switch q.Type {
	case TypeLikert, TypeNumber:
		return kindNum
	case TypeMulti:
		return kindCodes
	case TypeCalculate:
		return q.calcKind
	}
	return kindStr
}

// timed reports whether a question's answers are dates or times, which
// compare as numbers (days, as ODK counts them).
func timed(q *Question) bool {
	return q.Type == TypeDate || q.Type == TypeTime || q.Type == TypeDateTime
}

func (in *Instrument) typeOf(e expr, sc scope, probs *[]string) string {
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
		return kindOf(q)
	case selfExpr:
		if sc.self == nil {
			bad(t.at, ". is the answer a constraint checks: a condition or calculation names questions as ${q}")
			return ""
		}
		return kindOf(sc.self)
	case fieldExpr:
		if sc.choices == nil {
			bad(t.at, "%q is neither a question nor a text: write ${%s} for a question, '%s' for a text", t.name, t.name, t.name)
			return ""
		}
		if fields := sc.choices.choiceFields(); !slices.Contains(fields, t.name) {
			bad(t.at, "%q is not a column of %s's choices (its columns: %s); a text is quoted: '%s'", t.name, sc.choices.ID, strings.Join(fields, ", "), t.name)
			return ""
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
		case "today", "now", "date", "concat", "jr:choice-name", "string":
			for _, a := range t.args {
				if k := in.typeOf(a, sc, probs); k == kindBool && t.fn == "date" {
					bad(a.pos(), "date(…) takes a date or a number of days, not %s", k)
				}
			}
			return kindStr
		case "round":
			for _, a := range t.args {
				if k := in.typeOf(a, sc, probs); k == kindCodes || k == kindBool {
					bad(a.pos(), "round(…) takes numbers, not %s", k)
				}
			}
			return kindNum
		case "selected-at":
			if k := in.typeOf(t.args[0], sc, probs); k != kindCodes && k != "" {
				bad(t.at, "selected-at takes a multiple choice question first: selected-at(${q}, 0)")
			}
			in.typeOf(t.args[1], sc, probs)
			return kindStr
		case "regex":
			for _, a := range t.args {
				in.typeOf(a, sc, probs)
			}
			if re, ok := t.args[1].(strExpr); !ok {
				bad(t.args[1].pos(), "regex takes its pattern as a quoted text: regex(., '^[0-9]+$')")
			} else if _, err := compileRegex(re.v); err != nil {
				bad(re.at, "the pattern %q is not a regular expression: %v", re.v, err)
			}
			return kindBool
		case "not":
			if k := in.typeOf(t.args[0], sc, probs); k != kindBool && k != "" {
				bad(t.at, "not(…) takes a condition, not %s", k)
			}
			return kindBool
		case "count-selected":
			r, ok := t.args[0].(refExpr)
			if !ok {
				bad(t.at, "count-selected takes a question: count-selected(${q})")
			} else if q := in.Question(r.id); q == nil {
				in.typeOf(r, sc, probs)
			} else if q.Type != TypeMulti {
				bad(t.at, "count-selected(${%s}): %s is not a multiple choice question", r.id, r.id)
			}
			return kindNum
		case "selected":
			r, ok := t.args[0].(refExpr)
			code, isCode := t.args[1].(strExpr)
			if _, isField := t.args[1].(fieldExpr); isField && ok {
				// selected(${chosen}, name): the choices chosen
				// before, in a choice filter.
				in.typeOf(t.args[0], sc, probs)
				in.typeOf(t.args[1], sc, probs)
				return kindBool
			}
			switch {
			case !ok || !isCode:
				bad(t.at, "selected takes a question and a quoted code: selected(${q}, 'code')")
			case in.Question(r.id) == nil:
				in.typeOf(r, sc, probs)
			default:
				q := in.Question(r.id)
				if q.Type != TypeMulti && q.Type != TypeSingle {
					bad(t.at, "selected(${%s}, …): %s is not a choice question", r.id, r.id)
				} else if q.Option(code.v) == nil {
					bad(code.at, "'%s' is not an option of %s (options: %s)", code.v, r.id, strings.Join(optionCodes(q), ", "))
				}
			}
			return kindBool
		case "string-length", "number", "int", "decimal-date-time":
			if k := in.typeOf(t.args[0], sc, probs); k == kindCodes || k == kindBool {
				bad(t.at, "%s(…) takes a value, not %s", t.fn, k)
			}
			return kindNum
		case "boolean":
			in.typeOf(t.args[0], sc, probs)
			return kindBool
		case "contains", "starts-with":
			for _, a := range t.args {
				if k := in.typeOf(a, sc, probs); k == kindCodes || k == kindBool {
					bad(a.pos(), "%s(…) takes texts, not %s", t.fn, k)
				}
			}
			return kindBool
		case "coalesce":
			a, b := in.typeOf(t.args[0], sc, probs), in.typeOf(t.args[1], sc, probs)
			if a == b {
				return a
			}
			return kindStr
		case "if":
			if k := in.typeOf(t.args[0], sc, probs); k != kindBool && k != "" {
				bad(t.args[0].pos(), "if(…) needs a condition first, not %s", k)
			}
			a, b := in.typeOf(t.args[1], sc, probs), in.typeOf(t.args[2], sc, probs)
			if a == b {
				return a
			}
			return kindStr
		}
	case binExpr:
		if slices.Contains(arithmetic, t.op) {
			for _, side := range []expr{t.l, t.r} {
				if k := in.typeOf(side, sc, probs); k == kindCodes || k == kindBool {
					bad(side.pos(), "%s works on numbers, but this is %s", t.op, k)
				}
			}
			return kindNum
		}
		if t.op == "and" || t.op == "or" {
			for _, side := range []expr{t.l, t.r} {
				if k := in.typeOf(side, sc, probs); k != kindBool && k != "" {
					bad(side.pos(), "%s joins conditions, but this is %s: compare it, e.g. ${q} = 'yes'", t.op, k)
				}
			}
			return kindBool
		}
		lk, rk := in.typeOf(t.l, sc, probs), in.typeOf(t.r, sc, probs)
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
				if !numeric(in, sc, side) {
					bad(side.pos(), "%s compares numbers, but this is a text or a choice", t.op)
				}
			}
		} else if lk != rk && !numeric(in, sc, t.l) && !numeric(in, sc, t.r) {
			bad(t.at, "%s compares %s with %s", t.op, lk, rk)
		}
		return kindBool
	}
	return ""
}

// numeric reports whether e is a number, or a text that reads as one (a
// Likert point written '4', as XLSForm choice names are).
func numeric(in *Instrument, sc scope, e expr) bool {
	switch t := e.(type) {
	case numExpr:
		return true
	case strExpr:
		return !math.IsNaN(number(value{kind: kindStr, s: t.v}))
	case refExpr:
		q := in.Question(t.id)
		return q != nil && (kindOf(q) == kindNum || timed(q))
	case selfExpr:
		return sc.self != nil && (kindOf(sc.self) == kindNum || timed(sc.self))
	case fieldExpr:
		return true // its choices' columns hold what they hold; compared when read
	case callExpr:
		switch t.fn {
		case "if":
			return numeric(in, sc, t.args[1]) && numeric(in, sc, t.args[2])
		case "coalesce":
			return numeric(in, sc, t.args[0]) && numeric(in, sc, t.args[1])
		}
		return slices.Contains([]string{"count-selected", "string-length", "number", "int", "round", "today", "now", "date", "decimal-date-time"}, t.fn)
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
	return eval(c.root, answerView{a: a, absent: absent, in: c.in}).b
}

// holdsFor is holds for a constraint, with self the answer "." is.
func (c *Condition) holdsFor(a Answers, absent []string, self any) bool {
	return eval(c.root, answerView{a: a, absent: absent, self: self, in: c.in}).b
}

// answerView is answers less those of the questions in absent, and the
// answer a constraint checks.
type answerView struct {
	a      Answers
	absent []string
	self   any
	choice *Option // the choice a choice filter is sifting
	in     *Instrument
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
		return answerValue(a.get(t.id))
	case selfExpr:
		return answerValue(a.self)
	case fieldExpr:
		return value{kind: kindStr, s: a.choice.field(t.name)}
	case strExpr:
		return value{kind: kindStr, s: t.v}
	case numExpr:
		return value{kind: kindNum, n: t.v}
	case callExpr:
		return call(t, a)
	case binExpr:
		if slices.Contains(arithmetic, t.op) {
			return arithmeticOf(t.op, number(eval(t.l, a)), number(eval(t.r, a)))
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

// answerValue is a stored answer as a value: nothing is ”.
func answerValue(answer any) value {
	switch v := answer.(type) {
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
	}
	return value{kind: kindStr, s: fmt.Sprint(answer)}
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

// number is a value as XPath's number(); a date, time or date and time
// is a number of days, as ODK counts them (see days).
func number(v value) float64 {
	if v.kind == kindNum {
		return v.n
	}
	s := strings.TrimSpace(v.s)
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		return f
	}
	if d, ok := days(s); ok {
		return d
	}
	return math.NaN()
}

// Tree writes the parsed condition as nested arrays for the
// questionnaire's script, which evaluates the same tree the server does
// (it has no parser of its own):
// ["ref", id, type] ["str", s] ["num", n] ["call", fn, args…] [op, l, r].
func (c *Condition) Tree(in *Instrument) json.RawMessage {
	b, _ := json.Marshal(tree(c.root, in))
	return b
}

// CalculationTree is a calculate question's calculation as Tree writes
// a condition.
func (q *Question) CalculationTree(in *Instrument) json.RawMessage {
	if q.calc == nil {
		return nil
	}
	return q.calc.Tree(in)
}

func tree(e expr, in *Instrument) any {
	switch t := e.(type) {
	case refExpr:
		typ := ""
		if q := in.Question(t.id); q != nil {
			typ = q.ReadAs()
		}
		return []any{"ref", t.id, typ}
	case selfExpr:
		return []any{"self"}
	case fieldExpr:
		return []any{"field", t.name}
	case strExpr:
		return []any{"str", t.v}
	case numExpr:
		return []any{"num", t.v}
	case callExpr:
		out := []any{"call", t.fn}
		for _, a := range t.args {
			out = append(out, tree(a, in))
		}
		if t.fn == "jr:choice-name" {
			// The labels it chooses from, as the server does: in the
			// base language.
			out = append(out, in.choiceLabels(t.args[0]))
		}
		return out
	case binExpr:
		return []any{t.op, tree(t.l, in), tree(t.r, in)}
	}
	return nil
}
