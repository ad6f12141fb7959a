package web

import (
	"encoding/json"
	"html/template"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/i18n"
	"github.com/csci/exchangeeval/internal/mailing"
	"github.com/csci/exchangeeval/internal/survey"
)

// page is what every template gets: the language, the catalogue and the
// language switch.
type page struct {
	Lang      string
	Title     string
	Languages []languageLink
	// Staff is set on staff pages: the navigation and the sign-out form.
	Staff *staffNav
	// Fallback is the language a message missing in Lang is looked for
	// next, before English: the instrument's base language on a
	// delegate's page.
	Fallback string
}

// T is a catalogue message in the page's language. Where that language
// has no translation it falls back (the instrument's language, then
// English), and the words are marked with their own lang, so a screen
// reader reads them with the right voice. The text is escaped here: a
// translation from a file is never markup. (In an attribute, html/template
// keeps the text and drops the mark.)
func (p page) T(key string, args ...any) template.HTML {
	s, lang := i18n.Active().In(p.Lang, p.Fallback, key, args...)
	return marked(s, lang, p.Lang)
}

// marked is text for a page in pageLang, escaped; text in another
// language (a word that fell back) carries its own lang — and its own
// direction where that differs, so English on an Arabic page reads left
// to right.
func marked(text, lang, pageLang string) template.HTML {
	s := template.HTMLEscapeString(text)
	if lang == pageLang || text == "" {
		return template.HTML(s)
	}
	attrs := ` lang="` + template.HTMLEscapeString(lang) + `"`
	if d := i18n.Dir(lang); d != i18n.Dir(pageLang) {
		attrs += ` dir="` + d + `"`
	}
	return template.HTML(`<span` + attrs + `>` + s + `</span>`)
}

// inPage is an instrument's text on a page in lang: in lang, or — where
// the instrument lacks that translation — in its base language, marked.
func inPage(t survey.Text, lang, base string) template.HTML {
	return marked(t.In(lang, base), t.Lang(lang, base), lang)
}

// showAnswers puts the answers a text shows (${stay}) into it, each in
// an output element the script keeps current as the delegate answers.
func showAnswers(h template.HTML, in *survey.Instrument, given survey.Answers) template.HTML {
	return template.HTML(survey.ReplaceTextRefs(string(h), func(id string) string {
		q := in.Question(id)
		if q == nil {
			return ""
		}
		return `<output data-ref="` + template.HTMLEscapeString(id) + `" data-type="` + q.ReadAs() + `">` +
			template.HTMLEscapeString(survey.AnswerText(given[id])) + `</output>`
	}))
}

// Dir is the page's writing direction: "rtl" for Arabic, Hebrew, Persian,
// Urdu…; the stylesheet uses logical properties, so the layout mirrors
// with it.
func (p page) Dir() string { return i18n.Dir(p.Lang) }

type languageLink struct {
	Code, Name, URL string
	Current         bool
}

func languageLinks(langs []string, current, path string, query url.Values) []languageLink {
	var out []languageLink
	for _, l := range langs {
		q := url.Values{}
		for k, v := range query {
			q[k] = v
		}
		q.Set("lang", l)
		out = append(out, languageLink{Code: l, Name: survey.LanguageName(l), URL: path + "?" + q.Encode(), Current: l == current})
	}
	return out
}

type questionnairePage struct {
	page
	Action      string
	Wave        string
	WaveTitle   template.HTML
	WaveIntro   template.HTML
	Description template.HTML
	// Notice is the privacy notice, in the delegate's language.
	Notice   template.HTML
	Sections []sectionView
	Errors   []errorLink
	SavedAt  string
	// DraftAt is when the answers filled in were saved as a draft.
	DraftAt      string
	ExchangeName string
	// Deadline is the day the delegate is asked to answer by, if any.
	Deadline string
	// Answered sections of all: the progress indicator (kept current as
	// the delegate answers by /static/app.js, when scripts run).
	Answered int
	// Unavailable: the answers could not be stored for now; the form
	// shows them again.
	Unavailable bool
	// Preview is set when an admin previews an instrument: a banner says
	// nothing is saved, and links lead to the other waves; Accepted says
	// the answers sent would have been taken.
	Preview  *previewInfo
	Accepted bool
	// OtherWaves are the other questionnaires open to the same link, late
	// ones first: a delegate shown post can still reach pre.
	OtherWaves []waveLink
}

type errorLink struct {
	Anchor   string
	Question template.HTML
	Message  string
}

