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
	ProblemRequired   = "required"
	ProblemID         = "id"
	ProblemInstrument = "instrument"
	// ProblemInstrumentMissing: an exchange's instrument version cannot
	// be found (see InstrumentMissing).
	ProblemInstrumentMissing = "instrument_missing"
	// ProblemStoreFull: the store's disk is full (see IsStoreFull).
	ProblemStoreFull      = "store_full"
	ProblemDate           = "date"
	ProblemEndBeforeStart = "end_before_start"
	ProblemTimeZone       = "time_zone"
	ProblemRetention      = "retention"
	ProblemNotUTF8        = "not_utf8"
	ProblemControl        = "control"
	ProblemTooLong        = "too_long"
	ProblemLanguage       = "language"
	ProblemEmail          = "email"
	ProblemRole           = "role"
	ProblemPasswordShort  = "password_short"
	ProblemPasswordLong   = "password_long"
	ProblemTaken          = "taken"

	// Participants files, as a whole.
	ProblemFileEmpty    = "file_empty"
	ProblemBadHeader    = "bad_header"
	ProblemFileProblems = "file_problems"
	ProblemNoRows       = "no_rows"
	ProblemTooManyRows  = "too_many_rows"
	ProblemTooLarge     = "too_large"
	ProblemNotXLSX      = "not_xlsx"
	// ProblemUnzipsTooLarge, ProblemTooWide, ProblemTooManyCells,
	// ProblemRecordTooLong: a file past the readers' limits.
	ProblemUnzipsTooLarge = "unzips_too_large"
	ProblemTooWide        = "too_wide"
	ProblemTooManyCells   = "too_many_cells"
	ProblemRecordTooLong  = "record_too_long"
	ProblemNoSheets       = "no_sheets"
	ProblemUnreadable     = "unreadable"
	ProblemNotTable       = "not_table"
	ProblemNotText        = "not_text"
	ProblemQuote          = "quote"
	ProblemBareQuote      = "bare_quote"
	// Participants files, row by row.
	ProblemUnknownColumn  = "unknown_column"
	ProblemColumnTwice    = "column_twice"
	ProblemMissingColumn  = "missing_column"
	ProblemMissing        = "missing"
	ProblemBadEmail       = "bad_email"
	ProblemDuplicateEmail = "duplicate_email"
	ProblemRowLanguage    = "row_language"
	ProblemSide           = "side"
	ProblemNoHeader       = "no_header"
	ProblemHasAnswered    = "has_answered"
	// Analyses.
	ProblemComparison = "comparison"
)

var problemEnglish = map[string]string{
	ProblemRequired:          "required",
	ProblemID:                "use 2 to 63 lower-case letters, digits and hyphens, e.g. chicago-paris-2014",
	ProblemInstrument:        "unknown instrument %q (known: %s)",
	ProblemStoreFull:         "The service cannot store anything at the moment; nothing was lost. Try again in a few minutes.",
	ProblemInstrumentMissing: "exchange %s uses instrument %s, which is neither in the store nor in a definition file: import its definition with exchangeeval instruments import FILE",
	ProblemDate:              "a date as YYYY-MM-DD",
	ProblemEndBeforeStart:    "the end is before the start",
	ProblemTimeZone:          "%q is not a time zone: give the host city's, such as Europe/Paris, America/Mexico_City or Asia/Amman",
	ProblemRetention:         "%q is not a retention: give whole months from 1 to %d, or leave it empty for a year",
	ProblemNotUTF8:           "has bytes that are not UTF-8 text",
	ProblemControl:           "has a control character (%U); retype it",
	ProblemTooLong:           "is %d characters long; the most is %d",
	ProblemLanguage:          "%q is not a language of the questionnaire (%s)",
	ProblemEmail:             "an e-mail address",
	ProblemRole:              "one of admin, evaluator, committee",
	ProblemPasswordShort:     "at least %d characters",
	ProblemPasswordLong:      "at most 72 bytes",
	ProblemTaken:             "%s already has an account",

	ProblemFileEmpty:      "the participants file is empty: expected the header %s",
	ProblemBadHeader:      "the participants file has a bad header; nothing was imported",
	ProblemFileProblems:   "%d problem(s) in the participants file; nothing was imported",
	ProblemNoRows:         "the participants file has a header but no participants",
	ProblemTooManyRows:    "%s has more than %d rows below its header, the most one import takes; split it, or raise the limit (EXCHANGEEVAL_MAX_IMPORT_ROWS, or --max-rows on the command line)",
	ProblemTooLarge:       "%s is larger than %d MiB",
	ProblemNotXLSX:        "%s is not a readable XLSX workbook: %v",
	ProblemUnzipsTooLarge: "%s unpacks to more than %d MiB, or its table of texts is too large: a table of participants or answers is far smaller; is this the right file?",
	ProblemTooWide:        "%s: cell %s has text beyond the %d columns a table may have",
	ProblemTooManyCells:   "%s has more than %d cells: split it into smaller files",
	ProblemRecordTooLong:  "%s, line %d: a row longer than %d MiB; is a quote (\") left open?",
	ProblemNoSheets:       "%s has no sheets",
	ProblemUnreadable:     "%s: sheet %q cannot be read: %v",
	ProblemNotTable:       "%s is neither CSV text nor an XLSX workbook",
	ProblemNotText:        "%s, line %d: the file is neither UTF-8 nor Windows-1252 text; save it as \"CSV UTF-8\" and import it again",
	ProblemQuote:          "%s, line %d: a quote (\") is not closed, or a quoted cell has text after its closing quote",
	ProblemBareQuote:      "%s, line %d: a quote (\") in the middle of a cell that does not start with one; put the cell in quotes and double the quote (\"\")",

	ProblemUnknownColumn:  "unknown column %q (expected %s)",
	ProblemColumnTwice:    "column %q appears twice",
	ProblemMissingColumn:  "missing column %q (expected header %s)",
	ProblemMissing:        "%s is missing",
	ProblemBadEmail:       "email %q is not an e-mail address",
	ProblemDuplicateEmail: "email %s is already on row %d",
	ProblemRowLanguage:    "language %q is not one of the questionnaire's languages (%s)",
	ProblemSide:           "side %q must be host or visiting",
	ProblemNoHeader:       "%q is in a column with no header; remove it, or name the column (name, email, city, role, language, side)",
	ProblemHasAnswered:    "%s has answered (%s) and cannot be removed: answers are kept with their participant",

	ProblemComparison: "%s→%s is not a comparison exchange %s makes (it compares %s)",
}

// Coded is an error whose message is a coded problem, worded in English
// here and by each interface in its reader's language.
func Coded(code, problem string, args ...any) *Error {
	p := FieldProblem{Code: problem, Args: args}
	return &Error{Code: code, Message: p.English(), Coded: &p}
}

// RowProblem is what is wrong with one row (and column) of a file.
type RowProblem struct {
	Row int
	// Column is the spreadsheet's column letter and Field the column's
	// header, when the problem is in one cell.
	Column, Field string
	Problem       FieldProblem
}

// English is the problem in English, with where it is.
func (p RowProblem) English() string {
	where := fmt.Sprintf("row %d", p.Row)
	if p.Column != "" {
		where += ", column " + p.Column
		if p.Field != "" {
			where += " (" + p.Field + ")"
		}
	}
	return where + ": " + p.Problem.English()
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
