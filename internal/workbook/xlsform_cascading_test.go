package workbook_test

import (
	"bytes"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/csci/exchangeeval/internal/survey"
	"github.com/csci/exchangeeval/internal/workbook"
)

// cascadingForm is a cascading select as KoboToolbox's and ODK's guides
// write one: the cities offered are those of the country chosen (a
// column of the choices sheet), and the city liked best is one of those
// visited.
func cascadingForm() map[string][][]string {
	return map[string][][]string{
		"survey": {
			{"type", "name", "label::English (en)", "label::Français (fr)", "choice_filter"},
			{"select_one countries", "country", "Which country?", "Quel pays ?"},
			{"select_one cities", "town", "Which city?", "Quelle ville ?", "country = ${country}"},
			{"select_multiple cities", "visited", "Cities visited", "Villes visitées", "Country=${country} or name = 'paris'"},
			{"select_one cities", "best", "Which did you like best?", "Laquelle avez-vous préférée ?", "selected(${visited}, name)"},
		},
		"choices": {
			{"list_name", "name", "label::English (en)", "label::Français (fr)", "Country"},
			{"countries", "france", "France", "France"},
			{"countries", "germany", "Germany", "Allemagne"},
			{"countries", "mexico", "Mexico", "Mexique"},
			{"cities", "paris", "Paris", "Paris", "france"},
			{"cities", "lyon", "Lyon", "Lyon", "france"},
			{"cities", "hamburg", "Hamburg", "Hambourg", "germany"},
			{"cities", "mexico_city", "Mexico City", "Mexico", "mexico"},
		},
		"settings": {{"form_id", "form_title"}, {"visits", "Visits"}},
	}
}

func offered(in *survey.Instrument, id string, a survey.Answers) []string {
	q := in.Question(id)
	var codes []string
	for _, o := range q.Options {
		if q.Offers(o, a) {
			codes = append(codes, o.Code)
		}
	}
	return codes
}

func TestXLSFormTakesCascadingSelects(t *testing.T) {
	in, probs := importForm(xlsx(t, cascadingForm(), nil))
	if probs != nil {
		t.Fatal(probs)
	}
	if o := in.Question("town").Option("hamburg"); o == nil || o.Fields["country"] != "germany" {
		t.Fatalf("hamburg's fields: %+v", o)
	}
	for _, c := range []struct {
		q    string
		a    survey.Answers
		want []string
	}{
		{"town", survey.Answers{"country": "france"}, []string{"paris", "lyon"}},
		{"town", survey.Answers{"country": "mexico"}, []string{"mexico_city"}},
		{"town", survey.Answers{}, nil}, // nothing chosen, nothing offered, as in ODK
		{"visited", survey.Answers{"country": "germany"}, []string{"paris", "hamburg"}},
		{"best", survey.Answers{"visited": []string{"lyon", "hamburg"}}, []string{"lyon", "hamburg"}},
	} {
		if got := offered(in, c.q, c.a); !slices.Equal(got, c.want) {
			t.Errorf("%s after %v: offers %v, want %v", c.q, c.a, got, c.want)
		}
	}

	answer := func(values map[string][]string) (survey.Answers, survey.FieldErrors) {
		return in.FromStrings(in.Waves[0].ID, values)
	}
	a, errs := answer(map[string][]string{"country": {"germany"}, "town": {"hamburg"}, "visited": {"hamburg", "paris"}, "best": {"paris"}})
	if len(errs) > 0 || a["town"] != "hamburg" {
		t.Fatalf("answers that go together: %v %v", a, errs)
	}
	// A city of another country, as a page without its script or a
	// hand-made request could send: refused, the others kept.
	_, errs = answer(map[string][]string{"country": {"germany"}, "town": {"paris"}, "visited": {"hamburg", "lyon"}, "best": {"mexico_city"}})
	for _, id := range []string{"town", "visited", "best"} {
		if errs[id].Code != survey.ErrNotOffered {
			t.Errorf("%s: %+v, want %s", id, errs[id], survey.ErrNotOffered)
		}
	}
	if got := errs["town"].Message("fr"); !strings.Contains(got, "réponses précédentes") {
		t.Errorf("the message in French: %q", got)
	}
	if _, errs := in.FromValues(in.Waves[0].ID, map[string]any{"country": "france", "town": "lyon"}); len(errs) > 0 {
		t.Errorf("the API: %v", errs)
	}

	// Exported and read again: the filters and the choices' column.
	sameAfterExport(t, in)
}

