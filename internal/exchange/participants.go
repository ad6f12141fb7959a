package exchange

import (
	"fmt"
	"net/mail"
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

// ParseParticipants checks a participants table (header first, as read from
// CSV or XLSX). Every problem is reported with its spreadsheet row number;
// when there is any, no row is returned, so nothing is half-imported.
func ParseParticipants(rows [][]string, in *survey.Instrument) ([]ParticipantRow, error) {
	if len(rows) == 0 {
		return nil, Errorf(EINVALID, "the participants file is empty: expected the header %s", strings.Join(ParticipantColumns, ","))
	}
	col := map[string]int{}
	var problems []string
	for i, h := range rows[0] {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		switch {
		case h == "":
			continue
		case !slices.Contains(ParticipantColumns, h):
			problems = append(problems, fmt.Sprintf("row 1, column %s: unknown column %q (expected %s)", columnName(i), h, strings.Join(ParticipantColumns, ",")))
		case col[h] != 0:
			problems = append(problems, fmt.Sprintf("row 1, column %s: column %q appears twice", columnName(i), h))
		default:
			col[h] = i + 1
		}
	}
	for _, c := range ParticipantColumns {
		if col[c] == 0 {
			problems = append(problems, fmt.Sprintf("row 1: missing column %q (expected header %s)", c, strings.Join(ParticipantColumns, ",")))
		}
	}
	if len(problems) > 0 {
		return nil, &Error{Code: EINVALID, Message: "the participants file has a bad header; nothing was imported", Details: problems}
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
		bad := func(format string, args ...any) {
			problems = append(problems, fmt.Sprintf("row %d: ", rowNo)+fmt.Sprintf(format, args...))
		}
		for _, f := range []struct {
			column, value string
			max           int
		}{{"name", p.Name, MaxNameLength}, {"email", p.Email, MaxNameLength}, {"city", p.City, MaxLabelLength}, {"role", p.Role, MaxLabelLength}} {
			if msg := CheckText(f.value, f.max); msg != "" {
				bad("column %s (%s): %s", columnName(col[f.column]-1), f.column, msg)
			}
		}
		if p.Name == "" {
			bad("name is missing")
		}
		switch addr, err := mail.ParseAddress(p.Email); {
		case p.Email == "":
			bad("email is missing")
		case err != nil || addr.Address != p.Email:
			bad("email %q is not an e-mail address", p.Email)
		case firstRow[p.Email] != 0:
			bad("email %s is already on row %d", p.Email, firstRow[p.Email])
		default:
			firstRow[p.Email] = rowNo
		}
		if p.Language == "" {
			p.Language = in.BaseLanguage()
		} else if !in.HasLanguage(p.Language) {
			bad("language %q is not one of the questionnaire's languages (%s)", p.Language, strings.Join(in.Languages, ", "))
		}
		if p.Side != SideHost && p.Side != SideVisiting {
			bad("side %q must be host or visiting", p.Side)
		}
		out = append(out, p)
	}
	if len(problems) > 0 {
		return nil, &Error{Code: EINVALID, Message: fmt.Sprintf("%d problem(s) in the participants file; nothing was imported", len(problems)), Details: problems}
	}
	if len(out) == 0 {
		return nil, Errorf(EINVALID, "the participants file has a header but no participants")
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
