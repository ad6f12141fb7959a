// Package statfiles writes an exchange's data for the statistics packages
// evaluators use — SPSS (and PSPP), R and Stata: the responses in long
// form and the paired scores in wide form as UTF-8 CSV, each with the
// syntax that reads it and gives every variable its label, every coded
// answer its value labels, and missing values, measurement levels and
// dates their due; and a README with the codebook.
//
// It imports neither the web framework nor the database driver: it is
// given the instrument, the analysis and a pass over the responses.
package statfiles

import (
	"fmt"
	"iter"
	"regexp"
	"strconv"
	"strings"

	"github.com/csci/exchangeeval/internal/analysis"
	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/i18n"
	"github.com/csci/exchangeeval/internal/survey"
)

// Formats.
const (
	SPSS  = "spss"
	R     = "r"
	Stata = "stata"
)

// Formats lists the formats, for messages.
var Formats = []string{SPSS, R, Stata}

// Input is what an export is made from.
type Input struct {
	Instrument *survey.Instrument
	Report     *analysis.Report
	// Responses opens a pass over the responses of the exchanges, grouped
	// by exchange.
	Responses func() iter.Seq2[*exchange.Response, error]
	// Exchanges are the ids of the exchanges exported.
	Exchanges []string
	// Labels is the language of labels; empty for the base language.
	Labels      string
	Version     string
	GeneratedAt string
	// Attachments go into the zip beside the package's files, as they
	// are (the exchange's REFI-QDA project, for the qualitative tools).
	Attachments []Attachment
}

// Attachment is a file of a zip that is not the package's.
type Attachment struct {
	Name string
	Data []byte
}

// Measurement levels.
const (
	nominal = "nominal"
	ordinal = "ordinal"
	scale   = "scale"
)

// variable is one column of a data file and what the syntax says of it.
type variable struct {
	Name   string // safe for the package
	Source string // what it holds: a question id, "q/option", or a column
	Label  string
	// Text is a string variable; Date a date and time (ISO 8601 text in
	// the CSV); otherwise numeric.
	Text, Date bool
	Level      string
	Values     []valueLabel
	// Indicator is a 0/1 variable (a multiple choice's option, imported):
	// numeric in R, where a factor would hide its sum and mean.
	Indicator bool
	// Missing says that the variable may hold notAsked (a question that
	// not every wave asks) or notApplicable (a conditional question):
	// NotAsked and Conditional say which.
	Missing, NotAsked, Conditional bool
	// NotAskedLabel and NotApplicableLabel label those two codes, in the
	// export's language.
	NotAskedLabel, NotApplicableLabel string
}

type valueLabel struct {
	Code  int
	Label string
}

// nameRules are a package's rules for variable names.
type nameRules struct {
	max int
}

var rules = map[string]nameRules{SPSS: {64}, R: {64}, Stata: {32}}

var unsafe = regexp.MustCompile(`[^A-Za-z0-9_]`)

// namer makes names safe for a package, each once: a name already taken
// (two ids that differ only by a hyphen and an underscore, say) gets _2,
// _3 …, in the order the variables come, and the renaming is recorded.
type namer struct {
	rules   nameRules
	taken   map[string]bool
	renamed []string // "fund_a ← fund-a"
}

func newNamer(format string) *namer {
	n := &namer{rules: rules[format], taken: map[string]bool{}}
	// Names the packages reserve (SPSS: ALL, AND, BY …; Stata: _n, in …)
	// are never produced: every name below is made of a letter and more.
	for _, r := range []string{"all", "and", "by", "eq", "ge", "gt", "le", "lt", "ne", "not", "or", "to", "with", "in", "if", "using", "byte", "int", "long", "float", "double", "str"} {
		n.taken[r] = true
	}
	return n
}

func (n *namer) name(id string) string { return n.nameOf(id, id) }

