package statfiles_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/statfiles"
	"github.com/csci/exchangeeval/internal/survey"
)

// conditionalExport: 12 delegates of ../survey/testdata/conditions.yaml;
// 7 visited a host agency and rated it, 2 visited and left the rating
// blank, 3 did not visit (one of whom has a rating stored anyway, as an
// old import might).
func conditionalExport(t *testing.T) statfiles.Input {
	t.Helper()
	ins, probs := survey.LoadPaths("../survey/testdata/conditions.yaml")
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	in := ins[0]
	x := &exchange.Exchange{ID: "cx", Name: "Conditions", Instrument: in.ID, Start: time.Date(2014, 3, 9, 0, 0, 0, 0, time.UTC)}
	var rs []*exchange.Response
	var ps []*exchange.Participant
	add := func(i int, a survey.Answers) {
		pid := exchange.PID(i + 1)
		ps = append(ps, &exchange.Participant{PID: pid})
		rs = append(rs, &exchange.Response{Exchange: x.ID, Participant: pid, Wave: "pre", Instrument: in.ID, InstrumentVersion: 1, Language: "en",
			Answers: a, SubmittedAt: time.Date(2014, 3, 1, 10, i, 0, 0, time.UTC)})
	}
	for i := range 7 {
		add(i, survey.Answers{"visited": "yes", "visit_rating": 1 + i%5})
	}
	add(7, survey.Answers{"visited": "yes"})
	add(8, survey.Answers{"visited": "yes"})
	add(9, survey.Answers{"visited": "no", "why_not": "no time"})
	add(10, survey.Answers{"visited": "no"})
	add(11, survey.Answers{"visited": "no", "visit_rating": 5})
	return exportOf(t, in, x, seq(ps), rs)
}

// A question whose condition was false is -2 in responses.csv, declared
// missing and labelled "not applicable" — apart from a blank (not
// answered) — in SPSS (run in PSPP), R (run in Rscript) and Stata.
func TestNotApplicableIsItsOwnMissingCode(t *testing.T) {
	in := conditionalExport(t)
	dir := t.TempDir()
	for _, f := range []string{statfiles.SPSS, statfiles.R, statfiles.Stata} {
		if _, err := statfiles.Write(filepath.Join(dir, f), f, in); err != nil {
			t.Fatal(err)
		}
	}
	csv := read(t, filepath.Join(dir, statfiles.SPSS, "responses.csv"))
	if n := strings.Count(csv, ",-2,"); n < 3 {
		t.Errorf("responses.csv has %d cells coded -2, want one per non-visitor (3) at least:\n%s", n, csv)
	}
	if do := read(t, filepath.Join(dir, statfiles.Stata, "responses.do")); !strings.Contains(do, "mvdecode visit_rating, mv(-2=.b)") ||
		!strings.Contains(do, ".b `\"not applicable (its condition was false)\"'") {
		t.Errorf("Stata: the not-applicable code is not declared:\n%s", do)
	}

	if pspp, err := exec.LookPath("pspp"); err == nil {
		spss := filepath.Join(dir, statfiles.SPSS)
		check := filepath.Join(spss, "check.sps")
		if err := os.WriteFile(check, []byte("GET FILE='responses.sav'.\nFREQUENCIES visit_rating.\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		for _, syntax := range []string{"responses.sps", "check.sps"} {
			cmd := exec.Command(pspp, "-O", "format=txt", "-O", "box=ascii", "-O", "width=200", syntax)
			cmd.Dir = spss
			out, err := cmd.CombinedOutput()
			if err != nil || strings.Contains(string(out), "error:") || strings.Contains(string(out), "warning:") {
				t.Fatalf("pspp %s: %v\n%s", syntax, err, out)
			}
			// 7 valid ratings; missing: 3 not applicable (user-missing)
			// and 2 blank (system-missing).
			// 7 ratings (mean 18/7); missing: 2 left blank (system-missing)
			// and 3 not applicable, the stored rating among them.
			if syntax != "check.sps" {
				continue
			}
			for _, want := range []string{`\|N Valid\s*\|\s*7\|`, `\|Mean\s*\|\s*2\.57\|`, `\|Missing \.\s*\|\s*2\|`, `not applicable \(its condition was false\)\|\s*3\|`} {
				if !regexp.MustCompile(want).Match(out) {
					t.Errorf("PSPP's frequencies of visit_rating lack %s:\n%s", want, out)
				}
			}
		}
	} else {
		t.Log("pspp not installed: the SPSS files were checked by content only")
	}

	if rscript, err := exec.LookPath("Rscript"); err == nil {
		cmd := exec.Command(rscript, "-e", `d <- source("exchangeeval.R")$value
cat("RATED", sum(!is.na(d$responses$visit_rating)), "NA", sum(is.na(d$responses$visit_rating)), "\n")`)
		cmd.Dir = filepath.Join(dir, statfiles.R)
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "RATED 7 NA 5") {
			t.Errorf("R reads visit_rating otherwise: %v\n%s", err, out)
		}
	}
}
