package legacyxls

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzRead: whatever bytes come in, Read returns sheets within the limits
// or an error — never a panic, never more rows, columns or cells than
// asked. The seeds are the real forms of ../workbook/testdata/pyxform.
//
//	go test ./internal/legacyxls -run '^$' -fuzz FuzzRead -fuzztime 60s -fuzzminimizetime 1s
func FuzzRead(f *testing.F) {
	files, _ := filepath.Glob("../workbook/testdata/pyxform/*.xls")
	for _, p := range files {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(data)
		}
	}
	f.Add(append(append([]byte{}, Magic...), make([]byte, 512)...))
	lim := Limits{Rows: 50, Cols: 20, Cells: 400}
	f.Fuzz(func(t *testing.T, data []byte) {
		sheets, err := Read(data, func(string) bool { return true }, lim)
		if err != nil {
			return
		}
		for _, s := range sheets {
			cells := 0
			if len(s.Rows) >= lim.Rows {
				t.Fatalf("sheet %s: %d rows", s.Name, len(s.Rows))
			}
			for _, r := range s.Rows {
				if len(r) > lim.Cols {
					t.Fatalf("sheet %s: a row of %d cells", s.Name, len(r))
				}
				cells += len(r)
			}
			if cells > lim.Cells {
				t.Fatalf("sheet %s: %d cells", s.Name, cells)
			}
		}
	})
}

// TestReadGivesTheFormsText reads a real form's .xls as typed.
func TestReadGivesTheFormsText(t *testing.T) {
	data, err := os.ReadFile("../workbook/testdata/pyxform/yes_or_no_question.xls")
	if err != nil {
		t.Fatal(err)
	}
	sheets, err := Read(data, func(string) bool { return true }, Limits{Rows: 100, Cols: 50, Cells: 1000})
	if err != nil || len(sheets) == 0 || sheets[0].Name != "survey" || len(sheets[0].Rows) < 2 || sheets[0].Rows[1][0] != "select one from yes_or_no" {
		t.Fatalf("%v %+v", err, sheets)
	}
	if _, err := Read(data, func(string) bool { return true }, Limits{Rows: 1, Cols: 50, Cells: 1000}); err == nil {
		t.Error("a sheet past the row limit was read")
	}
}
