package web_test

import (
	"fmt"
	"os/exec"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/csci/exchangeeval/internal/exchange"
)

// expressionConditions are conditions as published forms write them —
// arithmetic, XPath's functions — each on a question of its own.
var expressionConditions = []string{
	"${years} + 2 = 5", "${years} * 2 - 1 > 4", "${years} div 2 > 1.4", "${years} mod 2 = 1", "-${years} < -2",
	"string-length(${why}) > 3", "int(${years} div 2) = 1", "number('3.5') > ${years}", "contains(${why}, 'us')",
	"starts-with(${why}, 'bus')", "coalesce(${why}, 'none') = 'none'", "if(${visited} = 'yes', ${years}, 0) >= 3",
	"boolean(${why}) and count-selected(${areas}) = 2", "${visited} = ‘yes’",
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
`)
	for i, c := range expressionConditions {
		fmt.Fprintf(&b, "      - {id: c%d, type: text, waves: [pre], text: {en: C%d}, relevant: %q}\n", i, i, c)
	}
	return b.String()
}

// TestBrowserEvaluatesExpressionsAsTheServerDoes: for several sets of
// answers typed into the questionnaire in Chromium, each conditional
// question is shown exactly when the server's evaluation of its
// condition holds — the page's script and the server read arithmetic,
// functions and curly quotes alike.
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
	for _, tc := range []struct {
		years, why, visited string
		areas               []string
	}{
		{"3", "busy", "yes", []string{"youth", "health"}},
		{"4", "", "no", nil},
		{"", "us", "", []string{"youth"}},
		{"1.5", "a bus", "yes", []string{"health"}},
	} {
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
		shown := make([]bool, len(expressionConditions))
		for i := range expressionConditions {
			actions = append(actions, chromedp.Evaluate(fmt.Sprintf(`document.querySelector('#q-c%d').checkVisibility()`, i), &shown[i]))
		}
		if err := chromedp.Run(b, actions...); err != nil {
			t.Fatal(err)
		}
		values := map[string][]string{"areas": tc.areas}
		for k, v := range map[string]string{"years": tc.years, "why": tc.why, "visited": tc.visited} {
			if v != "" {
				values[k] = []string{v}
			}
		}
		answers, _ := in.FromStrings("pre", values)
		for i, src := range expressionConditions {
			if want := in.Question(fmt.Sprintf("c%d", i)).Condition().Holds(answers); shown[i] != want {
				t.Errorf("answers %+v: %q shown %v in Chromium, holds %v on the server", tc, src, shown[i], want)
			}
		}
	}
}
