package web_test

import (
	"fmt"
	"math/rand/v2"
	"os/exec"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/survey"
)

// expressionConditions are conditions as published forms write them —
// arithmetic, XPath's functions — each on a question of its own.
var expressionConditions = []string{
	"${years} + 2 = 5", "${years} * 2 - 1 > 4", "${years} div 2 > 1.4", "${years} mod 2 = 1", "-${years} < -2",
	"string-length(${why}) > 3", "int(${years} div 2) = 1", "number('3.5') > ${years}", "contains(${why}, 'us')",
	"starts-with(${why}, 'bus')", "coalesce(${why}, 'none') = 'none'", "if(${visited} = 'yes', ${years}, 0) >= 3",
	"boolean(${why}) and count-selected(${areas}) = 2", "${visited} = ‘yes’",
	// Dates, calculations and ODK's functions.
	"${stay} > 3", "${arrived} < '2027-03-10'", "${left} - ${arrived} = 2", "round(${years} div 3, 1) = 0.5",
	"concat(${why}, '!') = 'busy!'", "selected-at(${areas}, 1) = 'health'", "regex(${why}, '^b')",
	"date(${arrived}) = '2027-03-06'", "${label} = 'Yes'", "today() > '2020-01-01'", "/data/years > 2", "../why != ''",
	"string(${stay}) = '2'", "${hours} >= '12:00'", "now() > today()", "decimal-date-time(${arrived}) < decimal-date-time(now())",
}

func expressionsInstrument() string {
	var b strings.Builder
	b.WriteString(`id: expressions
version: 1
languages: [en]
title: {en: Expressions}
waves: [{id: pre, title: {en: Before}}]
sections:
  - id: s
    heading: {en: Answers}
    questions:
      - {id: years, type: number, waves: [pre], text: {en: Years}}
      - {id: why, type: text, waves: [pre], text: {en: Why}}
      - {id: visited, type: single, waves: [pre], text: {en: Visited}, options: [{code: "yes", label: {en: "Yes"}}, {code: "no", label: {en: "No"}}]}
      - {id: areas, type: multi, waves: [pre], text: {en: Areas}, options: [{code: youth, label: {en: Youth}}, {code: health, label: {en: Health}}]}
      - {id: arrived, type: date, waves: [pre], text: {en: Arrived}}
      - {id: left, type: date, waves: [pre], text: {en: Left}}
      - {id: hours, type: time, waves: [pre], text: {en: Hour}}
      - {id: stay, type: calculate, waves: [pre], calculation: "${left} - ${arrived}"}
      - {id: label, type: calculate, waves: [pre], calculation: "jr:choice-name(${visited}, '${visited}')"}
      - {id: shows, type: note, waves: [pre], text: {en: "Stayed ${stay} days; areas ${areas}; ${ label }."}}
`)
	for i, c := range expressionConditions {
		fmt.Fprintf(&b, "      - {id: c%d, type: text, waves: [pre], text: {en: C%d}, relevant: %q}\n", i, i, c)
	}
	return b.String()
}

