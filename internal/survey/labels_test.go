package survey_test

import (
	"testing"

	"github.com/csci/exchangeeval/internal/survey"
)

// TestAnswerIn: a choice reads as its label in the reader's language (the
// base language where that is missing), several joined, an unknown code
// and a number as they are.
func TestAnswerIn(t *testing.T) {
	q := &survey.Question{ID: "org", Type: "select_multiple", Options: []*survey.Option{
		{Code: "public", Label: survey.Text{"en": "Public agency", "fr": "Organisme public"}},
		{Code: "ngo", Label: survey.Text{"en": "Non-profit"}},
	}}
	for _, tc := range []struct {
		answer any
		lang   string
		want   string
	}{
		{"public", "fr", "Organisme public"},
		{[]string{"public", "ngo"}, "fr", "Organisme public; Non-profit"},
		{"other", "en", "other"},
		{4, "en", "4"},
	} {
		if got := q.AnswerIn(tc.answer, tc.lang, "en"); got != tc.want {
			t.Errorf("%v in %s: %q, want %q", tc.answer, tc.lang, got, tc.want)
		}
	}
}
