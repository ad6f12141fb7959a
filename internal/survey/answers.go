package survey

import (
	"encoding/json"
	"fmt"
	"github.com/csci/exchangeeval/internal/i18n"
	"maps"
	"math"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Answers are one participant's checked answers in one wave, by question id.
// Values have one Go type per question type: likert int (1..points), single
// string (option code), multi []string (option codes), number float64, text
// string. Missing answers are absent.
type Answers map[string]any

// SameAnswer reports whether two answers, each in its question type's Go
// type (see Answers), say the same.
func SameAnswer(x, y any) bool { return reflect.DeepEqual(x, y) }

// Equal reports whether a and b hold the same answers to the same
// questions.
func (a Answers) Equal(b Answers) bool {
	if len(a) != len(b) {
		return false
	}
	for id, x := range a {
		if y, ok := b[id]; !ok || !SameAnswer(x, y) {
			return false
		}
	}
	return true
}

// Field error codes: what is wrong with one answer.
const (
	ErrRequired        = "required"
	ErrOneValue        = "one_value"
	ErrNotInteger      = "not_integer"
	ErrNotNumber       = "not_number"
	ErrRange           = "out_of_range"
	ErrUnknownOption   = "unknown_option"
	ErrTooLong         = "too_long"
	ErrWrongType       = "wrong_type"
	ErrUnknownQuestion = "unknown_question"
	ErrNotAsked        = "not_asked"
	ErrNotText         = "not_text"
	ErrNotDate         = "not_date"
	ErrNotTime         = "not_time"
	ErrConstraint      = "constraint"
	ErrCalculated      = "calculated"
	ErrNotOffered      = "not_offered"
)

// FieldError is what is wrong with one answer: a code and its parameters, so
// it can be told to a delegate in their language.
type FieldError struct {
	Code string
	Args []any
	// Text is the instrument's own words for the error (a constraint's
	// message), in its languages with Base the fallback; when it is
	// empty the catalogue's words for Code are used.
	Text Text
	Base string
}

// FieldErrors maps question ids to what is wrong with their answers.
type FieldErrors map[string]FieldError

// Keys returns the question ids with errors, sorted.
func (fe FieldErrors) Keys() []string {
	keys := make([]string, 0, len(fe))
	for k := range fe {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Messages renders every error in lang.
func (fe FieldErrors) Messages(lang string) map[string]string {
	out := make(map[string]string, len(fe))
	for k, e := range fe {
		out[k] = e.Message(lang)
	}
	return out
}

// Message renders the error in lang (English where lang has no catalogue).
func (e FieldError) Message(lang string) string {
	if s := e.Text.In(lang, e.Base); s != "" {
		return s
	}
	return i18n.T(lang, "answer."+e.Code, e.Args...)
}

// FromStrings checks answers given as strings, as an HTML form or an import
// file gives them, against the questions of wave. Keys that are not questions
// of the wave are ignored (a form also carries its language and wave).
// Empty strings are missing answers. A question whose condition is false
// for the other answers is not required, and whatever was sent for it is
// dropped, wrong or not (see NotApplicable).
func (in *Instrument) FromStrings(wave string, values map[string][]string) (Answers, FieldErrors) {
	answers, errs := Answers{}, FieldErrors{}
	for _, q := range in.QuestionsIn(wave) {
		if q.Type == TypeCalculate {
			continue // the server's to compute, whatever was sent
		}
		v, fe := in.parse(q, values[q.ID])
		if fe != nil {
			errs[q.ID] = *fe
		} else if v != nil {
			answers[q.ID] = v
		}
	}
	absent, calculated := in.settle(wave, answers)
	for _, id := range absent {
		delete(answers, id)
		delete(errs, id)
	}
	maps.Copy(answers, calculated)
	for _, q := range in.QuestionsIn(wave) {
		if _, bad := errs[q.ID]; bad || answers[q.ID] == nil {
			continue
		}
		if !q.offered(answers[q.ID], answers, absent) {
			errs[q.ID] = FieldError{Code: ErrNotOffered}
		} else if q.constraint != nil && !q.constraint.holdsFor(answers, absent, answers[q.ID]) {
			errs[q.ID] = FieldError{Code: ErrConstraint, Text: q.ConstraintMessage, Base: in.BaseLanguage()}
		}
	}
	return answers, errs
}

// FromValues checks answers decoded from JSON (numbers as json.Number or
// float64, codes and texts as strings, multi choices as arrays). Unlike
// FromStrings it rejects keys that are not questions of the wave, and any
// object value — which is also what keeps query operators such as {"$gt": ""}
// from ever reaching the store.
func (in *Instrument) FromValues(wave string, raw map[string]any) (Answers, FieldErrors) {
	values := map[string][]string{}
	errs := FieldErrors{}
	for key, v := range raw {
		q := in.Question(key)
		switch {
		case q == nil || !q.Answered():
			errs[key] = FieldError{Code: ErrUnknownQuestion}
			continue
		case q.Type == TypeCalculate:
			errs[key] = FieldError{Code: ErrCalculated}
			continue
		case !q.AskedIn(wave):
			errs[key] = FieldError{Code: ErrNotAsked}
			continue
		}
		strs, ok := scalarStrings(v)
		if !ok {
			errs[key] = FieldError{Code: ErrWrongType}
			continue
		}
		values[key] = strs
	}
	answers, more := in.FromStrings(wave, values)
	for k, e := range more {
		if _, seen := errs[k]; !seen {
			errs[k] = e
		}
	}
	return answers, errs
}

func scalarStrings(v any) ([]string, bool) {
	switch t := v.(type) {
	case nil:
		return nil, true
	case []any:
		out := make([]string, 0, len(t))
		for _, e := range t {
			s, ok := scalarString(e)
			if !ok {
				return nil, false
			}
			out = append(out, s)
		}
		return out, true
	case []string:
		return t, true
	default:
		s, ok := scalarString(v)
		if !ok {
			return nil, false
		}
		return []string{s}, true
	}
}

func scalarString(v any) (string, bool) {
	switch t := v.(type) {
	case string:
		return t, true
	case json.Number:
		return t.String(), true
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64), true
	case int:
		return strconv.Itoa(t), true
	case int32:
		return strconv.Itoa(int(t)), true
	case int64:
		return strconv.FormatInt(t, 10), true
	case bool:
		return strconv.FormatBool(t), true
	}
	return "", false
}

func (in *Instrument) parse(q *Question, raw []string) (any, *FieldError) {
	var vals []string
	for _, r := range raw {
		if !isText(r, q.Type == TypeText) {
			return nil, &FieldError{Code: ErrNotText}
		}
		if s := strings.TrimSpace(r); s != "" {
			vals = append(vals, s)
		}
	}
	if len(vals) == 0 {
		if q.Required {
			return nil, &FieldError{Code: ErrRequired, Text: q.RequiredMessage, Base: in.BaseLanguage()}
		}
		return nil, nil
	}
	if q.Type != TypeMulti && len(vals) > 1 {
		return nil, &FieldError{Code: ErrOneValue}
	}
	v := vals[0]
	switch q.Type {
	case TypeLikert:
		n, err := strconv.Atoi(v)
		if err != nil {
			return nil, &FieldError{Code: ErrNotInteger}
		}
		points := in.Scales[q.Scale].Points
		if n < 1 || n > points {
			return nil, &FieldError{Code: ErrRange, Args: []any{1, points}}
		}
		return n, nil
	case TypeSingle:
		if q.Option(v) == nil {
			return nil, &FieldError{Code: ErrUnknownOption, Args: []any{v}}
		}
		return v, nil
	case TypeMulti:
		var codes []string
		seen := map[string]bool{}
		for _, c := range vals {
			if q.Option(c) == nil {
				return nil, &FieldError{Code: ErrUnknownOption, Args: []any{c}}
			}
			if !seen[c] {
				seen[c] = true
				codes = append(codes, c)
			}
		}
		// Keep the definition's order so stored answers compare equal
		// however the client ordered them.
		sort.SliceStable(codes, func(i, j int) bool { return optionIndex(q, codes[i]) < optionIndex(q, codes[j]) })
		return codes, nil
	case TypeNumber:
		// A French delegate writes 2,5 for 2.5.
		f, err := strconv.ParseFloat(strings.Replace(v, ",", ".", 1), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, &FieldError{Code: ErrNotNumber}
		}
		if q.Integer && f != math.Trunc(f) {
			return nil, &FieldError{Code: ErrNotInteger}
		}
		if (q.Min != nil && f < *q.Min) || (q.Max != nil && f > *q.Max) {
			return nil, &FieldError{Code: ErrRange, Args: []any{bound(q.Min, "−∞"), bound(q.Max, "∞")}}
		}
		return f, nil
	case TypeDate, TypeTime, TypeDateTime:
		return parseWhen(q.Type, v)
	case TypeText:
		text := strings.ReplaceAll(strings.TrimSpace(raw[0]), "\r\n", "\n")
		if n := utf8.RuneCountInString(text); n > q.Limit() {
			return nil, &FieldError{Code: ErrTooLong, Args: []any{q.Limit(), n}}
		}
		return text, nil
	}
	return nil, &FieldError{Code: ErrWrongType}
}

// isText reports whether s is UTF-8 without control characters — but for
// line breaks and tabs in a free-text answer. Nothing else is stored as
// given: not replaced, not stripped, refused, so the delegate knows.
func isText(s string, multiline bool) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) && !(multiline && (r == '\n' || r == '\r' || r == '\t')) {
			return false
		}
	}
	return true
}

func bound(p *float64, none string) any {
	if p == nil {
		return none
	}
	return strconv.FormatFloat(*p, 'f', -1, 64)
}

func optionIndex(q *Question, code string) int {
	for i, o := range q.Options {
		if o.Code == code {
			return i
		}
	}
	return len(q.Options)
}

// Strings turns a stored answer back into the strings a form or an import
// file would hold, for pre-filling a form.
func Strings(v any) []string {
	switch t := v.(type) {
	case nil:
		return nil
	case []string:
		return t
	case []any:
		out := make([]string, 0, len(t))
		for _, e := range t {
			if s, ok := scalarString(e); ok {
				out = append(out, s)
			}
		}
		return out
	default:
		if s, ok := scalarString(v); ok {
			return []string{s}
		}
		return []string{fmt.Sprint(v)}
	}
}