type sectionView struct {
	ID             string
	Heading, Intro template.HTML
	// When words the section's condition; Relevant is it as a tree for
	// the script, which hides the section while it does not hold.
	When      string
	Relevant  string
	Questions []questionView
	// Required lists the section's required questions (space-separated),
	// for the progress indicator's script; Number is its place, from 1.
	Required string
	Number   int
}

type questionView struct {
	ID, Type, Error, Value, Hint string
	// Text, Help and Unit are the instrument's words, marked where they
	// fell back to its base language (inPage).
	Text, Help, Unit template.HTML
	RequiredText     string
	Required         bool
	// Select is set for single choices with many options: a drop-down
	// is far shorter on a phone than thirty radio buttons.
	Select         bool
	ChooseOne      string
	Options        []optionView
	Min, Max, Step string
	MaxLength      int
	// When words the question's condition, shown when no script hides
	// the question; Relevant is the condition as a tree for the script.
	When, Relevant string
	// Calculate is a calculation as a tree, for the script to keep
	// its value current for the conditions that read it.
	Calculate string
	// Input is the input type of a date or time question.
	Input string
	// Filter is a choice filter as a tree, for the script to offer only
	// the options that go with the answers before.
	Filter string
}

// choiceView is what the choice partial gets: the question and whether its
// options are radio buttons or check boxes.
type choiceView struct {
	Q     questionView
	Input string
}

func choice(q questionView, input string) choiceView { return choiceView{Q: q, Input: input} }

type optionView struct {
	ID, Value, Label string
	// Lang is the label's language where it fell back to the
	// instrument's base language, for its lang attribute; "" otherwise.
	Lang    string
	Checked bool
	// Fields are the option's fields as JSON, which a choice filter
	// reads; "" without a filter.
	Fields string
}

// selectAbove is the number of options above which a single choice is shown
// as a drop-down.
const selectAbove = 8

// buildQuestionnaire lays out the questions of wave in lang, filled with
// values (the delegate's last submission or stored answers) and errors.
func buildQuestionnaire(in *survey.Instrument, x *exchange.Exchange, wave, lang string, values map[string][]string, errs survey.FieldErrors) questionnairePage {
	base := in.BaseLanguage()
	w := in.Wave(wave)
	p := questionnairePage{
		page:         page{Lang: lang, Fallback: base, Title: in.Title.In(lang, base) + " — " + w.Title.In(lang, base)},
		Wave:         wave,
		WaveTitle:    inPage(w.Title, lang, base),
		WaveIntro:    inPage(w.Intro, lang, base),
		Description:  inPage(in.Description, lang, base),
		ExchangeName: x.NameIn(lang),
	}
	p.Notice = noticeOnPage(in, lang)
	if c := x.Waves[wave].Closes; c != nil {
		p.Deadline = mailing.Date(lang, *c)
	}
	// What applies, as far as the form's values say, for the progress
	// count; the form itself shows every question (the script hides).
	given, _ := in.FromStrings(wave, values)
	notApplicable := in.NotApplicable(wave, given)
	fresh := len(values) == 0 // nothing given yet: defaults are offered
	for _, s := range in.SectionsIn(wave) {
		sv := sectionView{ID: s.ID, Heading: inPage(s.Heading, lang, base), Intro: inPage(s.Intro, lang, base)}
		if c := s.Condition(); c != nil {
			sv.When, sv.Relevant = c.Describe(in, lang), string(c.Tree(in))
		}
		for _, q := range s.Questions {
			qv := questionView{ID: q.ID, Type: q.Type, Text: showAnswers(inPage(q.Text, lang, base), in, given),
				Help: showAnswers(inPage(q.Help, lang, base), in, given), Required: q.Required, RequiredText: translate(lang, "required")}
			if c := q.Condition(); c != nil {
				qv.When, qv.Relevant = c.Describe(in, lang), string(c.Tree(in))
			}
			vals := values[q.ID]
			if fresh && q.Default != "" {
				vals = []string{q.Default}
			}
			if e, bad := errs[q.ID]; bad {
				qv.Error = e.Message(lang)
				p.Errors = append(p.Errors, errorLink{Anchor: "q-" + q.ID, Question: qv.Text, Message: qv.Error})
			}
			switch q.Type {
			case survey.TypeLikert:
				scale := in.Scales[q.Scale]
				for v := 1; v <= scale.Points; v++ {
					s := strconv.Itoa(v)
					qv.Options = append(qv.Options, optionView{ID: q.ID + "-" + s, Value: s, Label: scale.Label(v, lang, base), Lang: fellBack(scale.LabelLang(v, lang, base), lang), Checked: slices.Contains(vals, s)})
				}
			case survey.TypeSingle, survey.TypeMulti:
				qv.Filter = string(q.FilterTree(in))
				for _, o := range q.Options {
					ov := optionView{ID: q.ID + "-" + o.Code, Value: o.Code, Label: o.Label.In(lang, base), Lang: fellBack(o.Label.Lang(lang, base), lang), Checked: slices.Contains(vals, o.Code)}
					if qv.Filter != "" {
						fields, _ := json.Marshal(o.Fields)
						ov.Fields = string(fields)
					}
					qv.Options = append(qv.Options, ov)
				}
				if q.Type == survey.TypeMulti {
					qv.Hint = translate(lang, "choose.many")
				}
				qv.Select = q.Type == survey.TypeSingle && len(q.Options) > selectAbove
				qv.ChooseOne = translate(lang, "choose")
			case survey.TypeNumber:
				qv.Unit = inPage(q.Unit, lang, base)
				qv.Step = "any"
				if q.Integer {
					qv.Step = "1"
				}
				if q.Min != nil {
					qv.Min = strconv.FormatFloat(*q.Min, 'f', -1, 64)
				}
				if q.Max != nil {
					qv.Max = strconv.FormatFloat(*q.Max, 'f', -1, 64)
				}
				if qv.Min != "" && qv.Max != "" {
					qv.Hint = translate(lang, "number.range", qv.Min, qv.Max)
				}
				if len(vals) > 0 {
					qv.Value = vals[0]
				}
			case survey.TypeText:
				qv.MaxLength = q.Limit()
				qv.Hint = translate(lang, "chars.max", q.Limit())
				if len(vals) > 0 {
					qv.Value = vals[0]
				}
			case survey.TypeDate, survey.TypeTime, survey.TypeDateTime:
				// The browser's own picker, in the reader's format; the
				// value it sends is ISO 8601 whatever it shows.
				qv.Input = map[string]string{survey.TypeDate: "date", survey.TypeTime: "time", survey.TypeDateTime: "datetime-local"}[q.Type]
				if len(vals) > 0 {
					qv.Value = vals[0]
				}
			case survey.TypeCalculate:
				qv.Calculate = string(q.CalculationTree(in))
			}
			sv.Questions = append(sv.Questions, qv)
		}
		sv.Number = len(p.Sections) + 1
		var required []string
		for _, q := range s.Questions {
			if q.Required {
				required = append(required, q.ID)
			}
		}
		sv.Required = strings.Join(required, " ")
		applicable := slices.DeleteFunc(slices.Clone(s.Questions), func(q *survey.Question) bool {
			return slices.Contains(notApplicable, q.ID) || q.Type == survey.TypeNote || q.Type == survey.TypeCalculate
		})
		if len(applicable) == 0 || sectionAnswered(applicable, values) {
			p.Answered++
		}
		p.Sections = append(p.Sections, sv)
	}
	return p
}

