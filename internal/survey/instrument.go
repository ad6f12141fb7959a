// Package survey holds questionnaire definitions ("instruments"): their types,
// loading from YAML with file:line diagnostics, definition checks, and the
// checking of a delegate's answers against a definition.
//
// It imports neither the web framework nor the database driver: it is the
// vocabulary the rest of exchangeeval is written in.
package survey

import (
	"maps"
	"regexp"
	"slices"
	"strings"
)

// Question types.
const (
	TypeLikert = "likert"
	TypeSingle = "single"
	TypeMulti  = "multi"
	TypeNumber = "number"
	TypeText   = "text"
	// TypeNote is words between questions, with nothing to answer.
	TypeNote = "note"
	// Dates and times are stored as ISO 8601 text (2027-03-14, 14:30,
	// 2027-03-14T14:30), which sorts as it reads, and shown with the
	// reader's own format by their browser.
	TypeDate     = "date"
	TypeTime     = "time"
	TypeDateTime = "datetime"
	// TypeCalculate is not asked: the server computes it from the answers
	// before it (XLSForm's calculate) and stores it with them.
	TypeCalculate = "calculate"
)

// ReservedIDs are the names of the columns a responses table (an import
// file, the workbook's Responses sheet) has besides its questions; no
// question may take one, or the columns would be ambiguous.
var ReservedIDs = []string{"participant", "wave", "exchange", "language", "submitted_at", "imported", "city", "role", "side", "source", "submission"}

// DefaultMaxLength bounds a text answer when its question does not say.
const DefaultMaxLength = 2000

// Text is a piece of text in several languages, keyed by language code.
type Text map[string]string

// In returns the text in lang, falling back to base, then to any language, so
// a missing translation never shows as a blank.
func (t Text) In(lang, base string) string {
	if s := t[lang]; s != "" {
		return s
	}
	if s := t[base]; s != "" {
		return s
	}
	for _, s := range t {
		return s
	}
	return ""
}

// Lang is the language In(lang, base) gives the text in: lang, or base
// where the text lacks lang — so a page can mark words that fell back.
func (t Text) Lang(lang, base string) string {
	if t[lang] != "" {
		return lang
	}
	if t[base] != "" {
		return base
	}
	for l := range t {
		return l
	}
	return lang
}

// Pos records where a definition element was written: the line of the element
// itself and the line of each of its keys, so checks can point at the key that
// is wrong.
type Pos struct {
	Line  int
	Lines map[string]int
}

// LineOf returns the line of key, or of the element when the key is absent.
func (p Pos) LineOf(key string) int {
	if l, ok := p.Lines[key]; ok {
		return l
	}
	return p.Line
}

// Instrument is one questionnaire definition: waves, goals, scales, the theme
// codebook and the questions, grouped in sections.
type Instrument struct {
	ID      string `yaml:"id"`
	Version int    `yaml:"version"`
	// VersionLabel is the form's own version text, where it is not the
	// store's whole number ("2.2", KoboToolbox's "vw6VTbhm…").
	VersionLabel string            `yaml:"version_label,omitempty"`
	Languages    []string          `yaml:"languages"`
	Title        Text              `yaml:"title"`
	Description  Text              `yaml:"description,omitempty"`
	Waves        []*Wave           `yaml:"waves"`
	Scales       map[string]*Scale `yaml:"scales,omitempty"`
	Goals        []*Goal           `yaml:"goals,omitempty"`
	Themes       []*Theme          `yaml:"themes,omitempty"`
	QuoteConsent string            `yaml:"quote_consent,omitempty"`
	// Privacy is the notice delegates read on the questionnaire's first
	// page; without one, the service's own is shown.
	Privacy  *PrivacyNotice `yaml:"privacy,omitempty"`
	Sections []*Section     `yaml:"sections"`
	Pos      Pos            `yaml:"-"`

	// Source is the file the instrument was read from; Hash is the SHA-256 of
	// its bytes, so outputs can say exactly which definition produced them.
	Source string `yaml:"-"`
	Hash   string `yaml:"-"`
	// Uploaded is set on instruments an admin uploaded to the store.
	Uploaded *Upload `yaml:"-"`
	// PassedOver lists what an XLSForm import left out, for its report.
	PassedOver []PassedOver `yaml:"-"`

	questions map[string]*Question
}

// Wave is one round of data collection (pre, post, follow-up).
type Wave struct {
	ID    string `yaml:"id"`
	Title Text   `yaml:"title"`
	Intro Text   `yaml:"intro,omitempty"`
	// Messages are the wave's e-mails by kind (invitation, reminder,
	// thank_you); a kind left out is sent in the service's own words.
	Messages map[string]*Message `yaml:"messages,omitempty"`
	Pos      Pos                 `yaml:"-"`
}

