package workbook_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/survey"
	"github.com/csci/exchangeeval/internal/workbook"
)

// kobo is an XLSForm as a designer writes it in KoboToolbox or ODK, with
// every construct exchangeeval takes: groups (one with a note as its
// introduction, one with a condition), questions outside any group,
// select_one and select_multiple with shared lists, a Likert list (codes
// 1…5, appearance likert), integer and decimal with bounds, text with a
// length limit, hints, required in both spellings, conditions, ODK's
// start/end metadata, labels in English and French; and exchangeeval's
// columns and sheets (waves, goal, reverse, unit; waves, goals, themes).
func kobo() map[string][][]string {
	return map[string][][]string{
		"survey": {
			{"type", "name", "label::English (en)", "label::Français (fr)", "hint::English (en)", "required", "relevant", "constraint", "appearance", "waves", "goal", "reverse", "unit::English (en)"},
			{"start", "start"},
			{"end", "end"},
			{"begin_group", "visit", "Your visit", "Votre visite", "", "", "", "", "field-list"},
			{"note", "visit_note", "Tell us about the host agency.", "Parlez-nous de la structure d'accueil."},
			{"select_one yes_no", "visited", "Did you visit a host agency?", "Avez-vous visité une structure d'accueil ?", "", "true", "", "", "", "pre post"},
			{"select_one agree", "rating", "The visit was useful.", "La visite a été utile.", "Think of the whole day.", "yes", "${visited} = 'yes'", "", "likert", "pre post", "g1"},
			{"select_one agree", "rating_rev", "Visits waste time.", "Les visites font perdre du temps.", "", "", "${visited} = 'yes'", "", "likert", "pre post", "g1", "yes"},
			{"select_multiple areas", "areas", "Areas", "Domaines", "", "", "", "", "", "pre"},
			{"text", "why_not", "Why not?", "Pourquoi pas ?", "", "", "${visited} = 'no'", "string-length(.) <= 500", "", "pre post"},
			{"end_group"},
			{"begin_group", "about", "About you", "À propos de vous", "", "", "count-selected(${areas}) >= 1"},
			{"integer", "years", "Years in practice", "Années d'exercice", "", "", "", ". >= 0 and . <= 60", "", "pre", "", "", "years"},
			{"decimal", "hours", "Hours a week with clients", "Heures par semaine avec les usagers", "", "", "selected(${areas}, 'youth') or ${years} > 10", ". >= 0.5", "", "pre"},
			{"end_group"},
			{"text", "outside", "Anything else?", "Autre chose ?"},
		},
		"choices": {
			{"list_name", "name", "label::English (en)", "label::Français (fr)"},
			{"yes_no", "yes", "Yes", "Oui"},
			{"yes_no", "no", "No", "Non"},
			{"agree", "1", "Strongly disagree", "Pas du tout d'accord"},
			{"agree", "2", "Disagree", "Plutôt pas d'accord"},
			{"agree", "3", "Neither", "Ni l'un ni l'autre"},
			{"agree", "4", "Agree", "Plutôt d'accord"},
			{"agree", "5", "Strongly agree", "Tout à fait d'accord"},
			{"areas", "youth", "Youth", "Jeunesse"},
			{"areas", "housing", "Housing", "Logement"},
			{"areas", "health", "Health", "Santé"},
		},
		"settings": {
			{"form_title", "form_id", "version", "default_language", "title::Français (fr)"},
			{"Site visits", "site-visits", "2024051301", "English (en)", "Visites"},
		},
		"waves": {
			{"name", "label::English (en)", "label::Français (fr)"},
			{"pre", "Before", "Avant"},
			{"post", "After", "Après"},
		},
		"goals": {
			{"name", "label::English (en)", "label::Français (fr)", "from", "to", "min_change"},
			{"g1", "Visits help", "Les visites aident", "pre", "post", "0.5"},
		},
		"themes": {
			{"name", "label::English (en)", "label::Français (fr)", "patterns::English (en)", "patterns::Français (fr)"},
			{"empowerment", "Empowerment", "Autonomisation", "empower*; self-determination", "pouvoir d'agir"},
		},
	}
}

