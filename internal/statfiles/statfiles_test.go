package statfiles_test

import (
	"context"
	"iter"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/csci/exchangeeval/internal/analysis"
	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/statfiles"
	"github.com/csci/exchangeeval/internal/survey"
)

// hostileExport analyses 24 synthetic delegates of testdata/hostile.yaml
// and returns what an export is made of.
func hostileExport(t *testing.T) statfiles.Input {
	t.Helper()
	ins, probs := survey.LoadPaths("testdata/hostile.yaml")
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	in := ins[0]
	x := &exchange.Exchange{ID: "hx", Name: "Hostile", Instrument: in.ID, Start: time.Date(2014, 3, 9, 0, 0, 0, 0, time.UTC)}
	ps, rs := analysis.Synthetic(in, x.ID, 24)
	var responses []*exchange.Response
	for r := range rs {
		responses = append(responses, r)
	}
	// An open answer over two lines.
	responses[len(responses)-1].Answers["note"] = "first line\nsecond, \"quoted\" line"
	return exportOf(t, in, x, ps, responses)
}

// exportOf analyses responses and returns what an export of them is made of.
func exportOf(t *testing.T, in *survey.Instrument, x *exchange.Exchange, ps iter.Seq2[*exchange.Participant, error], responses []*exchange.Response) statfiles.Input {
	t.Helper()
	report, err := analysis.Analyze(context.Background(), analysis.Input{Instrument: in, Exchange: x, Participants: ps, Responses: seq(responses)}, analysis.Options{MinCell: 5})
	if err != nil {
		t.Fatal(err)
	}
	return statfiles.Input{Instrument: in, Report: report, Responses: func() iter.Seq2[*exchange.Response, error] { return seq(responses) },
		Exchanges: []string{x.ID}, Version: "test", GeneratedAt: "2026-11-23"}
}

func seq[T any](xs []T) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		for _, x := range xs {
			if !yield(x, nil) {
				return
			}
		}
	}
}

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestRScriptReproducesTheReport runs the R export with Rscript: it reads
// both files (hostile labels and all), and each goal's paired test equals
// the report's.
func TestRScriptReproducesTheReport(t *testing.T) {
	rscript, err := exec.LookPath("Rscript")
	if err != nil {
		t.Skip("Rscript not installed: apt-get install r-base-core to run this check")
	}
	in := hostileExport(t)
	dir := filepath.Join(t.TempDir(), "r")
	if _, err := statfiles.Write(dir, statfiles.R, in); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(rscript, "-e", `d <- source("exchangeeval.R")$value
cat("LABEL", attr(d$responses[["fund_a_2"]], "label"), "\n")
cat("LEVELS", levels(d$responses[["fund_a"]]), sep = "|"); cat("\n")
cat("CLASS", class(d$responses$submitted_at)[1], class(d$responses$v9lives), "\n")
cat("NOTE", grep("first line", d$responses$note, value = TRUE), "\n")
post <- d$responses$wave == levels(d$responses$wave)[2]
cat("NOTASKED", all(is.na(d$responses$v9lives[post])), all(is.na(d$responses$areas_x_y[post])), min(d$responses$areas_x_y, na.rm = TRUE), "\n")`)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("Rscript: %v\n%s", err, out)
	}
	got := string(out)
	line := regexp.MustCompile(`goal (\S+) pre->post: n = (\d+), mean change = (\S+), t = (\S+), p = (\S+)`)
	seen := 0
	for _, m := range line.FindAllStringSubmatch(got, -1) {
		for _, g := range in.Report.Goals {
			if g.ID != m[1] {
				continue
			}
			seen++
			p := g.Comparisons[0].Paired
			n, _ := strconv.Atoi(m[2])
			tv, _ := strconv.ParseFloat(m[4], 64)
			pv, _ := strconv.ParseFloat(m[5], 64)
			if n != p.N || math.Abs(tv-*p.T) > 1e-9*math.Abs(*p.T) || math.Abs(pv-*p.P) > 1e-9*math.Max(*p.P, 1e-12) {
				t.Errorf("goal %s: R says n %d t %v p %v; the report %d %v %v", g.ID, n, tv, pv, p.N, *p.T, *p.P)
			}
		}
	}
	if seen != 2 {
		t.Errorf("R ran %d of the 2 goals' tests:\n%s", seen, got)
	}
	for _, want := range []string{"LABEL A very long question text", `LEVELS|Don't agree|Say "no"|Ни то ни сё|Agree; really|强烈同意`, "CLASS POSIXct factor", "NOTASKED TRUE TRUE 0", "NOTE first line second, \"quoted\" line"} {
		if !strings.Contains(got, want) {
			t.Errorf("R reads the data otherwise: no %q in\n%s", want, got)
		}
	}
}

