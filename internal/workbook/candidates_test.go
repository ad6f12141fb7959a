package workbook_test

import (
	"bytes"
	"context"
	"fmt"
	"iter"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/csci/exchangeeval/internal/analysis"
	"github.com/csci/exchangeeval/internal/coding"
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
		if c.Stem != "resili famili" {
			continue
		}
		r := got[1+i]
		if r[2] != "resili famili" || r[3] != "resilience families, resilient families" || len(r) < 12 || r[11] != "waves" || r[4] != "16" || r[5] != "0" || r[6] != "8" {
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

// TestThemesSheetShowsAgreement: with two coders who disagree on one
// answer, the Themes sheet lists their agreement (κ as a number) and the
// answer to reconcile.
func TestThemesSheetShowsAgreement(t *testing.T) {
	in := instrument(t)
	var ps []*exchange.Participant
	var rs []*exchange.Response
	var codes []coding.Record
	for i := range 6 {
		pid := exchange.PID(i + 1)
		ps = append(ps, &exchange.Participant{PID: pid, Language: "en"})
		rs = append(rs, &exchange.Response{Participant: pid, Wave: "post", Language: "en", Answers: survey.Answers{"takeaways": "Families were empowered"}})
		a, b := []string{"empowerment"}, []string{"empowerment"}
		if i == 2 {
			b = []string{}
		}
		codes = append(codes, coding.Record{Participant: pid, Wave: "post", Question: "takeaways", Coder: "a@example.org", Themes: a},
			coding.Record{Participant: pid, Wave: "post", Question: "takeaways", Coder: "b@example.org", Themes: b})
	}
	report, err := analysis.Analyze(context.Background(), analysis.Input{Instrument: in, Exchange: x1, Participants: seq(ps), Responses: seq(rs),
		Codes: func() ([]coding.Record, error) { return codes, nil }}, analysis.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := workbook.Write(&buf, workbook.Export{Instrument: in, Exchanges: []*exchange.Exchange{x1}, Report: report,
		Responses: func() iter.Seq2[*exchange.Response, error] { return seq(rs) }, Methods: workbook.PlainMethods()}); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	got := rows(t, f, workbook.SheetThemes)
	at := find(got, "Agreement between coders (percent, Cohen's kappa with its 95 % interval, Krippendorff's alpha)")
	if at < 0 || len(got) < at+3 || got[at+2][1] != "a@example.org · b@example.org" || got[at+2][2] != "36" || got[at+2][0] != "all" {
		t.Fatalf("the agreement: %q", got[max(at, 0):])
	}
	d := find(got, "Disagreements to reconcile (exchangeeval coding export --disagreements)")
	if d < 0 || strings.Join(got[d+2][:3], "/") != "P0003/post/takeaways" {
		t.Errorf("the disagreements: %q", got[max(d, 0):])
	}
}
