package survey_test

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/csci/exchangeeval/internal/survey"
)

func TestConditionSyntaxErrorsSayWhere(t *testing.T) {
	tests := []struct {
		src  string
		at   int
		want string
	}{
		{"", 1, "empty"},
		{"${a} = ", 8, "expected a question, a value or ("},
		{"${a} = 'yes", 8, "not closed"},
		{"${a = 'x'", 1, "not closed with }"},
		{"$a = 'x'", 1, "written ${name}"},
		{"(${a} = 'x'", 12, "expected ) to close the ( at character 1"},
		{"${a} = 'x' ${b} = 'y'", 12, "join conditions with and / or"},
		{"${a} = 1 = 2", 10, "do not chain"},
		{"${a} / 2 > 2", 6, "divide with div"},
		{"${a} * > 2", 8, "expected a question, a value or ("},
		{"${a} ! 'x'", 6, "!="},
		{"foo(${a})", 1, `unknown function or word "foo"`},
		{"pulldata('fruits', 'name', 'key', ${a}) = ''", 1, "pulldata(…) is not supported: it reads a CSV file attached to the form"},
		{"selected(${a})", 1, "selected takes 2 argument(s), not 1"},
		{"not ${a} = 'x'", 5, "not is a function"},
		{"and ${a} = 'x'", 1, "and needs a condition before it"},
		{"${a} = 'x' or", 14, "expected a question"},
		{"${a} = 1.2.3", 8, `"1.2.3" is not a number`},
		{"${} = 'x'", 1, "names no question"},
		{"${a} = ‘yes", 8, "not closed with ‘"},
	}
	for _, tt := range tests {
		_, err := survey.ParseCondition(tt.src)
		e, ok := err.(*survey.ExprError)
		if !ok {
			t.Errorf("%q: want an ExprError, got %v", tt.src, err)
			continue
		}
		if e.At != tt.at || !strings.Contains(e.Msg, tt.want) {
			t.Errorf("%q: got %v, want at character %d: …%s…", tt.src, err, tt.at, tt.want)
		}
	}
}

