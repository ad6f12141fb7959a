package survey

import (
	"math"
	"regexp"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"
)

// call evaluates a function of the expression language; the definition
// check has made sure of its arguments' number and types.
func call(t callExpr, a answerView) value {
	arg := func(i int) value { return eval(t.args[i], a) }
	boolean := func(b bool) value { return value{kind: kindBool, b: b} }
	num := func(n float64) value { return value{kind: kindNum, n: n} }
	str := func(s string) value { return value{kind: kindStr, s: s} }
	switch t.fn {
	case "true", "false":
		return boolean(t.fn == "true")
	case "not":
		return boolean(!arg(0).b)
	case "count-selected":
		return num(float64(len(arg(0).codes)))
	case "selected":
		v, code := arg(0), arg(1).s
		if v.kind == kindCodes {
			return boolean(slices.Contains(v.codes, code))
		}
		return boolean(v.s == code && code != "")
	case "selected-at":
		// The n-th code chosen, from 0; '' past the last.
		v, n := arg(0), number(arg(1))
		if n >= 0 && n < float64(len(v.codes)) {
			return str(v.codes[int(n)])
		}
		return str("")
	case "string-length":
		return num(float64(utf8.RuneCountInString(text(arg(0)))))
	case "number":
		return num(number(arg(0)))
	case "int":
		return num(math.Trunc(number(arg(0))))
	case "round":
		// Halves away from zero, to a number of decimals (none by
		// default), as ODK's round does.
		x, places := number(arg(0)), 0.0
		if len(t.args) > 1 {
			places = math.Trunc(number(arg(1)))
		}
		p := math.Pow(10, places)
		return num(math.Round(x*p) / p)
	case "string":
		return str(text(arg(0)))
	case "concat":
		var b strings.Builder
		for i := range t.args {
			b.WriteString(text(arg(i)))
		}
		return str(b.String())
	case "boolean":
		v := arg(0)
		switch v.kind {
		case kindNum:
			return boolean(v.n != 0 && !math.IsNaN(v.n))
		case kindStr:
			return boolean(v.s != "")
		case kindCodes:
			return boolean(len(v.codes) > 0)
		}
		return v
	case "contains":
		return boolean(strings.Contains(text(arg(0)), text(arg(1))))
	case "starts-with":
		return boolean(strings.HasPrefix(text(arg(0)), text(arg(1))))
	case "regex":
		re, err := compileRegex(text(arg(1)))
		return boolean(err == nil && re.MatchString(text(arg(0))))
	case "coalesce":
		if v := arg(0); text(v) != "" {
			return v
		}
		return arg(1)
	case "if":
		if arg(0).b {
			return arg(1)
		}
		return arg(2)
	case "today":
		return str(Today().Format(dateLayout))
	case "now":
		// Wall time, as datetime answers are stored.
		return str(Today().Format("2006-01-02T15:04:05"))
	case "decimal-date-time":
		// A date and time as its number of days, with the fraction.
		return num(number(arg(0)))
	case "date":
		// date('2027-03-14') is that date; date(n) the n-th day after
		// 1 January 1970.
		d := number(arg(0))
		if math.IsNaN(d) {
			return str("")
		}
		return str(dayZero.AddDate(0, 0, int(math.Floor(d))).Format(dateLayout))
	case "jr:choice-name":
		// The label of the chosen option, in the instrument's base
		// language, so the server and every page compute the same.
		return str(a.choiceName(t.args[0], arg(0).s))
	}
	return value{kind: kindBool}
}

// arithmeticOf applies one of the arithmetic operators.
func arithmeticOf(op string, x, y float64) value {
	n := math.NaN()
	switch op {
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

// regexes keeps the patterns constraints use, compiled once: a pattern
// is checked when the instrument is, and used at every answer. The
// definition check admits only written patterns, so there are few; the
// bound keeps it so whatever reaches here.
var regexes = struct {
	sync.Mutex
	m map[string]*regexp.Regexp
}{m: map[string]*regexp.Regexp{}}

const maxRegexes = 1000

// compileRegex compiles a constraint's pattern. Go's RE2 syntax reads
// the patterns forms use (classes, repetitions, anchors) in time linear
// in the answer, so no pattern can hang the server.
func compileRegex(pattern string) (*regexp.Regexp, error) {
	regexes.Lock()
	defer regexes.Unlock()
	if re, ok := regexes.m[pattern]; ok {
		return re, nil
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		return nil, err
	}
	if len(regexes.m) < maxRegexes {
		regexes.m[pattern] = re
	}
	return re, nil
}
