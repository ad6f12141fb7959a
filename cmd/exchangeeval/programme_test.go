package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/csci/exchangeeval/internal/analysis"
	"github.com/csci/exchangeeval/internal/workbook"
)

// TestProgrammeAcrossVersions: exchange t1 is run with version 3 of the
// two-goals instrument; then version 4 rescores b2 on seven points, and t2
// is created with it. t1 keeps version 3 (an answer of 7 to b2 is refused
// there, taken in t2); the programme pools g1 over both, lists g2 and b2
// as not comparable with the reason, and export --programme writes the
// Programme sheet first, in French when asked.
func TestProgrammeAcrossVersions(t *testing.T) {
	c := newCLI(t)
	surveys := t.TempDir()
	v3, err := os.ReadFile(filepath.Join(twoGoalsSurveys, "two-goals.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	writeTo := func(name, data string) {
		if err := os.WriteFile(filepath.Join(surveys, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	writeTo("two-goals.yaml", string(v3))
	setupTwoGoalsIn(t, c, surveys, "t1", true)

	v4 := strings.Replace(string(v3), "version: 3", "version: 4", 1)
	v4 = strings.Replace(v4, "scales:\n", "scales:\n  agree7:\n    points: 7\n    labels:\n      en: ['1', '2', '3', '4', '5', '6', '7']\n", 1)
	v4 = strings.Replace(v4, "{id: b2, type: likert, scale: agree5,", "{id: b2, type: likert, scale: agree7,", 1)
	if v4 == string(v3) || !strings.Contains(v4, "scale: agree7") {
		t.Fatal("the fixture two-goals.yaml changed: version 4 could not be made from it")
	}
	writeTo("two-goals-v4.yaml", v4)
	c.mustRun("validate", surveys)
	setupTwoGoalsIn(t, c, surveys, "t2", true)

	if out := c.mustRun("exchange", "list", "--surveys", surveys); !strings.Contains(out, "two-goals v3") || !strings.Contains(out, "two-goals v4") {
		t.Errorf("exchange list does not say which version each exchange keeps:\n%s", out)
	}
	seven := writeFile(t, "seven.csv", "participant,wave,b2\nP0008,post,7\n")
	if _, _, err := c.run("responses", "import", "--surveys", surveys, "--exchange", "t1", seven); exitCode(err) != 2 || !strings.Contains(err.Error(), "b2") {
		t.Errorf("t1 keeps version 3 (5 points), yet 7 was taken: %v", err)
	}
	c.mustRun("responses", "import", "--surveys", surveys, "--exchange", "t2", seven)

	out := c.mustRun("analyze", "--surveys", surveys, "--programme", "two-goals", "--json", "--min-cell", "3")
	var p analysis.ProgrammeReport
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(p.Goals) != 1 || p.Goals[0].ID != "g1" || p.Goals[0].Random == nil || p.Goals[0].Random.K != 2 || !slices.Equal(p.Versions, []int{3, 4}) {
		t.Fatalf("programme across versions: %+v", p)
	}
	var reasons []string
	for _, d := range p.NotComparable {
		reasons = append(reasons, d.Detail)
	}
	want := []string{"Goal g2 is not scored from the same questions in every version (see b2)", "Question b2 is scored on 5 points in version 3 and 7 points in version 4"}
	if !slices.Equal(reasons, want) {
		t.Errorf("not comparable:\n got %q\nwant %q", reasons, want)
	}
	text := c.mustRun("analyze", "--surveys", surveys, "--programme", "two-goals", "--min-cell", "3")
	if !strings.Contains(text, "instrument versions 3, 4") || !strings.Contains(text, "Not comparable across versions 3, 4, so not pooled\n  goal g2: Goal g2 is not scored") {
		t.Errorf("the text report does not say what is left out:\n%s", text)
	}

	// The workbook: the Programme sheet first, with the same figures.
	book := filepath.Join(t.TempDir(), "programme.xlsx")
	if out := c.mustRun("export", "--surveys", surveys, "--programme", "two-goals", "--min-cell", "3", "--out", book); !strings.Contains(out, "t1 + t2") {
		t.Errorf("export: %s", out)
	}
	f, err := excelize.OpenFile(book)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if sheets := f.GetSheetList(); sheets[0] != workbook.SheetProgramme || sheets[1] != workbook.SheetSummary {
		t.Errorf("sheets %v", sheets)
	}
	rows, _ := f.GetRows(workbook.SheetProgramme)
	found := false
	for i, r := range rows {
		if len(r) > 2 && r[0] == "Pooled: random effects" {
			v, _ := f.GetCellValue(workbook.SheetProgramme, "C"+strconv.Itoa(i+1), excelize.Options{RawCellValue: true})
			n, err := strconv.ParseFloat(v, 64)
			found = err == nil && math.Abs(n-p.Goals[0].Random.Estimate) < 1e-12
		}
	}
	all := flat(rows)
	if !found || !strings.Contains(all, "Question b2 is scored on 5 points in version 3 and 7 points in version 4") {
		t.Errorf("the Programme sheet lacks the pooled change %v or the reason b2 is left out", p.Goals[0].Random.Estimate)
	}
	about, _ := f.GetRows(workbook.SheetAbout)
	if !strings.Contains(flat(about), "Left out: the exchanges' questionnaire versions differ") {
		t.Errorf("the About sheet does not say what the combined sheets leave out")
	}
	// In French.
	c.mustRun("export", "--surveys", surveys, "--programme", "two-goals", "--exchange", "t1", "--exchange", "t2", "--min-cell", "3", "--labels", "fr", "--out", book)
	fr, err := excelize.OpenFile(book)
	if err != nil {
		t.Fatal(err)
	}
	defer fr.Close()
	rows, _ = fr.GetRows(workbook.SheetProgramme)
	if all := flat(rows); !strings.Contains(all, "La question b2 se note sur 5 points dans la version 3 et sur 7 dans la version 4") || !strings.Contains(all, "Ensemble : effets aléatoires") {
		t.Errorf("the French Programme sheet:\n%s", all)
	}
	// Another comparison than the criteria; a malformed one.
	out = c.mustRun("analyze", "--surveys", surveys, "--programme", "two-goals", "--compare", "pre:post", "--json", "--min-cell", "3")
	if !strings.Contains(out, `"comparison": {`) {
		t.Errorf("--compare pre:post is not reported as chosen:\n%.300s", out)
	}
	for _, args := range [][]string{{"--programme", "two-goals", "--compare", "pre"}, {"--exchange", "t1", "--compare", "pre:post"}} {
		if _, _, err := c.run(append([]string{"analyze", "--surveys", surveys}, args...)...); exitCode(err) != 2 {
			t.Errorf("analyze %v: %v", args, err)
		}
	}
	if _, _, err := c.run("analyze", "--surveys", surveys, "--programme", "two-goals", "--compare", "post:pre"); exitCode(err) != 2 || !strings.Contains(err.Error(), "post→pre is not a comparison exchange t1 makes (it compares pre→post)") {
		t.Errorf("a comparison the exchanges do not make: %v", err)
	}
	// Errors name what is wrong.
	for _, args := range [][]string{{"--programme", "nope"}, {"--programme", "two-goals", "--exchange", "t9"}} {
		if _, _, err := c.run(append([]string{"export", "--surveys", surveys, "--out", book}, args...)...); exitCode(err) != 3 {
			t.Errorf("export %v: %v", args, err)
		}
	}
}

func flat(rows [][]string) string {
	var b strings.Builder
	for _, r := range rows {
		b.WriteString(strings.Join(r, "|"))
		b.WriteByte('\n')
	}
	return b.String()
}

// TestExportForStatisticsPackages: --format spss|r|stata writes a folder
// (the programme's exchanges too); a wrong format or a folder in use is
// refused with its name, writing nothing.
func TestExportForStatisticsPackages(t *testing.T) {
	c := newCLI(t)
	setupTwoGoals(t, c, "t1", true)
	setupTwoGoals(t, c, "t2", true)
	base := t.TempDir()
	for format, want := range map[string]string{"spss": "pairs.sps", "r": "exchangeeval.R", "stata": "responses.do"} {
		dir := filepath.Join(base, format)
		out := c.mustRun("export", "--surveys", twoGoalsSurveys, "--exchange", "t1", "--format", format, "--out", dir, "--labels", "fr")
		if !strings.Contains(out, "wrote "+dir+": ") || !strings.Contains(out, want) {
			t.Errorf("export --format %s: %s", format, out)
		}
		readme, err := os.ReadFile(filepath.Join(dir, "README.txt"))
		if err != nil || !strings.Contains(string(readme), "Livre de codes de responses.csv") {
			t.Errorf("export --format %s: no README with the codebook, in French as --labels asks (%v)", format, err)
		}
	}
	prog := filepath.Join(base, "programme")
	out := c.mustRun("export", "--surveys", twoGoalsSurveys, "--programme", "two-goals", "--format", "r", "--out", prog, "--min-cell", "3")
	if !strings.Contains(out, "t1 + t2") {
		t.Errorf("programme export: %s", out)
	}
	if head, _ := os.ReadFile(filepath.Join(prog, "pairs.csv")); !strings.HasPrefix(string(head), "exchange,participant,") {
		t.Errorf("a programme's pairs do not say each row's exchange: %.80s", head)
	}
	if _, _, err := c.run("export", "--surveys", twoGoalsSurveys, "--exchange", "t1", "--format", "sas", "--out", filepath.Join(base, "sas")); exitCode(err) != 2 || !strings.Contains(err.Error(), "--format sas: choose xlsx, qdpx, spss, r, stata") {
		t.Errorf("--format sas: %v", err)
	}
	if _, _, err := c.run("export", "--surveys", twoGoalsSurveys, "--exchange", "t1", "--format", "r", "--out", filepath.Join(base, "r")); exitCode(err) != 2 || !strings.Contains(err.Error(), "is a folder with files in it") {
		t.Errorf("a folder in use: %v", err)
	}
}
