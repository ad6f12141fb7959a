package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/csci/exchangeeval/internal/analysis"
	"github.com/csci/exchangeeval/internal/mongostore"
	"github.com/csci/exchangeeval/internal/mongostore/storetest"
	"github.com/csci/exchangeeval/internal/staff"
)

func TestMain(m *testing.M) {
	runChildIfAsked()
	os.Exit(storetest.Main(m))
}

// syncBuffer lets a test read what a running command has written so far.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// cli runs commands against one fresh database of the shared test server,
// or against an embedded store in dataDir when that is set.
type cli struct {
	t       *testing.T
	env     map[string]string
	dataDir string
}

func newCLI(t *testing.T) *cli {
	return &cli{t: t, env: map[string]string{"MONGODB_URI": storetest.URI(), "EXCHANGEEVAL_DATABASE": storetest.NewDatabaseName(), "EXCHANGEEVAL_SECRET": storetest.SecretHex()}}
}

func (c *cli) run(args ...string) (stdout, stderr string, err error) {
	c.t.Helper()
	var out, errb bytes.Buffer
	if c.dataDir != "" {
		args = append(args, "--data-dir", c.dataDir)
	}
	err = run(context.Background(), args, func(k string) string { return c.env[k] }, strings.NewReader(""), &out, &errb)
	return out.String(), errb.String(), err
}

func (c *cli) mustRun(args ...string) string {
	c.t.Helper()
	out, errOut, err := c.run(args...)
	if err != nil {
		c.t.Fatalf("%v: %v\n%s", args, err, errOut)
	}
	return out
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestValidate(t *testing.T) {
	c := newCLI(t)
	out := c.mustRun("validate")
	if !strings.Contains(out, "surveys/csci-social-services.yaml: ok") {
		t.Errorf("built-in instruments: %s", out)
	}
	out = c.mustRun("validate", "../../surveys")
	if !strings.Contains(out, "csci-social-services.yaml: ok") {
		t.Errorf("directory: %s", out)
	}
	bad := writeFile(t, "bad.yaml", "id: x\nversion: 1\nlanguages: [en]\ntitle: {en: X}\nwaves: [{id: pre, title: {en: Pre}}]\nsections:\n  - id: s\n    heading: {en: S}\n    questions:\n      - {id: q, type: likert, scale: none, goal: g, waves: [pre], text: {en: Q}}\n")
	out, _, err := c.run("validate", bad)
	if err == nil || exitCode(err) != 2 {
		t.Fatalf("bad definition: err %v, exit %d", err, exitCode(err))
	}
	for _, want := range []string{bad + `:10: question q: goal "g" is not defined`, bad + `:10: question q: scale "none" is not defined`} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in:\n%s", want, out)
		}
	}
}

func TestServeRefusesAnInvalidDefinition(t *testing.T) {
	c := newCLI(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "broken.yaml"), []byte("id: broken\nversion: 1\nlanguages: [en]\ntitle: {en: B}\nwaves: []\nsections: []\ncolour: red\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err := c.run("serve", "--addr", "127.0.0.1:0", "--surveys", dir)
	if err == nil || exitCode(err) != 2 || !strings.Contains(userMessage(err), filepath.Join(dir, "broken.yaml")+`:7: unknown key "colour"`) {
		t.Fatalf("serve with a broken definition: %v", err)
	}
}

func TestExchangeCommands(t *testing.T) {
	c := newCLI(t)
	create := []string{"exchange", "create", "--id", "chicago-paris-2014", "--instrument", "csci-social-services", "--name", "Chicago–Paris 2014",
		"--host-city", "Chicago", "--visiting-city", "Paris", "--start", "2014-03-09", "--end", "2014-03-15"}
	out := c.mustRun(create...)
	if !strings.Contains(out, "created exchange chicago-paris-2014") {
		t.Errorf("create: %s", out)
	}
	if _, _, err := c.run(create...); exitCode(err) != 4 || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("duplicate create: %v", err)
	}
	// A name in French too; a language the questionnaire lacks is refused.
	withFrench := []string{"exchange", "create", "--id", "chicago-paris-2027", "--instrument", "csci-social-services", "--name", "Chicago delegation to Paris 2027",
		"--name-in", "fr=Délégation de Chicago à Paris 2027", "--host-city", "Paris", "--visiting-city", "Chicago", "--start", "2027-04-11", "--end", "2027-04-17"}
	c.mustRun(withFrench...)
	if _, _, err := c.run(append(withFrench[:len(withFrench):len(withFrench)], "--name-in", "pl=Delegacja")...); exitCode(err) != 2 || !strings.Contains(err.Error(), `--name-in pl: "pl" is not a language of the questionnaire (en, fr, es, de)`) {
		t.Errorf("a name in Polish: %v", err)
	}
	if _, _, err := c.run(append(withFrench[:len(withFrench):len(withFrench)], "--name-in", "Délégation")...); exitCode(err) != 2 || !strings.Contains(err.Error(), "LANG=NAME") {
		t.Errorf("--name-in without a language: %v", err)
	}
	_, _, err := c.run("exchange", "create", "--id", "x", "--instrument", "nope", "--start", "2014-13-01")
	if exitCode(err) != 2 || !strings.Contains(err.Error(), "--instrument: unknown instrument") || !strings.Contains(err.Error(), "--start: a date as YYYY-MM-DD") {
		t.Errorf("bad create: %v", err)
	}
	if out := c.mustRun("exchange", "open-wave", "--exchange", "chicago-paris-2014", "pre"); !strings.Contains(out, "wave pre of chicago-paris-2014 is now open") {
		t.Errorf("open-wave: %s", out)
	}
	if out := c.mustRun("exchange", "open-wave", "post", "--exchange", "chicago-paris-2014"); !strings.Contains(out, "open waves: pre, post") {
		t.Errorf("open-wave with the flag after the wave: %s", out)
	}
	if out := c.mustRun("exchange", "close-wave", "--exchange", "chicago-paris-2014", "pre"); !strings.Contains(out, "open waves: post") {
		t.Errorf("close-wave: %s", out)
	}
	if _, _, err := c.run("exchange", "open-wave", "--exchange", "chicago-paris-2014", "during"); exitCode(err) != 2 || !strings.Contains(err.Error(), `no wave "during" (waves: pre, post, follow-up)`) {
		t.Errorf("undeclared wave: %v", err)
	}
	if _, _, err := c.run("exchange", "open-wave", "--exchange", "nope", "pre"); exitCode(err) != 3 {
		t.Errorf("unknown exchange: %v", err)
	}
	out = c.mustRun("exchange", "list")
	if !strings.Contains(out, "chicago-paris-2014") || !strings.Contains(out, "Paris → Chicago") || !strings.Contains(out, "post") {
		t.Errorf("list: %s", out)
	}
}

