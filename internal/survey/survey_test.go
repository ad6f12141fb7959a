package survey_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/csci/exchangeeval"
	"github.com/csci/exchangeeval/internal/survey"
)

func mustParse(t testing.TB, path string) *survey.Instrument {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	in, probs := survey.Parse(path, data)
	if probs != nil {
		t.Fatalf("unexpected problems:\n%v", probs)
	}
	return in
}

func TestShippedInstrumentsAreValid(t *testing.T) {
	ins, probs := survey.LoadFS(exchangeeval.Surveys, "surveys", "surveys/")
	if len(probs) > 0 {
		t.Fatalf("shipped instruments have problems:\n%v", probs)
	}
	set := survey.NewSet(ins...)
	in := set.Get("csci-social-services")
	if in == nil {
		t.Fatalf("csci-social-services not shipped; have %v", set.IDs())
	}
	if got := in.WaveIDs(); !reflect.DeepEqual(got, []string{"pre", "post", "follow-up"}) {
		t.Errorf("waves = %v", got)
	}
	perGoal := map[string]int{}
	reversed := map[string]int{}
	for _, q := range in.QuestionsIn("pre") {
		if q.Type == survey.TypeLikert && q.Goal != "" {
			if !q.AskedIn("post") {
				t.Errorf("goal item %s is not asked post", q.ID)
			}
			perGoal[q.Goal]++
			if q.Reverse {
				reversed[q.Goal]++
			}
		}
	}
	for _, g := range []string{"funding", "evaluation", "cultural-care"} {
		if perGoal[g] < 3 || reversed[g] < 1 {
			t.Errorf("goal %s: %d items, %d reversed; want several with at least one reversed", g, perGoal[g], reversed[g])
		}
	}
	// Every text the delegate sees has its French version.
	for _, q := range in.Questions() {
		if q.Text["fr"] == "" {
			t.Errorf("question %s has no French text", q.ID)
		}
		for _, o := range q.Options {
			if o.Label["fr"] == "" {
				t.Errorf("question %s option %s has no French label", q.ID, o.Code)
			}
		}
	}
	for _, th := range in.Themes {
		if len(th.Patterns["fr"]) == 0 || len(th.Patterns["en"]) == 0 {
			t.Errorf("theme %s lacks English or French patterns", th.ID)
		}
	}
}

func TestTextFallsBackToBaseLanguage(t *testing.T) {
	in := mustParse(t, "testdata/minimal.yaml")
	q := in.Question("q1")
	if got := q.Text.In("fr", in.BaseLanguage()); got != "Item one" {
		t.Errorf("missing French falls back to base: got %q", got)
	}
	th := in.Themes[0]
	if got := th.Label.In("fr", "en"); got != "Autonomisation" {
		t.Errorf("French label: got %q", got)
	}
}