// Message is an e-mail's subject and body in the instrument's languages,
// with placeholders in braces: {name}, {link}, {wave}, {deadline},
// {exchange}. A paragraph naming {deadline} is left out when the wave has
// no closing date.
type Message struct {
	Subject Text `yaml:"subject"`
	Body    Text `yaml:"body"`
	Pos     Pos  `yaml:"-"`
}

// Kinds of message, and the placeholders a message may use.
const (
	MessageInvitation = "invitation"
	MessageReminder   = "reminder"
	MessageThankYou   = "thank_you"
)

var (
	MessageKinds        = []string{MessageInvitation, MessageReminder, MessageThankYou}
	MessagePlaceholders = []string{"name", "link", "wave", "deadline", "exchange"}
	// Placeholder finds {word} in a message; its first group is the word.
	Placeholder = regexp.MustCompile(`\{([A-Za-z_]+)\}`)
)

// UnknownPlaceholders lists the braces of a message that name nothing it
// can be filled with ("{nom}", "{Link}").
func UnknownPlaceholders(template string) []string {
	var out []string
	for _, m := range Placeholder.FindAllStringSubmatch(template, -1) {
		if !slices.Contains(MessagePlaceholders, m[1]) {
			out = append(out, m[0])
		}
	}
	return out
}

// Scale is a named Likert scale of Points points, scored 1..Points.
type Scale struct {
	Points int                 `yaml:"points"`
	Labels map[string][]string `yaml:"labels"`
	Pos    Pos                 `yaml:"-"`
}

// Label returns the label of point v (1-based) in lang, with base fallback.
// LabelLang is the language Label(v, lang, base) is in.
func (s *Scale) LabelLang(v int, lang, base string) string {
	if ls := s.Labels[lang]; v >= 1 && v <= len(ls) {
		return lang
	}
	return base
}

func (s *Scale) Label(v int, lang, base string) string {
	for _, l := range []string{lang, base} {
		if ls := s.Labels[l]; v >= 1 && v <= len(ls) {
			return ls[v-1]
		}
	}
	return ""
}

// Goal is one goal of an exchange and the criterion for calling it attained.
type Goal struct {
	ID          string    `yaml:"id"`
	Title       Text      `yaml:"title"`
	Description Text      `yaml:"description,omitempty"`
	Criterion   Criterion `yaml:"criterion"`
	Pos         Pos       `yaml:"-"`
}

// Criterion says when a goal counts as attained: the mean paired change from
// the earlier to the later wave is at least MinChange scale points, with a
// Holm-adjusted p below Alpha, over at least MinPairs matched participants.
type Criterion struct {
	From      string  `yaml:"from,omitempty"`
	To        string  `yaml:"to,omitempty"`
	MinChange float64 `yaml:"min_change,omitempty"`
	Alpha     float64 `yaml:"alpha,omitempty"`
	MinPairs  int     `yaml:"min_pairs,omitempty"`
	Pos       Pos     `yaml:"-"`
}

// Theme is one code of the codebook for open answers.
type Theme struct {
	ID       string              `yaml:"id"`
	Label    Text                `yaml:"label"`
	Patterns map[string][]string `yaml:"patterns"`
	Pos      Pos                 `yaml:"-"`
}

// PrivacyNotice tells delegates who keeps their identity and answers,
// for what, for how long, who sees them and how to have them erased.
// Version names the wording: each response records the version its
// delegate was shown, so a notice reworded later is told apart.
type PrivacyNotice struct {
	Version string `yaml:"version"`
	Text    Text   `yaml:"text"`
}

// MaxNoticeVersion bounds a notice's version label.
const MaxNoticeVersion = 40

// Section groups questions under a heading.
type Section struct {
	ID      string `yaml:"id"`
	Heading Text   `yaml:"heading"`
	Intro   Text   `yaml:"intro,omitempty"`
	// Relevant is a condition (see Condition) under which the whole
	// section applies; each question's own condition adds to it.
	Relevant  string      `yaml:"relevant,omitempty"`
	Questions []*Question `yaml:"questions"`
	Pos       Pos         `yaml:"-"`

	cond *Condition
}