// xlsx writes sheets cell by cell with excelize, as any spreadsheet
// program would save them; formulas maps "sheet!C3" to a formula.
func xlsx(t testing.TB, sheets map[string][][]string, formulas map[string]string) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	names := make([]string, 0, len(sheets))
	for n := range sheets {
		names = append(names, n)
	}
	slices.Sort(names)
	for i, n := range names {
		if i == 0 {
			_ = f.SetSheetName("Sheet1", n)
		} else if _, err := f.NewSheet(n); err != nil {
			t.Fatal(err)
		}
		for r, row := range sheets[n] {
			for c, v := range row {
				if v != "" {
					_ = f.SetCellStr(n, survey.CellName(c, r), v)
				}
			}
		}
	}
	for at, formula := range formulas {
		sheet, cell, _ := strings.Cut(at, "!")
		if err := f.SetCellFormula(sheet, cell, formula); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func importForm(data []byte) (*survey.Instrument, survey.Problems) {
	sheets, probs := workbook.ReadXLSForm("form.xlsx", bytes.NewReader(data))
	if probs != nil {
		return nil, probs
	}
	return survey.FromXLSForm("form.xlsx", sheets)
}

// TestXLSFormImportTakesPyxformsSpellings: a form written as people and
// older tools write them — no settings sheet, "select one" and "select
// all that apply", int and string, bind::relevant, relevance and
// bind:required columns, curly quotes in conditions, languages named
// without a code (label::Swahili), a version that is not a number —
// imports as the same questions with their conditions and required flags,
// nothing dropped.
func TestXLSFormImportTakesPyxformsSpellings(t *testing.T) {
	sheets := map[string][][]string{
		"survey": {
			{"Type", "Name", "label::English", "label::Swahili", "bind::relevant", "bind:required", "Relevance"},
			{"begin group", "visit", "Your visit", "Ziara yako"},
			{"select one yes_no", "visited", "Did you visit?", "Ulitembelea?", "", "true()"},
			{"int", "days", "How many days?", "Siku ngapi?", "${visited} = ‘yes’", "yes"},
			{"select all that apply areas", "areas", "Areas", "Maeneo", "", "", "${visited} = “yes”"},
			{"string", "why_not", "Why not?", "Kwa nini?", "${visited} = 'no'"},
			{"end group"},
		},
		"choices": {
			{"list name", "name", "label::English", "label::Swahili"},
			{"yes_no", "yes", "Yes", "Ndiyo"},
			{"yes_no", "no", "No", "Hapana"},
			{"areas", "youth", "Youth", "Vijana"},
			{"areas", "health", "Health", "Afya"},
		},
	}
	// LibreOffice writes a typed TRUE as the formula TRUE().
	data := xlsx(t, sheets, map[string]string{"survey!F6": "TRUE()"})
	sheetsRead, probs := workbook.ReadXLSForm("Site Visits 2024.xlsx", bytes.NewReader(data))
	if probs != nil {
		t.Fatal(probs)
	}
	in, probs := survey.FromXLSForm("Site Visits 2024.xlsx", sheetsRead)
	if probs != nil {
		t.Fatal(probs)
	}
	if in.ID != "site_visits_2024" || in.Version != 1 || in.Title["en"] != "site_visits_2024" || !slices.Equal(in.Languages, []string{"en", "sw"}) {
		t.Errorf("form: id %q version %d title %v languages %v", in.ID, in.Version, in.Title, in.Languages)
	}
	types := map[string]string{}
	for _, q := range in.Questions() {
		types[q.ID] = q.Type
	}
	if types["visited"] != survey.TypeSingle || types["days"] != survey.TypeNumber || types["areas"] != survey.TypeMulti || types["why_not"] != survey.TypeText {
		t.Errorf("types: %v", types)
	}
	days, areas := in.Question("days"), in.Question("areas")
	if !days.Integer || !days.Required || !in.Question("visited").Required || days.Relevant != "${visited} = ‘yes’" || areas.Relevant != "${visited} = “yes”" {
		t.Errorf("conditions or required flags lost: days %+v, areas relevant %q", days, areas.Relevant)
	}
	if !days.Condition().Holds(survey.Answers{"visited": "yes"}) || areas.Condition().Holds(survey.Answers{"visited": "no"}) {
		t.Error("curly-quoted conditions do not hold as straight ones")
	}
	if !in.Question("why_not").Required {
		t.Error("=TRUE() in the required column is not true")
	}
	if in.Question("visited").Text["sw"] != "Ulitembelea?" {
		t.Errorf("Swahili text: %v", in.Question("visited").Text)
	}
	// A version that is not a whole number is the form's own label.
	sheets["settings"] = [][]string{{"id_string", "version", "form_title"}, {"visits", "vw6VTbhmYtGn2sQ", "Visits"}}
	in, probs = importForm(xlsx(t, sheets, nil))
	if probs != nil || in.ID != "visits" || in.Version != 1 || in.VersionLabel != "vw6VTbhmYtGn2sQ" || in.Title["en"] != "Visits" {
		t.Errorf("id_string and Kobo's version: %v %+v", probs, in)
	}
}

func TestXLSFormImportTakesEverySupportedConstruct(t *testing.T) {
	in, probs := importForm(xlsx(t, kobo(), nil))
	if probs != nil {
		t.Fatal(probs)
	}
	if in.ID != "site-visits" || in.Version != 2024051301 || !slices.Equal(in.Languages, []string{"en", "fr"}) || in.Title["fr"] != "Visites" || in.Title["en"] != "Site visits" {
		t.Errorf("settings: id %s version %d languages %v title %v", in.ID, in.Version, in.Languages, in.Title)
	}
	var sections []string
	for _, s := range in.Sections {
		sections = append(sections, s.ID)
	}
	if !slices.Equal(sections, []string{"visit", "about", "questions"}) {
		t.Errorf("sections %v", sections)
	}
	visit, about, rest := in.Sections[0], in.Sections[1], in.Sections[2]
	// The note opening the group is shown where it was written.
	if note := visit.Questions[0]; note.Type != survey.TypeNote || note.Text["fr"] != "Parlez-nous de la structure d'accueil." || about.Relevant != "count-selected(${areas}) >= 1" || rest.Heading["en"] != "Site visits" {
		t.Errorf("groups: first item %+v, condition %q, heading of the questions outside groups %v", note, about.Relevant, rest.Heading)
	}
	q := in.Question("rating")
	if q.Type != survey.TypeLikert || q.Scale != "agree" || !q.Required || q.Goal != "g1" || q.Help["en"] != "Think of the whole day." || q.Relevant != "${visited} = 'yes'" {
		t.Errorf("likert item %+v", q)
	}
	if sc := in.Scales["agree"]; sc == nil || sc.Points != 5 || sc.Labels["fr"][4] != "Tout à fait d'accord" {
		t.Errorf("scale %+v", sc)
	}
	if q := in.Question("rating_rev"); !q.Reverse || q.Required {
		t.Errorf("reverse item %+v", q)
	}
	if q := in.Question("visited"); q.Type != survey.TypeSingle || !q.Required || len(q.Options) != 2 || q.Options[0].Label["fr"] != "Oui" {
		t.Errorf("single choice %+v", q)
	}
	if q := in.Question("areas"); q.Type != survey.TypeMulti || !slices.Equal(q.Waves, []string{"pre"}) || len(q.Options) != 3 {
		t.Errorf("multiple choice %+v", q)
	}
	if q := in.Question("why_not"); q.Type != survey.TypeText || q.MaxLength != 500 {
		t.Errorf("text %+v", q)
	}
	if q := in.Question("years"); q.Type != survey.TypeNumber || !q.Integer || *q.Min != 0 || *q.Max != 60 || q.Unit["en"] != "years" {
		t.Errorf("integer %+v", q)
	}
	if q := in.Question("hours"); q.Type != survey.TypeNumber || q.Integer || *q.Min != 0.5 || q.Max != nil {
		t.Errorf("decimal %+v", q)
	}
	if q := in.Question("outside"); !slices.Equal(q.Waves, []string{"pre", "post"}) {
		t.Errorf("a question without waves is asked in every wave: %v", q.Waves)
	}
	if in.Question("start") != nil || in.Question("end") != nil {
		t.Error("ODK's start and end became questions")
	}
	if len(in.Goals) != 1 || in.Goals[0].Criterion.MinChange != 0.5 || len(in.Themes) != 1 || in.Themes[0].Patterns["en"][1] != "self-determination" {
		t.Errorf("goals %+v themes %+v", in.Goals, in.Themes)
	}
	// The conditions work as on the questionnaire.
	if got := in.NotApplicable("pre", survey.Answers{"visited": "no", "areas": []string{"housing"}, "years": 4.0}); !slices.Equal(got, []string{"rating", "rating_rev", "hours"}) {
		t.Errorf("not applicable %v", got)
	}
}

// Everything exchangeeval cannot honour is refused, naming the file, the
// sheet and the cell, and nothing is imported.
func TestXLSFormImportRefusesWhatItCannotHonour(t *testing.T) {
	type form = map[string][][]string
	insert := func(f form, sheet string, r int, cells ...string) {
		f[sheet] = slices.Insert(f[sheet], r, cells)
	}
	tests := []struct {
		name   string
		change func(form)
		want   string
	}{
		{"repeat", func(f form) { insert(f, "survey", 3, "begin_repeat", "visits", "Visits") }, "form.xlsx: survey!A4: repeat groups are not supported"},
		{"calculation type", func(f form) { insert(f, "survey", 3, "calculate", "total") }, "form.xlsx: survey!B4: question total: a calculate question needs a calculation"},
		{"calculation column", func(f form) {
			f["survey"][0] = append(f["survey"][0], "calculation")
			f["survey"][6] = append(f["survey"][6], "", "", "", "", "", "", "", "", "", "", "", "", "", "")
			f["survey"][6][13] = "${a} + 1"
		}, "form.xlsx: survey!N7: question rating: calculation does not apply to a likert question"},
		{"cascading select", func(f form) {
			f["survey"][0] = append(f["survey"][0], "choice_filter")
			for len(f["survey"][5]) < 14 {
				f["survey"][5] = append(f["survey"][5], "")
			}
			f["survey"][5][13] = "country=${c}"
		}, "form.xlsx: survey!N6: question visited: choice_filter \"country=${c}\": at character 9: ${c} is not a question of this instrument"},
		{"media column", func(f form) {
			f["choices"][0] = append(f["choices"][0], "media::image::English (en)")
			f["choices"][1] = append(f["choices"][1], "yes.png")
		}, "form.xlsx: choices!E2: media are not supported"},
		{"media question", func(f form) { insert(f, "survey", 3, "image", "photo", "A photo") }, "form.xlsx: survey!A4: media questions are not supported"},
		{"or_other on a number", func(f form) { f["survey"][12][0] = "integer or_other" }, "form.xlsx: survey!A13: or_other goes with select_one or select_multiple"},
		{"a group left open", func(f form) { insert(f, "survey", 5, "begin_group", "inner", "Inner") }, `form.xlsx: survey!A17: group "visit" has no end_group`},
		{"bad pattern", func(f form) { f["survey"][9][7] = "regex(., '^[a-z+$')" }, "form.xlsx: survey!H10: question why_not: constraint \"regex(., '^[a-z+$')\": at character 10: the pattern \"^[a-z+$\" is not a regular expression"},
		{"constraint on a later answer", func(f form) { f["survey"][9][7] = ". != ${years}" }, "form.xlsx: survey!H10: question why_not: constraint \". != ${years}\": ${years} comes after it"},
		{"constraint not a test", func(f form) { f["survey"][12][7] = ". + 1" }, "form.xlsx: survey!H13: question years: constraint \". + 1\": the condition is a number, not a test"},
		{"self outside a constraint", func(f form) { f["survey"][6][6] = ". > 2" }, "form.xlsx: survey!G7: question rating: relevant \". > 2\": at character 1: . is the answer a constraint checks"},
		{"html label", func(f form) { f["survey"][5][2] = "Did you <b>visit</b>?" }, "form.xlsx: survey!C6: label::English (en) \"Did you <b>visit</b>?\" has HTML (<b>)"},
		{"duplicate name", func(f form) { f["survey"][7][1] = "rating" }, "form.xlsx: survey!B8: duplicate question id \"rating\""},
		{"expression syntax", func(f form) { f["survey"][6][6] = "${visited} = 'yes" }, "form.xlsx: survey!G7: question rating: relevant \"${visited} = 'yes\": at character 14: the text starting here is not closed"},
		{"forward reference", func(f form) { f["survey"][6][6] = "${years} > 2" }, "form.xlsx: survey!G7: question rating: relevant \"${years} > 2\": ${years} comes after it"},
		{"circular", func(f form) { f["survey"][5][6] = "${rating} > 2" }, "form.xlsx: survey!G6: question visited: relevant \"${rating} > 2\": ${rating} comes after it"},
		{"code not an option", func(f form) { f["survey"][6][6] = "${visited} = 'oui'" }, "form.xlsx: survey!G7: question rating: relevant \"${visited} = 'oui'\": at character 14: 'oui' is not an option of visited"},
		{"unknown list", func(f form) { f["survey"][5][0] = "select_one nope" }, "form.xlsx: survey!A6: choice list \"nope\" is not on the choices sheet"},
		{"bad option code", func(f form) { f["choices"][9][1] = "Youth Work" }, "form.xlsx: choices!B10: question areas: option code \"Youth Work\""},
		{"unknown type", func(f form) { f["survey"][5][0] = "select_won yes_no" }, "form.xlsx: survey!A6: type \"select_won yes_no\" is not an XLSForm question type"},
		{"required spelling", func(f form) { f["survey"][5][5] = "maybe" }, "form.xlsx: survey!F6: required \"maybe\": write yes or no"},
		{"language", func(f form) { f["survey"][0][3] = "label::Klingon" }, "form.xlsx: survey!D1: column label::Klingon: write the language as Name (code)"},
		{"wave", func(f form) { f["survey"][5][9] = "pre during" }, "form.xlsx: survey!J6: question visited: wave \"during\" is not declared"},
		{"no waves sheet, waves named", func(f form) { delete(f, "waves") }, `form.xlsx: survey!J6: question visited: wave "pre" is not declared (waves: form)`},
		{"no end_group", func(f form) { f["survey"] = slices.Delete(f["survey"], 14, 15) }, "group \"about\" has no end_group"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := kobo()
			tt.change(f)
			in, probs := importForm(xlsx(t, f, nil))
			if in != nil {
				t.Fatal("imported")
			}
			for _, p := range probs {
				if strings.HasPrefix(p.String(), tt.want) || strings.Contains(p.String(), tt.want) && !strings.Contains(tt.want, "!") {
					return
				}
			}
			t.Errorf("want %q, got:\n%v", tt.want, probs)
		})
	}
}

