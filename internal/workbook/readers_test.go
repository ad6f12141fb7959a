package workbook_test

import (
	"bytes"
	"encoding/json"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/survey"
	"github.com/csci/exchangeeval/internal/workbook"
)

// readOnly is what openpyxl's read-only mode — the mode pyxform, and so
// KoboToolbox and ODK, read forms in, and the one scripts use on big
// files — sees of each sheet: its declared dimension and how many cells
// hold a value.
type readOnly struct {
	Dimension string `json:"dimension"`
	Cells     int    `json:"cells"`
}

const openpyxlReadOnly = `
import json, sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1], read_only=True)
out = {}
for ws in wb.worksheets:
    cells = sum(1 for row in ws.iter_rows(values_only=True) for v in row if v not in (None, ""))
    out[ws.title] = {"dimension": ws.calculate_dimension(), "cells": cells}
print(json.dumps(out))
`

// readWithOpenpyxl reads raw with Debian's python3-openpyxl, read-only.
func readWithOpenpyxl(t *testing.T, raw []byte) map[string]readOnly {
	t.Helper()
	if err := exec.Command("/usr/bin/python3", "-c", "import openpyxl").Run(); err != nil {
		t.Skip("python3-openpyxl not installed: apt-get install python3-openpyxl to run this check")
	}
	path := filepath.Join(t.TempDir(), "book.xlsx")
	if err := os.WriteFile(path, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("/usr/bin/python3", "-c", openpyxlReadOnly, path).CombinedOutput()
	if err != nil {
		t.Fatalf("openpyxl: %v\n%s", err, out)
	}
	var sheets map[string]readOnly
	if err := json.Unmarshal(out, &sheets); err != nil {
		t.Fatalf("openpyxl's output: %v\n%s", err, out)
	}
	return sheets
}

// nonEmpty counts the cells excelize, reading the whole file, finds a
// value in.
func nonEmpty(t *testing.T, f *excelize.File, sheet string) int {
	t.Helper()
	rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, r := range rows {
		for _, v := range r {
			if v != "" {
				n++
			}
		}
	}
	return n
}

// TestReadOnlyReadersSeeEveryCell: every workbook exchangeeval writes —
// the evaluator's, the programme's, the links and the XLSForm — read by
// openpyxl in read-only mode, which trusts each sheet's declared
// dimension, gives every cell excelize reads from the whole file.
func TestReadOnlyReadersSeeEveryCell(t *testing.T) {
	ps, rs := synthetic(t, 24)
	_, evaluator, evaluatorRaw := export(t, ps, rs, "")
	_, programme, programmeRaw := programmeWorkbook(t, "fr")
	var links bytes.Buffer
	if err := workbook.WriteLinks(&links, "x1", []exchange.Link{
		{PID: "P0001", Name: "Camille Fournier", Email: "c@example.org", Language: "fr", Side: "visiting", URL: "https://eval.example.org/s/abc", New: true},
		{PID: "P0002", Name: "Dana Whitfield", Email: "d@example.org", Language: "en", Side: "host", URL: "https://eval.example.org/s/def"},
	}); err != nil {
		t.Fatal(err)
	}
	var form bytes.Buffer
	if err := workbook.WriteXLSForm(&form, survey.ToXLSForm(instrument(t))); err != nil {
		t.Fatal(err)
	}
	for name, raw := range map[string][]byte{"evaluator": evaluatorRaw, "programme": programmeRaw, "links": links.Bytes(), "xlsform": form.Bytes()} {
		f := map[string]*excelize.File{"evaluator": evaluator, "programme": programme}[name]
		if f == nil {
			var err error
			if f, err = excelize.OpenReader(bytes.NewReader(raw)); err != nil {
				t.Fatal(err)
			}
		}
		seen := readWithOpenpyxl(t, raw)
		if len(seen) != len(f.GetSheetList()) {
			t.Errorf("%s: openpyxl sees %d sheets, excelize %d", name, len(seen), len(f.GetSheetList()))
		}
		for _, sheet := range f.GetSheetList() {
			want := nonEmpty(t, f, sheet)
			if got := seen[sheet]; got.Cells != want || (want > 1 && got.Dimension == "A1:A1") {
				t.Errorf("%s, sheet %s: openpyxl read-only sees %d cells (dimension %s), the file holds %d", name, sheet, got.Cells, got.Dimension, want)
			}
		}
	}
}

// textColumns are the columns of the Goals, Items and Breakdowns sheets
// that hold words; every other column holds a statistic.
var textColumns = map[string][]string{
	workbook.SheetGoals:      {"Goal", "Title", "From", "To", "Wilcoxon method", "Verdict", "Note", "Suppressed"},
	workbook.SheetItems:      {"Item", "Goal", "Reverse-coded", "Wave", "Compared with", "Suppressed"},
	workbook.SheetBreakdowns: {"By", "Group", "Kind", "Goal or theme", "Wave", "Suppressed"},
}

const pandasTypes = `
import json, sys, pandas
out = {}
for sheet in sys.argv[2:]:
    df = pandas.read_excel(sys.argv[1], sheet_name=sheet)
    out[sheet] = {c: df[c].dtype.kind for c in df.columns}
print(json.dumps(out))
`

const readxlTypes = `
library(readxl)
a <- commandArgs(trailingOnly = TRUE)
for (s in a[-1]) {
  d <- read_excel(a[1], sheet = s)
  for (c in names(d)) cat(s, "\t", c, "\t", class(d[[c]])[1], "\n", sep = "")
}
`

// TestStatisticColumnsReadAsNumbers: pandas and R's readxl read every
// statistic column of the Goals, Items and Breakdowns sheets as numbers —
// withheld figures are empty cells, not the text n<5. Twelve delegates
// answer before and after, one six months on: each sheet mixes figures
// and withheld cells in its columns.
func TestStatisticColumnsReadAsNumbers(t *testing.T) {
	ps, rs := synthetic(t, 12)
	_, _, raw := export(t, ps, oneFollowUp(rs), "")
	path := filepath.Join(t.TempDir(), "evaluation.xlsx")
	if err := os.WriteFile(path, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	sheets := []string{workbook.SheetGoals, workbook.SheetItems, workbook.SheetBreakdowns}
	statistic := func(sheet, col string) bool { return !slices.Contains(textColumns[sheet], col) }
	ran := 0
	if exec.Command("/usr/bin/python3", "-c", "import pandas, openpyxl").Run() == nil {
		ran++
		out, err := exec.Command("/usr/bin/python3", append([]string{"-c", pandasTypes, path}, sheets...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("pandas: %v\n%s", err, out)
		}
		var kinds map[string]map[string]string
		if err := json.Unmarshal(out, &kinds); err != nil {
			t.Fatalf("pandas: %v\n%s", err, out)
		}
		for _, sheet := range sheets {
			if !slices.Contains(slices.Collect(maps.Keys(kinds[sheet])), "Suppressed") {
				t.Errorf("pandas, %s: no Suppressed column; the synthetic exchange should withhold something there", sheet)
			}
			for col, kind := range kinds[sheet] {
				if statistic(sheet, col) && kind != "i" && kind != "f" {
					t.Errorf("pandas reads %s!%s as %q, not a number", sheet, col, kind)
				}
			}
		}
	}
	if rscript, err := exec.LookPath("Rscript"); err == nil && exec.Command(rscript, "-e", "library(readxl)").Run() == nil {
		ran++
		out, err := exec.Command(rscript, append([]string{"-e", readxlTypes, path}, sheets...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("readxl: %v\n%s", err, out)
		}
		for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			f := strings.Split(line, "\t")
			if len(f) == 3 && statistic(f[0], f[1]) && f[2] != "numeric" && f[2] != "logical" {
				t.Errorf("readxl reads %s!%s as %s, not a number", f[0], f[1], f[2])
			}
		}
	}
	if ran == 0 {
		t.Skip("pandas (python3-pandas) and R's readxl (r-cran-readxl) not installed: install either to run this check")
	}
}