// TestXLSFormRefusesChoiceFiltersItCannotHonour: each mistake named by
// its cell.
func TestXLSFormRefusesChoiceFiltersItCannotHonour(t *testing.T) {
	for _, c := range []struct {
		name string
		edit func(f map[string][][]string)
		want string
	}{
		{"a column the choices do not have", func(f map[string][][]string) { f["survey"][2][4] = "region = ${country}" },
			`survey!E3: question town: choice_filter "region = ${country}": at character 1: "region" is not a column of town's choices (its columns: name, country)`},
		{"a bare word meant as a text", func(f map[string][][]string) { f["survey"][2][4] = "country = france" },
			`at character 11: "france" is not a column of town's choices (its columns: name, country); a text is quoted: 'france'`},
		{"a later question", func(f map[string][][]string) { f["survey"][2][4] = "country = ${best}" },
			"survey!E3: question town: choice_filter \"country = ${best}\": ${best} comes after it"},
		{"a filter on a text question", func(f map[string][][]string) {
			f["survey"] = append(f["survey"], []string{"text", "why", "Why?", "Pourquoi ?", "true()"})
		},
			"survey!E6: question why: choice_filter does not apply to a text question"},
		{"or_other", func(f map[string][][]string) { f["survey"][2][0] = "select_one cities or_other" },
			"survey!E3: a choice_filter does not go with or_other"},
		{"a field in a condition", func(f map[string][][]string) {
			f["survey"][0] = append(f["survey"][0], "relevant")
			f["survey"][2] = append(f["survey"][2], "country = 'france'")
		}, `survey!F3: question town: relevant "country = 'france'": at character 1: "country" is neither a question nor a text`},
	} {
		f := cascadingForm()
		c.edit(f)
		_, probs := importForm(xlsx(t, f, nil))
		if probs == nil || !strings.Contains(probs.Error(), c.want) {
			t.Errorf("%s: want %q, got %v", c.name, c.want, probs)
		}
	}
}

// TestPyxformsCascadingExample: pyxform's own cascading form
// (choice_filter_test.xlsx: state, county, city, filtered on a cf column)
// is refused for two things exchangeeval keeps apart — a question named
// city, a column of every responses table, and a county code used twice
// — and, with those two mended as its author would, imports and filters
// as ODK does.
func TestPyxformsCascadingExample(t *testing.T) {
	data, err := os.ReadFile("testdata/pyxform/choice_filter_test.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	sheets, probs := workbook.ReadXLSForm("choice_filter_test.xlsx", bytes.NewReader(data))
	if probs != nil {
		t.Fatal(probs)
	}
	for i := range sheets {
		for r, row := range sheets[i].Rows {
			for c, v := range row {
				sheets[i].Rows[r][c] = strings.ReplaceAll(v, "city", "town")
			}
			if sheets[i].Name == "choices" && len(row) >= 4 && slices.Equal(row[:4], []string{"counties", "king", "King", "texas"}) {
				sheets[i].Rows[r] = []string{"counties", "harris", "Harris", "texas"}
			}
		}
	}
	in, probs := survey.FromXLSForm("choice_filter_test.xlsx", sheets)
	if probs != nil {
		t.Fatal(probs)
	}
	for _, c := range []struct {
		q    string
		a    survey.Answers
		want []string
	}{
		{"county", survey.Answers{"state": "texas"}, []string{"harris", "cameron"}},
		{"county", survey.Answers{"state": "washington"}, []string{"king", "pierce"}},
		{"town", survey.Answers{"state": "washington", "county": "pierce"}, []string{"tacoma", "puyallup"}},
	} {
		if got := offered(in, c.q, c.a); !slices.Equal(got, c.want) {
			t.Errorf("%s after %v: offers %v, want %v", c.q, c.a, got, c.want)
		}
	}
}