// TestDefinitionProblems mutates the minimal definition into each kind of
// mistake and checks the message and the line it is reported at.
func TestDefinitionProblems(t *testing.T) {
	base, err := os.ReadFile("testdata/minimal.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		old, new string
		line     int
		want     string
	}{
		{"unknown key", "    reverse: true\n", "    reverse: true\n        colour: red\n", 40, `unknown key "colour" in question`},
		{"unknown top-level key", "version: 2\n", "version: 2\nowner: me\n", 3, `unknown key "owner" in instrument`},
		{"duplicate question id", "      - id: q2\n", "      - id: q1\n", 35, `duplicate question id "q1"`},
		{"undefined goal", "        goal: g1\n        reverse", "        goal: g9\n        reverse", 38, `goal "g9" is not defined`},
		{"undefined scale", "        scale: agree5\n        goal: g1\n        reverse", "        scale: agree7\n        goal: g1\n        reverse", 37, `scale "agree7" is not defined`},
		{"undeclared wave", "        waves: [post]\n        text: {en: Note}", "        waves: [later]\n        text: {en: Note}", 67, `wave "later" is not declared`},
		{"missing base text", "        text: {en: Item two}", "        text: {fr: Deux}", 41, `no text in the base language "en"`},
		{"bad pattern", "      en: [empower*]", "      en: [em*power]", 21, `bad en pattern "em*power"`},
		{"empty pattern", "      en: [empower*]", "      en: [\"*\"]", 21, `bad en pattern "*"`},
		{"undeclared language", "      fr: [pouvoir d'agir]", "      de: [ermächtig*]", 21, `patterns in undeclared language "de"`},
		{"wrong label count", "      en: [SD, D, N, A, SA]", "      en: [SD, D, N, A]", 13, `4 labels in "en" for 5 points`},
		{"options on likert", "        reverse: true\n", "        reverse: true\n        options: [{code: x, label: {en: X}}]\n", 40, `options does not apply to a likert question`},
		{"reverse on single", "        type: single\n", "        type: single\n        reverse: true\n", 44, `reverse does not apply to a single question`},
		{"unknown type", "        type: text\n", "        type: essay\n", 65, `type "essay" is not one of`},
		{"reserved id", "      - id: colour\n", "      - id: city\n", 42, `question id "city" is reserved`},
		{"duplicate option", "{code: blue,", "{code: red,", 48, `duplicate option code "red"`},
		{"min above max", "        min: 0\n", "        min: 70\n", 60, `min 70 is above max 60`},
		{"message placeholder", "    title: {en: Before}\n", "    title: {en: Before}\n    messages:\n      invitation:\n        subject: {en: \"Hi {nom}\"}\n        body: {en: \"Go to {link}\"}\n", 10, `subject in "en" names {nom}`},
		{"message without link", "    title: {en: Before}\n", "    title: {en: Before}\n    messages:\n      reminder:\n        subject: {en: Hi}\n        body: {en: Please answer}\n", 11, `has no {link}`},
		{"unknown message kind", "    title: {en: Before}\n", "    title: {en: Before}\n    messages:\n      invite:\n        subject: {en: Hi}\n        body: {en: \"Go to {link}\"}\n", 8, `unknown message "invite"`},
		{"message base language", "    title: {en: Before}\n", "    title: {en: Before}\n    messages:\n      invitation:\n        subject: {fr: Bonjour}\n        body: {en: \"Go to {link}\"}\n", 10, `no subject in the base language "en"`},
		{"notice without version", "version: 2\n", "version: 2\nprivacy:\n  text: {en: We keep your answers.}\n", 3, `privacy: give the notice a version`},
		{"notice in an undeclared language", "version: 2\n", "version: 2\nprivacy:\n  version: \"2027-01\"\n  text: {en: We keep., de: Wir behalten.}\n", 3, `privacy in undeclared language "de"`},
		{"notice without base text", "version: 2\n", "version: 2\nprivacy:\n  version: \"2027-01\"\n  text: {fr: Nous gardons.}\n", 3, `no privacy in the base language "en"`},
		{"bad yaml", "        waves: [pre]\n        text: {en: Colour}", "        waves: [pre\n        text: {en: Colour}", 0, ``},
		{"wrong type", "version: 2", "version: two", 2, ``},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := string(base)
			if !strings.Contains(src, tt.old) {
				t.Fatalf("test setup: %q not in minimal.yaml", tt.old)
			}
			src = strings.Replace(src, tt.old, tt.new, 1)
			in, probs := survey.Parse("bad.yaml", []byte(src))
			if in != nil || len(probs) == 0 {
				t.Fatalf("no problem reported")
			}
			for _, p := range probs {
				if p.File != "bad.yaml" {
					t.Errorf("problem names file %q", p.File)
				}
				if strings.Contains(p.Message, tt.want) && (tt.line == 0 || p.Line == tt.line) {
					if p.Line == 0 {
						t.Errorf("problem has no line: %v", p)
					}
					return
				}
			}
			t.Errorf("want %q at line %d, got:\n%v", tt.want, tt.line, probs)
		})
	}
}