func TestParticipantsImport(t *testing.T) {
	c := newCLI(t)
	c.mustRun("exchange", "create", "--id", "x1", "--instrument", "csci-social-services", "--name", "X", "--host-city", "Chicago",
		"--visiting-city", "Paris", "--start", "2014-03-09", "--end", "2014-03-15")
	bad := writeFile(t, "bad.csv", "name,email,city,role,language,side\nA,a@example.org,Paris,r,fr,visiting\nB,,Paris,r,fr,visiting\nC,a@example.org,Paris,r,xx,visiting\n")
	_, _, err := c.run("participants", "import", "--exchange", "x1", bad)
	if exitCode(err) != 2 {
		t.Fatalf("bad file: %v", err)
	}
	for _, want := range []string{bad + ": 3 problem(s)", "row 3, column B (email): email is missing", "row 4, column B (email): email a@example.org is already on row 2", `row 4, column E (language): language "xx"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in %v", want, err)
		}
	}
	if out := c.mustRun("participants", "list", "--exchange", "x1"); strings.Contains(out, "a@example.org") {
		t.Fatalf("a bad file was half-imported:\n%s", out)
	}

	good := writeFile(t, "good.csv", "name;email;city;role;language;side\nCamille Fournier;camille@example.org;Paris;practitioner;fr;visiting\n=cmd|' /C calc'!A0;dana@example.org;Chicago;supervisor;en;host\n")
	out, errOut, err := c.run("participants", "import", "--exchange", "x1", good)
	if err != nil {
		t.Fatal(err, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 || lines[0] != "pid,name,email,language,side,link,new" || !strings.HasPrefix(lines[1], "P0001,Camille Fournier,camille@example.org,fr,visiting,/s/") {
		t.Fatalf("links:\n%s", out)
	}
	if !strings.Contains(errOut, "note: no base URL is known") {
		t.Errorf("no note that the links lack the service's address: %s", errOut)
	}
	if !strings.HasPrefix(lines[2], "P0002,'=cmd|") {
		t.Errorf("a formula-like name was not defused in the CSV: %s", lines[2])
	}
	if !strings.Contains(errOut, "imported 2 new participant(s)") {
		t.Errorf("summary: %s", errOut)
	}
	xlsx := filepath.Join(t.TempDir(), "links.xlsx")
	c.env["EXCHANGEEVAL_BASE_URL"] = "https://eval.example.org"
	_, errOut, err = c.run("participants", "import", "--exchange", "x1", "--out", xlsx, good)
	if err != nil || !strings.Contains(errOut, "imported 0 new participant(s) into x1; 2 were already there") {
		t.Fatalf("re-import: %v %s", err, errOut)
	}
	f, err := excelize.OpenFile(xlsx)
	if err != nil {
		t.Fatal(err)
	}
	link, _ := f.GetCellValue("Links", "F2")
	if !strings.HasPrefix(link, "https://eval.example.org/s/") || !strings.Contains(lines[1], strings.TrimPrefix(link, "https://eval.example.org")) {
		t.Errorf("re-import changed the link: %s vs %s", link, lines[1])
	}

	// Saved by Excel on Windows: Windows-1252, read as such and said so.
	cp1252 := writeFile(t, "excel.csv", "name;email;city;role;language;side\n\xc9lodie Ma\xefa;elodie@example.org;Paris;practitioner;fr;visiting\n")
	out, errOut, err = c.run("participants", "import", "--exchange", "x1", cp1252)
	if err != nil || !strings.Contains(out, "P0003,Élodie Maïa,elodie@example.org") || !strings.Contains(errOut, "note: "+cp1252+" is not UTF-8 (line 2 is the first that is not): it was read as Windows-1252") {
		t.Errorf("Windows-1252 file: %v\n%s\n%s", err, out, errOut)
	}
	// Over the row limit: refused before anything is written.
	many := writeFile(t, "many.csv", "name,email,city,role,language,side\nA,a1@example.org,Paris,r,fr,visiting\nB,b1@example.org,Paris,r,fr,visiting\nC,c1@example.org,Paris,r,fr,visiting\n")
	if _, _, err := c.run("participants", "import", "--exchange", "x1", "--max-rows", "2", many); exitCode(err) != 2 || !strings.Contains(err.Error(), "more than 2 rows below its header") {
		t.Errorf("over the limit: %v", err)
	}
	c.env["EXCHANGEEVAL_MAX_IMPORT_ROWS"] = "2"
	if _, _, err := c.run("participants", "import", "--exchange", "x1", many); exitCode(err) != 2 {
		t.Errorf("over the limit set in the environment: %v", err)
	}
	delete(c.env, "EXCHANGEEVAL_MAX_IMPORT_ROWS")
	if out := c.mustRun("participants", "list", "--exchange", "x1"); strings.Contains(out, "a1@example.org") {
		t.Errorf("a refused file was imported:\n%s", out)
	}

	// A participant invited by mistake is removed; one who has answered
	// is not; an unknown one is said to be unknown.
	_, errOut, err = c.run("participants", "remove", "--exchange", "x1", "--participant", "P0002")
	if err != nil || !strings.Contains(errOut, "removed P0002 (=cmd|' /C calc'!A0) from x1") {
		t.Errorf("remove: %v %s", err, errOut)
	}
	if out := c.mustRun("participants", "list", "--exchange", "x1"); strings.Contains(out, "dana@example.org") || !strings.Contains(out, "camille@example.org") {
		t.Errorf("list after the removal:\n%s", out)
	}
	if _, _, err := c.run("participants", "remove", "--exchange", "x1", "--participant", "P0002"); exitCode(err) != 3 || !strings.Contains(err.Error(), "x1 has no participant P0002") {
		t.Errorf("removing twice: %v", err)
	}
	answers := writeFile(t, "answers.csv", "participant;wave;fund_corporate\nP0001;pre;4\n")
	c.mustRun("responses", "import", "--exchange", "x1", answers)
	if _, _, err := c.run("participants", "remove", "--exchange", "x1", "--participant", "P0001"); exitCode(err) != 4 || !strings.Contains(err.Error(), "P0001 has answered (pre) and cannot be removed") {
		t.Errorf("removing one who answered: %v", err)
	}
	if _, _, err := c.run("participants", "remove", "--exchange", "x1"); exitCode(err) != 2 {
		t.Errorf("remove without --participant: %v", err)
	}
	// The common flags may come before the command too: a definitions
	// folder given first is read (its broken file is reported).
	broken := filepath.Dir(writeFile(t, "broken.yaml", "id: [\n"))
	if _, _, err := c.run("--surveys", broken, "participants", "import", "--exchange", "x1", good); exitCode(err) != 2 || !strings.Contains(err.Error(), "broken.yaml") {
		t.Errorf("--surveys before the command: %v", err)
	}
}

func TestUsageErrors(t *testing.T) {
	c := newCLI(t)
	for _, args := range [][]string{{}, {"frobnicate"}, {"exchange"}, {"exchange", "open-wave", "pre"}, {"participants", "import", "--exchange", "x"}, {"serve", "extra"}} {
		if _, _, err := c.run(args...); exitCode(err) != 2 {
			t.Errorf("%v: err %v, exit %d", args, err, exitCode(err))
		}
	}
	if _, _, err := c.run("exchange", "list", "-h"); exitCode(err) != 0 {
		t.Errorf("-h: %v", err)
	}
}

// TestHelpAtEveryLevel: -h and --help print that level's help on standard
// output and succeed, for the program, every command group and every
// command; a subcommand's help shows its own flags only.
func TestHelpAtEveryLevel(t *testing.T) {
	c := newCLI(t)
	cases := []struct {
		args     []string
		want     []string
		unwanted []string
	}{
		{[]string{"--help"}, []string{"Usage:", "exchangeeval serve"}, nil},
		{[]string{"help"}, []string{"exchangeeval users add"}, nil},
		{[]string{"exchange", "--help"}, []string{"exchangeeval exchange create", "exchangeeval exchange open-wave", `Run "exchangeeval exchange SUBCOMMAND -h"`}, nil},
		{[]string{"participants", "-h"}, []string{"exchangeeval participants import", "exchangeeval participants list"}, nil},
		{[]string{"responses", "--help"}, []string{"responses import", "responses history", "responses restore"}, nil},
		{[]string{"tokens", "--help"}, []string{"tokens create --user EMAIL"}, nil},
		{[]string{"users", "--help"}, []string{"users add", "users assign", "users unassign"}, []string{"needs --email"}},
		{[]string{"users", "list", "-h"}, []string{"Usage: exchangeeval users list", "-data-dir"}, []string{"-role", "-email", "-language"}},
		{[]string{"users", "assign", "-h"}, []string{"-email", "-exchange"}, []string{"-role"}},
		{[]string{"validate", "-h"}, []string{"Usage: exchangeeval validate", "-translations"}, []string{"-data-dir", "-database"}},
		{[]string{"export", "-h"}, []string{"Flags:", "-labels"}, nil},
		{[]string{"responses", "import", "--help"}, []string{"-replace", "-from-exchange", "-max-rows"}, nil},
	}
	for _, tc := range cases {
		out, errOut, err := c.run(tc.args...)
		if exitCode(err) != 0 || errOut != "" {
			t.Errorf("%v: exit %d (%v), stderr %q", tc.args, exitCode(err), err, errOut)
		}
		for _, w := range tc.want {
			if !strings.Contains(out, w) {
				t.Errorf("%v: help lacks %q:\n%s", tc.args, w, out)
			}
		}
		for _, u := range tc.unwanted {
			if strings.Contains(out, u) {
				t.Errorf("%v: help shows %q:\n%s", tc.args, u, out)
			}
		}
	}
	// A mistake shows the help on standard error and fails.
	_, errOut, err := c.run("users", "list", "--role", "admin")
	if exitCode(err) != 2 || !strings.Contains(errOut, "Usage: exchangeeval users list") {
		t.Errorf("an unknown flag: exit %d, stderr %q", exitCode(err), errOut)
	}
	if out := c.mustRun("version"); !strings.HasPrefix(out, "exchangeeval ") || strings.Contains(out, "exchangeeval dev\n") || len(strings.TrimSpace(out)) <= len("exchangeeval ") {
		t.Errorf("version: %q", out)
	}
}

// TestRefusesWhatItCannotDo: a workbook named .csv, a report in a language
// the instrument does not have.
func TestRefusesWhatItCannotDo(t *testing.T) {
	c := newCLI(t)
	setupTwoGoals(t, c, "t1", false)
	if _, _, err := c.run("export", "--surveys", twoGoalsSurveys, "--exchange", "t1", "--out", filepath.Join(t.TempDir(), "x.csv")); exitCode(err) != 2 || !strings.Contains(err.Error(), "name it with .xlsx") {
		t.Errorf("export to .csv: %v", err)
	}
	if _, _, err := c.run("analyze", "--surveys", twoGoalsSurveys, "--exchange", "t1", "--lang", "de"); exitCode(err) != 2 || !strings.Contains(err.Error(), "--lang de: instrument two-goals is in en, fr") {
		t.Errorf("analyze --lang de: %v", err)
	}
}

var linkPattern = regexp.MustCompile(`P0001\s+\S+\s+\S+\s+(http://\S+/s/[A-Za-z0-9_-]{43})`)

// TestServeEndToEnd is the definition of done: a fresh data dir,
// serve --demo, a printed link opens the questionnaire, a submission lands
// and survives a restart; meanwhile a second process is turned away from the
// data dir with directions.
func TestServeEndToEnd(t *testing.T) {
	dataDir := t.TempDir()
	start := func() (stdout *syncBuffer, stop func() error) {
		stdout = &syncBuffer{}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() {
			done <- run(ctx, []string{"serve", "--demo", "--addr", "127.0.0.1:0", "--data-dir", dataDir}, func(string) string { return "" },
				strings.NewReader(""), stdout, io.Discard)
		}()
		deadline := time.Now().Add(60 * time.Second)
		for !strings.Contains(stdout.String(), "is serving on") {
			select {
			case err := <-done:
				t.Fatalf("serve stopped: %v\n%s", err, stdout)
			default:
			}
			if time.Now().After(deadline) {
				t.Fatalf("serve did not start:\n%s", stdout)
			}
			time.Sleep(50 * time.Millisecond)
		}
		return stdout, func() error { cancel(); return <-done }
	}

	out, stop := start()
	m := linkPattern.FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("no link printed:\n%s", out)
	}
	link := m[1]
	resp, err := http.Get(link)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET %s: %v %v", link, err, resp)
	}
	resp.Body.Close()

	// A second process on the same data dir is refused, with directions.
	other := &cli{t: t, env: map[string]string{}, dataDir: dataDir}
	_, _, err = other.run("exchange", "list")
	if exitCode(err) != 4 || !strings.Contains(err.Error(), "MONGODB_URI=mongodb://%2F") {
		t.Errorf("second process: %v", err)
	} else {
		// The directions work: the store's socket, named in them.
		uri := strings.Fields(err.Error()[strings.Index(err.Error(), "MONGODB_URI=")+len("MONGODB_URI="):])[0]
		viaSocket := &cli{t: t, env: map[string]string{"MONGODB_URI": uri}}
		if out := viaSocket.mustRun("exchange", "list"); !strings.Contains(out, "chicago-paris-2027") {
			t.Errorf("exchange list through %s: %s", uri, out)
		}
	}

	form := url.Values{"wave": {"pre"}, "work_city": {"chicago"}, "org_type": {"nonprofit"}, "job_role": {"practitioner"}, "expectations": {"Learn about évaluation"}}
	for _, q := range []string{"fund_corporate", "fund_volunteers", "fund_confidence", "fund_little_place", "eval_university", "eval_measures",
		"eval_evidence", "eval_time_lost", "care_practice", "care_stakeholders", "care_change", "care_rarely_relevant"} {
		form.Set(q, "3")
	}
	form.Set("fund_corporate", "5")
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err = client.PostForm(link, form)
	if err != nil || resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("submit: %v %v", err, resp)
	}
	resp.Body.Close()
	if err := stop(); err != nil {
		t.Fatalf("graceful stop: %v", err)
	}

	out, stop = start()
	defer stop()
	if !strings.Contains(out.String(), "created 0 exchange(s) and 0 response(s)") {
		t.Errorf("second --demo seeded again:\n%s", out)
	}
	m2 := linkPattern.FindStringSubmatch(out.String())
	if m2 == nil {
		t.Fatalf("no link after restart:\n%s", out)
	}
	// Same token, new port.
	if tok := m2[1][strings.LastIndex(m2[1], "/")+1:]; !strings.HasSuffix(link, tok) {
		t.Fatalf("link changed across restarts: %s vs %s", link, m2[1])
	}
	resp, err = http.Get(m2[1])
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), `id="fund_corporate-5" name="fund_corporate" value="5" checked`) || !strings.Contains(string(body), "You answered on") {
		t.Fatalf("the submission did not survive the restart")
	}
}

