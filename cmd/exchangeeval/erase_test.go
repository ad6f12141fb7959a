package main

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// TestEraseAndAccessExportFromTheCommandLine: an access export gives the
// delegate's identity and answers; erasing them on request leaves their
// answers under their pseudonymous id, which the next export shows with
// the erasure; a backup of the store is not restored over it without
// --drop.
func TestEraseAndAccessExportFromTheCommandLine(t *testing.T) {
	c := newCLI(t)
	c.mustRun("exchange", "create", "--id", "x1", "--instrument", "csci-social-services", "--name", "Amman–Chicago 2027",
		"--host-city", "Chicago", "--visiting-city", "Amman", "--start", "2027-06-13", "--end", "2027-06-19")
	c.mustRun("participants", "import", "--exchange", "x1", writeFile(t, "people.csv",
		"name,email,city,role,language,side\nLayla Haddad,layla@example.org,Amman,practitioner,en,visiting\n"))
	c.mustRun("responses", "import", "--exchange", "x1", writeFile(t, "answers.csv", "participant,wave,fund_corporate\nP0001,pre,4\n"))
	export := func() map[string]any {
		var d map[string]any
		if err := json.Unmarshal([]byte(c.mustRun("participants", "export", "--exchange", "x1", "--participant", "P0001")), &d); err != nil {
			t.Fatal(err)
		}
		return d
	}
	if d := export(); d["email"] != "layla@example.org" || d["personal_link_works"] != true || len(d["responses"].([]any)) != 1 {
		t.Errorf("the access export: %v", d)
	}
	before := filepath.Join(t.TempDir(), "before.tar.gz")
	c.mustRun("backup", "--out", before)
	if out := c.mustRun("participants", "erase", "--exchange", "x1", "--participant", "P0001", "--by", "dpo@example.org"); !strings.Contains(out, "their answers stay under P0001") {
		t.Errorf("erase: %s", out)
	}
	d := export()
	if d["email"] != "" || d["name"] != "" || d["personal_link_works"] != false || len(d["responses"].([]any)) != 1 || len(d["erasures"].([]any)) != 1 {
		t.Errorf("after the erasure: %v", d)
	}
	backup := filepath.Join(t.TempDir(), "b.tar.gz")
	if out := c.mustRun("backup", "--out", backup); !strings.Contains(out, "wrote "+backup) {
		t.Errorf("backup: %s", out)
	}
	if _, _, err := c.run("restore", backup); err == nil || !strings.Contains(userMessage(err), "holds") {
		t.Errorf("a restore into the store it came from, without --drop: %v", err)
	}
	// The backup from before the erasure, restored into a new store with
	// the newer backup's erasure log: the delegate stays erased.
	fresh := newCLI(t)
	if _, _, err := fresh.run("restore", "--erasures-from", filepath.Join(t.TempDir(), "missing.tar.gz"), before); err == nil {
		t.Error("a missing --erasures-from backup is not refused")
	}
	if out := fresh.mustRun("restore", "--erasures-from", backup, before); !strings.Contains(out, "1 erasure(s) logged in "+backup+" applied again") {
		t.Errorf("restore --erasures-from: %s", out)
	}
	var d2 map[string]any
	if err := json.Unmarshal([]byte(fresh.mustRun("participants", "export", "--exchange", "x1", "--participant", "P0001")), &d2); err != nil || d2["email"] != "" || len(d2["responses"].([]any)) != 1 {
		t.Errorf("after restoring the older backup with the newer's erasures: %v %v", err, d2)
	}
}

