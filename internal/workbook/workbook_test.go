package workbook_test

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/workbook"
)

func TestReadTableCSV(t *testing.T) {
	want := [][]string{{"name", "email"}, {"Élodie Roussel", "e@example.org"}}
	for name, src := range map[string]string{
		"comma":         "name,email\nÉlodie Roussel,e@example.org\n",
		"semicolon":     "name;email\r\nÉlodie Roussel;e@example.org\r\n",
		"byte order":    "\ufeffname,email\nÉlodie Roussel,e@example.org\n",
		"quoted commas": "name,email\n\"Élodie Roussel\",e@example.org\n",
	} {
		got, err := workbook.ReadTable(name+".csv", strings.NewReader(src))
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("%s: %v %q", name, err, got)
		}
	}
	_, err := workbook.ReadTable("bad.csv", strings.NewReader("a,b\n\"unclosed,x\n"))
	if err == nil || !strings.Contains(err.Error(), "bad.csv: row") {
		t.Errorf("bad quoting: %v", err)
	}
	_, err = workbook.ReadTable("binary.csv", bytes.NewReader([]byte{1, 0, 2, 0}))
	if err == nil || !strings.Contains(err.Error(), "neither CSV text nor an XLSX") {
		t.Errorf("binary: %v", err)
	}
}

func TestLinksWorkbookRoundTrip(t *testing.T) {
	links := []exchange.Link{
		{PID: "P0001", Name: "=HYPERLINK(\"http://evil\",\"x\")", Email: "a@example.org", Language: "fr", Side: "visiting", URL: "http://localhost:8080/s/abc", New: true},
		{PID: "P0002", Name: "Dana Whitfield", Email: "d@example.org", Language: "en", Side: "host", URL: "http://localhost:8080/s/def"},
	}
	var buf bytes.Buffer
	if err := workbook.WriteLinks(&buf, "x1", links); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if formula, _ := f.GetCellFormula("Links", "B2"); formula != "" {
		t.Errorf("a name became a formula: %q", formula)
	}
	rows, err := workbook.ReadTable("links.xlsx", bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(rows[0], workbook.LinkColumns) || rows[1][1] != links[0].Name || rows[2][5] != links[1].URL || rows[1][6] != "yes" {
		t.Errorf("rows %q", rows)
	}
}