func TestEveryProblemIsReported(t *testing.T) {
	src := `id: Bad Id
version: 0
languages: [en]
title: {fr: Titre}
waves: [{id: pre, title: {en: Pre}}, {id: pre, title: {en: Again}}]
sections:
  - id: s
    heading: {en: S}
    questions:
      - {id: a, type: likert, scale: nope, waves: [pre], text: {en: A}}
      - {id: b, type: single, waves: [post], text: {en: B}, options: [{code: x, label: {en: X}}]}
`
	_, probs := survey.Parse("many.yaml", []byte(src))
	wants := []string{"instrument id", "version must be", "no title in the base language", "duplicate wave id", "scale \"nope\"", "wave \"post\" is not declared", "at least two options"}
	text := probs.Error()
	for _, w := range wants {
		if !strings.Contains(text, w) {
			t.Errorf("missing problem %q in:\n%s", w, text)
		}
	}
	for _, line := range strings.Split(text, "\n") {
		if !strings.HasPrefix(line, "many.yaml:") {
			t.Errorf("problem not in file:line form: %q", line)
		}
	}
}

func TestLoadPathsReportsDuplicateIDs(t *testing.T) {
	dir := t.TempDir()
	data, _ := os.ReadFile("testdata/minimal.yaml")
	for _, n := range []string{"a.yaml", "b.yml"} {
		if err := os.WriteFile(filepath.Join(dir, n), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ins, probs := survey.LoadPaths(dir)
	if len(ins) != 1 || len(probs) != 1 || !strings.Contains(probs[0].Message, `instrument "minimal" version 2 is also defined in`) {
		t.Fatalf("got %d instruments, problems %v", len(ins), probs)
	}
	if _, probs := survey.LoadPaths(filepath.Join(dir, "missing.yaml")); len(probs) != 1 {
		t.Fatalf("missing file: %v", probs)
	}
}

func TestFromStrings(t *testing.T) {
	in := mustParse(t, "testdata/minimal.yaml")
	tests := []struct {
		name   string
		wave   string
		values map[string][]string
		want   survey.Answers
		errs   map[string]string
	}{
		{"valid", "pre", map[string][]string{"q1": {"4"}, "q2": {" 2 "}, "colour": {"red"}, "areas": {"c", "a", "a"}, "years": {"12"}, "lang": {"fr"}},
			survey.Answers{"q1": 4, "q2": 2, "colour": "red", "areas": []string{"a", "c"}, "years": 12.0}, nil},
		{"required missing", "pre", map[string][]string{"q2": {"3"}}, survey.Answers{"q2": 3}, map[string]string{"q1": survey.ErrRequired}},
		{"likert out of range", "pre", map[string][]string{"q1": {"6"}}, survey.Answers{}, map[string]string{"q1": survey.ErrRange}},
		{"likert not integer", "pre", map[string][]string{"q1": {"3.5"}}, survey.Answers{}, map[string]string{"q1": survey.ErrNotInteger}},
		{"unknown option", "pre", map[string][]string{"q1": {"1"}, "colour": {"green"}}, survey.Answers{"q1": 1}, map[string]string{"colour": survey.ErrUnknownOption}},
		{"two values for single", "pre", map[string][]string{"q1": {"1"}, "colour": {"red", "blue"}}, survey.Answers{"q1": 1}, map[string]string{"colour": survey.ErrOneValue}},
		{"french decimal comma is read", "pre", map[string][]string{"q1": {"1"}, "years": {"2,0"}}, survey.Answers{"q1": 1, "years": 2.0}, nil},
		{"number not integer", "pre", map[string][]string{"q1": {"1"}, "years": {"2,5"}}, survey.Answers{"q1": 1}, map[string]string{"years": survey.ErrNotInteger}},
		{"number out of range", "pre", map[string][]string{"q1": {"1"}, "years": {"61"}}, survey.Answers{"q1": 1}, map[string]string{"years": survey.ErrRange}},
		{"text too long", "post", map[string][]string{"q1": {"1"}, "note": {"éééééééééééé"}}, survey.Answers{"q1": 1}, map[string]string{"note": survey.ErrTooLong}},
		{"text at limit counts characters not bytes", "post", map[string][]string{"q1": {"1"}, "note": {"éééééééééé"}}, survey.Answers{"q1": 1, "note": "éééééééééé"}, nil},
		{"other wave's question ignored in forms", "post", map[string][]string{"q1": {"1"}, "colour": {"red"}}, survey.Answers{"q1": 1}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, errs := in.FromStrings(tt.wave, tt.values)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("answers = %#v, want %#v", got, tt.want)
			}
			if len(errs) != len(tt.errs) {
				t.Errorf("errors = %v, want %v", errs, tt.errs)
			}
			for k, code := range tt.errs {
				if errs[k].Code != code {
					t.Errorf("error for %s = %q, want %q", k, errs[k].Code, code)
				}
			}
		})
	}
}

