package workbook_test

import (
	"encoding/csv"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/csci/exchangeeval/internal/workbook"
)

// TestLibreOfficeOpensTheWorkbook converts every sheet to CSV with
// LibreOffice, headless, and compares what it reads with what was written.
// It needs soffice (Debian: apt-get install libreoffice-calc-nogui); .ci/run
// installs it.
func TestLibreOfficeOpensTheWorkbook(t *testing.T) {
	soffice, err := exec.LookPath("soffice")
	if err != nil {
		t.Skip("soffice not installed: apt-get install libreoffice-calc-nogui to run this check")
	}
	ps, rs := synthetic(t, 24)
	_, f, raw := export(t, ps, rs, "")
	dir := t.TempDir()
	book := filepath.Join(dir, "evaluation.xlsx")
	if err := os.WriteFile(book, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	// Options: comma, double quote, UTF-8, …, cells as shown, every sheet (-1).
	filter := "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1"
	cmd := exec.Command(soffice, "-env:UserInstallation=file://"+filepath.Join(dir, "profile"), "--headless", "--convert-to", filter, "--outdir", dir, book)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("soffice: %v\n%s", err, out)
	}
	for _, sheet := range workbook.Sheets {
		data, err := os.ReadFile(filepath.Join(dir, "evaluation-"+sheet+".csv"))
		if err != nil {
			t.Errorf("LibreOffice did not produce sheet %s: %v", sheet, err)
			continue
		}
		got, err := csv.NewReader(strings.NewReader(string(data))).ReadAll()
		if err != nil {
			t.Errorf("%s: %v", sheet, err)
			continue
		}
		want := rows(t, f, sheet)
		switch sheet {
		case workbook.SheetResponses, workbook.SheetPairs:
			// The data sheets must read back cell for cell.
			if len(got) != len(want) {
				t.Errorf("%s: LibreOffice reads %d rows, want %d", sheet, len(got), len(want))
				continue
			}
			for i := range want {
				if g, w := strings.Join(trim(got[i]), "|"), strings.Join(trim(want[i]), "|"); g != w {
					t.Errorf("%s row %d:\nLibreOffice %s\nwritten     %s", sheet, i+1, g, w)
					break
				}
			}
		case workbook.SheetGoals:
			// p-values read as the dashboard writes them: "<0.001",
			// never "0.000" (the exact value stays in the cell).
			for _, name := range []string{"p", "p (Holm)", "Wilcoxon p", "Welch p"} {
				c := slices.Index(got[0], name)
				if c < 0 {
					t.Errorf("Goals: no %q column in %v", name, got[0])
					continue
				}
				for i, row := range got[1:] {
					if v := row[c]; v == "0.000" || (v != "<0.001" && v != "" && !strings.HasPrefix(v, "n<") && !regexp.MustCompile(`^(0\.\d{3}|1\.000)$`).MatchString(v)) {
						t.Errorf("Goals row %d, %s reads %q in LibreOffice", i+2, name, v)
					}
				}
			}
		default:
			if len(trim(flatten(got))) == 0 || !strings.Contains(strings.Join(flatten(got), "|"), want[0][0]) {
				t.Errorf("%s: LibreOffice reads nothing sensible", sheet)
			}
		}
	}
}

func trim(r []string) []string {
	for len(r) > 0 && r[len(r)-1] == "" {
		r = r[:len(r)-1]
	}
	return r
}

func flatten(rows [][]string) []string {
	var out []string
	for _, r := range rows {
		out = append(out, r...)
	}
	return out
}