func TestConditionsHold(t *testing.T) {
	in := mustParse(t, "testdata/conditions.yaml")
	a := survey.Answers{"visited": "yes", "visit_rating": 4, "areas": []string{"youth", "health"}, "years": 3.0, "mentor": "yes", "why_not": "busy"}
	tests := []struct {
		src  string
		want bool
	}{
		{"${visited} = 'yes'", true},
		{"${visited} != 'yes'", false},
		{"${visit_rating} >= 4", true},
		{"${visit_rating} > 4", false},
		{"${visit_rating} = '4'", true}, // a Likert point written as XLSForm choice names are
		{"${years} < 3", false},
		{"${years} <= 3", true},
		{"${years} = 3.0", true},
		{"selected(${areas}, 'youth')", true},
		{"selected(${areas}, 'housing')", false},
		{"selected(${visited}, 'yes')", true},
		{"count-selected(${areas}) = 2", true},
		{"count-selected(${areas}) > 2", false},
		{"not(${visited} = 'yes')", false},
		{"true()", true},
		{"false()", false},
		// and binds tighter than or: true or (false and false).
		{"${visited} = 'yes' or ${years} > 10 and ${mentor} = 'no'", true},
		{"(${visited} = 'yes' or ${years} > 10) and ${mentor} = 'no'", false},
		{"not(${mentor} = 'no') and (${years} > 10 or selected(${areas}, 'health'))", true},
		// Unanswered is the empty text: equal to '', unequal to any code,
		// and every numeric comparison with it is false.
		{"${mentor_count} = ''", true},
		{"${youth_detail} != 'x'", true},
		{"${mentor_count} > 0", false},
		{"${mentor_count} <= 0", false},
		{"${mentor_count} != 0", true},
		{`${why_not} = "busy"`, true},
		// Curly quotes, as 265 of 1 151 conditions in published forms are
		// typed, read as straight ones (as pyxform reads them).
		{"${visited} = ‘yes’", true},
		{"${visited} = ’yes’", true},
		{"selected(${areas}, ‘health’)", true},
		{"${why_not} = “busy”", true},
		{"${why_not} != “busy”", false},
		// Arithmetic and XPath's functions, as real forms write them.
		{"${years} + 2 = 5", true},
		{"${years} * 2 - 1 = 5", true},
		{"${years} div 2 > 1.4", true},
		{"${years} mod 2 = 1", true},
		{"-${years} < 0", true},
		{"${visit_rating} - ${years} = 1", true},
		{"string-length(${why_not}) = 4", true},
		{"string-length(${youth_detail}) = 0", true},
		{"int(${years} div 2) = 1", true},
		{"number('3.5') > ${years}", true},
		{"contains(${why_not}, 'us')", true},
		{"starts-with(${why_not}, 'bus')", true},
		{"starts-with(${why_not}, 'us')", false},
		{"coalesce(${mentor_count}, 7) = 7", true},
		{"if(${visited} = 'yes', ${years}, 0) = 3", true},
		{"if(${visited} = 'no', ${years}, 0) = 3", false},
		{"boolean(${why_not}) and not(boolean(${youth_detail}))", true},
		{"${mentor_count} + 1 > 0", false}, // unanswered is NaN: no comparison holds
		// ODK's functions, with values worked out by hand.
		{"round(2.5) = 3", true},
		{"round(-2.5) = -3", true}, // halves away from zero
		{"round(3.14159, 2) = 3.14", true},
		{"string(${years}) = '3'", true},
		{"concat(${why_not}, '-', ${years}) = 'busy-3'", true},
		{"selected-at(${areas}, 1) = 'health'", true},
		{"selected-at(${areas}, 2) = ''", true},
		{"regex(${why_not}, '^b[a-z]+$')", true},
		{"regex(${why_not}, '^[0-9]+$')", false},
		{"jr:choice-name(${visited}, '${visited}') = 'Yes'", true},
		{"/data/visited = 'yes' and ../years = 3", true},
		// Dates are days from 1 January 1970: 15 March 2024 is day
		// 19 797; 14 March 2027 minus 6 March is 8 days; 18:00 is 0.75
		// of one; noon is half a day.
		{"date(19797) = '2024-03-15'", true},
		{"date('2024-03-15') = '2024-03-15'", true},
		{"'2027-03-14' - '2027-03-06' = 8", true},
		{"'2027-03-14T18:00' - '2027-03-14' = 0.75", true},
		{"'12:00' = 0.5", true},
		{"'2027-03-06' < '2027-03-14'", true},
		{"today() = '2027-03-20'", true},
		{"today() > '2027-03-19' and today() - 1 = date('2027-03-19')", true},
		// now() is 23:00 on the day: 23/24 of a day after today().
		{"now() = '2027-03-20T23:00:00'", true},
		{"round(now() - today(), 4) = 0.9583", true},
		{"decimal-date-time('2027-03-14T18:00') = 20891.75", true},
		{"decimal-date-time('2027-03-21') > decimal-date-time(now())", true},
	}
	survey.Today = func() time.Time { return time.Date(2027, 3, 20, 23, 0, 0, 0, time.UTC) }
	t.Cleanup(func() { survey.Today = time.Now })
	for _, tt := range tests {
		c, err := survey.ParseCondition(tt.src)
		if err != nil {
			t.Fatalf("%q: %v", tt.src, err)
		}
		if probs := c.Check(in); len(probs) > 0 {
			t.Errorf("%q does not check: %v", tt.src, probs)
		}
		if got := c.Holds(a); got != tt.want {
			t.Errorf("%q = %v, want %v", tt.src, got, tt.want)
		}
	}
	c, _ := survey.ParseCondition("count-selected(${areas}) = 0 and not(selected(${areas}, 'youth'))")
	if !c.Holds(survey.Answers{}) {
		t.Error("an unanswered multiple choice has no choice selected")
	}
}

