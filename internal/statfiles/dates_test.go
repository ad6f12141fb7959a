package statfiles_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/statfiles"
	"github.com/csci/exchangeeval/internal/survey"
)

const datesInstrument = `id: stays
version: 1
languages: [en]
title: {en: Stays}
waves: [{id: pre, title: {en: Before}}]
sections:
  - id: s
    heading: {en: Your stay}
    questions:
      - {id: arrived, type: date, waves: [pre], text: {en: Arrived}}
      - {id: departure, type: datetime, waves: [pre], text: {en: Departure}}
      - {id: meeting, type: time, waves: [pre], text: {en: First meeting}}
      - {id: stay, type: calculate, waves: [pre], calculation: "${departure} - ${arrived}"}
`

// Date and date-and-time questions are dates in SPSS (read by PSPP) and
// R, not text to convert; a calculation that gives a number is a number.
func TestDatesAndCalculationsAreTyped(t *testing.T) {
	in, probs := survey.Parse("stays.yaml", []byte(datesInstrument))
	if probs != nil {
		t.Fatal(probs)
	}
	x := &exchange.Exchange{ID: "sx", Name: "Stays", Instrument: in.ID, Start: time.Date(2027, 3, 6, 0, 0, 0, 0, time.UTC)}
	var rs []*exchange.Response
	var ps []*exchange.Participant
	for i, v := range [][3]string{{"2027-03-06", "2027-03-14T18:00", "09:30"}, {"2027-03-07", "2027-03-10T06:00", "14:00"}, {"2027-03-06", "", ""}} {
		a, errs := in.FromStrings("pre", map[string][]string{"arrived": {v[0]}, "departure": {v[1]}, "meeting": {v[2]}})
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		pid := exchange.PID(i + 1)
		ps = append(ps, &exchange.Participant{PID: pid})
		rs = append(rs, &exchange.Response{Exchange: x.ID, Participant: pid, Wave: "pre", Instrument: in.ID, InstrumentVersion: 1, Language: "en",
			Answers: a, SubmittedAt: time.Date(2027, 3, 15, 10, i, 0, 0, time.UTC)})
	}
	export := exportOf(t, in, x, seq(ps), rs)
	dir := t.TempDir()
	for _, f := range []string{statfiles.SPSS, statfiles.R} {
		if _, err := statfiles.Write(filepath.Join(dir, f), f, export); err != nil {
			t.Fatal(err)
		}
	}
	csv := read(t, filepath.Join(dir, statfiles.SPSS, "responses.csv"))
	if !strings.Contains(csv, "2027-03-06 00:00:00,2027-03-14 18:00:00,09:30,8.75") {
		t.Errorf("responses.csv:\n%s", csv)
	}
	if pspp, err := exec.LookPath("pspp"); err == nil {
		spss := filepath.Join(dir, statfiles.SPSS)
		// (8.75 + 3.25) / 2 days; arrived is a date, whose day of the
		// month PSPP's XDATE reads: 6, 7 and 6.
		check := "GET FILE='responses.sav'.\nDESCRIPTIVES stay.\nCOMPUTE day = XDATE.MDAY(arrived).\nFREQUENCIES day.\n"
		if err := os.WriteFile(filepath.Join(spss, "check.sps"), []byte(check), 0o644); err != nil {
			t.Fatal(err)
		}
		for _, syntax := range []string{"responses.sps", "check.sps"} {
			cmd := exec.Command(pspp, "-O", "format=txt", "-O", "box=ascii", syntax)
			cmd.Dir = spss
			out, err := cmd.CombinedOutput()
			if err != nil || strings.Contains(string(out), "error:") {
				t.Fatalf("pspp %s: %v\n%s", syntax, err, out)
			}
			if syntax == "check.sps" && (!strings.Contains(string(out), "|2|6.00|") || !strings.Contains(string(out), "|Valid 6.00|        2|")) {
				t.Errorf("PSPP reads the dates or the calculation otherwise:\n%s", out)
			}
		}
	} else {
		t.Log("pspp not installed: the SPSS files were checked by content only")
	}
	if rscript, err := exec.LookPath("Rscript"); err == nil {
		cmd := exec.Command(rscript, "-e", `d <- source("exchangeeval.R")$value$responses
cat("CLASS", class(d$arrived)[1], "DAYS", as.numeric(difftime(d$departure[1], d$arrived[1], units = "days")), "MEAN", mean(d$stay, na.rm = TRUE), "\n")`)
		cmd.Dir = filepath.Join(dir, statfiles.R)
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "CLASS POSIXct DAYS 8.75 MEAN 6 ") {
			t.Errorf("R reads the dates otherwise: %v\n%s", err, out)
		}
	}
}