// TestBrowserEvaluatesExpressionsAsTheServerDoes: for sets of answers —
// chosen, and drawn at random — typed into the questionnaire in Chromium, each conditional
// question is shown exactly when the server's evaluation of its
// condition holds — the page's script and the server read arithmetic,
// functions, dates, calculations, paths and curly quotes alike.
func TestBrowserEvaluatesExpressionsAsTheServerDoes(t *testing.T) {
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("chromium not installed: apt-get install chromium to run the browser test")
	}
	s, in := siteWithInstrument(t, "expressions.yaml", []byte(expressionsInstrument()))
	_, imp := openQuestionnaire(t, s, s.set, exchange.NewExchange{ID: "expr-2027", Name: "Expressions", Instrument: "expressions",
		HostCity: "Chicago", VisitingCity: "Paris", Start: "2027-01-01", End: "2027-01-07"},
		exchange.ParticipantRow{Name: "A", Email: "a@example.org", City: "Paris", Role: "academic", Language: "en", Side: "visiting"})
	b := newBrowser(t, chromium)
	type answers struct {
		years, why, visited, arrived, left, hours string
		areas                                     []string
	}
	cases := []answers{
		{"3", "busy", "yes", "2027-03-06", "2027-03-08", "09:30", []string{"youth", "health"}},
		{"4", "", "no", "2027-03-12", "2027-03-20", "", nil},
		{"", "us", "", "", "2027-03-08", "14:00", []string{"youth"}},
		{"1.5", "a bus", "yes", "2027-03-06", "", "12:00", []string{"health"}},
	}
	// And random ones, the same on every run.
	pick := func(r *rand.Rand, xs ...string) string { return xs[r.IntN(len(xs))] }
	r := rand.New(rand.NewPCG(23, 2027))
	for range 8 {
		tc := answers{pick(r, "", "0", "1.5", "3", "4", "7"), pick(r, "", "busy", "us", "a bus", "b"), pick(r, "", "yes", "no"),
			pick(r, "", "2027-03-06", "2027-03-12"), pick(r, "", "2027-03-08", "2027-03-20"), pick(r, "", "08:15", "12:00", "17:45"), nil}
		for _, a := range []string{"youth", "health"} {
			if r.IntN(2) == 0 {
				tc.areas = append(tc.areas, a)
			}
		}
		cases = append(cases, tc)
	}
	for _, tc := range cases {
		actions := []chromedp.Action{
			chromedp.Navigate(s.srv.URL + "/s/" + imp.Participants[0].Token),
			chromedp.WaitVisible(`form button[type=submit]`, chromedp.ByQuery),
		}
		if tc.years != "" {
			actions = append(actions, chromedp.SendKeys("#in-years", tc.years, chromedp.ByQuery))
		}
		if tc.why != "" {
			actions = append(actions, chromedp.SendKeys("#in-why", tc.why, chromedp.ByQuery))
		}
		if tc.visited != "" {
			actions = append(actions, chromedp.Click("#visited-"+tc.visited, chromedp.ByQuery))
		}
		for _, a := range tc.areas {
			actions = append(actions, chromedp.Click("#areas-"+a, chromedp.ByQuery))
		}
		// A date picker takes typing in the browser's own format; its
		// value is ISO 8601 whatever it shows, so it is set as such.
		for id, v := range map[string]string{"arrived": tc.arrived, "left": tc.left, "hours": tc.hours} {
			if v != "" {
				actions = append(actions, chromedp.Evaluate(fmt.Sprintf(`(function(e){e.value=%q; e.dispatchEvent(new Event("input", {bubbles: true}))})(document.querySelector("#in-%s"))`, v, id), nil))
			}
		}
		var note string
		actions = append(actions, chromedp.Text("#q-shows", &note, chromedp.ByQuery))
		shown := make([]bool, len(expressionConditions))
		for i := range expressionConditions {
			actions = append(actions, chromedp.Evaluate(fmt.Sprintf(`document.querySelector('#q-c%d').checkVisibility()`, i), &shown[i]))
		}
		if err := chromedp.Run(b, actions...); err != nil {
			t.Fatal(err)
		}
		values := map[string][]string{"areas": tc.areas}
		for k, v := range map[string]string{"years": tc.years, "why": tc.why, "visited": tc.visited, "arrived": tc.arrived, "left": tc.left, "hours": tc.hours} {
			if v != "" {
				values[k] = []string{v}
			}
		}
		answers, _ := in.FromStrings("pre", values)
		if want := "Stayed " + survey.AnswerText(answers["stay"]) + " days; areas " + survey.AnswerText(answers["areas"]) + "; " + survey.AnswerText(answers["label"]) + "."; note != strings.Join(strings.Fields(want), " ") {
			t.Errorf("answers %+v: the note reads %q in Chromium, %q on the server", tc, note, want)
		}
		for i, src := range expressionConditions {
			if want := in.Question(fmt.Sprintf("c%d", i)).Condition().Holds(answers); shown[i] != want {
				t.Errorf("answers %+v: %q shown %v in Chromium, holds %v on the server", tc, src, shown[i], want)
			}
		}
	}
}
