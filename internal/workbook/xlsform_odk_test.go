package workbook_test

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/csci/exchangeeval/internal/survey"
	"github.com/csci/exchangeeval/internal/workbook"
)

// odkForm uses what ODK and KoboToolbox forms use beyond plain questions:
// metadata, notes between questions, dates and times, a calculation read
// by a later condition, a default, or_other, and constraints of any
// expression with their messages in two languages.
func odkForm() map[string][][]string {
	return map[string][][]string{
		"survey": {
			{"type", "name", "label::English (en)", "label::Français (fr)", "required", "relevant", "constraint", "constraint_message::English (en)", "constraint_message::Français (fr)", "calculation", "default"},
			{"start", "start"},
			{"deviceid", "device"},
			{"note", "welcome", "Thank you for taking part.", "Merci de votre participation."},
			{"date", "arrived", "When did you arrive?", "Quand êtes-vous arrivé ?", "yes", "", ". <= today()", "Not in the future.", "Pas dans le futur."},
			{"note", "between", "Now about your stay.", "Maintenant, votre séjour."},
			{"date", "left", "When did you leave?", "Quand êtes-vous parti ?", "", "", ". >= ${arrived}", "You left before you arrived?", "Vous êtes parti avant d'arriver ?"},
			{"calculate", "stay", "", "", "", "", "", "", "", "${left} - ${arrived}"},
			{"text", "long_stay", "What made the stay long?", "Qu'est-ce qui a allongé le séjour ?", "", "${stay} > 6"},
			{"time", "meeting", "When did the first meeting start?", "À quelle heure a commencé la première réunion ?"},
			{"datetime", "departure", "Departure", "Départ"},
			{"select_one colours or_other", "colour", "Favourite colour", "Couleur préférée"},
			{"integer", "visits", "Visits", "Visites", "", "", ". mod 2 = 0", "An even number, please.", "Un nombre pair, s'il vous plaît.", "", "2"},
			{"text", "postcode", "Postcode", "Code postal", "", "", "regex(., '^[0-9]{5}$')"},
		},
		"choices": {
			{"list_name", "name", "label::English (en)", "label::Français (fr)"},
			{"colours", "red", "Red", "Rouge"},
			{"colours", "blue", "Blue", "Bleu"},
		},
		"settings": {
			{"form_title", "form_id", "version"},
			{"Stays", "stays", "2.2"},
		},
	}
}

func TestXLSFormTakesODKsConstructs(t *testing.T) {
	survey.Today = func() time.Time { return time.Date(2027, 3, 20, 9, 0, 0, 0, time.UTC) }
	t.Cleanup(func() { survey.Today = time.Now })
	in, probs := importForm(xlsx(t, odkForm(), nil))
	if probs != nil {
		t.Fatal(probs)
	}
	if in.Version != 1 || in.VersionLabel != "2.2" {
		t.Errorf("version %d, label %q", in.Version, in.VersionLabel)
	}
	// The metadata is passed over, and the report says where.
	want := []survey.PassedOver{{Cell: "survey!A2", Name: "start", Type: "start"}, {Cell: "survey!A3", Name: "device", Type: "deviceid"}}
	if !slices.Equal(in.PassedOver, want) {
		t.Errorf("passed over %+v", in.PassedOver)
	}
	// Notes stay where they were written, and hold no answer.
	var items []string
	for _, s := range in.Sections {
		for _, q := range s.Questions {
			items = append(items, q.ID+":"+q.Type)
		}
	}
	if !slices.Equal(items[:4], []string{"welcome:note", "arrived:date", "between:note", "left:date"}) {
		t.Errorf("items %v", items)
	}
	for _, q := range in.Questions() {
		if q.Type == survey.TypeNote {
			t.Errorf("note %s among the questions that hold answers", q.ID)
		}
	}
	// or_other: the option and the question for its text.
	if o := in.Question("colour").Option("other"); o == nil || o.Label["en"] != "Other" || o.Label["fr"] != "Autre" {
		t.Errorf("or_other option %+v", o)
	}
	if q := in.Question("colour_other"); q == nil || q.Type != survey.TypeText || q.Relevant != "selected(${colour}, 'other')" {
		t.Errorf("or_other question %+v", q)
	}
	if in.Question("visits").Default != "2" {
		t.Errorf("default %q", in.Question("visits").Default)
	}

	answer := func(values map[string]string) (survey.Answers, survey.FieldErrors) {
		form := map[string][]string{}
		for k, v := range values {
			form[k] = []string{v}
		}
		return in.FromStrings("form", form)
	}
	a, errs := answer(map[string]string{"arrived": "2027-03-06", "left": "2027-03-14", "long_stay": "Snow", "meeting": "09:30",
		"departure": "2027-03-14T18:45", "colour": "other", "colour_other": "Green", "visits": "4", "postcode": "75011", "stay": "99"})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	// The calculation is the server's (what was sent for it is not
	// taken): 8 days, so the later condition holds.
	if a["stay"] != 8.0 || a["long_stay"] != "Snow" || a["arrived"] != "2027-03-06" || a["meeting"] != "09:30" || a["departure"] != "2027-03-14T18:45" || a["colour_other"] != "Green" {
		t.Errorf("answers %v", a)
	}
	// A short stay: the calculation says so, and long_stay is dropped.
	a, _ = answer(map[string]string{"arrived": "2027-03-06", "left": "2027-03-08", "long_stay": "Snow"})
	if a["stay"] != 2.0 || a["long_stay"] != nil {
		t.Errorf("short stay %v", a)
	}
	// No dates, no calculation.
	if a, _ = answer(map[string]string{"arrived": "2027-03-06"}); a["stay"] != nil {
		t.Errorf("stay without a departure %v", a["stay"])
	}
	// Constraints, each with its message in the reader's language.
	_, errs = answer(map[string]string{"arrived": "2027-03-25", "left": "2027-03-01", "visits": "3", "postcode": "7501"})
	for id, msg := range map[string]string{"arrived": "Pas dans le futur.", "left": "Vous êtes parti avant d'arriver ?", "visits": "Un nombre pair, s'il vous plaît."} {
		if got := errs[id].Message("fr"); got != msg {
			t.Errorf("%s: %q, want %q", id, got, msg)
		}
	}
	if got := errs["postcode"].Message("en"); errs["postcode"].Code != survey.ErrConstraint || got == "" {
		t.Errorf("postcode: %+v %q", errs["postcode"], got)
	}
	// Dates as people mistype them are refused, in their language.
	_, errs = answer(map[string]string{"arrived": "14/03/2027", "meeting": "half past nine"})
	if errs["arrived"].Code != survey.ErrNotDate || errs["meeting"].Code != survey.ErrNotTime {
		t.Errorf("bad dates %+v", errs)
	}
	// The calculation cannot be sent through the API.
	if _, errs := in.FromValues("form", map[string]any{"stay": 3.0, "welcome": "x"}); errs["stay"].Code != survey.ErrCalculated || errs["welcome"].Code != survey.ErrUnknownQuestion {
		t.Errorf("API: %+v", errs)
	}
}