// nameOf makes a name from id for what source names (a multiple choice's
// option: "areas option x-y"), as name does.
func (n *namer) nameOf(id, source string) string {
	base := unsafe.ReplaceAllString(id, "_")
	if base == "" || !(base[0] >= 'a' && base[0] <= 'z' || base[0] >= 'A' && base[0] <= 'Z') {
		base = "v" + base
	}
	base = truncate(base, n.rules.max)
	name := base
	for i := 2; n.taken[strings.ToLower(name)]; i++ {
		suffix := "_" + strconv.Itoa(i)
		name = truncate(base, n.rules.max-len(suffix)) + suffix
	}
	n.taken[strings.ToLower(name)] = true
	if name != id || source != id {
		n.renamed = append(n.renamed, fmt.Sprintf("%s ← %s", name, source))
	}
	return name
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// texts gives the labels of the export in its language: the
// instrument's words in lang (else its base language), and the export's
// own words from the catalogue's "stats.*" messages in lang where the
// interface speaks it, else English.
type texts struct {
	in         *survey.Instrument
	lang, base string
}

func (t texts) of(x survey.Text) string {
	return x.In(t.lang, t.base)
}

// t words one of the export's own texts.
func (t texts) t(key string, args ...any) string { return i18n.T(t.lang, "stats."+key, args...) }

// responseVariables are the columns of responses.csv: who and when, then
// each question (a multiple choice as one 0/1 variable per option).
func responseVariables(in *survey.Instrument, t texts, n *namer, multi bool) []variable {
	var vs []variable
	if multi {
		vs = append(vs, exchangeVariable(t, n))
	}
	waves := make([]valueLabel, len(in.Waves))
	for i, w := range in.Waves {
		waves[i] = valueLabel{i + 1, t.of(w.Title)}
	}
	vs = append(vs, participant(t, n), variable{Name: n.name("wave"), Source: "wave", Label: t.t("wave"), Level: ordinal, Values: waves})
	vs = append(vs, attributes(t, n)...)
	vs = append(vs,
		variable{Name: n.name("submitted_at"), Source: "submitted_at", Label: t.t("submitted_at"), Date: true, Level: scale},
		variable{Name: n.name("imported"), Source: "imported", Label: t.t("imported"), Level: nominal,
			Values: []valueLabel{{0, t.t("no")}, {1, t.t("yes")}}, Indicator: true},
	)
	first := len(vs)
	for _, q := range in.Questions() {
		label := t.of(q.Text)
		if label == "" {
			label = q.ID // a calculation has no words of its own
		}
		typ := q.Type
		if q.Numeric() {
			typ = survey.TypeNumber
		}
		switch typ {
		case survey.TypeLikert:
			sc := in.Scales[q.Scale]
			var values []valueLabel
			for p := 1; p <= sc.Points; p++ {
				values = append(values, valueLabel{p, sc.Label(p, t.lang, t.base)})
			}
			if q.Reverse {
				label = t.t("reverse", label)
			}
			vs = append(vs, variable{Name: n.name(q.ID), Source: q.ID, Label: label, Level: ordinal, Values: values})
		case survey.TypeSingle:
			var values []valueLabel
			for i, o := range q.Options {
				values = append(values, valueLabel{i + 1, t.of(o.Label)})
			}
			vs = append(vs, variable{Name: n.name(q.ID), Source: q.ID, Label: label, Level: nominal, Values: values})
		case survey.TypeMulti:
			for _, o := range q.Options {
				vs = append(vs, variable{Name: n.nameOf(q.ID+"_"+o.Code, q.ID+" option "+o.Code), Source: q.ID + "/" + o.Code, Label: t.t("option", label, t.of(o.Label)),
					Level: nominal, Values: []valueLabel{{0, t.t("not_chosen")}, {1, t.t("chosen")}}, Indicator: true})
			}
		case survey.TypeNumber:
			if u := t.of(q.Unit); u != "" {
				label = t.t("unit", label, u)
			}
			vs = append(vs, variable{Name: n.name(q.ID), Source: q.ID, Label: label, Level: scale})
		case survey.TypeDate, survey.TypeDateTime:
			// A date in SPSS, R and Stata, not text to convert.
			vs = append(vs, variable{Name: n.name(q.ID), Source: q.ID, Label: label, Date: true, Level: scale})
		default:
			vs = append(vs, variable{Name: n.name(q.ID), Source: q.ID, Label: label, Text: true, Level: nominal})
		}
	}
	for i := first; i < len(vs); i++ {
		id, _, _ := strings.Cut(vs[i].Source, "/")
		q := in.Question(id)
		coded := !vs[i].Text && !vs[i].Date // numeric, so it can hold the missing-value codes
		vs[i].NotAsked = coded && len(q.Waves) < len(in.Waves)
		vs[i].Conditional = coded && q.Conditional()
		vs[i].Missing = vs[i].NotAsked || vs[i].Conditional
		vs[i].NotAskedLabel, vs[i].NotApplicableLabel = t.t("not_asked"), t.t("not_applicable")
	}
	return vs
}

// pairVariables are the columns of pairs.csv: each goal's score and each
// Likert item's scored value in every wave it is asked.
func pairVariables(in *survey.Instrument, t texts, n *namer, multi bool) []variable {
	var vs []variable
	if multi {
		vs = append(vs, exchangeVariable(t, n))
	}
	vs = append(vs, participant(t, n))
	vs = append(vs, attributes(t, n)...)
	for _, g := range in.Goals {
		for _, w := range in.Waves {
			if hasGoalItem(in, g.ID, w.ID) {
				vs = append(vs, variable{Name: n.nameOf(g.ID+"_"+w.ID, "goal "+g.ID+", "+w.ID), Source: "goal/" + g.ID + "/" + w.ID,
					Label: t.t("goal_score", t.of(g.Title), t.of(w.Title)), Level: scale})
			}
		}
	}
	for _, q := range in.Questions() {
		if q.Type != survey.TypeLikert {
			continue
		}
		for _, w := range q.Waves {
			label := t.t("item_wave", t.of(q.Text), t.of(in.Wave(w).Title))
			if q.Reverse {
				label = t.t("item_reverse", label)
			}
			vs = append(vs, variable{Name: n.nameOf(q.ID+"_"+w, "question "+q.ID+", "+w), Source: "item/" + q.ID + "/" + w, Label: label, Level: scale})
		}
	}
	return vs
}

// exchangeVariable, participant and attributes are the columns both
// files have: who answered (and, for several exchanges, in which).
func exchangeVariable(t texts, n *namer) variable {
	return variable{Name: n.name("exchange"), Source: "exchange", Label: t.t("exchange"), Text: true, Level: nominal}
}

func participant(t texts, n *namer) variable {
	return variable{Name: n.name("participant"), Source: "participant", Label: t.t("participant"), Text: true, Level: nominal}
}

func attributes(t texts, n *namer) []variable {
	return []variable{
		{Name: n.name("city"), Source: "city", Label: t.t("city"), Text: true, Level: nominal},
		{Name: n.name("role"), Source: "role", Label: t.t("role"), Text: true, Level: nominal},
		{Name: n.name("language"), Source: "language", Label: t.t("language"), Text: true, Level: nominal},
		{Name: n.name("side"), Source: "side", Label: t.t("side"), Text: true, Level: nominal},
	}
}

func hasGoalItem(in *survey.Instrument, goal, wave string) bool {
	for _, q := range in.QuestionsIn(wave) {
		if q.Type == survey.TypeLikert && q.Goal == goal {
			return true
		}
	}
	return false
}