func TestXLSFormImportRefusesFilesThatAreNotForms(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"csv", []byte("type,name,label\ntext,a,A\n"), "form.xlsx: it is not an Excel workbook (.xlsx)"},
		{"another office file", append([]byte{0xD0, 0xCF, 0x11, 0xE0}, make([]byte, 100)...), "form.xlsx: it is an Office file of another kind than a spreadsheet"},
		{"a broken .xls", append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 600)...), "form.xlsx: it is an old Excel file (.xls) that cannot be read"},
		{"xml form", []byte(`<?xml version="1.0"?><h:html/>`), "form.xlsx: it is XML or HTML"},
		{"truncated zip", []byte("PK\x03\x04 not really"), "form.xlsx: it is not a readable Excel workbook"},
		{"too big", append([]byte("PK\x03\x04"), make([]byte, 50<<20)...), "form.xlsx: the file is over 5 MB"},
		{"a workbook that is not a form", xlsx(t, map[string][][]string{"Participants": {{"name", "email"}, {"A", "a@example.org"}}}, nil), "form.xlsx: this is not an XLSForm: it has no survey sheet"},
		{"a formula with no value saved", xlsx(t, kobo(), map[string]string{"survey!M5": `CONCATENATE("Did you ","visit?")`}), "form.xlsx: survey!M5: a formula (=CONCATENATE(\"Did you \",\"visit?\")) with no value saved"},
	}
	for _, tt := range tests {
		in, probs := importForm(tt.data)
		if in != nil || len(probs) == 0 || !strings.HasPrefix(probs[0].String(), tt.want) {
			t.Errorf("%s: want %q, got %v", tt.name, tt.want, probs)
		}
	}
}

