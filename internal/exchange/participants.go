package exchange

import (
	"net/mail"
	"net/url"
	"slices"
	"strings"

	"github.com/csci/exchangeeval/internal/survey"
)

// ParticipantColumns is the header a participants file must have.
var ParticipantColumns = []string{"name", "email", "city", "role", "language", "side"}

// ParticipantRow is one checked row of a participants file.
type ParticipantRow struct {
	Row                                     int
	Name, Email, City, Role, Language, Side string
}

// rowsError adds a file's row problems to e, coded and in English.
func rowsError(e *Error, problems []RowProblem) *Error {
	if len(problems) > MaxListedProblems {
		e.More = len(problems) - MaxListedProblems
		problems = problems[:MaxListedProblems]
	}
	e.Rows = problems
	for _, p := range problems {
		e.Details = append(e.Details, p.English())
	}
	if e.More > 0 {
		e.Details = append(e.Details, moreProblems(e.More))
	}
	return e
}

// ParseParticipants checks a participants table (header first, as read from
// CSV or XLSX). Every problem is reported with its spreadsheet row number;
// when there is any, no row is returned, so nothing is half-imported.
func ParseParticipants(rows [][]string, in *survey.Instrument) ([]ParticipantRow, error) {
	if len(rows) == 0 {
		return nil, Coded(EINVALID, ProblemFileEmpty, strings.Join(ParticipantColumns, ","))
	}
	col := map[string]int{}
	var problems []RowProblem
	for i, h := range rows[0] {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		switch {
		case h == "":
			continue
		case !slices.Contains(ParticipantColumns, h):
			problems = append(problems, RowProblem{Row: 1, Column: columnName(i), Problem: FieldProblem{ProblemUnknownColumn, []any{h, strings.Join(ParticipantColumns, ",")}}})
		case col[h] != 0:
			problems = append(problems, RowProblem{Row: 1, Column: columnName(i), Problem: FieldProblem{ProblemColumnTwice, []any{h}}})
		default:
			col[h] = i + 1
		}
	}
	for _, c := range ParticipantColumns {
		if col[c] == 0 {
			problems = append(problems, RowProblem{Row: 1, Problem: FieldProblem{ProblemMissingColumn, []any{c, strings.Join(ParticipantColumns, ",")}}})
		}
	}
	if len(problems) > 0 {
		return nil, rowsError(Coded(EINVALID, ProblemBadHeader), problems)
	}
	get := func(r []string, name string) string {
		if i := col[name] - 1; i < len(r) {
			return strings.TrimSpace(r[i])
		}
		return ""
	}
	var out []ParticipantRow
	firstRow := map[string]int{}
	for i, r := range rows[1:] {
		rowNo := i + 2
		if strings.TrimSpace(strings.Join(r, "")) == "" {
			continue
		}
		p := ParticipantRow{
			Row: rowNo, Name: get(r, "name"), Email: strings.ToLower(get(r, "email")),
			City: get(r, "city"), Role: get(r, "role"),
			Language: strings.ToLower(get(r, "language")), Side: strings.ToLower(get(r, "side")),
		}
		// bad records a problem of the row, in a column when field is one.
		bad := func(field, code string, args ...any) {
			rp := RowProblem{Row: rowNo, Problem: FieldProblem{code, args}}
			if field != "" {
				rp.Column, rp.Field = columnName(col[field]-1), field
			}
			problems = append(problems, rp)
		}
		for c := len(rows[0]); c < len(r); c++ {
			if v := strings.TrimSpace(r[c]); v != "" {
				problems = append(problems, RowProblem{Row: rowNo, Column: columnName(c), Problem: FieldProblem{ProblemNoHeader, []any{v}}})
			}
		}
		for _, f := range []struct {
			column, value string
			max           int
		}{{"name", p.Name, MaxNameLength}, {"email", p.Email, MaxNameLength}, {"city", p.City, MaxLabelLength}, {"role", p.Role, MaxLabelLength}} {
			if tp := TextProblem(f.value, f.max); tp != nil {
				bad(f.column, tp.Code, tp.Args...)
			}
		}
		if p.Name == "" {
			bad("name", ProblemMissing, "name")
		}
		switch addr, err := mail.ParseAddress(p.Email); {
		case p.Email == "":
			bad("email", ProblemMissing, "email")
		case err != nil || addr.Address != p.Email:
			bad("email", ProblemBadEmail, p.Email)
		case firstRow[p.Email] != 0:
			bad("email", ProblemDuplicateEmail, p.Email, firstRow[p.Email])
		default:
			firstRow[p.Email] = rowNo
		}
		if p.Language == "" {
			p.Language = in.BaseLanguage()
		} else if !in.HasLanguage(p.Language) {
			bad("language", ProblemRowLanguage, p.Language, strings.Join(in.Languages, ", "))
		}
		if p.Side != SideHost && p.Side != SideVisiting {
			bad("side", ProblemSide, p.Side)
		}
		out = append(out, p)
	}
	if len(problems) > 0 {
		return nil, rowsError(Coded(EINVALID, ProblemFileProblems, len(problems)), problems)
	}
	if len(out) == 0 {
		return nil, Coded(EINVALID, ProblemNoRows)
	}
	return out, nil
}

// ImportResult tells what an import did.
type ImportResult struct {
	// Participants holds every row of the file, in file order, with its
	// token and pseudonymous id, new or kept.
	Participants []*Participant
	// Created holds the pseudonymous ids this import created.
	Created   map[string]bool
	New, Kept int
}

// Link is a participant's personal questionnaire link, for a mail merge.
type Link struct {
	PID, Name, Email, Language, Side, URL string
	// New is false for a participant who was already imported (a re-import
	// keeps their token, so the link is unchanged).
	New bool
}

// LinkURL is the personal link for token under baseURL.
func LinkURL(baseURL, token string) string {
	return strings.TrimSuffix(baseURL, "/") + "/s/" + token
}

// WaveLinkURL is a personal link that opens one wave: what a message about
// that wave carries, so that a pre reminder opens pre even while post is
// open too.
func WaveLinkURL(baseURL, token, wave string) string {
	return LinkURL(baseURL, token) + "?" + url.Values{"wave": {wave}}.Encode()
}
