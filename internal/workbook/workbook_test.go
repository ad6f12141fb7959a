package workbook_test

import (
	"bytes"
	"fmt"
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
		got, err := workbook.ReadTable(name+".csv", strings.NewReader(src), workbook.ReadOptions{})
		if err != nil || !reflect.DeepEqual(got.Rows, want) || got.Encoding != "" {
			t.Errorf("%s: %v %+v", name, err, got)
		}
	}
	_, err := workbook.ReadTable("bad.csv", strings.NewReader("a,b\n\"unclosed,x\n"), workbook.ReadOptions{})
	if err == nil || !strings.Contains(err.Error(), "bad.csv, line 2: a quote (\") is not closed") {
		t.Errorf("bad quoting: %v", err)
	}
	_, err = workbook.ReadTable("stray.csv", strings.NewReader("a,b\nx,Le \"Bon\" Samaritain\n"), workbook.ReadOptions{})
	if err == nil || !strings.Contains(err.Error(), "stray.csv, line 2: a quote (\") in the middle of a cell") {
		t.Errorf("stray quote: %v", err)
	}
	_, err = workbook.ReadTable("binary.csv", bytes.NewReader([]byte{1, 0, 2, 0}), workbook.ReadOptions{})
	if err == nil || !strings.Contains(err.Error(), "neither CSV text nor an XLSX") {
		t.Errorf("binary: %v", err)
	}
}

// TestReadTableEncodings: a CSV saved by Excel on Windows is Windows-1252;
// it is read as such, and said so. One in neither encoding is refused.
func TestReadTableEncodings(t *testing.T) {
	// "Élodie Roussel;Hôpital Saint-Louis — Paris" in Windows-1252, after
	// 5000 lines of ASCII so the first non-UTF-8 byte is far in, across
	// the reader's chunks.
	var src bytes.Buffer
	src.WriteString("name;email\n")
	for i := range 5000 {
		fmt.Fprintf(&src, "Person %d;p%d@example.org\n", i, i)
	}
	src.Write([]byte{0xc9, 'l', 'o', 'd', 'i', 'e', ' ', 'R', 'o', 'u', 's', 's', 'e', 'l', ';', 'H', 0xf4, 'p', 'i', 't', 'a', 'l', ' ', 0x97, ' ', 'P', '\n'})
	got, err := workbook.ReadTable("excel.csv", bytes.NewReader(src.Bytes()), workbook.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	last := got.Rows[len(got.Rows)-1]
	if last[0] != "Élodie Roussel" || last[1] != "Hôpital — P" || got.Encoding != "windows-1252" || got.FirstNotUTF8 != 5002 {
		t.Errorf("read as %q, encoding %q from line %d", last, got.Encoding, got.FirstNotUTF8)
	}
	if note := got.Note("excel.csv"); !strings.Contains(note, "excel.csv is not UTF-8 (line 5002 is the first that is not): it was read as Windows-1252") {
		t.Errorf("note %q", note)
	}
	// A UTF-8 character split across the reader's 64 KiB chunks is UTF-8.
	var long bytes.Buffer
	long.WriteString("name,email\n")
	for long.Len() < 3<<16 {
		long.WriteString("Éé,x\n")
	}
	if got, err := workbook.ReadTable("long.csv", bytes.NewReader(long.Bytes()), workbook.ReadOptions{}); err != nil || got.Encoding != "" || got.Rows[1][0] != "Éé" {
		t.Errorf("long UTF-8 file: %v %q", err, got.Encoding)
	}
	// 0x81 and 0x9d are no character in Windows-1252: neither encoding.
	_, err = workbook.ReadTable("other.csv", bytes.NewReader([]byte("name,email\nA\x81B,x\nC\x9d,y\n")), workbook.ReadOptions{})
	if err == nil || !strings.Contains(err.Error(), "other.csv, line 2: the file is neither UTF-8 nor Windows-1252 text") {
		t.Errorf("neither encoding: %v", err)
	}
}

// TestReadTableRowLimit: a file over the limit is refused with a message
// that says the limit, whatever its format.
func TestReadTableRowLimit(t *testing.T) {
	csvText := "name,email\n" + strings.Repeat("A,a@example.org\n", 11)
	if _, err := workbook.ReadTable("big.csv", strings.NewReader(csvText), workbook.ReadOptions{MaxRows: 10}); err == nil ||
		!strings.Contains(err.Error(), "big.csv has more than 10 rows below its header, the most one import takes") {
		t.Errorf("CSV over the limit: %v", err)
	}
	if got, err := workbook.ReadTable("ok.csv", strings.NewReader(csvText), workbook.ReadOptions{MaxRows: 11}); err != nil || len(got.Rows) != 12 {
		t.Errorf("CSV at the limit: %v", err)
	}
	links := make([]exchange.Link, 11)
	for i := range links {
		links[i] = exchange.Link{PID: exchange.PID(i + 1), Name: "A", Email: "a@example.org", Language: "fr", Side: "host", URL: "http://x/s/y"}
	}
	var buf bytes.Buffer
	if err := workbook.WriteLinks(&buf, "x1", links); err != nil {
		t.Fatal(err)
	}
	if _, err := workbook.ReadTable("big.xlsx", bytes.NewReader(buf.Bytes()), workbook.ReadOptions{MaxRows: 10}); err == nil || !strings.Contains(err.Error(), "more than 10 rows") {
		t.Errorf("XLSX over the limit: %v", err)
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
	table, err := workbook.ReadTable("links.xlsx", bytes.NewReader(buf.Bytes()), workbook.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rows := table.Rows
	if !reflect.DeepEqual(rows[0], workbook.LinkColumns) || rows[1][1] != links[0].Name || rows[2][5] != links[1].URL || rows[1][6] != "yes" {
		t.Errorf("rows %q", rows)
	}
}
