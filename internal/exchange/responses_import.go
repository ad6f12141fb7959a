package exchange

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/csci/exchangeeval/internal/survey"
)

// Columns of a responses file besides the question ids. Only participant
// and wave are required; language and submitted_at are used when present;
// the others are accepted and ignored, so that the Responses sheet of the
// evaluator workbook imports unchanged.
var (
	ResponseKeyColumns  = []string{"participant", "wave"}
	ResponseMetaColumns = []string{"exchange", "language", "submitted_at", "imported", "city", "role", "side", "source", "submission"}
)

// ImportedResponse is one checked row of a responses file.
type ImportedResponse struct {
	Row int
	Response
}

// ParseResponses checks a responses table (header first): one row per
// participant and wave, participant as pseudonymous id or e-mail, then
// question ids with Likert and choice values as their codes, multi-choice
// codes separated by ";", empty cells missing. Every bad cell is reported
// with its row and column; when there is any, nothing is returned. Required
// questions may be left empty: a paper form is taken as it was filled in.
//
// A file with an exchange column (the evaluator workbook's Responses sheet
// has one) must be of exchange x, or of fromExchange when that is given:
// pseudonymous ids repeat from one exchange to the next, so a workbook of
// 2014 would otherwise attach its answers to the 2028 delegates.
func ParseResponses(rows [][]string, in *survey.Instrument, x *Exchange, participants []*Participant, fromExchange string, now time.Time) ([]ImportedResponse, error) {
	if len(rows) == 0 {
		return nil, Errorf(EINVALID, "the responses file is empty: expected a header participant,wave,<question ids>")
	}
	var problems []string
	cols := map[string]int{}
	questions := map[int]*survey.Question{}
	for i, h := range rows[0] {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		name := columnName(i)
		switch {
		case h == "":
			continue
		case cols[h] != 0:
			problems = append(problems, fmt.Sprintf("row 1, column %s: %q appears twice", name, h))
		case slices.Contains(ResponseKeyColumns, h) || slices.Contains(ResponseMetaColumns, h):
			cols[h] = i + 1
		case in.Question(h) != nil:
			cols[h] = i + 1
			questions[i] = in.Question(h)
		default:
			problems = append(problems, fmt.Sprintf("row 1, column %s: %q is not a question of instrument %s", name, h, in.ID))
		}
	}
	for _, c := range ResponseKeyColumns {
		if cols[c] == 0 {
			problems = append(problems, fmt.Sprintf("row 1: missing column %q", c))
		}
	}
	if len(problems) > 0 {
		return nil, &Error{Code: EINVALID, Message: "the responses file has a bad header; nothing was imported", Details: capDetails(problems)}
	}
	byKey := map[string]*Participant{}
	for _, p := range participants {
		byKey[p.PID] = p
		byKey[strings.ToLower(p.Email)] = p
	}
	cell := func(r []string, col string) string {
		if i := cols[col] - 1; i >= 0 && i < len(r) {
			return strings.TrimSpace(r[i])
		}
		return ""
	}
	var out []ImportedResponse
	seen := map[string]int{}
	for ri, r := range rows[1:] {
		rowNo := ri + 2
		if strings.TrimSpace(strings.Join(r, "")) == "" {
			continue
		}
		bad := func(col, format string, args ...any) {
			where := fmt.Sprintf("row %d", rowNo)
			if cols[col] > 0 {
				where += fmt.Sprintf(", column %s (%s)", columnName(cols[col]-1), col)
			}
			problems = append(problems, where+": "+fmt.Sprintf(format, args...))
		}
		if from := cell(r, "exchange"); from != "" && from != x.ID && from != fromExchange {
			bad("exchange", "the row is from exchange %q, not %s; if its answers are meant for %s, say so with --from-exchange %s", from, x.ID, x.ID, from)
			continue
		}
		who := cell(r, "participant")
		p := byKey[who]
		if p == nil {
			p = byKey[strings.ToLower(who)]
		}
		if p == nil {
			bad("participant", "%q is neither the pseudonymous id nor the e-mail of a participant of %s", who, x.ID)
		}
		for i := len(rows[0]); i < len(r); i++ {
			if v := strings.TrimSpace(r[i]); v != "" {
				problems = append(problems, fmt.Sprintf("row %d, column %s: %q is in a column with no header; add the question's id above it, or remove it", rowNo, columnName(i), v))
			}
		}
		wave := cell(r, "wave")
		if in.Wave(wave) == nil {
			bad("wave", "%q is not a wave of the instrument (%s)", wave, strings.Join(in.WaveIDs(), ", "))
			continue
		}
		if p != nil {
			key := p.PID + "/" + wave
			if first, dup := seen[key]; dup {
				bad("participant", "%s already has a %s row (row %d)", p.PID, wave, first)
			}
			seen[key] = rowNo
		}
		values := map[string][]string{}
		for i, q := range questions {
			v := ""
			if i < len(r) {
				v = strings.TrimSpace(r[i])
			}
			if v == "" {
				continue
			}
			if !q.AskedIn(wave) {
				bad(q.ID, "not asked in the %s wave, but the cell has %q", wave, v)
				continue
			}
			if q.Type == survey.TypeMulti {
				values[q.ID] = strings.Split(v, ";")
			} else {
				values[q.ID] = []string{v}
			}
		}
		answers, errs := in.FromStrings(wave, values)
		for _, qid := range errs.Keys() {
			if errs[qid].Code != survey.ErrRequired {
				msg := errs[qid].Message("en")
				if !strings.Contains(msg, "“") {
					// The message does not name what was there: say it.
					msg = strconv.Quote(strings.Join(values[qid], ";")) + ": " + msg
				}
				bad(qid, "%s", msg)
			}
		}
		lang := strings.ToLower(cell(r, "language"))
		if lang == "" && p != nil {
			lang = p.Language
		}
		// Without a language cell the participant's is taken: nothing to
		// check for an unknown participant, already reported.
		if (lang != "" || p != nil) && !in.HasLanguage(lang) {
			bad("language", "%q is not one of the instrument's languages (%s)", lang, strings.Join(in.Languages, ", "))
		}
		at := now
		if s := cell(r, "submitted_at"); s != "" {
			t, err := parseTimestamp(s)
			if err != nil {
				bad("submitted_at", "%q is not a date and time such as 2014-03-15T10:30:00Z or 2014-03-15 10:30", s)
			}
			at = t
		}
		if p == nil {
			continue
		}
		out = append(out, ImportedResponse{Row: rowNo, Response: Response{
			Exchange: x.ID, Participant: p.PID, Wave: wave, Instrument: in.ID, InstrumentVersion: in.Version,
			Language: lang, Answers: answers, Source: SourceImport, Submission: cell(r, "submission"), SubmittedAt: at,
		}})
	}
	if len(problems) > 0 {
		return nil, &Error{Code: EINVALID, Message: fmt.Sprintf("%d problem(s) in the responses file; nothing was imported", len(problems)), Details: capDetails(problems)}
	}
	if len(out) == 0 {
		return nil, Errorf(EINVALID, "the responses file has a header but no responses")
	}
	return out, nil
}

var timestampLayouts = []string{time.RFC3339, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02"}

func parseTimestamp(s string) (time.Time, error) {
	var err error
	for _, l := range timestampLayouts {
		var t time.Time
		if t, err = time.Parse(l, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, err
}

// columnName is the spreadsheet name of the zero-based column i: A, B, …, AA.
func columnName(i int) string {
	name := ""
	for i++; i > 0; i = (i - 1) / 26 {
		name = string(rune('A'+(i-1)%26)) + name
	}
	return name
}