// fellBack is in when it is not the page's language lang, else "".
func fellBack(in, lang string) string {
	if in == lang {
		return ""
	}
	return in
}

// sectionAnswered reports whether a section counts as answered for the
// progress indicator: every required question has an answer, or, in a
// section with none required, any question has.
func sectionAnswered(qs []*survey.Question, values map[string][]string) bool {
	has := func(q *survey.Question) bool { return strings.TrimSpace(strings.Join(values[q.ID], "")) != "" }
	required, any := 0, false
	for _, q := range qs {
		if q.Required {
			required++
			if !has(q) {
				return false
			}
		}
		any = any || has(q)
	}
	return required > 0 || any
}

// answerStrings turns stored answers into form values for pre-filling.
func answerStrings(a survey.Answers) map[string][]string {
	out := make(map[string][]string, len(a))
	for k, v := range a {
		out[k] = survey.Strings(v)
	}
	return out
}

type messagePage struct {
	page
	Heading, Body, Detail string
	LinkURL, LinkText     string
	// NextURL leads on to the next questionnaire when it is open already.
	NextURL, NextText string
}

// questionnaireJSON is the questionnaire as the JSON API gives it.
type questionnaireJSON struct {
	Exchange   string `json:"exchange"`
	Instrument string `json:"instrument"`
	Version    int    `json:"instrument_version"`
	Wave       string `json:"wave"`
	// OpenWaves are every wave open to the link, in the instrument's
	// order; ?wave= picks another.
	OpenWaves   []string `json:"open_waves"`
	Language    string   `json:"language"`
	Languages   []string `json:"languages"`
	Title       string   `json:"title"`
	Description string   `json:"description,omitempty"`
	// PrivacyNotice is what delegates are told of their data; a
	// submission records its version.
	PrivacyNotice noticeJSON     `json:"privacy_notice"`
	Sections      []sectionJSON  `json:"sections"`
	Answers       survey.Answers `json:"answers"`
	SubmittedAt   *string        `json:"submitted_at"`
	Versions      int            `json:"versions"`
}

