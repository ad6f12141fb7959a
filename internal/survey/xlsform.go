package survey

import (
	"github.com/csci/exchangeeval/internal/i18n"
	"path"
	"sync"

	"fmt"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// XLSForm is how questionnaires are written in KoboToolbox, ODK,
// SurveyCTO and Ona: a spreadsheet whose survey sheet has a row per
// question (type, name, label::English (en), hint, required, relevant,
// constraint, appearance), whose choices sheet lists the options, and whose
// settings sheet names the form (form_id, version, default_language).
// exchangeeval's own concepts go where XLSForm tools ignore them: columns
// waves, goal, reverse, scale and unit on the survey sheet, and sheets
// waves, goals and themes. This file turns such sheets, already read into
// text, into an instrument and back; internal/workbook reads and writes the
// spreadsheet itself.

// Sheet is one sheet of a spreadsheet as text, the first row its header.
type Sheet struct {
	Name string
	Rows [][]string
}

// XLSForm sheet names.
const (
	SheetSurvey   = "survey"
	SheetChoices  = "choices"
	SheetSettings = "settings"
	// TranslatedTitle is the settings column of the form's title in
	// another language: pyxform reads any column named title (or
	// form_title, set_form_title) as the form's one title, so ours must
	// be named otherwise.
	TranslatedTitle = "translated_title"
	// SingleWave is the one wave of a form without a waves sheet.
	SingleWave  = "form"
	SheetWaves  = "waves"
	SheetGoals  = "goals"
	SheetThemes = "themes"
)

// Question types XLSForm has that exchangeeval does not take, and why a
// designer would reach for them, so the refusal can say what to do.
var unsupportedTypes = map[string]string{
	"begin_repeat": "repeat groups are not supported", "end_repeat": "repeat groups are not supported",
	"select_one_from_file":      "choices from a file are not supported: list them on the choices sheet",
	"select_multiple_from_file": "choices from a file are not supported: list them on the choices sheet",
	"image":                     "media questions are not supported", "audio": "media questions are not supported", "video": "media questions are not supported",
	"file": "file uploads are not supported", "background-audio": "media questions are not supported",
	"geopoint": "location questions are not supported", "geotrace": "location questions are not supported", "geoshape": "location questions are not supported",
	"barcode": "barcode questions are not supported", "range": "range questions are not supported: use a likert list or an integer with a constraint",
	"rank": "ranking questions are not supported", "acknowledge": "acknowledge questions are not supported",
	"hidden": "hidden fields are not supported", "xml-external": "external data is not supported", "csv-external": "external data is not supported",
	"trigger": "trigger questions are not supported",
}

// ParticipantQuestion is the question of a wave's form, collected in
// KoboToolbox or ODK, that says who answers: a pseudonymous id (P0017)
// or an e-mail, matched to a participant when the answers come back.
const ParticipantQuestion = "participant"

// WithParticipantQuestion puts the participant question, required, at
// the top of a form's survey sheet, labelled in each language of label.
func WithParticipantQuestion(sheets []Sheet, label Text) []Sheet {
	for i, s := range sheets {
		if s.Name != SheetSurvey || len(s.Rows) == 0 {
			continue
		}
		row := make([]string, len(s.Rows[0]))
		for c, h := range s.Rows[0] {
			key := normaliseHeader(h)
			head, lang, _ := strings.Cut(key, "::")
			switch {
			case key == "type":
				row[c] = "text"
			case key == "name":
				row[c] = ParticipantQuestion
			case key == "required":
				row[c] = "yes"
			case head == "label":
				if code, ok := languageCode(lang); ok {
					row[c] = label[code]
				}
			}
		}
		rows := append([][]string{s.Rows[0], row}, s.Rows[1:]...)
		sheets[i] = Sheet{Name: s.Name, Rows: rows}
	}
	return sheets
}

// typeAliases are pyxform's other spellings of the question types read
// here, whole ("q int", "add note prompt") or as the part before a list
// name ("select one", "select all that apply").
var typeAliases = map[string]string{
	"int": "integer", "q int": "integer", "add integer prompt": "integer",
	"string": "text", "q string": "text", "add text prompt": "text",
	"q decimal": "decimal", "add decimal prompt": "decimal",
	"q note": "note", "add note prompt": "note",
	"begin group": "begin_group", "end group": "end_group", "begin repeat": "begin_repeat", "end repeat": "end_repeat",
	"begin loop": "begin_repeat", "end loop": "end_repeat", "begin lgroup": "begin_repeat", "end lgroup": "end_repeat",
	"get start time": "start", "start time": "start", "get end time": "end", "end time": "end", "get today": "today",
	"device id": "deviceid", "imei": "deviceid", "subscriber id": "subscriberid", "get subscriber id": "subscriberid",
	"sim id": "simserial", "get sim id": "simserial", "phone number": "phonenumber", "get phone number": "phonenumber",
	"q date": "date", "add date prompt": "date", "q date time": "datetime", "add date time prompt": "datetime",
}

// selectSpellings are the ways a choice question's type begins, longest
// first, before its list's name.
var selectSpellings = []struct{ spelling, word string }{
	{"add select multiple prompt using", "select_multiple"}, {"add select one prompt using", "select_one"},
	{"select all that apply from", "select_multiple"}, {"select all that apply", "select_multiple"},
	{"select multiple from", "select_multiple"}, {"select multiple using", "select_multiple"}, {"select multiple", "select_multiple"},
	{"select one from", "select_one"}, {"select one using", "select_one"}, {"select one", "select_one"},
	{"select1", "select_one"},
}

// xlsformType reads a type cell as pyxform does: case and runs of spaces
// aside, its other spellings as the one read here, and a choice
// question's list name apart ("select one yes_no" is select_one, yes_no).
func xlsformType(cell string) (word, list string) {
	typ := strings.Join(strings.Fields(strings.ToLower(cell)), " ")
	if alias, ok := typeAliases[typ]; ok {
		return alias, ""
	}
	typ = strings.Replace(typ, " or specify other", " or_other", 1) // pyxform's older spelling
	for spelling, word := range map[string]string{"select one from file": "select_one_from_file", "select multiple from file": "select_multiple_from_file", "begin loop over": "begin_repeat"} {
		if rest, ok := strings.CutPrefix(typ, spelling); ok {
			return word, strings.TrimSpace(rest)
		}
	}
	for _, s := range selectSpellings {
		if rest, ok := strings.CutPrefix(typ, s.spelling+" "); ok {
			return s.word, rest
		}
	}
	word, list, _ = strings.Cut(typ, " ")
	return word, list
}

// metadataTypes are what ODK records by itself (start and end times, the
// device); a form keeps them, and exchangeeval, which records when each
// answer was sent, passes over them.
var metadataTypes = []string{"start", "end", "today", "deviceid", "subscriberid", "simserial", "phonenumber", "username", "email", "audit", "start-geopoint"}

// Columns of XLSForm that exchangeeval cannot honour: a value in one is
// refused rather than silently lost.
var unsupportedColumns = map[string]string{
	"repeat_count": "repeat groups are not supported",
	"read_only":    "read-only questions are not supported",
	"trigger":      "triggers are not supported",
	"image":        "media are not supported",
	"audio":        "media are not supported",
	"video":        "media are not supported",
	"big-image":    "media are not supported",
	"parameters":   "parameters are not supported",
}

// languageNames names each language in itself: for the questionnaire's
// language switch, and XLSForm's label::Français (fr) columns.
var languageNames = map[string]string{
	"en": "English", "fr": "Français", "es": "Español", "de": "Deutsch", "pt": "Português", "it": "Italiano",
	"ar": "العربية", "zh": "中文", "ru": "Русский", "uk": "Українська", "pl": "Polski", "lt": "Lietuvių",
	"cs": "Čeština", "sv": "Svenska", "ja": "日本語", "ko": "한국어", "he": "עברית", "sr": "Srpski", "el": "Ελληνικά",
	"hi": "हिन्दी", "ur": "اردو", "nl": "Nederlands", "ga": "Gaeilge",
}

var (
	langInParens = regexp.MustCompile(`\(([A-Za-z]{2,3})\)\s*$`)
	htmlTag      = regexp.MustCompile(`<\s*/?\s*[A-Za-z][A-Za-z0-9]*[^<>]*>`)
	numericBound = regexp.MustCompile(`^\.\s*(>=|<=|>|<)\s*(-?[0-9]+(?:\.[0-9]+)?)$`)
	textBound    = regexp.MustCompile(`^string-length\(\s*\.\s*\)\s*(<=|<)\s*([0-9]+)$`)
	andWord      = regexp.MustCompile(`(?i)\s+and\s+`)
)

// LanguageName is a language's name in itself ("Français"), or its code
// when it has none here.
func LanguageName(code string) string { return cmpOr(languageNames[code], code) }

// languageCode reads the language of a column such as label::English (en),
// label::fr or label::Français.
func languageCode(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if m := langInParens.FindStringSubmatch(s); m != nil {
		return strings.ToLower(m[1]), true
	}
	if langPattern.MatchString(s) {
		return s, true
	}
	if lower := strings.ToLower(s); langPattern.MatchString(lower) {
		return lower, true // label::EN, as some forms write it
	}
	for code, name := range languageNames {
		if strings.EqualFold(name, s) {
			return code, true
		}
	}
	if code, ok := languageByName()[strings.ToLower(s)]; ok {
		return code, true
	}
	return "", false
}

// formIDFromName is the id of a form without one: its file's name, as
// pyxform takes it ("Household Survey.xlsx" is household_survey).
func formIDFromName(name string) string {
	base := strings.TrimSuffix(path.Base(strings.ReplaceAll(name, "\\", "/")), path.Ext(name))
	var b strings.Builder
	for _, r := range strings.ToLower(base) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-', r == '_':
			b.WriteRune(r)
		case b.Len() > 0 && !strings.HasSuffix(b.String(), "_"):
			b.WriteByte('_')
		}
	}
	id := strings.Trim(b.String(), "_-")
	if id == "" {
		id = "form"
	}
	return strings.TrimSuffix(id[:min(len(id), 63)], "_")
}

