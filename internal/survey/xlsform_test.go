package survey_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/csci/exchangeeval/internal/survey"
)

// Exported as XLSForm sheets and read back, an instrument is the same: the
// same canonical YAML, so the same hash.
func TestXLSFormRoundTripKeepsTheInstrument(t *testing.T) {
	for _, path := range []string{"../../surveys/csci-social-services.yaml", "../../surveys/csci-social-services-v1.yaml", "../../surveys/csci-social-services-v2.yaml", "testdata/conditions.yaml", "testdata/minimal.yaml"} {
		in := mustParse(t, path)
		want, err := in.Canonical()
		if err != nil {
			t.Fatal(err)
		}
		back, probs := survey.FromXLSForm("form.xlsx", survey.ToXLSForm(in))
		if probs != nil {
			t.Fatalf("%s: %v", path, probs)
		}
		got, _ := back.Canonical()
		if string(got) != string(want) {
			t.Errorf("%s: the round trip changed the instrument:\n%s", path, diffLines(string(want), string(got)))
		}
		h1, _ := in.CanonicalHash()
		if back.Hash != h1 {
			t.Errorf("%s: hash %s after import, %s before", path, back.Hash, h1)
		}
	}
}

// TestTheSettingsSheetHasOneTitleForPyxform: pyxform reads any settings
// column named title, form_title or set_form_title (case and spaces
// aside, before any "::") as the form's one title, and fails on a
// translated one; the export has form_title alone, and the other
// languages' titles under a name of exchangeeval's. A form exported
// before, with title::…, still reads the same.
func TestTheSettingsSheetHasOneTitleForPyxform(t *testing.T) {
	in := mustParse(t, "../../surveys/csci-social-services.yaml")
	sheets := survey.ToXLSForm(in)
	var settings survey.Sheet
	for _, s := range sheets {
		if s.Name == survey.SheetSettings {
			settings = s
		}
	}
	var titles []string
	for _, h := range settings.Rows[0] {
		name, _, _ := strings.Cut(h, "::")
		name = strings.ToLower(strings.Join(strings.Fields(name), "_"))
		if name == "title" || name == "form_title" || name == "set_form_title" {
			titles = append(titles, h)
		}
	}
	if len(titles) != 1 || titles[0] != "form_title" {
		t.Errorf("the settings sheet's title columns, as pyxform reads them: %q", titles)
	}
	for i, h := range settings.Rows[0] {
		settings.Rows[0][i] = strings.Replace(h, survey.TranslatedTitle+"::", "title::", 1)
	}
	back, probs := survey.FromXLSForm("old.xlsx", sheets)
	if probs != nil || back.Title["es"] != in.Title["es"] || back.Title["fr"] != in.Title["fr"] {
		t.Errorf("a form with title::… columns: %v %v", probs, back.Title)
	}
}

func diffLines(a, b string) string {
	la, lb := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range max(len(la), len(lb)) {
		var x, y string
		if i < len(la) {
			x = la[i]
		}
		if i < len(lb) {
			y = lb[i]
		}
		if x != y {
			return fmt.Sprintf("line %d:\n  want %s\n  got  %s", i+1, x, y)
		}
	}
	return ""
}

func TestMoveProblemsListEveryAnsweredQuestionThatChanges(t *testing.T) {
	from := mustParse(t, "testdata/conditions.yaml")
	base, _ := from.Canonical()
	src := strings.NewReplacer(
		"- id: youth_detail\n        type: text", "- id: youth_detail\n        type: number",
		"points: 5", "points: 4",
		"        - SA\n", "", "        - TA\n", "",
		"- code: health\n", "- code: wellbeing\n",
	).Replace(string(base))
	to, probs := survey.Parse("to.yaml", []byte(strings.Replace(src, "version: 1", "version: 2", 1)))
	if probs != nil {
		t.Fatal(probs)
	}
	answered := map[string]bool{"youth_detail": true, "visit_rating": true, "areas": true, "visited": true}
	got := survey.MoveProblems(from, to, []string{"pre", "during"}, answered, "en")
	want := []string{
		"wave during has answers, and version 2 does not have it",
		"question visit_rating has answers on 5 points, and version 2's scale has 4",
		"question areas has answers, and version 2 no longer offers health",
		"question youth_detail has answers as text, and version 2 makes it number",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if got := survey.MoveProblems(from, to, nil, map[string]bool{"visited": true, "why_not": true}, "fr"); len(got) != 0 {
		t.Errorf("unchanged answered questions: %v", got)
	}
}

// Requests for a version nobody has read the store for more than once in
// a while: a stream of them reads the store once.
func TestCatalogRefreshReadsTheStoreAtMostOnceInAWhile(t *testing.T) {
	reads := 0
	c := survey.NewCatalog(nil, func(context.Context) ([]*survey.Instrument, error) { reads++; return nil, nil }, nil)
	for range 10 {
		if _, err := c.Refresh(t.Context(), time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	if reads != 1 {
		t.Errorf("10 refreshes within the hour read the store %d times", reads)
	}
	if _, err := c.Refresh(t.Context(), 0); err != nil || reads != 2 {
		t.Errorf("a refresh past its age did not read the store (%d reads)", reads)
	}
	if _, _, err := c.Add(t.Context(), mustParse(t, "testdata/minimal.yaml"), survey.Upload{}); err == nil {
		t.Error("a catalog without a store took an upload")
	}
}