// The shipped instrument, exported as an .xlsx and read back, is the same
// instrument (the same canonical hash); LibreOffice opens the export, and
// what it reads is the sheets as written.
func TestXLSFormExportRoundTripAndLibreOffice(t *testing.T) {
	in := instrument(t)
	var buf bytes.Buffer
	if err := workbook.WriteXLSForm(&buf, survey.ToXLSForm(in)); err != nil {
		t.Fatal(err)
	}
	back, probs := importForm(buf.Bytes())
	if probs != nil {
		t.Fatal(probs)
	}
	if h, _ := in.CanonicalHash(); back.Hash != h {
		t.Errorf("the round trip changed the instrument: hash %s, want %s", back.Hash, h)
	}
	// The example shipped beside the YAML is this export.
	shipped, err := os.ReadFile("../../surveys/csci-social-services.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	if ex, probs := importForm(shipped); probs != nil || ex.Hash != back.Hash {
		t.Errorf("surveys/csci-social-services.xlsx is not the shipped instrument (regenerate it with instruments export): %v", probs)
	}

	soffice, err := exec.LookPath("soffice")
	if err != nil {
		t.Skip("soffice not installed: apt-get install libreoffice-calc-nogui to run this check")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "form.xlsx")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	filter := "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"
	cmd := exec.Command(soffice, "-env:UserInstallation=file://"+filepath.Join(dir, "profile"), "--headless", "--convert-to", filter, "--outdir", dir, path)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("soffice: %v\n%s", err, out)
	}
	for _, s := range survey.ToXLSForm(in) {
		data, err := os.ReadFile(filepath.Join(dir, "form-"+s.Name+".csv"))
		if err != nil {
			t.Errorf("LibreOffice did not produce sheet %s: %v", s.Name, err)
			continue
		}
		got, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
		if err != nil {
			t.Fatalf("%s: %v", s.Name, err)
		}
		if len(got) != len(s.Rows) {
			t.Errorf("%s: LibreOffice reads %d rows, %d written", s.Name, len(got), len(s.Rows))
			continue
		}
		for i := range s.Rows {
			if g, w := strings.Join(trim(got[i]), "|"), strings.Join(trim(s.Rows[i]), "|"); g != w {
				t.Errorf("%s row %d:\nLibreOffice %s\nwritten     %s", s.Name, i+1, g, w)
				break
			}
		}
	}
}