// languageByName finds a language's code by its English name or its own
// ("Swahili", "Kiswahili", "francais"), as forms name their columns:
// label::Swahili. CLDR's names, for every two-letter code.
var languageByName = sync.OnceValue(func() map[string]string {
	names := map[string]string{"francais": "fr"}
	english := display.English.Languages()
	for a := 'a'; a <= 'z'; a++ {
		for b := 'a'; b <= 'z'; b++ {
			code := string([]rune{a, b})
			if _, err := language.ParseBase(code); err != nil {
				continue
			}
			tag := language.Make(code)
			for _, name := range []string{english.Name(tag), display.Self.Name(tag)} {
				if name = strings.ToLower(name); name != "" && names[name] == "" {
					names[name] = code
				}
			}
		}
	}
	return names
})

// table is one sheet with its columns found by name.
type table struct {
	sheet string
	rows  [][]string
	cols  map[string]int // normalised header → column
	// more pairs a column with another spelling of it further right.
	more   [][2]int
	header []string
}

func newTable(s *Sheet) *table {
	t := &table{cols: map[string]int{}}
	if s == nil || len(s.Rows) == 0 {
		return t
	}
	t.sheet = s.Name
	t.rows = s.Rows
	for i, h := range s.Rows[0] {
		key := normaliseHeader(h)
		t.header = append(t.header, key)
		if _, dup := t.cols[key]; !dup && key != "" {
			t.cols[key] = i
		} else if key != "" {
			// Two spellings of one column (relevant and bind::relevant):
			// a row's value is in whichever it filled.
			t.more = append(t.more, [2]int{t.cols[key], i})
		}
	}
	return t
}

// normaliseHeader lower-cases a header and writes "list name" as
// list_name, as XLSForm tools accept both; the language after :: keeps
// its case (it is matched by languageCode). It reads pyxform's other
// spellings of a column as the column: bind::relevant, bind:required and
// relevance are relevant and required, jr:constraintMsg is
// constraint_message, control::appearance is appearance; and label:French,
// with one colon, as pyxform reads it in a sheet that has no "::".
func normaliseHeader(h string) string {
	h = strings.TrimSpace(h)
	lower := strings.ToLower(h)
	for _, prefix := range []string{"bind::", "bind:", "control::", "control:"} {
		if strings.HasPrefix(lower, prefix) {
			h = strings.TrimSpace(h[len(prefix):])
			break
		}
	}
	if strings.HasPrefix(strings.ToLower(h), "jr:") {
		h = h[len("jr:"):]
	}
	name, lang, hasLang := strings.Cut(h, "::")
	if !hasLang {
		if n, l, ok := strings.Cut(h, ":"); ok && translatableColumns[strings.ToLower(strings.TrimSpace(n))] {
			name, lang, hasLang = n, l, true
		}
	}
	name = strings.ReplaceAll(strings.ToLower(strings.TrimSpace(name)), " ", "_")
	if alias, ok := headerAliases[name]; ok {
		name = alias
	}
	if hasLang {
		return name + "::" + strings.TrimSpace(lang)
	}
	return name
}

// headerAliases are pyxform's other names for the columns read here.
var headerAliases = map[string]string{
	"relevance": "relevant", "caption": "label", "constraining_message": "constraint_message",
	"constraintmsg": "constraint_message", "requiredmsg": "required_message", "calculate": "calculation",
	"id_string": "form_id", "set_form_id": "form_id", "set_form_title": "form_title", "readonly": "read_only",
}

