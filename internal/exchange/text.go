package exchange

import (
	"fmt"
	"unicode"
	"unicode/utf8"
)

// Length limits of the short texts people type: names of people and
// exchanges, e-mails, and the labels (city, role) breakdowns are by. Long
// enough for any real name, short enough to fit a table cell and a page.
const (
	MaxNameLength  = 200
	MaxLabelLength = 100
)

// FieldProblem is what is wrong with one field of a form or command, as a
// code and its arguments, so that each interface words it in its reader's
// language; English names it.
type FieldProblem struct {
	Code string
	Args []any
}

// Field problem codes.
const (
	ProblemRequired       = "required"
	ProblemID             = "id"
	ProblemInstrument     = "instrument"
	ProblemDate           = "date"
	ProblemEndBeforeStart = "end_before_start"
	ProblemNotUTF8        = "not_utf8"
	ProblemControl        = "control"
	ProblemTooLong        = "too_long"
	ProblemLanguage       = "language"
	ProblemEmail          = "email"
	ProblemRole           = "role"
	ProblemPasswordShort  = "password_short"
	ProblemPasswordLong   = "password_long"
	ProblemTaken          = "taken"
)

var problemEnglish = map[string]string{
	ProblemRequired:       "required",
	ProblemID:             "use 2 to 63 lower-case letters, digits and hyphens, e.g. chicago-paris-2014",
	ProblemInstrument:     "unknown instrument %q (known: %s)",
	ProblemDate:           "a date as YYYY-MM-DD",
	ProblemEndBeforeStart: "the end is before the start",
	ProblemNotUTF8:        "has bytes that are not UTF-8 text",
	ProblemControl:        "has a control character (%U); retype it",
	ProblemTooLong:        "is %d characters long; the most is %d",
	ProblemLanguage:       "%q is not a language of the questionnaire (%s)",
	ProblemEmail:          "an e-mail address",
	ProblemRole:           "one of admin, evaluator, committee",
	ProblemPasswordShort:  "at least %d characters",
	ProblemPasswordLong:   "at most 72 bytes",
	ProblemTaken:          "%s already has an account",
}

// English is the problem in English.
func (p FieldProblem) English() string {
	if len(p.Args) == 0 {
		return problemEnglish[p.Code]
	}
	return fmt.Sprintf(problemEnglish[p.Code], p.Args...)
}

// TextProblem says what is wrong with a one-line text of at most max
// characters, nil when nothing: invalid UTF-8, control characters (a line
// break or a NUL pasted in), or too long. Such text is refused, never
// altered, so the person who typed it knows.
func TextProblem(s string, max int) *FieldProblem {
	if !utf8.ValidString(s) {
		return &FieldProblem{Code: ProblemNotUTF8}
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return &FieldProblem{Code: ProblemControl, Args: []any{r}}
		}
	}
	if n := utf8.RuneCountInString(s); n > max {
		return &FieldProblem{Code: ProblemTooLong, Args: []any{n, max}}
	}
	return nil
}

// CheckText is TextProblem in English, "" when nothing is wrong.
func CheckText(s string, max int) string {
	if p := TextProblem(s, max); p != nil {
		return p.English()
	}
	return ""
}