// TestThemeCandidatesFromTheCommandLine: after the exchange, six of ten
// delegates write of the families' resilience, which the codebook has no
// theme for: themes candidates lists it for the post wave — as the phrase
// "resilient families", the word being always in it — with the
// delegates per wave, as a table and as JSON. The same open answers go to
// NVivo and the like as a REFI-QDA project, and to a coder as a coding
// spreadsheet that comes back.
func TestThemeCandidatesFromTheCommandLine(t *testing.T) {
	c := newCLI(t)
	c.mustRun("exchange", "create", "--id", "x1", "--instrument", "csci-social-services", "--name", "Durban–Chicago 2027",
		"--host-city", "Chicago", "--visiting-city", "Durban", "--start", "2027-06-13", "--end", "2027-06-19")
	people, answers := "name,email,city,role,language,side\n", "participant,wave,expectations,takeaways\n"
	for i := range 10 {
		people += fmt.Sprintf("D%d,d%d@example.org,Durban,practitioner,en,visiting\n", i, i)
		pid := fmt.Sprintf("P%04d", i+1)
		answers += pid + ",pre,To learn about programmes and partners,\n"
		takeaway := "We visited programmes and partners"
		if i < 6 {
			takeaway = "The resilience of the families; resilient families everywhere"
		}
		answers += pid + ",post,," + takeaway + "\n"
	}
	c.mustRun("participants", "import", "--exchange", "x1", writeFile(t, "people.csv", people))
	c.mustRun("responses", "import", "--exchange", "x1", writeFile(t, "answers.csv", answers))
	out := c.mustRun("themes", "candidates", "--exchange", "x1")
	if !regexp.MustCompile(`(?m)^post\s+en\s+resilience families, resilient families\s+pre 0, post 6, follow-up 0\s+12\s`).MatchString(out) {
		t.Errorf("the table:\n%s", out)
	}
	var cs []map[string]any
	if err := json.Unmarshal([]byte(c.mustRun("themes", "candidates", "--exchange", "x1", "--json")), &cs); err != nil ||
		!slices.ContainsFunc(cs, func(c map[string]any) bool {
			return c["stem"] == "resili famili" && c["wave"] == "post" && c["mentions"] == 12.0
		}) {
		t.Errorf("the JSON: %v %v", err, cs)
	}
	if out := c.mustRun("themes", "candidates", "--exchange", "x1", "--min-cell", "7"); strings.Contains(out, "resilience") {
		t.Errorf("six delegates shown with a smallest group of seven:\n%s", out)
	}
	// The same answers as a REFI-QDA project: every open answer a source,
	// valid against the standard's schema.
	project := filepath.Join(t.TempDir(), "x1.qdpx")
	if out := c.mustRun("export", "--exchange", "x1", "--format", "qdpx", "--out", project); !strings.Contains(out, "20 open answers") {
		t.Errorf("export --format qdpx: %s", out)
	}
	zr, err := zip.OpenReader(project)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	qde, err := zr.Open("project.qde")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(qde)
	if n := strings.Count(string(raw), "<TextSource "); n != 20 || strings.Contains(string(raw), "@example.org") {
		t.Errorf("%d sources, or an e-mail in the project", n)
	}
	if xmllint, err := exec.LookPath("xmllint"); err == nil {
		path := filepath.Join(t.TempDir(), "project.qde")
		if err := os.WriteFile(path, raw, 0o600); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command(xmllint, "--noout", "--schema", "../../internal/qdpx/schema/Project.xsd", path).CombinedOutput(); err != nil {
			t.Errorf("xmllint: %v\n%s", err, out)
		}
	}
	if _, _, err := c.run("export", "--exchange", "x1", "--format", "qdpx", "--out", filepath.Join(t.TempDir(), "x1.zip")); exitCode(err) != 2 {
		t.Errorf("a qdpx export not named .qdpx: %v", err)
	}

	// A coder codes in a spreadsheet: exported with suggestions, changed,
	// imported; a bad cell is named by row and column and nothing is kept.
	if _, err := withStdinOf(c, "coder-password-1\n", "users", "add", "--email", "ana@example.org", "--role", "evaluator"); err != nil {
		t.Fatal(err)
	}
	sheet := filepath.Join(t.TempDir(), "coding.xlsx")
	if out := c.mustRun("coding", "export", "--exchange", "x1", "--coder", "ana@example.org", "--out", sheet); !strings.Contains(out, "20 open answers") {
		t.Errorf("coding export: %s", out)
	}
	f, err := excelize.OpenFile(sheet)
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := f.GetRows("Coding")
	head := rows[0]
	themeCol := slices.Index(head, "empowerment")
	if themeCol < 5 || len(rows) != 21 {
		t.Fatalf("the coding sheet's header %q, %d rows", head, len(rows))
	}
	cell, _ := excelize.CoordinatesToCellName(themeCol+1, 2)
	_ = f.SetCellValue("Coding", cell, "maybe")
	bad := filepath.Join(t.TempDir(), "bad.xlsx")
	if err := f.SaveAs(bad); err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.run("coding", "import", "--exchange", "x1", "--coder", "ana@example.org", bad); exitCode(err) != 2 ||
		!strings.Contains(userMessage(err), "row 2, column empowerment: \"maybe\"") {
		t.Errorf("a bad cell: %v", err)
	}
	_ = f.SetCellInt("Coding", cell, 1)
	good := filepath.Join(t.TempDir(), "good.xlsx")
	if err := f.SaveAs(good); err != nil {
		t.Fatal(err)
	}
	if out := c.mustRun("coding", "import", "--exchange", "x1", "--coder", "ana@example.org", good); !strings.Contains(out, "imported the codes of 20 open answers for ana@example.org") {
		t.Errorf("coding import: %s", out)
	}
	// Exported again, the coder's own codes come back.
	again := filepath.Join(t.TempDir(), "again.xlsx")
	c.mustRun("coding", "export", "--exchange", "x1", "--coder", "ana@example.org", "--out", again)
	g, err := excelize.OpenFile(again)
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := g.GetCellValue("Coding", cell); v != "1" {
		t.Errorf("the coder's own code exported again: %q", v)
	}
	if _, _, err := c.run("coding", "export", "--exchange", "x1", "--coder", "nobody@example.org", "--out", again); exitCode(err) != 3 {
		t.Errorf("an unknown coder: %v", err)
	}

	// A second coder codes the same sheet but for row 2; the disagreement
	// is listed, an evaluator reconciles it, and the figures say how many
	// answers people coded.
	if _, err := withStdinOf(c, "coder-password-2\n", "users", "add", "--email", "ben@example.org", "--role", "evaluator"); err != nil {
		t.Fatal(err)
	}
	_ = f.SetCellInt("Coding", cell, 0)
	bens := filepath.Join(t.TempDir(), "ben.xlsx")
	if err := f.SaveAs(bens); err != nil {
		t.Fatal(err)
	}
	c.mustRun("coding", "import", "--exchange", "x1", "--coder", "ben@example.org", bens)
	open := filepath.Join(t.TempDir(), "open.xlsx")
	if out := c.mustRun("coding", "export", "--exchange", "x1", "--coder", "ana@example.org", "--disagreements", "--out", open); !strings.Contains(out, "1 open answers") {
		t.Errorf("the disagreements: %s", out)
	}
	d, err := excelize.OpenFile(open)
	if err != nil {
		t.Fatal(err)
	}
	_ = d.SetCellInt("Coding", cell, 1)
	settled := filepath.Join(t.TempDir(), "settled.xlsx")
	if err := d.SaveAs(settled); err != nil {
		t.Fatal(err)
	}
	if out := c.mustRun("coding", "import", "--exchange", "x1", "--coder", "ana@example.org", "--reconcile", settled); !strings.Contains(out, "reconciled the codes of 1 open answers, by ana@example.org") {
		t.Errorf("reconcile: %s", out)
	}
	var report struct {
		Themes struct {
			Waves []struct {
				Wave          string `json:"wave"`
				OpenAnswers   int    `json:"open_answers"`
				CodedByPeople int    `json:"coded_by_people"`
			} `json:"waves"`
			Agreement []struct {
				Coders []string `json:"coders"`
				Theme  string   `json:"theme"`
			} `json:"agreement"`
		} `json:"themes"`
	}
	if err := json.Unmarshal([]byte(c.mustRun("analyze", "--exchange", "x1", "--json")), &report); err != nil {
		t.Fatal(err)
	}
	for _, w := range report.Themes.Waves {
		if w.Wave != "follow-up" && (w.OpenAnswers != 10 || w.CodedByPeople != 10) {
			t.Errorf("wave %s: %d open answers, %d by people", w.Wave, w.OpenAnswers, w.CodedByPeople)
		}
	}
	if len(report.Themes.Agreement) == 0 || strings.Join(report.Themes.Agreement[0].Coders, "+") != "ana@example.org+ben@example.org" {
		t.Errorf("the agreement: %+v", report.Themes.Agreement)
	}
	// The REFI-QDA project carries every person's codes, by coder.
	c.mustRun("export", "--exchange", "x1", "--format", "qdpx", "--out", project)
	zr2, err := zip.OpenReader(project)
	if err != nil {
		t.Fatal(err)
	}
	defer zr2.Close()
	qde2, _ := zr2.Open("project.qde")
	raw2, _ := io.ReadAll(qde2)
	for _, coder := range []string{`name="ana@example.org"`, `name="ben@example.org"`, `name="reconciled"`, `name="exchangeeval (automatic)"`} {
		if !strings.Contains(string(raw2), coder) {
			t.Errorf("the project has no user %s", coder)
		}
	}
}

// withStdinOf runs a command of c with stdin.
func withStdinOf(c *cli, stdin string, args ...string) (string, error) {
	var out, errb bytes.Buffer
	err := run(context.Background(), args, func(k string) string { return c.env[k] }, strings.NewReader(stdin), &out, &errb)
	return out.String(), err
}