// translatableColumns take a language after one colon (label:French) in
// a sheet written without "::".
var translatableColumns = map[string]bool{
	"label": true, "hint": true, "constraint_message": true, "required_message": true, "unit": true,
	"description": true, "intro": true, "patterns": true, "media": true, "image": true, "audio": true, "video": true,
}

func (t *table) get(r int, key string) string {
	c, ok := t.cols[key]
	if !ok || r >= len(t.rows) {
		return ""
	}
	v := ""
	if c < len(t.rows[r]) {
		v = strings.TrimSpace(t.rows[r][c])
	}
	for _, m := range t.more {
		if v == "" && m[0] == c && m[1] < len(t.rows[r]) {
			v = strings.TrimSpace(t.rows[r][m[1]])
		}
	}
	return v
}

func (t *table) empty(r int) bool {
	for _, v := range t.rows[r] {
		if strings.TrimSpace(v) != "" {
			return false
		}
	}
	return true
}

// CellName is a cell's spreadsheet name: column (0-based) and row
// (0-based) to "C14".
func CellName(col, row int) string {
	name := ""
	for c := col + 1; c > 0; c = (c - 1) / 26 {
		name = string(rune('A'+(c-1)%26)) + name
	}
	return name + strconv.Itoa(row+1)
}

// cellLess orders cells sheet by sheet, then by row, then column.
func cellLess(a, b string) bool {
	sa, ca, _ := strings.Cut(a, "!")
	sb, cb, _ := strings.Cut(b, "!")
	if sa != sb {
		return sa < sb
	}
	ra, rb := rowOf(ca), rowOf(cb)
	if ra != rb {
		return ra < rb
	}
	return len(ca) < len(cb) || len(ca) == len(cb) && ca < cb
}

