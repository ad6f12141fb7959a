package exchange_test

import (
	"strings"
	"testing"
	"time"

	"github.com/csci/exchangeeval/internal/exchange"
)

func TestParseResponses(t *testing.T) {
	in := instruments(t).Get("csci-social-services")
	x := &exchange.Exchange{ID: "x1"}
	ps := []*exchange.Participant{{PID: "P0001", Email: "camille@example.org", Language: "fr"}, {PID: "P0002", Email: "dana@example.org", Language: "en"}}
	now := time.Date(2014, 3, 15, 0, 0, 0, 0, time.UTC)
	rows, err := exchange.ParseResponses(table(`
participant,wave,city,submitted_at,fund_corporate,practice_areas,years_practice,expectations,role
P0001,pre,Paris,2014-03-08 10:30,4,youth;homelessness,12,Découvrir,practitioner
Dana@Example.org,pre,,,2,,,,
`), in, x, ps, "", now)
	if err != nil {
		t.Fatal(err)
	}
	r := rows[0].Response
	if r.Participant != "P0001" || r.Language != "fr" || r.Source != exchange.SourceImport || !r.SubmittedAt.Equal(time.Date(2014, 3, 8, 10, 30, 0, 0, time.UTC)) {
		t.Errorf("%+v", r)
	}
	if got := r.Answers["practice_areas"].([]string); len(got) != 2 || r.Answers["fund_corporate"] != 4 || r.Answers["years_practice"] != 12.0 {
		t.Errorf("answers %#v", r.Answers)
	}
	if rows[1].Participant != "P0002" || !rows[1].SubmittedAt.Equal(now) || len(rows[1].Answers) != 1 {
		t.Errorf("second row %+v", rows[1])
	}
}

func TestParseResponsesReportsEveryBadCell(t *testing.T) {
	in := instruments(t).Get("csci-social-services")
	ps := []*exchange.Participant{{PID: "P0001", Email: "camille@example.org", Language: "fr"}}
	_, err := exchange.ParseResponses(table(`
participant,wave,fund_corporate,practice_areas,takeaways,submitted_at
P0001,pre,7,youth;skiing,,yesterday
P0009,pre,3,,,
P0001,pre,3,,,
P0001,during,3,,,
P0001,post,3,,Great,
P0001,post,x,,,
`), in, &exchange.Exchange{ID: "x1"}, ps, "", time.Now())
	if err == nil {
		t.Fatal("accepted")
	}
	for _, want := range []string{
		"nothing was imported",
		`row 2, column C (fund_corporate): "7": Enter a value from 1 to 5.`,
		`row 2, column D (practice_areas): “skiing” is not one of the choices.`,
		`row 2, column F (submitted_at): "yesterday" is not a date`,
		`row 3, column A (participant): "P0009" is neither the pseudonymous id nor the e-mail of a participant of x1`,
		"row 4, column A (participant): P0001 already has a pre row (row 2)",
		`row 5, column B (wave): "during" is not a wave`,
		"row 7, column A (participant): P0001 already has a post row (row 6)",
		`row 7, column C (fund_corporate): "x": Enter a whole number.`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in:\n%v", want, err)
		}
	}
	_, err = exchange.ParseResponses(table("participant,wave,colour\nP0001,pre,red"), in, &exchange.Exchange{ID: "x1"}, ps, "", time.Now())
	if err == nil || !strings.Contains(err.Error(), `row 1, column C: "colour" is not a question of instrument csci-social-services`) {
		t.Errorf("unknown column: %v", err)
	}
	_, err = exchange.ParseResponses(table("participant,wave,takeaways\nP0001,pre,Great"), in, &exchange.Exchange{ID: "x1"}, ps, "", time.Now())
	if err == nil || !strings.Contains(err.Error(), "not asked in the pre wave") {
		t.Errorf("question of another wave: %v", err)
	}
	// An unknown participant in a file without a language column is one
	// problem, not also a language "" in a column that is not there; a
	// value beyond the header is not dropped unsaid.
	_, err = exchange.ParseResponses(table("participant,wave,fund_corporate\nP0009,pre,3\nP0001,pre,3,4,5"), in, &exchange.Exchange{ID: "x1"}, ps, "", time.Now())
	if err == nil || strings.Contains(err.Error(), "language") || !strings.Contains(err.Error(), "3 problem(s)") ||
		!strings.Contains(err.Error(), `row 3, column D: "4" is in a column with no header`) || !strings.Contains(err.Error(), `row 3, column E: "5"`) {
		t.Errorf("unknown participant, cells beyond the header: %v", err)
	}
}

// TestParseResponsesOfAnotherExchange: a workbook's Responses sheet names
// its exchange; imported into another exchange it is refused unless the
// other exchange is named as meant.
func TestParseResponsesOfAnotherExchange(t *testing.T) {
	in := instruments(t).Get("csci-social-services")
	ps := []*exchange.Participant{{PID: "P0001", Email: "camille@example.org", Language: "fr"}}
	file := "exchange,participant,wave,fund_corporate\nchicago-paris-2014,P0001,pre,4\n"
	x := &exchange.Exchange{ID: "chicago-paris-2028"}
	_, err := exchange.ParseResponses(table(file), in, x, ps, "", time.Now())
	if err == nil || !strings.Contains(err.Error(), `row 2, column A (exchange): the row is from exchange "chicago-paris-2014", not chicago-paris-2028`) ||
		!strings.Contains(err.Error(), "--from-exchange chicago-paris-2014") {
		t.Fatalf("a workbook of another exchange: %v", err)
	}
	rows, err := exchange.ParseResponses(table(file), in, x, ps, "chicago-paris-2014", time.Now())
	if err != nil || len(rows) != 1 || rows[0].Exchange != "chicago-paris-2028" {
		t.Fatalf("with --from-exchange: %v %+v", err, rows)
	}
	if _, err := exchange.ParseResponses(table(file), in, &exchange.Exchange{ID: "chicago-paris-2014"}, ps, "", time.Now()); err != nil {
		t.Fatalf("its own exchange: %v", err)
	}
}
