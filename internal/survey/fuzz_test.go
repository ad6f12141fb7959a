package survey_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/csci/exchangeeval/internal/survey"
)

// The fuzz targets of the definition readers. `go test` runs their seeds
// (the shipped instruments and the fixtures, and every input that once
// crashed, kept in testdata/fuzz); to search for longer, run one target:
//
//	go test ./internal/survey -run '^$' -fuzz '^FuzzParse$' -fuzztime 5m -fuzzminimizetime 1s
//	go test ./internal/survey -run '^$' -fuzz '^FuzzParseCondition$' -fuzztime 5m -fuzzminimizetime 1s
//	go test ./internal/survey -run '^$' -fuzz '^FuzzAnswers$' -fuzztime 5m -fuzzminimizetime 1s
//
// (without -fuzzminimizetime, minimising a new input of a few kilobytes
// can hold a worker for minutes)

// definitionSeeds are the YAML definitions the project has.
func definitionSeeds(f *testing.F) [][]byte {
	var seeds [][]byte
	for _, pattern := range []string{"../../surveys/*.yaml", "testdata/*.yaml", "testdata/versions/*.yaml", "../analysis/testdata/*.yaml", "../statfiles/testdata/*.yaml", "testdata/crashes/*.yaml"} {
		paths, _ := filepath.Glob(pattern)
		for _, p := range paths {
			data, err := os.ReadFile(p)
			if err != nil {
				f.Fatal(err)
			}
			seeds = append(seeds, data)
		}
	}
	if len(seeds) < 5 {
		f.Fatalf("only %d definitions to seed from", len(seeds))
	}
	return seeds
}

// FuzzParse: any text given as a definition is parsed or refused with
// problems that name a line — never a panic, and an instrument returned
// only without problems.
func FuzzParse(f *testing.F) {
	for _, s := range definitionSeeds(f) {
		if len(s) < 4000 {
			f.Add(s)
		}
	}
	f.Add([]byte("waves:\n  -\n"))
	if minimal, err := os.ReadFile("testdata/minimal.yaml"); err == nil {
		f.Add([]byte(strings.Replace(string(minimal), "version: 2\n", "version: 2\nprivacy:\n  version: \"2027-01\"\n  text: {en: We keep your answers., fr: Nous gardons vos réponses.}\n", 1)))
	}
	f.Add([]byte("id: x\ntitle: " + strings.Repeat("[", 100) + "\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		in, probs := survey.Parse("fuzz.yaml", data)
		if (in == nil) == (len(probs) == 0) {
			t.Fatalf("instrument %v with %d problem(s)", in != nil, len(probs))
		}
		if len(probs) > survey.MaxProblems+1 {
			t.Fatalf("%d problems listed", len(probs))
		}
		if in != nil {
			// What parses can be written canonically and read back.
			c, err := in.Canonical()
			if err != nil {
				t.Fatalf("canonical: %v", err)
			}
			if _, probs := survey.Parse("canonical.yaml", c); probs != nil {
				t.Fatalf("the canonical form does not parse: %v\n%s", probs, c)
			}
		}
	})
}

// FuzzParseCondition: any condition is parsed or refused with a position
// inside it; what parses is evaluated on no answers without a panic.
func FuzzParseCondition(f *testing.F) {
	for _, s := range definitionSeeds(f) {
		for _, line := range strings.Split(string(s), "\n") {
			if _, cond, ok := strings.Cut(line, "relevant: "); ok {
				f.Add(strings.TrimSpace(cond))
			}
		}
	}
	for _, s := range []string{"${a} = 'yes' and not(${b} != 2) or selected(${c}, 'x')", "count-selected(${m}) >= 2", "((true()))", "${a} < 'x", "(" + strings.Repeat("not(", 40), "${a} + -${b} * 2 div 3 mod 4 > if(${c} = ‘x’, coalesce(${d}, 1), string-length(${e}))",
		strings.Repeat("-", 50) + "1 > 0", "contains(${a}, “b”) and starts-with(int(${x}), '1')",
		". >= ${a} and regex(., '^[0-9]{5}$')", "round(${b} div 3, 2) = date(today()) - 1", "concat(/data/g/a, ../c) != jr:choice-name(${c}, '${c}')",
		"selected-at(${c}, 0) = string(${d})", "${a} - '2027-03-06T12:00' > '12:00'", "date(1e300) = ''",
		"country = ${a} and selected(${c}, name)", "name != 'x' or state-code >= 2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		c, err := survey.ParseCondition(src)
		if err != nil {
			var e *survey.ExprError
			if !asExprError(err, &e) || e.At < 1 || e.At > len([]rune(src))+1 {
				t.Fatalf("%q: error %v without a position inside it", src, err)
			}
			return
		}
		_ = c.Holds(survey.Answers{})
		_ = c.Holds(survey.Answers{"a": "1", "b": 2.5, "c": []string{"x"}, "d": 3, "e": "é"})
		_ = c.Holds(survey.Answers{"a": "2027-03-14", "b": "12:30", "c": "x", "d": "2027-03-14T09:00"})
		_ = c.References()
	})
}

func asExprError(err error, target **survey.ExprError) bool {
	e, ok := err.(*survey.ExprError)
	if ok {
		*target = e
	}
	return ok
}

// FuzzAnswers: any values sent for the shipped instrument's questions —
// as a form sends them and as JSON decodes them — are taken or refused
// question by question, never with a panic; what is taken passes the same
// check again.
func FuzzAnswers(f *testing.F) {
	set, probs := survey.LoadPaths("../../surveys/csci-social-services.yaml")
	if probs != nil {
		f.Fatal(probs)
	}
	in := set[0]
	for _, q := range in.Questions() {
		f.Add(q.ID, "3", "pre")
		f.Add(q.ID, "yes", "post")
	}
	f.Add("practice_areas", "youth\x00", "pre")
	f.Add("expectations", strings.Repeat("é", 3000), "pre")
	f.Fuzz(func(t *testing.T, id, value, wave string) {
		answers, errs := in.FromStrings(wave, map[string][]string{id: {value}, "practice_areas": {value, value}})
		for qid := range errs {
			if _, ok := answers[qid]; ok {
				t.Fatalf("%s both taken and refused", qid)
			}
		}
		raw := map[string]any{id: value}
		for k, v := range answers {
			raw[k] = v
		}
		if _, errs := in.FromValues(wave, raw); errs == nil {
			return
		}
		_, _ = in.FromValues(wave, map[string]any{id: []any{value, 1.5, nil, map[string]any{}}})
	})
}

// TestCrashesFoundByFuzzing: each input that once crashed Parse is now a
// definition with problems.
func TestCrashesFoundByFuzzing(t *testing.T) {
	paths, _ := filepath.Glob("testdata/crashes/*.yaml")
	if len(paths) < 3 {
		t.Fatalf("%d crashes kept", len(paths))
	}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if in, probs := survey.Parse(p, data); in != nil || len(probs) == 0 {
			t.Errorf("%s: parsed without problems", p)
		}
	}
}
