package survey

import "regexp"

// A question's text or help may show an earlier answer, as XLSForm's
// labels do: "You stayed ${stay} days."
var textRef = regexp.MustCompile(`\$\{\s*([^{}\s]+)\s*\}`)

// TextRefs lists the question ids a text shows as ${id}, in order.
func TextRefs(s string) []string {
	var ids []string
	for _, m := range textRef.FindAllStringSubmatch(s, -1) {
		ids = append(ids, m[1])
	}
	return ids
}

// ReplaceTextRefs replaces each ${id} in s with what with(id) gives.
func ReplaceTextRefs(s string, with func(id string) string) string {
	return textRef.ReplaceAllStringFunc(s, func(m string) string {
		return with(textRef.FindStringSubmatch(m)[1])
	})
}

// ReadAs is the type an expression, and the page's script, reads the
// question's answer as: its own, but a number for a calculation that
// gives one, as the server computes it.
func (q *Question) ReadAs() string {
	if q.Type == TypeCalculate && q.calcKind == kindNum {
		return TypeNumber
	}
	return q.Type
}

// AnswerText is an answer as an expression's string() gives it — a
// number as written, a multiple choice's codes joined by spaces — for a
// text that shows it.
func AnswerText(answer any) string { return text(answerValue(answer)) }