// The Responses sheet leaves a question that did not apply empty, even
// when a response holds an answer to it (an old import, say).
func TestResponsesLeaveInapplicableCellsEmpty(t *testing.T) {
	ps, rs := synthetic(t, 12)
	var post []*exchange.Response
	for _, r := range rs {
		if r.Wave == "post" {
			post = append(post, r)
		}
	}
	if len(post) < 2 {
		t.Fatal("test setup: too few post responses")
	}
	post[0].Answers["immersion_done"], post[0].Answers["core_immersion"] = "no", 5
	post[1].Answers["immersion_done"], post[1].Answers["core_immersion"] = "yes", 4
	_, f, _ := export(t, ps, rs, "")
	sheet := rows(t, f, workbook.SheetResponses)
	col := slices.Index(sheet[0], "core_immersion")
	if col < 0 {
		t.Fatal("no core_immersion column")
	}
	cell := func(pid string) string {
		for _, row := range sheet[1:] {
			if len(row) > 2 && row[1] == pid && row[2] == "post" {
				if col < len(row) {
					return row[col]
				}
				return ""
			}
		}
		t.Fatalf("no post row for %s", pid)
		return ""
	}
	if got := cell(post[0].Participant); got != "" {
		t.Errorf("a rating that did not apply shows %q", got)
	}
	if got := cell(post[1].Participant); got != "4" {
		t.Errorf("a rating that applied shows %q", got)
	}
}

