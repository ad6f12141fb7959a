package web_test

import (
	"context"
	"os/exec"
	"slices"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/survey"
)

// choiceFilterInstrument has cascading choices of each kind the page
// shows: radio buttons (country, best), a drop-down of ten towns, and
// check boxes.
const choiceFilterInstrument = `id: cascading
version: 1
languages: [en]
title: {en: Cascading}
waves: [{id: pre, title: {en: Before}}]
sections:
  - id: s
    heading: {en: Where}
    questions:
      - id: country
        type: single
        waves: [pre]
        text: {en: Country}
        options: [{code: france, label: {en: France}}, {code: germany, label: {en: Germany}}, {code: mexico, label: {en: Mexico}}]
      - id: town
        type: single
        waves: [pre]
        text: {en: Town}
        choice_filter: country = ${country}
        options:
          - {code: paris, label: {en: Paris}, fields: {country: france}}
          - {code: lyon, label: {en: Lyon}, fields: {country: france}}
          - {code: lille, label: {en: Lille}, fields: {country: france}}
          - {code: hamburg, label: {en: Hamburg}, fields: {country: germany}}
          - {code: berlin, label: {en: Berlin}, fields: {country: germany}}
          - {code: munich, label: {en: Munich}, fields: {country: germany}}
          - {code: mexico_city, label: {en: Mexico City}, fields: {country: mexico}}
          - {code: puebla, label: {en: Puebla}, fields: {country: mexico}}
          - {code: oaxaca, label: {en: Oaxaca}, fields: {country: mexico}}
          - {code: merida, label: {en: Mérida}, fields: {country: mexico}}
      - id: visited
        type: multi
        waves: [pre]
        text: {en: Visited}
        choice_filter: country = ${country} or name = 'paris'
        options:
          - {code: paris, label: {en: Paris}, fields: {country: france}}
          - {code: lyon, label: {en: Lyon}, fields: {country: france}}
          - {code: hamburg, label: {en: Hamburg}, fields: {country: germany}}
      - id: best
        type: single
        waves: [pre]
        text: {en: Best}
        choice_filter: selected(${visited}, name)
        options:
          - {code: paris, label: {en: Paris}}
          - {code: lyon, label: {en: Lyon}}
          - {code: hamburg, label: {en: Hamburg}}
`

// TestBrowserSiftsChoicesAsTheServerDoes: as a delegate answers, each
// filtered question shows exactly the options the server offers for the
// answers before it; a choice that no longer goes with them is cleared,
// so what is sent is taken.
func TestBrowserSiftsChoicesAsTheServerDoes(t *testing.T) {
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("chromium not installed: apt-get install chromium to run the browser test")
	}
	s, in := siteWithInstrument(t, "cascading.yaml", []byte(choiceFilterInstrument))
	x, imp := openQuestionnaire(t, s, s.set, exchange.NewExchange{ID: "cascade-2027", Name: "Cascading", Instrument: "cascading",
		HostCity: "Chicago", VisitingCity: "Paris", Start: "2027-01-01", End: "2027-01-07"},
		exchange.ParticipantRow{Name: "A", Email: "a@example.org", City: "Paris", Role: "academic", Language: "en", Side: "visiting"})
	b := newBrowser(t, chromium)
	if err := chromedp.Run(b, chromedp.Navigate(s.srv.URL+"/s/"+imp.Participants[0].Token),
		chromedp.WaitVisible(`form button[type=submit]`, chromedp.ByQuery)); err != nil {
		t.Fatal(err)
	}
	// shown lists the options of each filtered question the page shows,
	// and what is chosen.
	shown := func() (map[string][]string, survey.Answers) {
		var page struct {
			Shown  map[string][]string
			Chosen map[string][]string
		}
		err := chromedp.Run(b, chromedp.Evaluate(`(function () {
			var shown = {}, chosen = {};
			document.querySelectorAll("[data-filter]").forEach(function (el) {
				var id = el.closest(".question").id.slice(2);
				shown[id] = [];
				el.querySelectorAll("[data-fields]").forEach(function (item) {
					var input = item.tagName === "OPTION" ? item : item.querySelector("input");
					if (!item.hidden) shown[id].push(input.value);
				});
			});
			new FormData(document.querySelector("form[data-progress]")).forEach(function (v, k) {
				if (v !== "") (chosen[k] = chosen[k] || []).push(v);
			});
			return {Shown: shown, Chosen: chosen};
		})()`, &page))
		if err != nil {
			t.Fatal(err)
		}
		a, _ := in.FromStrings("pre", page.Chosen)
		return page.Shown, a
	}
	check := func(step string) survey.Answers {
		got, answers := shown()
		for _, id := range []string{"town", "visited", "best"} {
			q := in.Question(id)
			var want []string
			for _, o := range q.Options {
				if q.Offers(o, answers) {
					want = append(want, o.Code)
				}
			}
			if !slices.Equal(got[id], want) {
				t.Errorf("%s: %s shows %v, the server offers %v", step, id, got[id], want)
			}
		}
		return answers
	}
	pick := func(actions ...chromedp.Action) {
		if err := chromedp.Run(b, actions...); err != nil {
			t.Fatal(err)
		}
	}
	check("nothing answered")
	pick(chromedp.Click("#country-france", chromedp.ByQuery))
	check("France")
	pick(chromedp.SetValue("#in-town", "lyon", chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelector("#in-town").dispatchEvent(new Event("input", {bubbles: true}))`, nil),
		chromedp.Click("#visited-paris", chromedp.ByQuery), chromedp.Click("#visited-lyon", chromedp.ByQuery),
		chromedp.Click("#best-lyon", chromedp.ByQuery))
	if a := check("Lyon, Paris and Lyon visited, Lyon best"); a["town"] != "lyon" || a["best"] != "lyon" {
		t.Errorf("the choices made: %v", a)
	}
	shotTo(t, b, "cascading-france.png")
	// Another country: Lyon is no town of Germany's, nor a visit it
	// offers, so it is cleared from both, and from the best.
	pick(chromedp.Click("#country-germany", chromedp.ByQuery))
	a := check("Germany")
	if a["town"] != nil || !slices.Equal(a["visited"].([]string), []string{"paris"}) || a["best"] != nil {
		t.Errorf("after changing the country: %v", a)
	}
	pick(chromedp.SetValue("#in-town", "hamburg", chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelector("#in-town").dispatchEvent(new Event("input", {bubbles: true}))`, nil),
		chromedp.Click("#best-paris", chromedp.ByQuery))
	check("Hamburg")
	pick(chromedp.Click(`form button[type=submit]`, chromedp.ByQuery), chromedp.WaitVisible(`main a[href*="wave=pre"]`, chromedp.ByQuery))
	r, err := s.store.Response(context.Background(), x.ID, imp.Participants[0].PID, "pre")
	if err != nil || r.Answers["country"] != "germany" || r.Answers["town"] != "hamburg" || r.Answers["best"] != "paris" {
		t.Errorf("stored: %v %+v", err, r)
	}
}