// TestImportAndAnalyze is the analysis issue's end-to-end test: participants
// and responses imported from CSV into a fresh exchange on the test
// instrument, analysed, and the figures compared with R (see
// internal/analysis/analyze_test.go for the R calls).
const twoGoalsSurveys = "../../internal/analysis/testdata"

// setupTwoGoals creates an exchange on the analysis tests' instrument with
// its 8 participants and, when withResponses, their 15 responses imported
// from CSV (the dataset whose figures analyze_test.go checks against R).
func setupTwoGoals(t *testing.T, c *cli, id string, withResponses bool) {
	t.Helper()
	setupTwoGoalsIn(t, c, twoGoalsSurveys, id, withResponses)
}

// setupTwoGoalsIn is setupTwoGoals with the definitions of another
// directory.
func setupTwoGoalsIn(t *testing.T, c *cli, surveys, id string, withResponses bool) {
	t.Helper()
	c.mustRun("exchange", "create", "--surveys", surveys, "--id", id, "--instrument", "two-goals", "--name", "T", "--host-city", "Chicago",
		"--visiting-city", "Paris", "--start", "2014-03-09", "--end", "2014-03-15")
	people := "name,email,city,role,language,side\n"
	for i := 1; i <= 8; i++ {
		side, lang := "visiting", "fr"
		if i > 4 {
			side, lang = "host", "en"
		}
		people += fmt.Sprintf("Person %d,p%d@example.org,X,practitioner,%s,%s\n", i, i, lang, side)
	}
	c.mustRun("participants", "import", "--surveys", surveys, "--exchange", id, writeFile(t, "people.csv", people))
	if !withResponses {
		return
	}
	responses := `participant,wave,a1,a2,a3,b1,b2,hopes,learned,consent
P0001,pre,2,3,4,3,3,I hope to learn about empowerment and evaluation.,,
P0002,pre,1,2,5,2,2,Découvrir le pouvoir d'agir des habitants.,,
P0003,pre,3,3,3,4,4,,,
P0004,pre,2,2,4,3,2,,,
P0005,pre,3,4,2,5,4,,,
P0006,pre,2,,4,3,3,,,
P0007,pre,1,,,2,3,,,
P0008,pre,4,4,2,4,4,,,
P0001,post,4,4,2,3,4,,We saw evaluation.,yes
p2@example.org,post,3,3,3,2,2,,,no
P0003,post,4,5,1,4,5,,,yes
P0004,post,2,3,4,3,3,,,yes
P0005,post,5,4,2,4,4,,,yes
P0006,post,4,4,,,,,,no
P0007,post,3,3,3,3,3,,,yes
`
	out := c.mustRun("responses", "import", "--surveys", surveys, "--exchange", id, writeFile(t, "responses.csv", responses))
	if !strings.Contains(out, "imported 15 row(s) into "+id+": 15 new") {
		t.Fatalf("import: %s", out)
	}
}