// TestPyxformsExampleForms imports forms from pyxform's own examples
// (testdata/pyxform): those that use only what a web questionnaire
// honours import as they are — without a settings or waves sheet, with
// the types, columns and language names as their authors wrote them —
// and the others are refused, each with the sheet and cell of what is not
// supported, never silently shortened.
func TestPyxformsExampleForms(t *testing.T) {
	accepted := map[string]int{ // form → questions
		"ODKValidateWarnings.xlsx": 2, "extra_columns.xlsx": 1, "extra_sheet_names.xlsx": 1, "field-list.xlsx": 1,
		"group.xlsx": 2, "text_and_integer.xlsx": 2, "yes_or_no_question.xlsx": 1,
		// KoboToolbox's download format, the old Excel .xls.
		"allow_comment_rows_test.xls": 1, "badly_named_choices_sheet.xls": 3, "group.xls": 2, "ict_survey_fails.xls": 1,
		"style_settings.xls": 2, "text_and_integer.xls": 2, "yes_or_no_question.xls": 1,
		// Two calculations and the notes that show them.
		"calculate.xls": 2,
		// "select one from sexes or specify other": the choice, and
		// the text of "Other".
		"specify_other.xls": 2,
	}
	refused := map[string]string{
		"case_insensitivity.xlsx": `survey!A3: type "select_one_external c1"`,
		// Its filter pastel=yes compares with a column named yes, which
		// the list does not have (ODK offers nothing): 'yes' was meant.
		"or_other.xlsx": `survey!D3: question fav_pastel: choice_filter "pastel=yes": at character 8: "yes" is not a column of fav_pastel's choices (its columns: name, pastel)`,
		// Mended and imported in TestPyxformsCascadingExample.
		"choice_filter_test.xlsx":   `choices!B6: question county: duplicate option code "king"`,
		"bad_calc.xlsx":             `survey!D2: question badcalc: calculation "because pyxform doesn't know what to do": at character 22: the text starting here is not closed`,
		"xl_date_ambiguous_v1.xlsx": `survey!D6: question current_date: default "01/01/00": Enter a date`,
		"loop.xlsx":                 "survey!A3: repeat groups are not supported",
	}
	files, _ := filepath.Glob("testdata/pyxform/*.xls*")
	if len(files) != len(accepted)+len(refused) {
		t.Fatalf("%d forms in testdata/pyxform, %d expected", len(files), len(accepted)+len(refused))
	}
	for _, path := range files {
		name := filepath.Base(path)
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		sheets, probs := workbook.ReadXLSForm(name, bytes.NewReader(data))
		var in *survey.Instrument
		if probs == nil {
			in, probs = survey.FromXLSForm(name, sheets)
		}
		if n, ok := accepted[name]; ok {
			if probs != nil || len(in.Questions()) != n || len(in.Waves) != 1 {
				t.Errorf("%s: %v", name, probs)
			}
			continue
		}
		if probs == nil || !strings.Contains(probs.Error(), name+": "+refused[name]) {
			t.Errorf("%s: want %q, got %v", name, refused[name], probs)
		}
	}
}