// The form exchangeeval exports of such an instrument reads back as the
// same instrument: notes, dates, the calculation, the default and the
// constraints with their messages survive.
func TestODKConstructsSurviveExport(t *testing.T) {
	in, probs := importForm(xlsx(t, odkForm(), nil))
	if probs != nil {
		t.Fatal(probs)
	}
	sameAfterExport(t, in)
}

// sameAfterExport writes in as an XLSForm, reads it again, and compares
// the two in their canonical YAML.
func sameAfterExport(t *testing.T, in *survey.Instrument) {
	t.Helper()
	var buf bytes.Buffer
	if err := workbook.WriteXLSForm(&buf, survey.ToXLSForm(in)); err != nil {
		t.Fatal(err)
	}
	again, probs := importForm(buf.Bytes())
	if probs != nil {
		t.Fatal(probs)
	}
	a, _ := in.Canonical()
	b, _ := again.Canonical()
	if string(a) != string(b) {
		t.Errorf("exported and read again:\n%s", firstDifference(string(a), string(b)))
	}
}

// TestXLSFormLabelsShowAnswers: a label showing an earlier answer, as
// ODK's do (${stay}), is taken; one naming no question is refused at its
// cell.
func TestXLSFormLabelsShowAnswers(t *testing.T) {
	f := odkForm()
	f["survey"][8][2] = "What made the stay of ${stay} days long?"
	in, probs := importForm(xlsx(t, f, nil))
	if probs != nil {
		t.Fatal(probs)
	}
	if refs := survey.TextRefs(in.Question("long_stay").Text["en"]); !slices.Equal(refs, []string{"stay"}) {
		t.Errorf("the label shows %v", refs)
	}
	f["survey"][8][3] = "Qu'est-ce qui a allongé le séjour de ${sejour} jours ?"
	_, probs = importForm(xlsx(t, f, nil))
	if want := "survey!D9: question long_stay: text (fr) shows ${sejour}, which is not a question of this instrument"; probs == nil || !strings.Contains(probs.Error(), want) {
		t.Errorf("want %q, got %v", want, probs)
	}
}

// TestXLSFormTakesMessagesAndNamesWhatItPassesOver: a required
// question's own message and a guidance hint are taken; columns that only
// change how ODK Collect shows or sends a question are passed over, each
// named with its cell in the import's report.
func TestXLSFormTakesMessagesAndNamesWhatItPassesOver(t *testing.T) {
	f := odkForm()
	f["survey"][0] = append(f["survey"][0], "required_message::English (en)", "guidance_hint::English (en)", "rows", "sms_field", "notes for us")
	f["survey"][4] = append(f["survey"][4], "", "", "Tell us the day you arrived.", "As on your ticket.", "", "arr")
	f["survey"][8] = append(f["survey"][8], "", "", "", "", "", "", "", "5")
	in, probs := importForm(xlsx(t, f, nil))
	if probs != nil {
		t.Fatal(probs)
	}
	if got := in.Question("arrived").Help["en"]; got != "As on your ticket." {
		t.Errorf("the guidance hint: %q", got)
	}
	_, errs := in.FromStrings(in.Waves[0].ID, map[string][]string{})
	if got := errs["arrived"].Message("fr"); got != "Tell us the day you arrived." {
		t.Errorf("the required message: %q", got)
	}
	var columns []string
	for _, p := range in.PassedOver {
		if p.Type == survey.ColumnPassedOver {
			columns = append(columns, p.Cell+" "+p.Name)
		}
	}
	if want := []string{"survey!N1 rows", "survey!O1 sms_field"}; !slices.Equal(columns, want) {
		t.Errorf("columns passed over %q, want %q", columns, want)
	}
}