func TestImportAndAnalyze(t *testing.T) {
	c := newCLI(t)
	setupTwoGoals(t, c, "t1", true)
	surveys := twoGoalsSurveys
	out := ""
	out = c.mustRun("analyze", "--surveys", surveys, "--exchange", "t1", "--json", "--min-cell", "3")
	var r struct {
		Participation struct {
			Waves []struct {
				Responded, Imported int
			}
		}
		Goals []struct {
			Verdict     string
			Comparisons []struct {
				Paired struct {
					N        int
					T, P     float64
					PHolm    float64 `json:"p_holm"`
					CI       [2]float64
					Wilcoxon struct{ V, P float64 }
				}
			}
		}
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	p := r.Goals[0].Comparisons[0].Paired
	const tol = 1e-9
	if p.N != 6 || math.Abs(p.T-4.89897948556635665) > tol || math.Abs(p.P-0.00447843231046212) > tol ||
		math.Abs(p.PHolm-0.00895686462092424) > tol || math.Abs(p.CI[0]-0.63370957340267753) > tol || math.Abs(p.Wilcoxon.P-0.034006402864387) > tol {
		t.Errorf("g1 pre→post does not match R: %+v", p)
	}
	if r.Goals[0].Verdict != "attained" || r.Goals[1].Verdict != "not attained" {
		t.Errorf("verdicts %s, %s", r.Goals[0].Verdict, r.Goals[1].Verdict)
	}
	if r.Participation.Waves[1].Imported != 7 {
		t.Errorf("imported flag not counted: %+v", r.Participation)
	}
	text := c.mustRun("analyze", "--surveys", surveys, "--exchange", "t1", "--min-cell", "3")
	if !strings.Contains(text, "verdict: ATTAINED — mean change +1.33 ≥ 0.50 and Holm p = 0.009 < 0.05 over 6 pairs") {
		t.Errorf("text report:\n%s", text)
	}
	// The instrument was kept when the exchange was made: analysing
	// without --surveys gives the same report.
	if again := c.mustRun("analyze", "--exchange", "t1", "--min-cell", "3"); again != text {
		t.Errorf("analyze without --surveys differs:\n%s", again)
	}
	// The programme: this exchange and a second of the same instrument,
	// pooled goal by goal.
	setupTwoGoals(t, c, "t2", true)
	out = c.mustRun("analyze", "--surveys", surveys, "--programme", "two-goals", "--json", "--min-cell", "3")
	var prog analysis.ProgrammeReport
	if err := json.Unmarshal([]byte(out), &prog); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(prog.Exchanges) != 2 || len(prog.Goals) != 2 || prog.Goals[0].Random == nil || prog.Goals[0].Random.K != 2 || prog.Goals[0].Heterogeneity == nil {
		t.Errorf("programme: %+v", prog)
	} else if math.Abs(prog.Goals[0].Random.Estimate-4.0/3) > 1e-9 {
		// Two identical exchanges pool to their common change, +1.33.
		t.Errorf("pooled change %v, want 1.333", prog.Goals[0].Random.Estimate)
	}
	text = c.mustRun("analyze", "--surveys", surveys, "--programme", "two-goals", "--exchange", "t2", "--min-cell", "3")
	if !strings.Contains(text, "Programme two-goals — 1 exchange(s)") || !strings.Contains(text, "one exchange: heterogeneity needs two or more") {
		t.Errorf("programme of one exchange:\n%s", text)
	}
	for _, args := range [][]string{{"--programme", "nope"}, {"--programme", "two-goals", "--exchange", "nope"}} {
		if _, _, err := c.run(append([]string{"analyze", "--surveys", surveys}, args...)...); exitCode(err) != 3 {
			t.Errorf("analyze %v: %v", args, err)
		}
	}
	// A bad file imports nothing.
	bad := writeFile(t, "bad.csv", "participant,wave,a1\nP0001,follow-up,3\nP0002,post,9\n")
	if _, _, err := c.run("responses", "import", "--surveys", surveys, "--exchange", "t1", bad); exitCode(err) != 2 || !strings.Contains(err.Error(), "row 3, column C (a1)") {
		t.Errorf("bad responses file: %v", err)
	}
}

// TestImportMergesAndHistoryRestores is the import that wiped answers: one
// cell imported for a delegate who had answered everything sets that cell
// only; --replace says what it drops; history lists every version and
// restore brings any back.
func TestImportMergesAndHistoryRestores(t *testing.T) {
	c := newCLI(t)
	setupTwoGoals(t, c, "t1", true)
	surveys := twoGoalsSurveys
	one := writeFile(t, "one.csv", "participant;wave;a1\nP0001;pre;5\n")
	out := c.mustRun("responses", "import", "--surveys", surveys, "--exchange", "t1", one)
	if !strings.Contains(out, "imported 1 row(s) into t1: 0 new, 1 merged into earlier answers (1 answer(s) set), 0 unchanged") {
		t.Fatalf("merge: %s", out)
	}
	if out := c.mustRun("responses", "import", "--surveys", surveys, "--exchange", "t1", one); !strings.Contains(out, "0 merged into earlier answers (0 answer(s) set), 1 unchanged") {
		t.Errorf("the same file again: %s", out)
	}
	history := c.mustRun("responses", "history", "--surveys", surveys, "--exchange", "t1", "--participant", "P0001", "--wave", "pre")
	for _, want := range []string{"VERSION", "1 ", "2 (current)", "import", "changed a1"} {
		if !strings.Contains(history, want) {
			t.Errorf("history lacks %q:\n%s", want, history)
		}
	}
	// P0001's pre response had six answers (a1 a2 a3 b1 b2 hopes): merged, all six remain.
	if !regexp.MustCompile(`2 \(current\)\s+\S+ \S+\s+import\s+fr\s+6\s`).MatchString(history) {
		t.Errorf("the merged version does not hold all six answers:\n%s", history)
	}
	out = c.mustRun("responses", "import", "--surveys", surveys, "--exchange", "t1", "--replace", one)
	if !strings.Contains(out, "1 replaced whole, dropping 5 stored answer(s)") {
		t.Errorf("replace: %s", out)
	}
	out = c.mustRun("responses", "restore", "--surveys", surveys, "--exchange", "t1", "--participant", "P0001", "--wave", "pre", "--version", "1")
	if !strings.Contains(out, "restored version 1 of P0001's pre response as version 4 (6 answers)") {
		t.Errorf("restore: %s", out)
	}
	history = c.mustRun("responses", "history", "--surveys", surveys, "--exchange", "t1", "--participant", "P0001", "--wave", "pre")
	if !strings.Contains(history, "restores 1") || !strings.Contains(history, "4 (current)") {
		t.Errorf("history after restore:\n%s", history)
	}
	for _, bad := range [][]string{
		{"responses", "restore", "--surveys", surveys, "--exchange", "t1", "--participant", "P0001", "--wave", "pre", "--version", "9"},
		{"responses", "history", "--surveys", surveys, "--exchange", "t1", "--participant", "P0001", "--wave", "during"},
		{"responses", "history", "--surveys", surveys, "--exchange", "t1", "--participant", "P0099", "--wave", "pre"},
	} {
		if _, _, err := c.run(bad...); err == nil || exitCode(err) == 0 {
			t.Errorf("%v: accepted", bad)
		}
	}
}

// TestWorkbookRoundTrip: export → import the Responses sheet into a fresh
// exchange → analyze → the same figures.
func TestWorkbookRoundTrip(t *testing.T) {
	c := newCLI(t)
	setupTwoGoals(t, c, "t1", true)
	setupTwoGoals(t, c, "t2", false)
	book := filepath.Join(t.TempDir(), "t1.xlsx")
	out := c.mustRun("export", "--surveys", twoGoalsSurveys, "--exchange", "t1", "--out", book, "--min-cell", "3")
	if !strings.Contains(out, "wrote "+book) {
		t.Fatalf("export: %s", out)
	}
	// The sheet names its exchange: into another one only when that is said.
	if _, _, err := c.run("responses", "import", "--surveys", twoGoalsSurveys, "--exchange", "t2", book); exitCode(err) != 2 ||
		!strings.Contains(err.Error(), `the row is from exchange "t1", not t2`) {
		t.Fatalf("a workbook of another exchange: %v", err)
	}
	out = c.mustRun("responses", "import", "--surveys", twoGoalsSurveys, "--exchange", "t2", "--from-exchange", "t1", book)
	if !strings.Contains(out, "imported 15 row(s) into t2: 15 new") {
		t.Fatalf("import of the workbook: %s", out)
	}
	figures := func(id string) string {
		var r map[string]any
		if err := json.Unmarshal([]byte(c.mustRun("analyze", "--surveys", twoGoalsSurveys, "--exchange", id, "--json", "--min-cell", "3")), &r); err != nil {
			t.Fatal(err)
		}
		delete(r, "exchange")
		delete(r, "generated_at")
		b, _ := json.Marshal(r)
		return string(b)
	}
	if a, b := figures("t1"), figures("t2"); a != b {
		t.Errorf("figures differ after the round trip:\n%s\n%s", a, b)
	}
	// Several exchanges of one instrument in one workbook.
	both := filepath.Join(t.TempDir(), "both.xlsx")
	c.mustRun("export", "--surveys", twoGoalsSurveys, "--exchange", "t1", "--exchange", "t2", "--out", both, "--min-cell", "3")
	f, err := excelize.OpenFile(both)
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := f.GetRows("Responses")
	if len(rows) != 31 || rows[0][0] != "exchange" || rows[1][0] != "t1" || rows[30][0] != "t2" {
		t.Errorf("combined Responses: %d rows, first %v", len(rows), rows[0][:3])
	}
	pairs, _ := f.GetRows("Pairs")
	if len(pairs) != 17 || pairs[1][0] != "t1" || pairs[1][1] != "P0001" {
		t.Errorf("combined Pairs: %d rows, %v", len(pairs), pairs[1][:3])
	}
	summary, _ := f.GetRows("Summary")
	if !strings.Contains(strings.Join(summary[2], " "), "t1+t2") {
		t.Errorf("combined Summary names %v", summary[2])
	}
	// Bad requests.
	if _, _, err := c.run("export", "--exchange", "t1", "--out", book, "--labels", "de", "--surveys", twoGoalsSurveys); exitCode(err) != 2 {
		t.Errorf("unknown label language: %v", err)
	}
	if _, _, err := c.run("export", "--exchange", "nope", "--out", book, "--surveys", twoGoalsSurveys); exitCode(err) != 3 {
		t.Errorf("unknown exchange: %v", err)
	}
}

func TestUsersAndTokens(t *testing.T) {
	c := newCLI(t)
	c.mustRun("exchange", "create", "--id", "chicago-paris-2014", "--instrument", "csci-social-services", "--name", "X", "--host-city", "Chicago",
		"--visiting-city", "Paris", "--start", "2014-03-09", "--end", "2014-03-15")
	withStdin := func(stdin string, args ...string) (string, error) { return withStdinOf(c, stdin, args...) }
	out, err := withStdin("committee-password-1\n", "users", "add", "--email", "Marie@Example.org", "--role", "committee", "--name", "Marie Dupont",
		"--language", "fr", "--exchange", "chicago-paris-2014")
	if err != nil || !strings.Contains(out, "created marie@example.org (committee)") {
		t.Fatalf("users add: %v %s", err, out)
	}
	if _, err := withStdin("short\n", "users", "add", "--email", "x@example.org", "--role", "admin"); exitCode(err) != 2 || !strings.Contains(err.Error(), "at least 10 characters") {
		t.Errorf("short password: %v", err)
	}
	if _, err := withStdin("long-enough-password\n", "users", "add", "--email", "x@example.org", "--role", "king"); exitCode(err) != 2 {
		t.Errorf("unknown role: %v", err)
	}
	if _, err := withStdin("committee-password-1\n", "users", "add", "--email", "marie@example.org", "--role", "admin"); exitCode(err) != 4 {
		t.Errorf("duplicate account: %v", err)
	}
	if _, err := withStdin("long-enough-password\n", "users", "add", "--email", "y@example.org", "--role", "committee", "--exchange", "nope"); exitCode(err) != 3 {
		t.Errorf("unknown exchange: %v", err)
	}
	list := c.mustRun("users", "list")
	if !strings.Contains(list, "marie@example.org") || !strings.Contains(list, "chicago-paris-2014") || !strings.Contains(list, "active") {
		t.Errorf("list: %s", list)
	}
	token, err := withStdin("", "tokens", "create", "--user", "marie@example.org", "--name", "r")
	if err != nil || len(strings.TrimSpace(token)) != 43 {
		t.Fatalf("token: %v %q", err, token)
	}
	if out := c.mustRun("users", "disable", "--email", "marie@example.org"); !strings.Contains(out, "disabled") {
		t.Errorf("disable: %s", out)
	}
	if !strings.Contains(c.mustRun("users", "list"), "disabled") {
		t.Error("not listed as disabled")
	}
	if _, err := withStdin("", "tokens", "create", "--user", "marie@example.org"); exitCode(err) != 2 {
		t.Errorf("token for a disabled account: %v", err)
	}
	if out, err := withStdin("a-brand-new-password\n", "users", "reset-password", "--email", "marie@example.org"); err != nil || !strings.Contains(out, "sessions have ended") {
		t.Errorf("reset: %v %s", err, out)
	}
	if _, err := withStdin("", "users", "reset-password", "--email", "marie@example.org"); exitCode(err) != 2 {
		t.Errorf("reset without a password: %v", err)
	}
	if out := c.mustRun("users", "enable", "--email", "marie@example.org"); !strings.Contains(out, "enabled") {
		t.Errorf("enable: %s", out)
	}
	// A second factor lost with its recovery codes is removed from the
	// command line, and the trail says so.
	st, err := mongostore.Open(context.Background(), mongostore.Config{URI: c.env["MONGODB_URI"], Database: c.env["EXCHANGEEVAL_DATABASE"], Secret: storetest.Secret})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close(context.Background())
	if err := st.EnableTOTP(context.Background(), "marie@example.org", "JBSWY3DPEHPK3PXP", []string{"h"}, 1, time.Now()); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(c.mustRun("users", "list"), "active, two-factor") {
		t.Error("users list does not show the second factor")
	}
	if out := c.mustRun("users", "reset-two-factor", "--email", "marie@example.org"); !strings.Contains(out, "two-factor sign-in of marie@example.org removed") {
		t.Errorf("reset-two-factor: %s", out)
	}
	if u, err := st.User(context.Background(), "marie@example.org"); err != nil || u.TOTP.Enabled || u.TOTP.Secret != "" || len(u.TOTP.Recovery) != 0 {
		t.Errorf("after reset-two-factor: %+v %v", u.TOTP, err)
	}
	if events, _, err := st.AuditTrail(context.Background(), staff.AuditQuery{Limit: 10}); err != nil || len(events) == 0 || events[0].Note != "user-two-factor-reset" {
		t.Errorf("the audit trail after reset-two-factor: %v %+v", err, events)
	}
	if _, err := withStdin("", "users", "reset-two-factor", "--email", "nobody@example.org"); exitCode(err) != 3 {
		t.Errorf("reset-two-factor of an unknown account: %v", err)
	}

	// assign adds, unassign removes; an unknown exchange is refused and
	// leaves the member's assignments as they were.
	c.mustRun("exchange", "create", "--id", "chicago-hamburg-2015", "--instrument", "csci-social-services", "--name", "Y", "--host-city", "Chicago",
		"--visiting-city", "Hamburg", "--start", "2015-05-03", "--end", "2015-05-09")
	if _, err := withStdin("", "users", "assign", "--email", "marie@example.org", "--exchange", "nope"); exitCode(err) != 3 || !strings.Contains(err.Error(), "nope") {
		t.Errorf("assign to an unknown exchange: %v", err)
	}
	if out := c.mustRun("users", "assign", "--email", "marie@example.org", "--exchange", "chicago-hamburg-2015"); !strings.Contains(out, "chicago-paris-2014, chicago-hamburg-2015") {
		t.Errorf("assign did not add: %s", out)
	}
	if out := c.mustRun("users", "unassign", "--email", "marie@example.org", "--exchange", "chicago-paris-2014"); !strings.Contains(out, "now reviews: chicago-hamburg-2015\n") {
		t.Errorf("unassign did not remove just the one: %s", out)
	}
	if list := c.mustRun("users", "list"); !strings.Contains(list, " chicago-hamburg-2015 ") || strings.Contains(list, "chicago-paris-2014") {
		t.Errorf("list after unassign: %s", list)
	}
	if _, err := withStdin("", "users", "assign", "--email", "nobody@example.org", "--exchange", "chicago-hamburg-2015"); exitCode(err) != 3 {
		t.Errorf("assign to an unknown account: %v", err)
	}
	if _, err := withStdin("", "users", "assign", "--email", "marie@example.org"); exitCode(err) != 2 {
		t.Errorf("assign without --exchange: %v", err)
	}
	// An account made with no exchange can be given one.
	if _, err := withStdin("committee-password-2\n", "users", "add", "--email", "noor@example.org", "--role", "committee"); err != nil {
		t.Fatal(err)
	}
	if out := c.mustRun("users", "assign", "--email", "noor@example.org", "--exchange", "chicago-hamburg-2015"); !strings.Contains(out, "now reviews: chicago-hamburg-2015") {
		t.Errorf("assign to an account made with no exchange: %s", out)
	}
}