// TestPSPPWritesTheSavFiles runs both SPSS syntax files in GNU PSPP: they
// read the CSV files, label them and write the .sav files, which PSPP
// reads back with the labels, value labels and the report's means.
func TestPSPPWritesTheSavFiles(t *testing.T) {
	pspp, err := exec.LookPath("pspp")
	if err != nil {
		t.Skip("pspp not installed: apt-get install pspp to run this check")
	}
	in := hostileExport(t)
	dir := filepath.Join(t.TempDir(), "spss")
	if _, err := statfiles.Write(dir, statfiles.SPSS, in); err != nil {
		t.Fatal(err)
	}
	run := func(syntax string) string {
		cmd := exec.Command(pspp, "-O", "format=txt", "-O", "box=ascii", "-O", "width=200", syntax)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if err != nil || strings.Contains(string(out), "error:") || strings.Contains(string(out), "warning:") {
			t.Fatalf("pspp %s: %v\n%s", syntax, err, out)
		}
		return string(out)
	}
	run("responses.sps")
	run("pairs.sps")
	if err := os.WriteFile(filepath.Join(dir, "check.sps"), []byte(`GET FILE='pairs.sav'.
DESCRIPTIVES fund_a_pre fund_a_post /STATISTICS=MEAN.
GET FILE='responses.sav'.
DISPLAY LABELS.
FREQUENCIES v9lives fund_a.
`), 0o644); err != nil {
		t.Fatal(err)
	}
	out := run("check.sps")
	for _, want := range []string{"Fund 'A' — Before (l'avant) (goal score)", "It's \"quoted\", with a line break and 'apostrophes'", "Option 'A'", "B $x `y' \"z\"",
		"Ни то ни сё", "强烈同意", "Areas: X_Y", "a_very_long_question_identifier_that_goes_past_33", "not asked in this wave"} {
		if !strings.Contains(out, want) {
			t.Errorf("PSPP's reading lacks %q:\n%s", want, out)
		}
	}
	// The goal's mean before, as PSPP computes it from the .sav, is the
	// mean of the report's own scores.
	sc := in.Report.Scores
	sum, n := 0.0, 0
	for i := range sc.Participants() {
		if v, ok := sc.Goal(i, "fund-a", "pre"); ok {
			sum, n = sum+v, n+1
		}
	}
	if want := strconv.FormatFloat(sum/float64(n), 'f', 2, 64); !regexp.MustCompile(`Fund 'A' — Before \(l'avant\) \(goal score\)\s*\|\s*` + strconv.Itoa(n) + `\s*\|\s*` + regexp.QuoteMeta(want)).MatchString(out) {
		t.Errorf("PSPP's mean of fund_a_pre is not %s over %d:\n%s", want, n, out)
	}
}

// TestStataDoFiles: Stata is not available here, so its files are checked
// by their content: every variable labelled, every value label defined
// and applied, names of at most 32 characters and unique, and the
// collisions resolved as the README says.
func TestStataDoFiles(t *testing.T) {
	in := hostileExport(t)
	dir := filepath.Join(t.TempDir(), "stata")
	files, err := statfiles.Write(dir, statfiles.Stata, in)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(files, ",") != "README.txt,pairs.csv,pairs.do,responses.csv,responses.do" {
		t.Errorf("files %v", files)
	}
	readme := read(t, filepath.Join(dir, "README.txt"))
	for _, do := range []string{"responses", "pairs"} {
		syntax := read(t, filepath.Join(dir, do+".do"))
		head := strings.SplitN(read(t, filepath.Join(dir, do+".csv")), "\n", 2)[0]
		seen := map[string]bool{}
		for _, name := range strings.Split(head, ",") {
			if len(name) > 32 || seen[name] || !regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`).MatchString(name) {
				t.Errorf("%s: %q is not a valid, unique Stata name", do, name)
			}
			seen[name] = true
			if !strings.Contains(syntax, "\nlabel variable "+name+" `\"") {
				t.Errorf("%s: %s has no variable label", do, name)
			}
		}
		for _, m := range regexp.MustCompile(`\nlabel define (\S+) `).FindAllStringSubmatch(syntax, -1) {
			if !strings.Contains(syntax, "\nlabel values "+m[1]+" "+m[1]+"\n") {
				t.Errorf("%s: value label %s is defined, not applied", do, m[1])
			}
		}
		if strings.Contains(syntax, " $x") || strings.Contains(syntax, " `y'") {
			t.Errorf("%s: a macro character reaches Stata unescaped", do)
		}
	}
	if !strings.Contains(read(t, filepath.Join(dir, "responses.do")), "\nmvdecode v9lives, mv(-1=.a)\nlabel define v9lives 1 `\"Option 'A'\"' 2 `\"B \\$x \\`y' \"z\"\"' .a `\"not asked in this wave\"', replace\n") {
		t.Errorf("a question not asked in every wave is not declared missing, or its labels are not escaped:\n%s", read(t, filepath.Join(dir, "responses.do")))
	}
	if !strings.Contains(read(t, filepath.Join(dir, "responses.do")), "label define wave 1 `\"Before (l'avant)\"' 2 `\"After\"', replace") {
		t.Errorf("the waves' value labels are not defined")
	}
	for _, want := range []string{"fund_a_2 ← fund_a", "areas_x_y_2 ← areas option x_y", "a_very_long_question_identifie_2 ← a-very-long-question-identifier-that-goes-past-33",
		"fund_a_pre_2 ← goal fund_a, pre", "fund_a_pre_3 ← question fund-a, pre",
		"v9lives ← 9lives", "not run"} {
		if !strings.Contains(readme, want) {
			t.Errorf("the README does not say %q", want)
		}
	}
}

// TestWriteRefusesAFolderInUse: an export never writes among other files.
func TestWriteRefusesAFolderInUse(t *testing.T) {
	in := hostileExport(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "mine.txt"), []byte("keep"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := statfiles.Write(dir, statfiles.R, in); err == nil || !strings.Contains(err.Error(), "is a folder with files in it") {
		t.Errorf("a folder with files: %v", err)
	}
	if _, err := statfiles.Write(filepath.Join(dir, "new"), "sas", in); err == nil || !strings.Contains(err.Error(), "choose one of spss, r, stata") {
		t.Errorf("an unknown format: %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("the refused exports wrote %d files", len(entries)-1)
	}
}
