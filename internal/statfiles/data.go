package statfiles

import (
	"encoding/csv"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/csci/exchangeeval/internal/analysis"
	"github.com/csci/exchangeeval/internal/survey"
)

// dateLayout is how dates are written in the CSV files: what SPSS's
// YMDHMS, R's as.POSIXct and Stata's clock(…, "YMDhms") read.
const dateLayout = "2006-01-02 15:04:05"

// table is a data file being written: its variables and the widest value
// of each string variable, which SPSS's syntax must declare.
type table struct {
	vars  []variable
	width []int
	rows  int
}

func (t *table) write(w *csv.Writer, row []string) error {
	for i, v := range row {
		if n := len(v); n > t.width[i] {
			t.width[i] = n
		}
	}
	t.rows++
	return w.Write(row)
}

func newTable(vars []variable, w *csv.Writer) (*table, error) {
	t := &table{vars: vars, width: make([]int, len(vars))}
	head := make([]string, len(vars))
	for i, v := range vars {
		head[i] = v.Name
	}
	return t, w.Write(head)
}

// oneLine makes an open answer one line: the CSV readers of SPSS and Stata
// do not take line breaks inside a cell. The workbook keeps them.
var oneLine = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ")

// writeResponses writes responses.csv: one row per participant and wave.
func writeResponses(out io.Writer, in Input, vars []variable) (*table, error) {
	w := csv.NewWriter(out)
	t, err := newTable(vars, w)
	if err != nil {
		return nil, err
	}
	waveIndex := map[string]int{}
	for i, wv := range in.Instrument.Waves {
		waveIndex[wv.ID] = i + 1
	}
	sc := in.Report.Scores
	multi := len(in.Exchanges) > 1
	row := make([]string, len(vars))
	for r, err := range in.Responses() {
		if err != nil {
			return nil, err
		}
		k := r.Participant
		if multi {
			k = r.Exchange + "/" + r.Participant
		}
		var attrs [4]string
		if i, ok := sc.Index(k); ok {
			_, attrs = sc.Participant(i)
		}
		for i, v := range vars {
			row[i] = ""
			switch v.Source {
			case "exchange":
				row[i] = r.Exchange
			case "participant":
				row[i] = r.Participant
			case "wave":
				row[i] = strconv.Itoa(waveIndex[r.Wave])
			case "city":
				row[i] = attrs[0]
			case "role":
				row[i] = attrs[1]
			case "language":
				row[i] = r.Language
			case "side":
				row[i] = attrs[3]
			case "submitted_at":
				row[i] = r.SubmittedAt.UTC().Format(dateLayout)
			case "imported":
				row[i] = "0"
				if r.Imported() {
					row[i] = "1"
				}
			default:
				row[i] = answerValue(in.Instrument, v, r.Wave, r.Answers)
			}
		}
		if err := t.write(w, row); err != nil {
			return nil, err
		}
	}
	w.Flush()
	return t, w.Error()
}

// notAsked is the code of a numeric answer to a question that its wave
// does not ask, and notApplicable of one whose condition was false for
// that delegate; both are declared missing in every package's syntax. A
// question asked and not answered is left empty (system-missing).
const (
	notAsked      = -1
	notApplicable = -2
)

// answerValue is a question's answer as the data file holds it: a
// Likert point, a choice's number (its place in the list), 0/1 for one
// option of a multiple choice, a number, or one line of text.
func answerValue(in *survey.Instrument, v variable, wave string, answers survey.Answers) string {
	id, option, isOption := strings.Cut(v.Source, "/")
	q := in.Question(id)
	if q != nil && !q.AskedIn(wave) && !v.Text && !v.Date {
		return strconv.Itoa(notAsked)
	}
	if q != nil && q.Conditional() && slices.Contains(in.NotApplicable(wave, answers), id) {
		if v.Text || v.Date {
			return ""
		}
		return strconv.Itoa(notApplicable)
	}
	a, ok := answers[id]
	if q == nil || !ok || a == nil {
		return ""
	}
	return answerText(q, option, isOption, a)
}

func answerText(q *survey.Question, option string, isOption bool, v any) string {
	switch {
	case isOption:
		if slices.Contains(survey.Strings(v), option) {
			return "1"
		}
		return "0"
	case q.Type == survey.TypeLikert:
		if n, ok := v.(int); ok {
			return strconv.Itoa(n)
		}
	case q.Type == survey.TypeSingle:
		code, _ := v.(string)
		for i, o := range q.Options {
			if o.Code == code {
				return strconv.Itoa(i + 1)
			}
		}
	case q.Numeric():
		if f, ok := v.(float64); ok {
			return strconv.FormatFloat(f, 'f', -1, 64)
		}
	case q.Type == survey.TypeDate || q.Type == survey.TypeDateTime:
		// As the date variables read them: 2027-03-14 18:45:00.
		s, _ := v.(string)
		day, clock, _ := strings.Cut(s, "T")
		if clock == "" {
			clock = "00:00"
		}
		return day + " " + clock + ":00"
	default:
		s, _ := v.(string)
		return oneLine.Replace(s)
	}
	return ""
}

// writePairs writes pairs.csv from the analysis's own scores: one row per
// participant who answered, each goal score and scored item per wave.
func writePairs(out io.Writer, in Input, vars []variable) (*table, error) {
	w := csv.NewWriter(out)
	t, err := newTable(vars, w)
	if err != nil {
		return nil, err
	}
	sc := in.Report.Scores
	row := make([]string, len(vars))
	for i := range sc.Participants() {
		answered := false
		for _, wv := range in.Instrument.WaveIDs() {
			answered = answered || sc.Responded(i, wv)
		}
		if !answered {
			continue
		}
		k, attrs := sc.Participant(i)
		exID, pid := "", k
		if len(in.Exchanges) > 1 {
			exID, pid, _ = strings.Cut(k, "/")
		}
		for c, v := range vars {
			row[c] = pairValue(in.Instrument, sc, i, v.Source, exID, pid, attrs)
		}
		if err := t.write(w, row); err != nil {
			return nil, err
		}
	}
	w.Flush()
	return t, w.Error()
}

func pairValue(in *survey.Instrument, sc analysis.Scores, i int, source, exID, pid string, attrs [4]string) string {
	switch source {
	case "exchange":
		return exID
	case "participant":
		return pid
	case "city":
		return attrs[0]
	case "role":
		return attrs[1]
	case "language":
		return attrs[2]
	case "side":
		return attrs[3]
	}
	kind, rest, _ := strings.Cut(source, "/")
	id, wave, _ := strings.Cut(rest, "/")
	if kind == "goal" {
		if v, ok := sc.Goal(i, id, wave); ok {
			return strconv.FormatFloat(v, 'f', -1, 64)
		}
		return ""
	}
	if v, ok := sc.Item(i, in.Question(id), wave); ok {
		return strconv.Itoa(v)
	}
	return ""
}
