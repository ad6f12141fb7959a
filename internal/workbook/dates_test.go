package workbook_test

import (
	"bytes"
	"context"
	"encoding/json"
	"iter"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/csci/exchangeeval/internal/analysis"
	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/workbook"
)

// TestDateAnswersAreDates: on the Responses sheet, a date question's
// answers are dates and a date-and-time's date-times — pandas reads them
// as datetime64 and R's readxl as POSIXct, not text — and the sheet
// imports back as the same answers.
func TestDateAnswersAreDates(t *testing.T) {
	in, probs := importForm(xlsx(t, odkForm(), nil))
	if probs != nil {
		t.Fatal(probs)
	}
	x := &exchange.Exchange{ID: "stays-2026", Name: "Stays", HostCity: "Chicago", VisitingCity: "Amman", Instrument: in.ID,
		Start: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2026, 11, 7, 0, 0, 0, 0, time.UTC)}
	wave := in.Waves[0].ID
	var ps []*exchange.Participant
	var rs []*exchange.Response
	for i, day := range []string{"2026-11-01", "2026-11-02", "2026-11-03"} {
		pid := "P000" + string(rune('1'+i))
		ps = append(ps, &exchange.Participant{Exchange: x.ID, PID: pid, City: "Amman", Role: "academic", Language: "en", Side: "visiting"})
		answers, errs := in.FromStrings(wave, map[string][]string{"arrived": {day}, "left": {"2026-11-07"}, "departure": {day + "T18:45"}, "meeting": {"09:30"}})
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		rs = append(rs, &exchange.Response{Exchange: x.ID, Participant: pid, Wave: wave, Instrument: in.ID, InstrumentVersion: in.Version,
			Language: "en", Answers: answers, Source: "web", SubmittedAt: time.Date(2026, 11, 8, 10, 0, 0, 0, time.UTC)})
	}
	report, err := analysis.Analyze(context.Background(), analysis.Input{Instrument: in, Exchange: x, Participants: seq(ps), Responses: seq(rs)},
		analysis.Options{GeneratedAt: time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC), SoftwareVersion: "test"})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := workbook.Write(&buf, workbook.Export{Instrument: in, Exchanges: []*exchange.Exchange{x}, Report: report,
		Responses:   func() iter.Seq2[*exchange.Response, error] { return seq(rs) },
		GeneratedAt: report.GeneratedAt, Version: "test", Methods: workbook.PlainMethods()}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "stays.xlsx")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}

	// Read back: the same answers.
	table, err := workbook.ReadTable("stays.xlsx", bytes.NewReader(buf.Bytes()), workbook.ReadOptions{Prefer: []string{workbook.SheetResponses}, MaxRows: 100})
	if err != nil {
		t.Fatal(err)
	}
	back, err := exchange.ParseResponses(table.Rows, in, x, ps, "", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range back {
		for _, id := range []string{"arrived", "departure", "meeting", "stay"} {
			if r.Answers[id] != rs[i].Answers[id] {
				t.Errorf("row %d: %s read back as %v, written %v", i+2, id, r.Answers[id], rs[i].Answers[id])
			}
		}
	}

	ran := 0
	if exec.Command("/usr/bin/python3", "-c", "import pandas, openpyxl").Run() == nil {
		ran++
		out, err := exec.Command("/usr/bin/python3", "-c", pandasTypes, path, workbook.SheetResponses).CombinedOutput()
		if err != nil {
			t.Fatalf("pandas: %v\n%s", err, out)
		}
		var kinds map[string]map[string]string
		if err := json.Unmarshal(out, &kinds); err != nil {
			t.Fatalf("pandas: %v\n%s", err, out)
		}
		for col, want := range map[string]string{"arrived": "M", "departure": "M", "submitted_at": "M", "stay": "i", "meeting": "O"} {
			if got := kinds[workbook.SheetResponses][col]; got != want {
				t.Errorf("pandas reads Responses!%s as %q, want %q", col, got, want)
			}
		}
	}
	if rscript, err := exec.LookPath("Rscript"); err == nil && exec.Command(rscript, "-e", "library(readxl)").Run() == nil {
		ran++
		out, err := exec.Command(rscript, "-e", readxlTypes, path, workbook.SheetResponses).CombinedOutput()
		if err != nil {
			t.Fatalf("readxl: %v\n%s", err, out)
		}
		classes := map[string]string{}
		for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			if f := strings.Split(line, "\t"); len(f) == 3 {
				classes[f[1]] = f[2]
			}
		}
		for col, want := range map[string]string{"arrived": "POSIXct", "departure": "POSIXct", "stay": "numeric", "meeting": "character"} {
			if classes[col] != want {
				t.Errorf("readxl reads Responses!%s as %s, want %s", col, classes[col], want)
			}
		}
	}
	if ran == 0 {
		t.Skip("pandas (python3-pandas) and R's readxl (r-cran-readxl) not installed: install either to run this check")
	}
}