// Question is one item. A question asked in several waves is the same item in
// each, matched across waves by its ID.
type Question struct {
	ID       string   `yaml:"id"`
	Type     string   `yaml:"type"`
	Text     Text     `yaml:"text"`
	Help     Text     `yaml:"help,omitempty"`
	Waves    []string `yaml:"waves"`
	Required bool     `yaml:"required,omitempty"`
	// RequiredMessage is what a delegate who leaves a required question
	// unanswered reads (XLSForm's required_message), per language.
	RequiredMessage Text      `yaml:"required_message,omitempty"`
	Scale           string    `yaml:"scale,omitempty"`
	Reverse         bool      `yaml:"reverse,omitempty"`
	Goal            string    `yaml:"goal,omitempty"`
	Options         []*Option `yaml:"options,omitempty"`
	Min             *float64  `yaml:"min,omitempty"`
	Max             *float64  `yaml:"max,omitempty"`
	Integer         bool      `yaml:"integer,omitempty"`
	Unit            Text      `yaml:"unit,omitempty"`
	MaxLength       int       `yaml:"max_length,omitempty"`
	// Relevant is a condition on earlier answers under which the question
	// applies (XLSForm's relevant column); empty means always.
	Relevant string `yaml:"relevant,omitempty"`
	// Constraint is a condition the answer itself (.) must meet, as
	// XLSForm writes it: ". > ${started}", "regex(., '^[0-9]{5}$')";
	// ConstraintMessage is what a delegate whose answer breaks it reads.
	Constraint        string `yaml:"constraint,omitempty"`
	ConstraintMessage Text   `yaml:"constraint_message,omitempty"`
	// Calculation is the expression a calculate question is computed by.
	Calculation string `yaml:"calculation,omitempty"`
	// ChoiceFilter sifts a choice question's options by earlier answers
	// (XLSForm's choice_filter): an option is offered when it holds, its
	// bare words read as the option's fields — "country = ${country}".
	ChoiceFilter string `yaml:"choice_filter,omitempty"`
	// Default is the answer a questionnaire opens with, before the
	// delegate has given any.
	Default string `yaml:"default,omitempty"`
	Pos     Pos    `yaml:"-"`

	cond       *Condition // Relevant, parsed by the definition check
	constraint *Condition // Constraint, likewise
	calc       *Condition // Calculation, likewise
	filter     *Condition // ChoiceFilter, likewise
	calcKind   string     // what Calculation gives: kindNum or kindStr
	section    *Section
}

// Numeric reports whether the question's answers are numbers: a number
// question's, and a calculation's that gives one.
func (q *Question) Numeric() bool {
	return q.Type == TypeNumber || q.Type == TypeCalculate && q.calcKind == kindNum
}

// Answered reports whether the question holds an answer: every type but
// a note does (a calculation's is the server's).
func (q *Question) Answered() bool { return q.Type != TypeNote }

// Option is one choice of a single or multi choice question.
type Option struct {
	Code  string `yaml:"code"`
	Label Text   `yaml:"label"`
	// Fields are the option's other columns on an XLSForm's choices
	// sheet (country: fr), which a choice filter reads.
	Fields map[string]string `yaml:"fields,omitempty"`
	Pos    Pos               `yaml:"-"`
}

// BaseLanguage is the first declared language; missing translations fall back
// to it.
func (in *Instrument) BaseLanguage() string {
	if len(in.Languages) == 0 {
		return "en"
	}
	return in.Languages[0]
}

// HasLanguage reports whether lang is one of the instrument's languages.
func (in *Instrument) HasLanguage(lang string) bool {
	return slices.Contains(in.Languages, lang)
}

// Wave returns the wave with the given id, or nil.
func (in *Instrument) Wave(id string) *Wave {
	for _, w := range in.Waves {
		if w.ID == id {
			return w
		}
	}
	return nil
}

// WaveIDs lists the wave ids in their declared order.
func (in *Instrument) WaveIDs() []string {
	ids := make([]string, len(in.Waves))
	for i, w := range in.Waves {
		ids[i] = w.ID
	}
	return ids
}

// Goal returns the goal with the given id, or nil.
func (in *Instrument) Goal(id string) *Goal {
	for _, g := range in.Goals {
		if g.ID == id {
			return g
		}
	}
	return nil
}

// Question returns the question with the given id, or nil.
func (in *Instrument) Question(id string) *Question {
	if in.questions == nil {
		in.index()
	}
	return in.questions[id]
}

func (in *Instrument) index() {
	in.questions = map[string]*Question{}
	for _, s := range in.Sections {
		for _, q := range s.Questions {
			q.section = s
			if _, dup := in.questions[q.ID]; !dup {
				in.questions[q.ID] = q
			}
		}
	}
}

// Questions lists every question that holds an answer, in definition
// order: the notes between them are only in their sections.
func (in *Instrument) Questions() []*Question {
	var qs []*Question
	for _, s := range in.Sections {
		for _, q := range s.Questions {
			if q.Answered() {
				qs = append(qs, q)
			}
		}
	}
	return qs
}

