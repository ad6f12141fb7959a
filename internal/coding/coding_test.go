package coding

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

var (
	themes  = []string{"empowerment", "evaluation"}
	answers = []Answer{
		{AnswerKey{"P0001", "post", "takeaways"}, "fr", "Le pouvoir d'agir", []string{"empowerment"}},
		{AnswerKey{"P0002", "post", "takeaways"}, "en", "Evaluation matters", []string{"evaluation"}},
		{AnswerKey{"P0003", "pre", "expectations"}, "en", "To learn", nil},
	}
)

// TestTheSheetRoundTrips: the rows carry the coder's own codes where they
// have coded, the suggestion elsewhere (nothing with blank); read back as
// a spreadsheet gives them — 1 and 0 alike, text as a spreadsheet writes
// it — one record per coded row, none for a row left empty.
func TestTheSheetRoundTrips(t *testing.T) {
	coded := map[AnswerKey][]string{{"P0002", "post", "takeaways"}: {"empowerment", "evaluation"}}
	rows := SheetRows(themes, answers, coded, false)
	if got := rows[0][5:]; got[0] != 1 || got[1] != 0 {
		t.Errorf("the suggestion of P0001: %v", got)
	}
	if got := rows[1][5:]; got[0] != 1 || got[1] != 1 {
		t.Errorf("the coder's own codes of P0002: %v", got)
	}
	if got := SheetRows(themes, answers, nil, true)[0][5:]; got[0] != nil || got[1] != nil {
		t.Errorf("a blank sheet: %v", got)
	}
	table := [][]string{SheetHeader(themes)}
	for _, r := range rows {
		var cells []string
		for _, c := range r {
			if c == nil {
				cells = append(cells, "") // an empty cell reads as ""
			} else {
				cells = append(cells, fmt.Sprint(c))
			}
		}
		table = append(table, cells)
	}
	table[3][5], table[3][6] = "", "" // P0003 left uncoded
	known := map[AnswerKey]bool{}
	for _, a := range answers {
		known[a.AnswerKey] = true
	}
	got, probs := ReadSheet(table, themes, known, "x1", "ana@example.org", time.Now())
	if len(probs) > 0 || len(got) != 2 || got[0].Participant != "P0001" || strings.Join(got[0].Themes, ",") != "empowerment" || strings.Join(got[1].Themes, ",") != "empowerment,evaluation" || got[1].Coder != "ana@example.org" {
		t.Errorf("read back: %+v %v", got, probs)
	}
}

// TestABadSheetIsRefusedWhole: every problem named by row and column, and
// no record at all.
func TestABadSheetIsRefusedWhole(t *testing.T) {
	known := map[AnswerKey]bool{{"P0001", "post", "takeaways"}: true, {"P0002", "post", "takeaways"}: true}
	head := SheetHeader(themes)
	for _, tc := range []struct {
		rows [][]string
		want []string
	}{
		{[][]string{head, {"P0001", "post", "takeaways", "fr", "x", "yes", "0"}}, []string{`row 2, column empowerment: "yes": write 1 (coded), 0 (not) or leave it empty`}},
		{[][]string{head, {"P0009", "post", "takeaways", "fr", "x", "1", "0"}, {"P0001", "post", "takeaways", "fr", "x", "1", "0"}, {"P0001", "post", "takeaways", "fr", "x", "0", "0"}},
			[]string{"row 2: P0009 has no answer to takeaways in wave post of this exchange", "row 4: the same answer as row 3"}},
		{[][]string{{"participant", "wave", "question", "empowerment", "funding"}}, []string{"row 1, column evaluation: this column is missing", "row 1, column funding: no theme of the codebook has this id"}},
		{nil, []string{"row 1: the file is empty"}},
	} {
		got, probs := ReadSheet(tc.rows, themes, known, "x1", "ana@example.org", time.Now())
		var said []string
		for _, p := range probs {
			said = append(said, p.String())
		}
		all := strings.Join(said, "\n")
		for _, w := range tc.want {
			if !strings.Contains(all, w) {
				t.Errorf("%q: missing %q in\n%s", tc.rows, w, all)
			}
		}
		if got != nil {
			t.Errorf("%q: records despite problems: %+v", tc.rows, got)
		}
	}
}

// FuzzReadSheet: any table reads into records or named problems, never a
// panic, never both.
func FuzzReadSheet(f *testing.F) {
	f.Add("participant,wave,question,language,answer,empowerment,evaluation\nP0001,post,takeaways,fr,x,1,0")
	f.Add("empowerment\n\n,,,\n1")
	f.Fuzz(func(t *testing.T, csv string) {
		var rows [][]string
		for _, line := range strings.Split(csv, "\n") {
			rows = append(rows, strings.Split(line, ","))
		}
		known := map[AnswerKey]bool{{"P0001", "post", "takeaways"}: true}
		got, probs := ReadSheet(rows, themes, known, "x1", "c", time.Now())
		if got != nil && probs != nil || len(probs) > MaxProblems {
			t.Fatalf("%d records and %d problems", len(got), len(probs))
		}
	})
}

// TestEffectiveCodes: one coder's codes count; two who agree count; two
// who disagree do not, and are listed to reconcile, until a reconciliation
// settles it.
func TestEffectiveCodes(t *testing.T) {
	k1, k2, k3 := AnswerKey{"P0001", "post", "q"}, AnswerKey{"P0002", "post", "q"}, AnswerKey{"P0003", "post", "q"}
	rec := func(k AnswerKey, coder string, themes ...string) Record {
		return Record{Participant: k.Participant, Wave: k.Wave, Question: k.Question, Coder: coder, Themes: themes}
	}
	records := []Record{rec(k1, "a", "x"), rec(k2, "a", "x", "y"), rec(k2, "b", "y", "x"), rec(k3, "a", "x"), rec(k3, "b")}
	eff := Effective(records)
	if len(eff) != 2 || fmt.Sprint(eff[k1]) != "[x]" || len(eff[k2]) != 2 {
		t.Errorf("effective: %v", eff)
	}
	if d := Disagreements(records); len(d) != 1 || d[0] != k3 {
		t.Errorf("disagreements: %v", d)
	}
	records = append(records, Record{Participant: "P0003", Wave: "post", Question: "q", Coder: Reconciled, By: "lead", Themes: []string{"y"}})
	if eff := Effective(records); fmt.Sprint(eff[k3]) != "[y]" || len(Disagreements(records)) != 0 {
		t.Errorf("after a reconciliation: %v %v", eff, Disagreements(records))
	}
}
