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

// CheckText says what is wrong with a one-line text of at most max
// characters, "" when nothing: invalid UTF-8, control characters (a line
// break or a NUL pasted in), or too long. Such text is refused, never
// altered, so the person who typed it knows.
func CheckText(s string, max int) string {
	if !utf8.ValidString(s) {
		return "has bytes that are not UTF-8 text"
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return fmt.Sprintf("has a control character (%U); retype it", r)
		}
	}
	if n := utf8.RuneCountInString(s); n > max {
		return fmt.Sprintf("is %d characters long; the most is %d", n, max)
	}
	return ""
}
