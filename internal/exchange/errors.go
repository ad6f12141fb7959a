package exchange

import (
	"errors"
	"fmt"
)

// Error codes: the one vocabulary of failures. The web layer maps them to
// HTTP statuses and the command line to exit codes, each in one function.
const (
	EINVALID      = "invalid"
	ENOTFOUND     = "not_found"
	ECONFLICT     = "conflict"
	EUNAUTHORIZED = "unauthorized"
	EFORBIDDEN    = "forbidden"
	EUNAVAILABLE  = "unavailable"
	EINTERNAL     = "internal"
)

// Error is a failure a user can act on: a code, a message that says what and
// where, and optionally the problems of single fields or rows.
type Error struct {
	Code    string
	Message string
	// Fields holds problems by field name (a question id, a form field).
	Fields map[string]string
	// Problems holds the same, coded, where the interface words them
	// itself (a French form): see FieldProblem.
	Problems map[string]FieldProblem
	// Coded says Message again as a code and its arguments, for an
	// interface that words it itself (see FieldProblem); nil when the
	// message is English only.
	Coded *FieldProblem
	// Details lists further problems, one per line (a row of a file).
	Details []string
	// Rows says Details again, coded, when they are a file's rows.
	Rows []RowProblem
	// More counts the problems past MaxListedProblems, not listed.
	More int
	// Cause is what went wrong underneath, for the operator's log (a
	// database that does not answer); users see Message.
	Cause error
}

func (e *Error) Error() string {
	s := e.Message
	for _, d := range e.Details {
		s += "\n  " + d
	}
	if e.Cause != nil {
		s += " (" + e.Cause.Error() + ")"
	}
	return s
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Cause }

// MaxListedProblems is how many of a file's problems are listed: a file
// of 50 000 bad rows gets the first hundred and a count, not a list that
// costs more than the file.
const MaxListedProblems = 100

// moreProblems says how many problems were not listed.
func moreProblems(n int) string { return fmt.Sprintf("… and %d more problem(s) not listed", n) }

// capDetails keeps the first MaxListedProblems of details, and a line
// saying how many more there were.
func capDetails(details []string) []string {
	if len(details) <= MaxListedProblems {
		return details
	}
	return append(details[:MaxListedProblems:MaxListedProblems], moreProblems(len(details)-MaxListedProblems))
}

// Errorf returns an *Error with code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of err, or EINTERNAL when err is not an *Error:
// anything unexpected is an internal error.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	if err == nil {
		return ""
	}
	return EINTERNAL
}

// ErrorMessage returns the message a user may see: the *Error's message, or
// "Internal error." for anything else, whose cause belongs in the log only.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error."
}