// TestXLSFormsSavedAsXLSReadTheSame: the shipped instrument's form and the
// test's KoboToolbox-style form, saved as .xls by LibreOffice (as a
// designer who downloads from KoboToolbox has them), import as the same
// instruments as their .xlsx — Spanish, German and French accents
// included, which the old format stores in one byte each.
func TestXLSFormsSavedAsXLSReadTheSame(t *testing.T) {
	soffice, err := exec.LookPath("soffice")
	if err != nil {
		t.Skip("LibreOffice not installed: apt-get install libreoffice-calc-nogui to run this check")
	}
	var shipped bytes.Buffer
	if err := workbook.WriteXLSForm(&shipped, survey.ToXLSForm(instrument(t))); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for name, data := range map[string][]byte{"shipped": shipped.Bytes(), "kobo": xlsx(t, kobo(), nil), "odk": xlsx(t, odkForm(), nil), "cascading": xlsx(t, cascadingForm(), nil)} {
		if err := os.WriteFile(filepath.Join(dir, name+".xlsx"), data, 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(soffice, "-env:UserInstallation=file://"+filepath.Join(dir, "profile"), "--headless", "--convert-to", "xls", "--outdir", dir, filepath.Join(dir, name+".xlsx"))
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("soffice: %v\n%s", err, out)
		}
		old, err := os.ReadFile(filepath.Join(dir, name+".xls"))
		if err != nil {
			t.Fatal(err)
		}
		want, probs := importForm(data)
		if probs != nil {
			t.Fatal(probs)
		}
		got, _, probs := workbook.ParseDefinition(t.Context(), name+".xls", old)
		if probs != nil {
			t.Fatalf("%s.xls: %v", name, probs)
		}
		a, _ := want.Canonical()
		b, _ := got.Canonical()
		if string(a) != string(b) {
			t.Errorf("%s.xls reads otherwise than its .xlsx:\n%s", name, firstDifference(string(a), string(b)))
		}
	}
}