// Conditions are typed against the instrument when it is loaded: each
// mistake is reported with the line of its relevant key.
func TestConditionProblemsInDefinitions(t *testing.T) {
	base, err := os.ReadFile("testdata/conditions.yaml")
	if err != nil {
		t.Fatal(err)
	}
	const rating = "relevant: ${visited} = 'yes'"
	tests := []struct {
		name, old, new string
		line           int
		want           string
	}{
		{"syntax", rating, "relevant: ${visited} = 'yes", 38, "at character 14: the text starting here is not closed"},
		{"unknown question", rating, "relevant: ${visitd} = 'yes'", 38, "${visitd} is not a question of this instrument"},
		{"unknown code", rating, "relevant: ${visited} = 'oui'", 38, "'oui' is not an option of visited (options: yes, no)"},
		{"likert point", "relevant: not(${mentor} = 'no') and ${visit_rating} >= 4", "relevant: ${visit_rating} >= 7", 80, "7 is not a point of its scale"},
		{"number compared with text", rating, "relevant: ${years} = 'many'", 38, "years is a number question: 'many' is not a number"},
		{"order on a choice", rating, "relevant: ${visited} > 'no'", 38, "> compares numbers, but this is a text or a choice"},
		{"multi with =", rating, "relevant: ${areas} = 'youth'", 38, "tested with selected"},
		{"forward reference", rating, "relevant: ${years} > 2", 38, "${years} comes after it"},
		{"itself", rating, "relevant: ${visit_rating} > 2", 38, "is the question itself"},
		{"not asked in the wave", "        waves: [pre, post]\n        required: true\n        text: {en: Did you", "        waves: [pre]\n        required: true\n        text: {en: Did you", 38, "${visited} is not asked in wave post, where the question is"},
		{"bare question", rating, "relevant: ${visited}", 38, "not a test"},
		{"and on a value", rating, "relevant: ${visited} = 'yes' and ${years}", 38, "and joins conditions, but this is a number"},
		{"count-selected on single", rating, "relevant: count-selected(${visited}) > 0", 38, "visited is not a multiple choice question"},
		{"selected without code", rating, "relevant: selected(${areas}, ${visited})", 38, "selected takes a question and a quoted code"},
		{"section forward", "relevant: ${years} >= 10 or", "relevant: ${mentor} = 'yes' or", 67, "${mentor} comes after it"},
		{"not on a value", rating, "relevant: not(${years})", 38, "not(…) takes a condition, not a number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := string(base)
			if !strings.Contains(src, tt.old) {
				t.Fatalf("test setup: %q not in conditions.yaml", tt.old)
			}
			in, probs := survey.Parse("c.yaml", []byte(strings.Replace(src, tt.old, tt.new, 1)))
			if in != nil {
				t.Fatal("no problem reported")
			}
			for _, p := range probs {
				if strings.Contains(p.Message, tt.want) && p.Line == tt.line {
					return
				}
			}
			t.Errorf("want %q at line %d, got:\n%v", tt.want, tt.line, probs)
		})
	}
}

func TestNotApplicableFollowsEarlierAnswers(t *testing.T) {
	in := mustParse(t, "testdata/conditions.yaml")
	tests := []struct {
		name    string
		answers survey.Answers
		want    []string
	}{
		{"nothing answered", survey.Answers{},
			[]string{"visit_rating", "why_not", "youth_detail", "mentor", "mentor_count"}},
		{"visited, few years", survey.Answers{"visited": "yes", "years": 2.0},
			[]string{"why_not", "youth_detail", "mentor", "mentor_count"}},
		{"did not visit, senior", survey.Answers{"visited": "no", "years": 12.0, "mentor": "yes"},
			// mentor_count reads visit_rating, which does not apply, so is empty.
			[]string{"visit_rating", "youth_detail", "mentor_count"}},
		{"two areas open the section", survey.Answers{"visited": "yes", "visit_rating": 5, "areas": []string{"youth", "housing"}, "mentor": "yes"},
			[]string{"why_not"}},
		// An answer to a question that does not apply is no answer for
		// the conditions after it: visit_rating is dropped, so
		// mentor_count does not apply either.
		{"answer to an inapplicable question", survey.Answers{"visited": "no", "visit_rating": 5, "years": 20.0, "mentor": "yes"},
			[]string{"visit_rating", "youth_detail", "mentor_count"}},
	}
	for _, tt := range tests {
		got := in.NotApplicable("pre", tt.answers)
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: not applicable %v, want %v", tt.name, got, tt.want)
		}
	}
}

// The server decides: answers sent for questions that do not apply are
// dropped, wrong or not, and their required flag does not hold.
func TestFromStringsDropsInapplicableAnswers(t *testing.T) {
	in := mustParse(t, "testdata/conditions.yaml")
	answers, errs := in.FromStrings("post", map[string][]string{
		"visited":      {"no"},
		"visit_rating": {"9"}, // out of range, but the question does not apply
		"why_not":      {"no time"},
		"youth_detail": {"youth clubs"},
		"years":        {"3"},
		"mentor":       {""}, // required, but the section does not apply
	})
	if len(errs) > 0 {
		t.Fatalf("errors for questions that do not apply: %v", errs)
	}
	want := survey.Answers{"visited": "no", "why_not": "no time", "years": 3.0}
	if !answers.Equal(want) {
		t.Errorf("answers %v, want %v", answers, want)
	}

	// The same question applies once visited is yes: now it must be right.
	_, errs = in.FromStrings("post", map[string][]string{"visited": {"yes"}, "visit_rating": {"9"}})
	if errs["visit_rating"].Code != survey.ErrRange {
		t.Errorf("an applicable out-of-range answer: errors %v", errs)
	}
	_, errs = in.FromStrings("post", map[string][]string{"visited": {"yes"}})
	if errs["visit_rating"].Code != survey.ErrRequired {
		t.Errorf("an applicable required question left out: errors %v", errs)
	}
	// Through JSON as well.
	answers, errs = in.FromValues("pre", map[string]any{"visited": "no", "visit_rating": 3, "years": 4})
	if len(errs) > 0 || answers["visit_rating"] != nil || answers["years"] != 4.0 {
		t.Errorf("FromValues: answers %v errors %v", answers, errs)
	}
}