func TestFromValuesRejectsStructuresAndUnknownKeys(t *testing.T) {
	in := mustParse(t, "testdata/minimal.yaml")
	var raw map[string]any
	dec := json.NewDecoder(strings.NewReader(`{"q1": {"$gt": ""}, "$where": "1", "colour": ["red"], "areas": ["a", {"$ne": 1}], "note": "x", "years": 3}`))
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil {
		t.Fatal(err)
	}
	got, errs := in.FromValues("pre", raw)
	want := map[string]string{"q1": survey.ErrWrongType, "$where": survey.ErrUnknownQuestion, "areas": survey.ErrWrongType, "note": survey.ErrNotAsked}
	for k, code := range want {
		if errs[k].Code != code {
			t.Errorf("%s: error %q, want %q (all: %v)", k, errs[k].Code, code, errs)
		}
	}
	if !reflect.DeepEqual(got, survey.Answers{"colour": "red", "years": 3.0}) {
		t.Errorf("answers = %#v", got)
	}
}

func TestFieldErrorMessagesInFrench(t *testing.T) {
	e := survey.FieldError{Code: survey.ErrRange, Args: []any{1, 5}}
	if got := e.Message("fr"); got != "Saisissez une valeur comprise entre 1 et 5." {
		t.Errorf("fr: %q", got)
	}
	if got := e.Message("pl"); got != "Enter a value from 1 to 5." {
		t.Errorf("unknown language falls back to English: %q", got)
	}
}

func TestPatterns(t *testing.T) {
	tests := []struct {
		pattern, text string
		want          int
	}{
		{"empower*", "Empowerment and EMPOWERING people", 2},
		{"empower*", "disempowered", 0},
		{"évalu*", "une culture de l'evaluation et des évaluations", 2},
		{"pouvoir d'agir", "Le pouvoir d’agir des habitants", 1},
		{"pouvoir d'agir", "le pouvoir de agir", 0},
		{"evidence-based", "evidence based practice", 1},
		{"volunteer*", "volunteers; volunteering.", 2},
		{"corporate partner*", "corporate partnerships", 1},
		{"policy", "policymaker", 0},
	}
	for _, tt := range tests {
		p, err := survey.CompilePattern(tt.pattern)
		if err != nil {
			t.Fatalf("%q: %v", tt.pattern, err)
		}
		if got := p.Count(survey.Tokens(tt.text)); got != tt.want {
			t.Errorf("%q in %q: %d, want %d", tt.pattern, tt.text, got, tt.want)
		}
	}
	for _, bad := range []string{"", "*", "a*b", "**", "!!"} {
		if _, err := survey.CompilePattern(bad); err == nil {
			t.Errorf("pattern %q accepted", bad)
		}
	}
}

// TestDocumentedExampleIsValid keeps the full example in surveys/README.md
// honest: it must pass the same checks as a real definition.
func TestDocumentedExampleIsValid(t *testing.T) {
	doc, err := os.ReadFile("../../surveys/README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(doc), "## A full example")
	if !ok {
		t.Fatal("surveys/README.md has no full example")
	}
	_, block, _ := strings.Cut(after, "```yaml\n")
	block, _, _ = strings.Cut(block, "```")
	in, probs := survey.Parse("surveys/README.md example", []byte(block))
	if len(probs) > 0 {
		t.Fatalf("the documented example is invalid:\n%v", probs)
	}
	if len(in.Questions()) < 5 || in.QuoteConsent == "" {
		t.Errorf("the example should show every kind of element")
	}
}
