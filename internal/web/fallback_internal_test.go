package web

import (
	"bytes"
	"html/template"
	"strings"
	"testing"

	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/survey"
)

// partlyTranslated has Spanish texts for some of its words only: the rest
// falls back to English, the base language.
const partlyTranslated = `id: partly
version: 1
languages: [en, es]
title: {en: Partly, es: En parte}
waves:
  - id: pre
    title: {en: Before, es: Antes}
scales:
  agree5:
    points: 5
    labels:
      en: [SD, D, N, A, SA]
sections:
  - id: s
    heading: {en: About you}
    questions:
      - id: q1
        type: likert
        scale: agree5
        waves: [pre]
        text: {en: Item one, es: Ítem uno}
      - id: q2
        type: single
        waves: [pre]
        text: {en: Colour}
        help: {en: Pick one., es: Elija una.}
        options:
          - {code: red, label: {en: Red, es: Rojo}}
          - {code: blue, label: {en: Blue}}
`

// TestWordsThatFellBackCarryTheirLanguage: on a Spanish delegate's page,
// what the instrument has in Spanish is plain, and what fell back to
// English carries lang="en" — so a screen reader reads it with an English
// voice — on its element: headings, questions, options, scale points; on
// an Arabic page it also keeps its own direction.
func TestWordsThatFellBackCarryTheirLanguage(t *testing.T) {
	in, probs := survey.Parse("partly.yaml", []byte(partlyTranslated))
	if probs != nil {
		t.Fatal(probs)
	}
	x := &exchange.Exchange{ID: "x", Name: "X", Instrument: "partly", InstrumentVersion: 1, Waves: map[string]exchange.WaveState{}}
	p := buildQuestionnaire(in, x, "pre", "es", nil, nil)
	s := p.Sections[0]
	q1, q2 := s.Questions[0], s.Questions[1]
	for name, c := range map[string]struct {
		got  template.HTML
		want string
	}{
		"wave title":    {p.WaveTitle, "Antes"},
		"heading":       {s.Heading, `<span lang="en">About you</span>`},
		"question":      {q1.Text, "Ítem uno"},
		"question (en)": {q2.Text, `<span lang="en">Colour</span>`},
		"help":          {q2.Help, "Elija una."},
	} {
		if string(c.got) != c.want {
			t.Errorf("%s: %q, want %q", name, c.got, c.want)
		}
	}
	if q1.Options[0].Lang != "en" || q2.Options[0].Lang != "" || q2.Options[1].Lang != "en" {
		t.Errorf("options' languages: scale %q, red %q, blue %q", q1.Options[0].Lang, q2.Options[0].Lang, q2.Options[1].Lang)
	}
	// The template puts the option's language on its element.
	tmpl := template.Must(template.New("t").Parse(`{{range .}}<span{{with .Lang}} lang="{{.}}"{{end}}>{{.Label}}</span>{{end}}`))
	var b bytes.Buffer
	if err := tmpl.Execute(&b, q2.Options); err != nil || b.String() != `<span>Rojo</span><span lang="en">Blue</span>` {
		t.Errorf("options rendered: %s %v", b.String(), err)
	}
	// Right to left: English keeps left to right inside an Arabic page;
	// markup in a text is escaped, never taken as HTML.
	if got := inPage(survey.Text{"en": "<b>Colour</b>"}, "ar", "en"); got != `<span lang="en" dir="ltr">&lt;b&gt;Colour&lt;/b&gt;</span>` {
		t.Errorf("on an Arabic page: %s", got)
	}
	if got := inPage(survey.Text{"en": "Colour"}, "en", "en"); strings.Contains(string(got), "<span") {
		t.Errorf("an English text on an English page is marked: %s", got)
	}
}
