package workbook_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/survey"
	"github.com/csci/exchangeeval/internal/workbook"
)

// TestCandidatesSheet: the report's candidate themes, one row each, with
// the delegates per wave as numbers, a suppressed count withheld, and G²,
// p and the log ratio as the report has them.
func TestCandidatesSheet(t *testing.T) {
	var ps []*exchange.Participant
	var rs []*exchange.Response
	for i := range 12 {
		pid := exchange.PID(i + 1)
		ps = append(ps, &exchange.Participant{PID: pid, Language: "en", Side: "visiting"})
		takeaway := "We visited programmes and partners"
		if i < 8 {
			takeaway = "The resilience of families; resilient families"
		}
		rs = append(rs, &exchange.Response{Participant: pid, Wave: "pre", Language: "en", Answers: survey.Answers{"expectations": "To learn about programmes and partners"}},
			&exchange.Response{Participant: pid, Wave: "post", Language: "en", Answers: survey.Answers{"takeaways": takeaway}})
	}
	report, f, _ := export(t, ps, rs, "")
	got := rows(t, f, workbook.SheetCandidates)
	if len(got) < 2 || strings.Join(got[0][:5], "|") != "Wave|Language|Stem|Words|Mentions" || got[0][5] != "Delegates (pre)" {
		t.Fatalf("the header: %q", got)
	}
	row := -1
	for i, c := range report.Themes.Candidates {
		if c.Stem != "resili" {
			continue
		}
		r := got[1+i]
		if r[2] != "resili" || r[3] != "resilience, resilient" || r[4] != "16" || r[5] != "0" || r[6] != "8" {
			t.Errorf("the resilience row: %q", r)
		}
		cell := fmt.Sprintf("I%d", 2+i)
		if g := cellNumber(t, f, workbook.SheetCandidates, cell); fmt.Sprintf("%.9f", g) != fmt.Sprintf("%.9f", c.G2) {
			t.Errorf("G2 in %s: %v, the report %v", cell, g, c.G2)
		}
		row = 1 + i
	}
	if row < 0 {
		t.Fatalf("no resilience row: %q", got)
	}
}
