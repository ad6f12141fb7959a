package analysis

import (
	"strings"

	"github.com/csci/exchangeeval/internal/coding"
	"github.com/csci/exchangeeval/internal/survey"
)

// OpenAnswers lists the open answers to code — every non-empty answer to
// a text question, current answers only — each with the codebook's
// suggestion, in the order the input gives the responses. The coding
// workspace and the coding spreadsheet list the same answers.
func OpenAnswers(input Input) ([]coding.Answer, error) {
	in := input.Instrument
	auto := AutoCoder(in)
	var out []coding.Answer
	for r, err := range input.Responses {
		if err != nil {
			return nil, err
		}
		for _, q := range in.Questions() {
			text, _ := r.Answers[q.ID].(string)
			if q.Type != survey.TypeText || strings.TrimSpace(text) == "" {
				continue
			}
			out = append(out, coding.Answer{AnswerKey: coding.AnswerKey{Participant: r.Participant, Wave: r.Wave, Question: q.ID},
				Language: r.Language, Text: text, Suggested: auto(r.Language, text)})
		}
	}
	return out, nil
}
