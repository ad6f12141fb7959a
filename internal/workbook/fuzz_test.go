package workbook_test

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/survey"
	"github.com/csci/exchangeeval/internal/workbook"
)

// The fuzz targets of the spreadsheet readers. `go test` runs their seeds;
// to search for longer, run one target:
//
//	go test ./internal/workbook -run '^$' -fuzz '^FuzzReadTable$' -fuzztime 5m -fuzzminimizetime 1s
//	go test ./internal/workbook -run '^$' -fuzz '^FuzzReadXLSForm$' -fuzztime 5m -fuzzminimizetime 1s
//	go test ./internal/workbook -run '^$' -fuzz '^FuzzFormCells$' -fuzztime 5m -fuzzminimizetime 1s

// shippedInstrument is the instrument participants and responses are
// checked against.
func shippedInstrument(tb testing.TB) *survey.Instrument {
	ins, probs := survey.LoadPaths("../../surveys/csci-social-services.yaml")
	if probs != nil {
		tb.Fatal(probs)
	}
	return ins[0]
}

// FuzzReadTable: any bytes given as a participants or responses file are
// read within the limits or refused with a message — never a panic — and
// what is read is checked as participants and as responses without one.
func FuzzReadTable(f *testing.F) {
	for _, s := range []string{
		"name,email,city,role,language,side\nCamille Fournier,camille@example.org,Paris,practitioner,fr,visiting\n",
		"name;email;city;role;language;side\r\nDana;dana@example.org;Chicago;supervisor;en;host\r\n",
		"\ufeffname,email\n\"a \"\"quoted\"\" name\",x@example.org\n",
		"participant,wave,fund_corporate\nP0001,pre,4\n",
		"name,email\n\"never closed\n",
		"caf\xe9,na\xefve\n",
	} {
		f.Add([]byte(s))
	}
	f.Add(xlsx(f, map[string][][]string{"Participants": {{"name", "email", "city", "role", "language", "side"}, {"Ana", "ana@example.org", "Paris", "lawyer", "fr", "host"}}}, nil))
	if form, err := os.ReadFile("../../surveys/csci-social-services.xlsx"); err == nil {
		f.Add(form)
	}
	in := shippedInstrument(f)
	x := &exchange.Exchange{ID: "x1", Instrument: in.ID, InstrumentVersion: in.Version}
	f.Fuzz(func(t *testing.T, data []byte) {
		tab, err := workbook.ReadTable("fuzz", bytes.NewReader(data), workbook.ReadOptions{MaxRows: 500, Context: context.Background()})
		if err != nil {
			if exchange.ErrorCode(err) != exchange.EINVALID {
				t.Fatalf("not a user's error: %v", err)
			}
			return
		}
		if len(tab.Rows) > 501 {
			t.Fatalf("%d rows past the limit", len(tab.Rows))
		}
		for _, row := range tab.Rows {
			if len(row) > workbook.MaxColumns {
				t.Fatalf("a row of %d cells", len(row))
			}
		}
		_, _ = exchange.ParseParticipants(tab.Rows, in)
		_, _ = exchange.ParseResponses(tab.Rows, in, x, nil, "", time.Now())
	})
}

// FuzzReadXLSForm: any bytes given as an XLSForm are read or refused with
// problems — never a panic.
func FuzzReadXLSForm(f *testing.F) {
	if form, err := os.ReadFile("../../surveys/csci-social-services.xlsx"); err == nil {
		f.Add(form)
	}
	f.Add(xlsx(f, kobo(), nil))
	f.Add([]byte("PK\x03\x04 not really a zip"))
	f.Fuzz(func(t *testing.T, data []byte) {
		sheets, probs := workbook.ReadXLSForm("fuzz.xlsx", bytes.NewReader(data))
		if (sheets == nil) == (probs == nil) {
			t.Fatalf("sheets %v and problems %v", sheets != nil, probs != nil)
		}
		if probs == nil {
			_, _ = survey.FromXLSForm("fuzz.xlsx", sheets)
		}
	})
}

// FuzzFormCells: any text in the cells of a form that matter most (type,
// name, a label, a condition, a constraint, a choice) is taken or refused
// at its cell — never a panic.
func FuzzFormCells(f *testing.F) {
	f.Add("select_one yes_no", "visited", "Did you visit?", "${role} = 'lawyer'", ". >= 0", "yes", "")
	f.Add("begin_group", "g", "", "", "", "", "")
	f.Add("integer", "age", "Age", "", ". > 17 and . < 120", "1", "")
	f.Add("text", "${x}", "‘curly’", "selected(${areas}, ‘a’)", "regex(., '^[a-z]+$')", "", "")
	f.Add("date", "d", "2027-03-06", "", ". <= today() and . > date(19797)", "", "")
	f.Add("datetime", "dt", "2027-03-06T10:00", "${role} != ''", ". - /data/d > 0.5", "", "")
	f.Add("note", "n", "Between", "${role} = 'yes'", "", "", "")
	f.Add("select_multiple yes_no or_other", "m", "other", "", "selected-at(., 0) != 'x'", "no", "")
	f.Add("calculate", "c", "", "", "", "", "")
	f.Add("select_one yes_no", "town", "Town", "", "", "no", "side = ${role} or name != 'yes'")
	f.Fuzz(func(t *testing.T, typ, name, label, relevant, constraint, choice, filter string) {
		sheets := []survey.Sheet{
			{Name: "survey", Rows: [][]string{
				{"type", "name", "label::English (en)", "relevant", "constraint", "waves", "choice_filter"},
				{"begin_group", "s1", "Section", "", "", "", ""},
				{"select_one yes_no", "role", "Role", "", "", "pre", ""},
				{typ, name, label, relevant, constraint, "pre", filter},
				{"end_group", "", "", "", "", "", ""},
			}},
			{Name: "choices", Rows: [][]string{{"list_name", "name", "label::English (en)", "side"}, {"yes_no", "yes", "Yes", "no"}, {"yes_no", choice, "Other", label}}},
			{Name: "settings", Rows: [][]string{{"form_id", "version", "default_language"}, {"fuzz", "1", "en"}}},
			{Name: "waves", Rows: [][]string{{"id", "title::English (en)"}, {"pre", "Before"}}},
		}
		in, probs := survey.FromXLSForm("fuzz.xlsx", sheets)
		if (in == nil) == (probs == nil) {
			t.Fatalf("instrument %v and problems %v", in != nil, probs != nil)
		}
		if in != nil {
			// What it took, it can take answers for: the label and the
			// choice, sent as answers, are taken or refused, never a
			// panic.
			in.FromStrings("pre", map[string][]string{name: {label}, "role": {choice}, name + "_other": {label}})
		}
		for _, p := range probs {
			if p.Cell == "" && !strings.Contains(p.Message, "more problem") && p.Line == 0 {
				// A problem with no cell is about the whole form; fine, but
				// it must say something.
				if p.Message == "" {
					t.Fatal("a problem with no words")
				}
			}
		}
	})
}