// Without the questionnaire's script every question shows, and a
// conditional one says in words when to answer it.
func TestConditionsInWords(t *testing.T) {
	in := mustParse(t, "testdata/conditions.yaml")
	tests := []struct {
		id, lang, want string
	}{
		{"visit_rating", "en", "Only if you answered “Yes” to “Did you visit a host agency?”."},
		{"visit_rating", "fr", "Seulement si vous avez répondu « Oui » à « Avez-vous visité une structure d'accueil ? »."},
		{"why_not", "en", "Only if you did not answer “Yes” to “Did you visit a host agency?” and you answered “Did you visit a host agency?”."},
		{"youth_detail", "en", "Only if you chose “Youth” in “Areas”."},
		{"youth_detail", "fr", "Seulement si vous avez choisi « Jeunesse » à « Domaines »."},
		{"mentor", "en", "Only if your answer to “Years in practice” is at least 10 or you chose more than 1 answers in “Areas”."},
		{"mentor_count", "en", "Only if (your answer to “Years in practice” is at least 10 or you chose more than 1 answers in “Areas”) and it is not the case that you answered “No” to “Do you mentor colleagues?” and your answer to “The visit was useful.” is at least 4 (“A”)."},
		{"mentor_count", "fr", "Seulement si (votre réponse à « Années d'exercice » est au moins 10 ou vous avez choisi plus de 1 réponses à « Domaines ») et il n'est pas vrai que vous avez répondu « Non » à « Encadrez-vous des collègues ? » et votre réponse à « La visite a été utile. » est au moins 4 (« A »)."},
		{"visited", "en", ""},
	}
	for _, tt := range tests {
		if got := in.Question(tt.id).DescribeConditions(in, tt.lang); got != tt.want {
			t.Errorf("%s in %s:\n got %s\nwant %s", tt.id, tt.lang, got, tt.want)
		}
	}
}

// A definition whose anchors and aliases expand exponentially ("billion
// laughs") is refused before anything is expanded.
func TestYAMLBombIsRefused(t *testing.T) {
	src := "id: bomb\nversion: 1\nlanguages: [en]\ntitle: {en: Bomb}\nwaves: [{id: pre, title: {en: Pre}}]\nthemes:\n  - id: t\n    label: {en: T}\n    patterns:\n      en: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
	for i := 1; i <= 9; i++ {
		src += fmt.Sprintf("      x%d: &a%d [", i, i)
		for j := range 10 {
			if j > 0 {
				src += ", "
			}
			src += fmt.Sprintf("*a%d", i-1)
		}
		src += "]\n"
	}
	src += "sections: [{id: s, heading: {en: S}, questions: [{id: q, type: text, waves: [pre], text: {en: Q}}]}]\n"
	in, probs := survey.Parse("bomb.yaml", []byte(src))
	if in != nil || len(probs) != 1 || !strings.Contains(probs[0].Message, "anchors and aliases") {
		t.Errorf("got %v", probs)
	}
}

// TestConditionLimits: a condition nested past MaxConditionDepth, or longer
// than MaxConditionLength, is refused with a message — never parsed into a
// recursion that overflows the stack (440 000 parentheses ended the
// process before).
func TestConditionLimits(t *testing.T) {
	for _, tc := range []struct{ name, src, want string }{
		{"440 000 parentheses", strings.Repeat("(", 440_000) + "true()" + strings.Repeat(")", 440_000), "at most 4000"},
		{"33 parentheses", strings.Repeat("(", 33) + "true()" + strings.Repeat(")", 33), "nested more than 32 deep"},
		{"33 calls", strings.Repeat("not(", 33) + "true()" + strings.Repeat(")", 33), "nested more than 32 deep"},
	} {
		if _, err := survey.ParseCondition(tc.src); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
	if _, err := survey.ParseCondition(strings.Repeat("(", 30) + "true()" + strings.Repeat(")", 30)); err != nil {
		t.Errorf("30 levels are fine: %v", err)
	}
}