// QuestionsIn lists the questions asked in wave, in definition order.
func (in *Instrument) QuestionsIn(wave string) []*Question {
	var qs []*Question
	for _, q := range in.Questions() {
		if q.AskedIn(wave) {
			qs = append(qs, q)
		}
	}
	return qs
}

// SectionsIn returns the sections that have at least one question in wave,
// each holding only that wave's questions.
func (in *Instrument) SectionsIn(wave string) []*Section {
	var out []*Section
	for _, s := range in.Sections {
		var qs []*Question
		for _, q := range s.Questions {
			if q.AskedIn(wave) {
				qs = append(qs, q)
			}
		}
		if len(qs) > 0 {
			c := *s
			c.Questions = qs
			out = append(out, &c)
		}
	}
	return out
}

// AskedIn reports whether the question is asked in wave.
func (q *Question) AskedIn(wave string) bool {
	return slices.Contains(q.Waves, wave)
}

// Option returns the option with the given code, or nil.
func (q *Question) Option(code string) *Option {
	for _, o := range q.Options {
		if o.Code == code {
			return o
		}
	}
	return nil
}

// Limit returns the maximum length of a text answer.
func (q *Question) Limit() int {
	if q.MaxLength > 0 {
		return q.MaxLength
	}
	return DefaultMaxLength
}

// Criterion defaults, used where a goal's criterion leaves a field out.
const (
	DefaultMinPairs = 5
	DefaultAlpha    = 0.05
)

// Effective returns the criterion with defaults filled in: pre → post,
// α = 0.05, at least 5 pairs.
func (c Criterion) Effective() Criterion {
	if c.From == "" {
		c.From = "pre"
	}
	if c.To == "" {
		c.To = "post"
	}
	if c.Alpha == 0 {
		c.Alpha = DefaultAlpha
	}
	if c.MinPairs == 0 {
		c.MinPairs = DefaultMinPairs
	}
	return c
}

// Conditions returns the conditions a question applies under: its
// section's, then its own (either may be nil).
func (q *Question) Conditions() []*Condition {
	var out []*Condition
	if q.section != nil && q.section.cond != nil {
		out = append(out, q.section.cond)
	}
	if q.cond != nil {
		out = append(out, q.cond)
	}
	return out
}

// Conditional reports whether the question applies only under a condition.
func (q *Question) Conditional() bool { return len(q.Conditions()) > 0 }

// NotApplicable lists, in definition order, the questions of wave whose
// condition is false for these answers. Conditions are evaluated in order,
// each seeing only the answers of questions that apply: an answer to a
// question that does not apply counts as no answer, also for the
// questions after it.
func (in *Instrument) NotApplicable(wave string, a Answers) []string {
	absent, _ := in.settle(wave, a)
	return absent
}

// settle walks the wave's questions in order, as a delegate meets them:
// it lists those whose condition fails, and computes each calculation
// that applies from the answers before it (an answer computed to nothing
// is left out). A condition or calculation reads only questions before
// its own (the definition check makes sure), so one pass settles each.
func (in *Instrument) settle(wave string, given Answers) (absent []string, calculated Answers) {
	if in.questions == nil {
		in.index()
	}
	a := given
	for _, s := range in.Sections {
		for _, q := range s.Questions {
			if !q.AskedIn(wave) {
				continue
			}
			if s.cond != nil && !s.cond.holds(a, absent) || q.cond != nil && !q.cond.holds(a, absent) {
				absent = append(absent, q.ID)
				continue
			}
			if q.calc == nil {
				continue
			}
			if calculated == nil {
				calculated = Answers{}
				a = maps.Clone(given)
			}
			delete(a, q.ID)
			if v := q.calculate(answerView{a: a, absent: absent}); v != nil {
				a[q.ID], calculated[q.ID] = v, v
			}
		}
	}
	return absent, calculated
}

// Condition returns the question's own condition (not its section's), or
// nil when it has none.
func (q *Question) Condition() *Condition { return q.cond }

// Condition returns the section's condition, or nil.
func (s *Section) Condition() *Condition { return s.cond }

// RelevantAll is the whole condition a question applies under, its
// section's and its own, in the condition language ("" when always).
func (q *Question) RelevantAll() string {
	var parts []string
	for _, c := range q.Conditions() {
		parts = append(parts, c.Source)
	}
	if len(parts) > 1 {
		return "(" + strings.Join(parts, ") and (") + ")"
	}
	return strings.Join(parts, "")
}