type noticeJSON struct {
	Version string `json:"version"`
	Text    string `json:"text"`
}

type sectionJSON struct {
	ID      string `json:"id"`
	Heading string `json:"heading"`
	// Relevant is the section's condition in XLSForm's syntax, and
	// AppliesWhen the same in words; the questions apply only when it
	// holds.
	Relevant    string         `json:"relevant,omitempty"`
	AppliesWhen string         `json:"applies_when,omitempty"`
	Questions   []questionJSON `json:"questions"`
}

type questionJSON struct {
	ID        string       `json:"id"`
	Type      string       `json:"type"`
	Text      string       `json:"text"`
	Help      string       `json:"help,omitempty"`
	Required  bool         `json:"required"`
	Goal      string       `json:"goal,omitempty"`
	Options   []optionJSON `json:"options,omitempty"`
	Min       *float64     `json:"min,omitempty"`
	Max       *float64     `json:"max,omitempty"`
	Integer   bool         `json:"integer,omitempty"`
	MaxLength int          `json:"max_length,omitempty"`
	// Relevant is the question's own condition on earlier answers
	// (XLSForm's syntax: ${q} = 'yes', selected(${q}, 'code'), …); an
	// answer to a question whose condition is false is not kept.
	Relevant    string `json:"relevant,omitempty"`
	AppliesWhen string `json:"applies_when,omitempty"`
	// Constraint is a condition the answer itself (.) must meet, and
	// ConstraintMessage what to say when it does not; Calculation is
	// how the server computes a calculate question (not to be sent);
	// Default is the answer to offer before any is given.
	Constraint        string `json:"constraint,omitempty"`
	ConstraintMessage string `json:"constraint_message,omitempty"`
	Calculation       string `json:"calculation,omitempty"`
	Default           string `json:"default,omitempty"`
	// ChoiceFilter says which options are offered given the answers
	// before (XLSForm's choice_filter): those for which it holds, its
	// bare words read as the option's value (name) and fields.
	ChoiceFilter string `json:"choice_filter,omitempty"`
}

type optionJSON struct {
	Value any    `json:"value"`
	Label string `json:"label"`
	// Fields are what a choice filter reads of the option beside its
	// value (country: france).
	Fields map[string]string `json:"fields,omitempty"`
}

func buildQuestionnaireJSON(in *survey.Instrument, x *exchange.Exchange, wave, lang string) questionnaireJSON {
	base := in.BaseLanguage()
	out := questionnaireJSON{Exchange: x.ID, Instrument: in.ID, Version: in.Version, Wave: wave, Language: lang,
		Languages: in.Languages, Title: in.Title.In(lang, base), Description: in.Description.In(lang, base), Answers: survey.Answers{}}
	out.PrivacyNotice = noticeJSON{Version: noticeVersion(in), Text: noticeText(in, lang)}
	for _, s := range in.SectionsIn(wave) {
		sj := sectionJSON{ID: s.ID, Heading: s.Heading.In(lang, base)}
		if c := s.Condition(); c != nil {
			sj.Relevant, sj.AppliesWhen = c.Source, c.Describe(in, lang)
		}
		for _, q := range s.Questions {
			qj := questionJSON{ID: q.ID, Type: q.Type, Text: q.Text.In(lang, base), Help: q.Help.In(lang, base),
				Required: q.Required, Goal: q.Goal, Min: q.Min, Max: q.Max, Integer: q.Integer,
				Constraint: q.Constraint, ConstraintMessage: q.ConstraintMessage.In(lang, base), Calculation: q.Calculation, Default: q.Default,
				ChoiceFilter: q.ChoiceFilter}
			if c := q.Condition(); c != nil {
				qj.Relevant, qj.AppliesWhen = c.Source, c.Describe(in, lang)
			}
			switch q.Type {
			case survey.TypeLikert:
				sc := in.Scales[q.Scale]
				for v := 1; v <= sc.Points; v++ {
					qj.Options = append(qj.Options, optionJSON{Value: v, Label: sc.Label(v, lang, base)})
				}
			case survey.TypeSingle, survey.TypeMulti:
				for _, o := range q.Options {
					qj.Options = append(qj.Options, optionJSON{Value: o.Code, Label: o.Label.In(lang, base), Fields: o.Fields})
				}
			case survey.TypeText:
				qj.MaxLength = q.Limit()
			}
			sj.Questions = append(sj.Questions, qj)
		}
		out.Sections = append(out.Sections, sj)
	}
	return out
}