func firstDifference(a, b string) string {
	la, lb := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range min(len(la), len(lb)) {
		if la[i] != lb[i] {
			return fmt.Sprintf("line %d:\n  xlsx %s\n  xls  %s", i+1, la[i], lb[i])
		}
	}
	return fmt.Sprintf("%d lines against %d", len(la), len(lb))
}

// TestXLSFormNestedGroups: a group inside a group is a section of its
// own, asked only when both groups' conditions hold, and the outer
// group's questions after it go on in a section headed as the outer one.
func TestXLSFormNestedGroups(t *testing.T) {
	in, probs := importForm(xlsx(t, map[string][][]string{
		"survey": {
			{"type", "name", "label", "relevant"},
			{"select_one yn", "works", "Do you work?"},
			{"begin group", "job", "Your job", "${works} = 'yes'"},
			{"integer", "years", "Years"},
			{"begin group", "team", "Your team", "${years} > 2"},
			{"integer", "size", "Team size"},
			{"end group"},
			{"text", "title", "Job title"},
			{"end group"},
		},
		"choices": {{"list_name", "name", "label"}, {"yn", "yes", "Yes"}, {"yn", "no", "No"}},
	}, nil))
	if probs != nil {
		t.Fatal(probs)
	}
	var ids []string
	for _, s := range in.Sections {
		ids = append(ids, s.ID)
	}
	if strings.Join(ids, ",") != "questions,job,team,job-2" || in.Sections[3].Heading["en"] != "Your job" {
		t.Fatalf("sections %v", ids)
	}
	size := in.Question("size")
	for _, tc := range []struct {
		a    survey.Answers
		want bool
	}{{survey.Answers{"works": "yes", "years": 3}, true}, {survey.Answers{"works": "no", "years": 3}, false}, {survey.Answers{"works": "yes", "years": 1}, false}} {
		holds := true
		for _, c := range size.Conditions() {
			holds = holds && c.Holds(tc.a)
		}
		if holds != tc.want {
			t.Errorf("team size asked for %v: %v", tc.a, holds)
		}
	}
	if c := in.Question("title").Conditions(); len(c) != 1 || c[0].Holds(survey.Answers{"works": "no"}) {
		t.Error("the outer group's question after the inner group lost its condition")
	}
}