func rowOf(cell string) int {
	n, _ := strconv.Atoi(strings.TrimLeft(cell, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
	return n
}

// xlsformReader turns sheets into an instrument. Every element's Pos
// holds, instead of lines, indexes into cells, so the definition check
// shared with YAML files reports "survey!C14".
type xlsformReader struct {
	name   string
	cells  []string
	probs  Problems
	langs  []string
	base   string
	passed []PassedOver
}

// PassedOver is a question of a form's that an import leaves out, with
// the cell that says so: ODK's metadata (start, deviceid, …), which
// exchangeeval records in its own way.
type PassedOver struct{ Cell, Name, Type string }

// ColumnPassedOver is the Type of a column passed over, not a question.
const ColumnPassedOver = "column"

// at records a cell and returns its index, used as a line number.
func (x *xlsformReader) at(t *table, row int, key string) int {
	c, ok := t.cols[key]
	if !ok {
		c = 0
	}
	x.cells = append(x.cells, t.sheet+"!"+CellName(c, row))
	return len(x.cells) - 1
}

func (x *xlsformReader) fail(t *table, row int, key, format string, args ...any) {
	x.probs = append(x.probs, Problem{File: x.name, Line: 1, Cell: x.cells[x.at(t, row, key)], Message: fmt.Sprintf(format, args...)})
}

// text reads a multilingual column (label, hint, …): label::English (en)
// per language, or a plain label in the base language.
func (x *xlsformReader) text(t *table, row int, prefix string, pos *Pos, key string) Text {
	out := Text{}
	for i, h := range t.header {
		name, lang, hasLang := strings.Cut(h, "::")
		if name != prefix || i >= len(t.rows[row]) {
			continue
		}
		v := strings.TrimSpace(t.rows[row][i])
		if v == "" {
			continue
		}
		code := x.base
		if hasLang {
			code, _ = languageCode(lang)
		}
		if code == "" {
			continue // reported once, with the header
		}
		if htmlTag.MatchString(v) {
			x.probs = append(x.probs, Problem{File: x.name, Line: 1, Cell: t.sheet + "!" + CellName(i, row),
				Message: fmt.Sprintf("%s %q has HTML (%s): labels are plain text, and a delegate would see the tag as typed", h, v, htmlTag.FindString(v))})
			continue
		}
		out[code] = v
		if pos != nil {
			// The text's cell, and its cell in each language (key::fr),
			// for problems with one translation.
			x.cells = append(x.cells, t.sheet+"!"+CellName(i, row))
			if _, seen := pos.Lines[key]; !seen {
				pos.Lines[key] = len(x.cells) - 1
			}
			pos.Lines[key+"::"+code] = len(x.cells) - 1
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

func newPos(line int) Pos { return Pos{Line: line, Lines: map[string]int{}} }

func (x *xlsformReader) yesNo(t *table, row int, key string) bool {
	switch strings.ToLower(t.get(row, key)) {
	case "", "no", "false", "false()", "0":
		return false
	case "yes", "true", "true()", "1":
		return true
	}
	x.fail(t, row, key, "%s %q: write yes or no", key, t.get(row, key))
	return false
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == ';' }) {
		out = append(out, strings.TrimSpace(f))
	}
	return out
}

// FromXLSForm reads an instrument from an XLSForm's sheets. name is the
// file's, used in problems ("FORM.xlsx: survey!C14: …"). Everything it
// cannot honour is a problem, and with any problem no instrument is
// returned.
func FromXLSForm(name string, sheets []Sheet) (*Instrument, Problems) {
	x := &xlsformReader{name: name, cells: []string{""}}
	find := func(n string) *Sheet {
		for i := range sheets {
			if strings.EqualFold(strings.TrimSpace(sheets[i].Name), n) {
				return &sheets[i]
			}
		}
		return nil
	}
	survey, choices, settings := find(SheetSurvey), find(SheetChoices), find(SheetSettings)
	if survey == nil || len(survey.Rows) == 0 {
		var names []string
		for _, s := range sheets {
			names = append(names, s.Name)
		}
		return nil, Problems{{File: name, Message: fmt.Sprintf("this is not an XLSForm: it has no survey sheet (its sheets: %s); an XLSForm has the sheets survey, choices and settings", strings.Join(names, ", "))}}
	}
	st := newTable(survey)
	if _, ok := st.cols["type"]; !ok {
		return nil, Problems{{File: name, Cell: "survey!A1", Message: "the survey sheet has no type column: is this an XLSForm? Its first row names the columns: type, name, label, …"}}
	}
	if _, ok := st.cols["name"]; !ok {
		return nil, Problems{{File: name, Cell: "survey!A1", Message: "the survey sheet has no name column"}}
	}
	in := &Instrument{Scales: map[string]*Scale{}, Pos: newPos(1)}

	// Settings: the form's id, version, base language and title.
	set := newTable(settings)
	if settings == nil || len(set.rows) < 2 {
		// As pyxform reads such a form: its id from the file's name,
		// version 1, the title its id.
		set = &table{sheet: SheetSettings, cols: map[string]int{}, rows: [][]string{{}, {}}}
	}
	if dl := set.get(1, "default_language"); dl != "" {
		code, ok := languageCode(dl)
		if !ok {
			x.fail(set, 1, "default_language", "default_language %q: write a language as Name (code), e.g. English (en)", dl)
		}
		x.base = code
	}
	// Languages: the base first, then each language a label column names.
	var langs []string
	for _, t := range []*table{st, newTable(choices)} {
		for i, h := range t.header {
			head, lang, ok := strings.Cut(h, "::")
			if !ok || !slices.Contains([]string{"label", "hint"}, head) {
				continue
			}
			code, ok := languageCode(lang)
			if !ok {
				x.probs = append(x.probs, Problem{File: name, Line: 1, Cell: t.sheet + "!" + CellName(i, 0),
					Message: fmt.Sprintf("column %s: write the language as Name (code), e.g. label::English (en)", t.rows[0][i])})
				continue
			}
			if !slices.Contains(langs, code) {
				langs = append(langs, code)
			}
		}
	}
	if x.base == "" {
		x.base = "en"
		if len(langs) > 0 {
			x.base = langs[0]
		}
	}
	in.Languages = append([]string{x.base}, slices.DeleteFunc(langs, func(l string) bool { return l == x.base })...)
	x.langs = in.Languages

	in.ID = strings.ToLower(set.get(1, "form_id"))
	if in.ID == "" {
		in.ID = formIDFromName(name)
	}
	in.Pos.Lines["id"] = x.at(set, 1, "form_id")
	in.Pos.Lines["version"] = x.at(set, 1, "version")
	in.Pos.Lines["languages"] = x.at(set, 1, "default_language")
	// A version that is not a whole number ("2.2", KoboToolbox's
	// "vw6VTbhm…") is the form's own label: the store numbers the
	// versions it keeps itself, from 1.
	in.Version = 1
	if v := set.get(1, "version"); v != "" {
		if n, err := strconv.Atoi(v); err == nil && n >= 1 {
			in.Version = n
		} else {
			in.VersionLabel = v
		}
	}
	if l := set.get(1, "version_label"); l != "" {
		in.VersionLabel = l // exchangeeval's own column, beside its number
	}
	// form_title is the base language's; translated_title::Français (fr)
	// and the like, columns of exchangeeval's, give the others. (Forms
	// exported before wrote title::…, which pyxform takes for the form's
	// title — and then fails on — so it is still read, never written.)
	in.Title = x.text(set, 1, "form_title", &in.Pos, "title")
	for _, col := range []string{TranslatedTitle, "title"} {
		for l, v := range x.text(set, 1, col, &in.Pos, "title") {
			if in.Title == nil {
				in.Title = Text{}
			}
			if in.Title[l] == "" {
				in.Title[l] = v
			}
		}
	}
	if in.Title[x.base] == "" && in.ID != "" {
		// No form_title: pyxform titles the form with its id.
		if in.Title == nil {
			in.Title = Text{}
		}
		in.Title[x.base] = in.ID
	}
	if in.Pos.Lines["title"] == 0 {
		in.Pos.Lines["title"] = x.at(set, 1, "form_title")
	}
	in.Description = x.text(set, 1, "description", &in.Pos, "description")
	in.QuoteConsent = set.get(1, "quote_consent")
	x.passOver(set, settingsColumns)
	in.Pos.Lines["quote_consent"] = x.at(set, 1, "quote_consent")

	x.readWaves(in, find(SheetWaves))
	x.readGoals(in, find(SheetGoals))
	x.readThemes(in, find(SheetThemes))
	lists := x.readChoices(choices)
	x.readSurvey(in, st, lists)
	if len(in.Scales) == 0 {
		in.Scales = nil
	}
	if len(x.probs) > 0 {
		return nil, x.probs.sorted()
	}

	// The definition check YAML files get, with cells for lines.
	check(in, func(line int, format string, args ...any) {
		p := Problem{File: name, Line: 1, Message: fmt.Sprintf(format, args...)}
		if line > 0 && line < len(x.cells) {
			p.Cell = x.cells[line]
		}
		x.probs = append(x.probs, p)
	})
	if len(x.probs) > 0 {
		return nil, x.probs.sorted()
	}
	// Parsed again from its canonical YAML, as it will be stored: Parse
	// gives it the hash of those bytes.
	data, err := in.Canonical()
	if err != nil {
		return nil, Problems{{File: name, Message: err.Error()}}
	}
	out, probs := Parse(name, data)
	if out != nil {
		out.PassedOver = x.passed
	}
	return out, probs
}

// rows calls each for every row of a sheet below its header that is not
// empty, with the row's name (its id) and a Pos at the name's cell.
func (x *xlsformReader) rows(s *Sheet, each func(t *table, r int, id string, pos Pos)) *table {
	t := newTable(s)
	for r := 1; r < len(t.rows); r++ {
		if t.empty(r) {
			continue
		}
		pos := newPos(x.at(t, r, "name"))
		pos.Lines["id"] = pos.Line
		each(t, r, t.get(r, "name"), pos)
	}
	return t
}

func (x *xlsformReader) readWaves(in *Instrument, s *Sheet) {
	if s == nil {
		// A form from KoboToolbox or ODK is one round of questions: one
		// wave, named after the form. A waves sheet (name, label::…)
		// makes it several — pre, post, follow-up — and the upload page
		// says so.
		in.Waves = []*Wave{{ID: SingleWave, Title: in.Title, Pos: newPos(0)}}
		return
	}
	t := x.rows(s, func(t *table, r int, id string, pos Pos) {
		w := &Wave{ID: id, Pos: pos}
		w.Title = x.text(t, r, "label", &w.Pos, "title")
		if w.Title == nil {
			w.Pos.Lines["title"] = x.at(t, r, "label")
		}
		w.Intro = x.text(t, r, "intro", &w.Pos, "intro")
		for _, kind := range MessageKinds {
			subject := x.text(t, r, kind+"_subject", nil, "")
			body := x.text(t, r, kind+"_body", nil, "")
			if subject == nil && body == nil {
				continue
			}
			if w.Messages == nil {
				w.Messages = map[string]*Message{}
			}
			m := &Message{Subject: subject, Body: body, Pos: newPos(x.at(t, r, kind+"_subject"))}
			m.Pos.Lines["subject"], m.Pos.Lines["body"] = m.Pos.Line, x.at(t, r, kind+"_body")
			w.Messages[kind] = m
		}
		in.Waves = append(in.Waves, w)
	})
	in.Pos.Lines["waves"] = x.at(t, 0, "name")
}

func (x *xlsformReader) readGoals(in *Instrument, s *Sheet) {
	if s == nil {
		return
	}
	x.rows(s, func(t *table, r int, id string, pos Pos) {
		g := &Goal{ID: id, Pos: pos}
		g.Title = x.text(t, r, "label", &g.Pos, "title")
		g.Description = x.text(t, r, "description", &g.Pos, "description")
		c := &g.Criterion
		c.Pos = newPos(x.at(t, r, "from"))
		g.Pos.Lines["criterion"] = c.Pos.Line
		c.From, c.To = t.get(r, "from"), t.get(r, "to")
		c.Pos.Lines["from"], c.Pos.Lines["to"] = c.Pos.Line, x.at(t, r, "to")
		for _, f := range []struct {
			key string
			set func(float64)
		}{
			{"min_change", func(v float64) { c.MinChange = v }},
			{"alpha", func(v float64) { c.Alpha = v }},
			{"min_pairs", func(v float64) { c.MinPairs = int(v) }},
		} {
			c.Pos.Lines[f.key] = x.at(t, r, f.key)
			if v := t.get(r, f.key); v != "" {
				n, err := strconv.ParseFloat(strings.Replace(v, ",", ".", 1), 64)
				if err != nil || (f.key == "min_pairs" && n != float64(int(n))) {
					x.fail(t, r, f.key, "%s %q is not a number", f.key, v)
					continue
				}
				f.set(n)
			}
		}
		in.Goals = append(in.Goals, g)
	})
}

func (x *xlsformReader) readThemes(in *Instrument, s *Sheet) {
	if s == nil {
		return
	}
	x.rows(s, func(t *table, r int, id string, pos Pos) {
		th := &Theme{ID: id, Pos: pos}
		th.Label = x.text(t, r, "label", &th.Pos, "label")
		for lang, list := range x.text(t, r, "patterns", &th.Pos, "patterns") {
			if th.Patterns == nil {
				th.Patterns = map[string][]string{}
			}
			for _, p := range strings.FieldsFunc(list, func(r rune) bool { return r == ';' || r == '\n' }) {
				if p = strings.TrimSpace(p); p != "" {
					th.Patterns[lang] = append(th.Patterns[lang], p)
				}
			}
		}
		in.Themes = append(in.Themes, th)
	})
}

// choiceColumns are the choices sheet's columns that are not fields.
var choiceColumns = []string{"list_name", "name", "label", "hint", "media", "image", "audio", "video", "big-image"}

// choiceList is one list of the choices sheet.
type choiceList struct {
	name    string
	row     int // first row, for problems
	options []*Option
}

func (x *xlsformReader) readChoices(s *Sheet) map[string]*choiceList {
	lists := map[string]*choiceList{}
	if s == nil {
		return lists
	}
	t := newTable(s)
	for col := range unsupportedColumns {
		if _, ok := t.cols[col]; ok {
			for r := 1; r < len(t.rows); r++ {
				if t.get(r, col) != "" {
					x.fail(t, r, col, "%s", unsupportedColumns[col])
				}
			}
		}
	}
	for key := range t.cols {
		if strings.HasPrefix(key, "media::") || strings.HasPrefix(key, "image::") || strings.HasPrefix(key, "audio::") || strings.HasPrefix(key, "video::") {
			for r := 1; r < len(t.rows); r++ {
				if t.get(r, key) != "" {
					x.fail(t, r, key, "media are not supported")
				}
			}
		}
	}
	// The sheet's other columns (country, state, …) are the choices'
	// fields, which choice filters read.
	var fieldColumns []string
	for _, key := range t.header {
		_, unsupported := unsupportedColumns[key]
		if !unsupported && !slices.Contains(choiceColumns, key) && idPattern.MatchString(key) && !slices.Contains(fieldColumns, key) {
			fieldColumns = append(fieldColumns, key)
		}
	}
	for r := 1; r < len(t.rows); r++ {
		if t.empty(r) {
			continue
		}
		ln := t.get(r, "list_name")
		if ln == "" {
			x.fail(t, r, "list_name", "a choice without a list_name")
			continue
		}
		l := lists[ln]
		if l == nil {
			l = &choiceList{name: ln, row: r}
			lists[ln] = l
		}
		o := &Option{Code: t.get(r, "name"), Pos: newPos(x.at(t, r, "name"))}
		o.Pos.Lines["code"] = o.Pos.Line
		o.Label = x.text(t, r, "label", &o.Pos, "label")
		if o.Label == nil {
			o.Pos.Lines["label"] = x.at(t, r, "label")
		}
		for _, col := range fieldColumns {
			if v := t.get(r, col); v != "" {
				if o.Fields == nil {
					o.Fields = map[string]string{}
					o.Pos.Lines["fields"] = x.at(t, r, col)
				}
				o.Fields[col] = v
			}
		}
		l.options = append(l.options, o)
	}
	return lists
}

// likertPoints returns k when a list's choices are named 1, 2, … k.
func likertPoints(l *choiceList) int {
	for i, o := range l.options {
		if o.Code != strconv.Itoa(i+1) {
			return 0
		}
	}
	return len(l.options)
}

// surveyColumns are the survey sheet's columns an import reads (the
// unsupported ones aside, which it refuses).
var surveyColumns = []string{"type", "name", "label", "hint", "guidance_hint", "required", "required_message", "relevant",
	"constraint", "constraint_message", "calculation", "default", "choice_filter", "appearance", "waves", "goal", "reverse", "scale", "unit"}

// settingsColumns are the settings sheet's columns an import reads.
var settingsColumns = []string{"form_id", "version", "version_label", "default_language", "form_title", TranslatedTitle, "title", "description", "quote_consent"}

// passOver names, for the import's report, the columns of t holding a
// value that are neither among read nor refused: what only changes how
// ODK Collect shows or sends a form (rows, autoplay, body::accept,
// sms_field, instance_name, submission_url …), or a designer's notes.
func (x *xlsformReader) passOver(t *table, read []string) {
	for i, key := range t.header {
		head, _, _ := strings.Cut(key, "::")
		_, unsupported := unsupportedColumns[head]
		if key == "" || unsupported || head == "media" || slices.Contains(read, head) {
			continue
		}
		for r := 1; r < len(t.rows); r++ {
			if i < len(t.rows[r]) && strings.TrimSpace(t.rows[r][i]) != "" {
				x.passed = append(x.passed, PassedOver{Cell: t.sheet + "!" + CellName(i, 0), Name: t.rows[0][i], Type: ColumnPassedOver})
				break
			}
		}
	}
}

func (x *xlsformReader) readSurvey(in *Instrument, t *table, lists map[string]*choiceList) {
	x.passOver(t, surveyColumns)
	for key := range t.cols {
		head, _, _ := strings.Cut(key, "::")
		if why, ok := unsupportedColumns[head]; ok || head == "media" {
			if !ok {
				why = "media are not supported"
			}
			for r := 1; r < len(t.rows); r++ {
				if t.get(r, key) != "" {
					x.fail(t, r, key, "%s", why)
				}
			}
		}
	}
	var (
		sec      *Section // the section questions go to now
		implicit *Section // questions outside any group
		nImplied int
		// open are the groups open here, outermost first: a group inside
		// a group is a section of its own, asked under both conditions,
		// and the outer group's questions after it go on in a section
		// headed as the outer one.
		open  []*Section
		parts = map[*Section]int{}
	)
	for r := 1; r < len(t.rows); r++ {
		if t.empty(r) {
			continue
		}
		word, list := xlsformType(t.get(r, "type"))
		typ := strings.TrimSpace(word + " " + list)
		name := t.get(r, "name")
		switch {
		case typ == "" && name == "":
			// A comment row (a designer's note in another column), as
			// pyxform passes over it.
		case typ == "":
			x.fail(t, r, "type", "row %d has no type (every row of the survey sheet is a question, a note or a group)", r+1)
		case word == "begin_group":
			relevant := t.get(r, "relevant")
			if len(open) > 0 {
				relevant = bothConditions(open[len(open)-1].Relevant, relevant)
			}
			sec = &Section{ID: name, Pos: newPos(x.at(t, r, "name")), Relevant: relevant}
			open = append(open, sec)
			sec.Pos.Lines["id"] = sec.Pos.Line
			sec.Pos.Lines["relevant"] = x.at(t, r, "relevant")
			sec.Heading = x.text(t, r, "label", &sec.Pos, "heading")
			if sec.Heading == nil && name != "" {
				// A group without a label (a field-list page, say): its
				// name, in words, heads it.
				sec.Heading = Text{x.base: strings.ReplaceAll(name, "_", " ")}
			}
			if sec.Heading == nil {
				sec.Pos.Lines["heading"] = x.at(t, r, "label")
			}
			in.Sections = append(in.Sections, sec)
			implicit = nil
		case word == "end_group":
			if len(open) == 0 {
				x.fail(t, r, "type", "end_group without a begin_group")
			} else {
				open = open[:len(open)-1]
			}
			sec = nil
		case word == "note" && sec != nil && len(sec.Questions) == 0 && t.get(r, "relevant") == "" && name == sec.ID+"_intro":
			// The note opening a group that ToXLSForm writes for a
			// section's introduction; any other note stays a note.
			note := x.text(t, r, "label", &sec.Pos, "intro")
			for l, v := range note {
				if sec.Intro == nil {
					sec.Intro = Text{}
				}
				if sec.Intro[l] != "" {
					v = sec.Intro[l] + "\n\n" + v
				}
				sec.Intro[l] = v
			}
		case name == ParticipantQuestion && (word == "text" || word == "string"):
			// Who answers, on a wave's form collected in KoboToolbox or
			// ODK (WithParticipantQuestion): the import matches it to a
			// participant; it is no question of the instrument.
		case slices.Contains(metadataTypes, word):
			// Recorded by ODK itself; exchangeeval records when answers
			// are sent, so the import report names what it passed over.
			x.passed = append(x.passed, PassedOver{Cell: SheetSurvey + "!" + CellName(t.cols["type"], r), Name: name, Type: word})
		case unsupportedTypes[word] != "":
			x.fail(t, r, "type", "%s", unsupportedTypes[word])
		case slices.Contains(answeredTypes, word):
			if sec == nil && len(open) > 0 {
				// Back in the outer group after an inner one ended.
				outer := open[len(open)-1]
				parts[outer]++
				sec = &Section{ID: fmt.Sprintf("%s-%d", outer.ID, parts[outer]+1), Heading: outer.Heading, Relevant: outer.Relevant, Pos: outer.Pos}
				in.Sections = append(in.Sections, sec)
			}
			target := sec
			if target == nil {
				if implicit == nil {
					nImplied++
					id := "questions"
					if nImplied > 1 {
						id = fmt.Sprintf("questions-%d", nImplied)
					}
					implicit = &Section{ID: id, Heading: in.Title, Pos: newPos(x.at(t, r, "type"))}
					in.Sections = append(in.Sections, implicit)
				}
				target = implicit
			}
			if q := x.question(in, t, r, word, list, lists); q != nil {
				target.Questions = append(target.Questions, q)
				if _, other := cutOther(list); other {
					target.Questions = append(target.Questions, x.orOther(q))
				}
			}
		default:
			x.fail(t, r, "type", "type %q is not an XLSForm question type exchangeeval knows (%s, begin_group, end_group)", typ, strings.Join(answeredTypes, ", "))
		}
	}
	if len(open) > 0 {
		x.fail(t, len(t.rows)-1, "type", "group %q has no end_group", open[len(open)-1].ID)
	}
	in.Pos.Lines["sections"] = x.at(t, 0, "type")
}

// bothConditions is a condition that holds when outer and inner both do
// (either may be empty).
func bothConditions(outer, inner string) string {
	switch {
	case outer == "":
		return inner
	case inner == "":
		return outer
	}
	return "(" + outer + ") and (" + inner + ")"
}

// answeredTypes are the XLSForm types read as questions (and notes).
var answeredTypes = []string{"select_one", "select_multiple", "integer", "decimal", "text", "note", "date", "time", "datetime", "calculate"}

// xlsformTypes are the types of exchangeeval's questions an XLSForm
// spells otherwise.
var xlsformTypes = map[string]string{"text": TypeText, "note": TypeNote, "date": TypeDate, "time": TypeTime, "datetime": TypeDateTime, "calculate": TypeCalculate}

func (x *xlsformReader) question(in *Instrument, t *table, r int, word, list string, lists map[string]*choiceList) *Question {
	list, other := cutOther(list)
	q := &Question{ID: t.get(r, "name"), Pos: newPos(x.at(t, r, "name")), Relevant: t.get(r, "relevant"),
		Calculation: t.get(r, "calculation"), Default: t.get(r, "default"), ChoiceFilter: t.get(r, "choice_filter")}
	for _, k := range []string{"id", "waves", "required", "scale", "reverse", "goal", "relevant", "calculation", "default", "constraint", "choice_filter"} {
		col := map[string]string{"id": "name"}[k]
		if col == "" {
			col = k
		}
		q.Pos.Lines[k] = x.at(t, r, col)
	}
	q.Pos.Lines["type"], q.Pos.Lines["options"] = x.at(t, r, "type"), x.at(t, r, "type")
	q.Text = x.text(t, r, "label", &q.Pos, "text")
	if q.Text == nil {
		q.Pos.Lines["text"] = x.at(t, r, "label")
	}
	q.Help = x.text(t, r, "hint", &q.Pos, "help")
	// ODK shows a guidance hint on request, or on paper; a web page has
	// room to show it after the hint.
	for l, g := range x.text(t, r, "guidance_hint", &q.Pos, "help") {
		if q.Help == nil {
			q.Help = Text{}
		}
		q.Help[l] = strings.TrimSpace(q.Help[l] + " " + g)
	}
	q.Unit = x.text(t, r, "unit", &q.Pos, "unit")
	q.RequiredMessage = x.text(t, r, "required_message", &q.Pos, "required_message")
	q.Required = x.yesNo(t, r, "required")
	q.Reverse = x.yesNo(t, r, "reverse")
	q.Goal = t.get(r, "goal")
	if w := t.get(r, "waves"); w != "" {
		q.Waves = splitList(w)
	} else {
		q.Waves = in.WaveIDs() // every wave, as a plain XLSForm asks every question
	}
	constraint := t.get(r, "constraint")
	q.Pos.Lines["min"], q.Pos.Lines["max"], q.Pos.Lines["max_length"] = x.at(t, r, "constraint"), x.at(t, r, "constraint"), x.at(t, r, "constraint")
	q.ConstraintMessage = x.text(t, r, "constraint_message", &q.Pos, "constraint_message")
	if len(q.ConstraintMessage) > 0 || !x.bounds(q, word, constraint) {
		// A constraint that is no plain bound, or whose message the
		// form words itself, is kept as written.
		q.Constraint = constraint
	}
	if other && word != "select_one" && word != "select_multiple" {
		x.fail(t, r, "type", "or_other goes with select_one or select_multiple")
	}
	if other && q.ChoiceFilter != "" {
		// Nor does pyxform take the two together: the "other" option
		// would have none of the list's columns to be filtered on.
		x.fail(t, r, "choice_filter", "a choice_filter does not go with or_other: list \"other\" as a choice of its own")
	}
	switch word {
	case "select_one", "select_multiple":
		l := lists[list]
		if list == "" {
			x.fail(t, r, "type", "%s needs a choice list: %s LIST", word, word)
			return nil
		}
		if l == nil {
			x.fail(t, r, "type", "choice list %q is not on the choices sheet", list)
			return nil
		}
		likertAsked := strings.Contains(strings.ToLower(t.get(r, "appearance")), "likert") || t.get(r, "scale") != ""
		points := likertPoints(l)
		switch {
		case word == "select_one" && (likertAsked || points >= 2) && points >= 2 && !other && q.ChoiceFilter == "":
			q.Type = TypeLikert
			q.Scale = t.get(r, "scale")
			if q.Scale == "" {
				q.Scale = l.name
			}
			sc := &Scale{Points: points, Labels: map[string][]string{}, Pos: newPos(q.Pos.Lines["type"])}
			sc.Pos.Lines["labels"] = l.options[0].Pos.Line
			for _, lang := range x.langs {
				for i, o := range l.options {
					if v := o.Label[lang]; v != "" {
						if sc.Labels[lang] == nil {
							sc.Labels[lang] = make([]string, points)
						}
						sc.Labels[lang][i] = v
					}
				}
			}
			if old, ok := in.Scales[q.Scale]; ok && !sameScale(old, sc) {
				x.fail(t, r, "scale", "scale %q is used with two different choice lists", q.Scale)
			}
			in.Scales[q.Scale] = sc
		case likertAsked:
			x.fail(t, r, "type", "a likert question needs a list whose choices are named 1, 2, … (list %q is not)", list)
			return nil
		case word == "select_one":
			q.Type = TypeSingle
		default:
			q.Type = TypeMulti
		}
		if q.Type != TypeLikert {
			for _, o := range l.options {
				c := *o
				q.Options = append(q.Options, &c)
			}
		}
	case "integer", "decimal":
		q.Type, q.Integer = TypeNumber, word == "integer"
	default:
		q.Type = xlsformTypes[word]
	}
	return q
}

// cutOther takes or_other off the end of a type's list ("colors
// or_other"), reporting whether it was there.
func cutOther(list string) (string, bool) {
	if list == "or_other" {
		return "", true
	}
	rest, other := strings.CutSuffix(list, " or_other")
	return rest, other
}

// bounds reads a constraint that is only bounds into the question's
// own limits — ". >= 0 and . <= 60" into min and max, "string-length(.)
// <= 500" into max_length — which its input shows; it reports whether
// it did.
func (x *xlsformReader) bounds(q *Question, word, constraint string) bool {
	switch {
	case constraint == "":
		return true
	case word == "integer" || word == "decimal":
		return numberBounds(q, word == "integer", constraint)
	case word == "text":
		m := textBound.FindStringSubmatch(constraint)
		if m == nil {
			return false
		}
		n, _ := strconv.Atoi(m[2])
		if m[1] == "<" {
			n--
		}
		q.MaxLength = n
		return n > 0
	}
	return false
}

// orOther is the text question pyxform adds after a choice question
// written "select_one list or_other": the "Other" option's text, asked
// when it is chosen. The option itself is added to the question.
func (x *xlsformReader) orOther(q *Question) *Question {
	other, specify := Text{}, Text{}
	for _, l := range x.langs {
		other[l], specify[l] = i18n.T(l, "xlsform.other"), i18n.T(l, "xlsform.other.specify")
	}
	if q.Option("other") == nil {
		q.Options = append(q.Options, &Option{Code: "other", Label: other, Pos: q.Pos})
	}
	return &Question{ID: q.ID + "_other", Type: TypeText, Text: specify, Waves: q.Waves, Pos: q.Pos,
		Relevant: fmt.Sprintf("selected(${%s}, 'other')", q.ID)}
}

func sameScale(a, b *Scale) bool {
	if a.Points != b.Points || len(a.Labels) != len(b.Labels) {
		return false
	}
	for l, ls := range a.Labels {
		if !slices.Equal(ls, b.Labels[l]) {
			return false
		}
	}
	return true
}

// numberBounds reads ". >= 0 and . <= 60" into min and max, reporting
// whether the constraint was only such bounds.
func numberBounds(q *Question, integer bool, constraint string) bool {
	var lo, hi *float64
	for _, term := range andWord.Split(strings.TrimSpace(constraint), -1) {
		m := numericBound.FindStringSubmatch(strings.Trim(strings.TrimSpace(term), "()"))
		if m == nil {
			return false
		}
		v, _ := strconv.ParseFloat(m[2], 64)
		switch m[1] {
		case ">", "<":
			if !integer || v != float64(int64(v)) {
				return false // kept as the expression it is
			}
			if m[1] == ">" {
				v++
			} else {
				v--
			}
		}
		if strings.HasPrefix(m[1], ">") {
			lo = &v
		} else {
			hi = &v
		}
	}
	q.Min, q.Max = lo, hi
	return true
}

// ToXLSForm writes an instrument as XLSForm sheets: survey, choices,
// settings, and exchangeeval's waves, goals and themes. FromXLSForm reads
// them back to the same instrument (the same canonical YAML).
func ToXLSForm(in *Instrument) []Sheet {
	base := in.BaseLanguage()
	col := func(prefix, lang string) string {
		return fmt.Sprintf("%s::%s (%s)", prefix, LanguageName(lang), lang)
	}
	texts := func(prefix string) []string {
		out := make([]string, len(in.Languages))
		for i, l := range in.Languages {
			out[i] = col(prefix, l)
		}
		return out
	}
	values := func(t Text) []string {
		out := make([]string, len(in.Languages))
		for i, l := range in.Languages {
			out[i] = t[l]
		}
		return out
	}
	num := func(f float64) string {
		if f == 0 {
			return ""
		}
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	yes := func(b bool) string {
		if b {
			return "yes"
		}
		return ""
	}

	// survey
	head := slices.Concat([]string{"type", "name"}, texts("label"), texts("hint"),
		[]string{"required", "relevant", "constraint", "appearance", "waves", "goal", "reverse", "scale", "calculation", "default", "choice_filter"}, texts("unit"), texts("constraint_message"), texts("required_message"))
	survey := [][]string{head}
	row := func(cells ...[]string) { survey = append(survey, slices.Concat(cells...)) }
	blank := func(n int) []string { return make([]string, n) }
	nl := len(in.Languages)

	// choices: a list per scale, then per question, reusing identical
	// ones; the options' fields, for choice filters, in columns after
	// the labels.
	var fields []string
	for _, q := range in.Questions() {
		for _, f := range q.choiceFields()[1:] {
			if !slices.Contains(fields, f) {
				fields = append(fields, f)
			}
		}
	}
	slices.Sort(fields)
	fieldsOf := func(o *Option) []string {
		out := make([]string, len(fields))
		for i, f := range fields {
			out[i] = o.Fields[f]
		}
		return out
	}
	choices := [][]string{slices.Concat([]string{"list_name", "name"}, texts("label"), fields)}
	for _, name := range sortedKeys(in.Scales) {
		sc := in.Scales[name]
		for p := 1; p <= sc.Points; p++ {
			labels := make([]string, nl)
			for i, l := range in.Languages {
				if ls := sc.Labels[l]; p <= len(ls) {
					labels[i] = ls[p-1]
				}
			}
			choices = append(choices, slices.Concat([]string{name, strconv.Itoa(p)}, labels, blank(len(fields))))
		}
	}
	listOf := map[string]string{} // options' content → list name
	listName := func(q *Question) string {
		var key strings.Builder
		for _, o := range q.Options {
			key.WriteString(o.Code + "\x00" + strings.Join(slices.Concat(values(o.Label), fieldsOf(o)), "\x00") + "\x01")
		}
		if n, ok := listOf[key.String()]; ok {
			return n
		}
		name := q.ID
		if _, clash := in.Scales[name]; clash {
			name += "_options"
		}
		listOf[key.String()] = name
		for _, o := range q.Options {
			choices = append(choices, slices.Concat([]string{name, o.Code}, values(o.Label), fieldsOf(o)))
		}
		return name
	}

	allWaves := strings.Join(in.WaveIDs(), " ")
	for _, s := range in.Sections {
		row([]string{"begin_group", s.ID}, values(s.Heading), blank(nl), []string{"", s.Relevant}, blank(9), blank(3*nl))
		if len(s.Intro) > 0 {
			row([]string{"note", s.ID + "_intro"}, values(s.Intro), blank(nl), blank(11), blank(3*nl))
		}
		for _, q := range s.Questions {
			var typ, constraint, appearance string
			switch q.Type {
			case TypeLikert:
				typ, appearance = "select_one "+q.Scale, "likert"
			case TypeSingle:
				typ = "select_one " + listName(q)
			case TypeMulti:
				typ = "select_multiple " + listName(q)
			case TypeNumber:
				typ = "decimal"
				if q.Integer {
					typ = "integer"
				}
				var bounds []string
				if q.Min != nil {
					bounds = append(bounds, ". >= "+strconv.FormatFloat(*q.Min, 'f', -1, 64))
				}
				if q.Max != nil {
					bounds = append(bounds, ". <= "+strconv.FormatFloat(*q.Max, 'f', -1, 64))
				}
				constraint = strings.Join(bounds, " and ")
			case TypeText:
				typ = "text"
				if q.MaxLength > 0 {
					constraint = fmt.Sprintf("string-length(.) <= %d", q.MaxLength)
				}
			default: // note, date, time, datetime, calculate
				for word, t := range xlsformTypes {
					if t == q.Type {
						typ = word
					}
				}
			}
			if q.Constraint != "" {
				constraint = bothConditions(constraint, q.Constraint)
			}
			waves := strings.Join(q.Waves, " ")
			if waves == allWaves {
				waves = ""
			}
			row([]string{typ, q.ID}, values(q.Text), values(q.Help),
				[]string{yes(q.Required), q.Relevant, constraint, appearance, waves, q.Goal, yes(q.Reverse), q.Scale, q.Calculation, q.Default, q.ChoiceFilter},
				values(q.Unit), values(q.ConstraintMessage), values(q.RequiredMessage))
		}
		row([]string{"end_group", ""}, blank(nl), blank(nl), blank(11), blank(3*nl))
	}

	settings := [][]string{
		slices.Concat([]string{"form_id", "version", "default_language", "form_title"}, texts(TranslatedTitle)[1:], texts("description"), []string{"quote_consent", "version_label"}),
		slices.Concat([]string{in.ID, strconv.Itoa(in.Version), fmt.Sprintf("%s (%s)", LanguageName(base), base), in.Title[base]},
			values(in.Title)[1:], values(in.Description), []string{in.QuoteConsent, in.VersionLabel}),
	}

	waveHead := slices.Concat([]string{"name"}, texts("label"), texts("intro"))
	for _, kind := range MessageKinds {
		waveHead = slices.Concat(waveHead, texts(kind+"_subject"), texts(kind+"_body"))
	}
	waves := [][]string{waveHead}
	for _, w := range in.Waves {
		r := slices.Concat([]string{w.ID}, values(w.Title), values(w.Intro))
		for _, kind := range MessageKinds {
			m := w.Messages[kind]
			if m == nil {
				m = &Message{}
			}
			r = slices.Concat(r, values(m.Subject), values(m.Body))
		}
		waves = append(waves, r)
	}

	goals := [][]string{slices.Concat([]string{"name"}, texts("label"), texts("description"), []string{"from", "to", "min_change", "alpha", "min_pairs"})}
	for _, g := range in.Goals {
		c := g.Criterion
		goals = append(goals, slices.Concat([]string{g.ID}, values(g.Title), values(g.Description),
			[]string{c.From, c.To, num(c.MinChange), num(c.Alpha), num(float64(c.MinPairs))}))
	}

	themes := [][]string{slices.Concat([]string{"name"}, texts("label"), texts("patterns"))}
	for _, th := range in.Themes {
		patterns := make([]string, nl)
		for i, l := range in.Languages {
			patterns[i] = strings.Join(th.Patterns[l], "; ")
		}
		themes = append(themes, slices.Concat([]string{th.ID}, values(th.Label), patterns))
	}

	return []Sheet{{SheetSurvey, survey}, {SheetChoices, choices}, {SheetSettings, settings},
		{SheetWaves, waves}, {SheetGoals, goals}, {SheetThemes, themes}}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
