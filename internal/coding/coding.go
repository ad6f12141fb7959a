// Package coding is the coding of open answers by people: each coder's
// themes for each answer, kept apart with who and when, and the
// spreadsheet a coder who prefers one codes in — one row per answer, one
// column per theme of the codebook, 1 for coded. It knows neither the web
// nor the database.
package coding

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Record is one coder's themes for one open answer.
type Record struct {
	Exchange    string    `bson:"exchange" json:"exchange"`
	Participant string    `bson:"participant" json:"participant"`
	Wave        string    `bson:"wave" json:"wave"`
	Question    string    `bson:"question" json:"question"`
	Coder       string    `bson:"coder" json:"coder"`
	Themes      []string  `bson:"themes" json:"themes"`
	At          time.Time `bson:"at" json:"at"`
	// By is who reconciled, on a record of Reconciled.
	By string `bson:"by,omitempty" json:"by,omitempty"`
}

// Automatic is the coder of the codes the codebook's patterns give: the
// suggestions, and what the figures count where no person has coded.
const Automatic = "exchangeeval (automatic)"

// Reconciled is the coder of the codes an evaluator settled where coders
// disagreed: they count in the figures, and take no part in agreement.
const Reconciled = "reconciled"

// Effective gives, for each answer people coded, the themes the figures
// count: the reconciled codes where there are some, else the people's
// codes when they agree (one coder agrees with themself); an answer on
// which people disagree and nobody reconciled is left out, to be counted
// by the codebook until it is.
func Effective(records []Record) map[AnswerKey][]string {
	byAnswer := map[AnswerKey][]Record{}
	for _, r := range records {
		byAnswer[r.Key()] = append(byAnswer[r.Key()], r)
	}
	out := map[AnswerKey][]string{}
	for k, rs := range byAnswer {
		var settled []string
		agree, reconciled := true, false
		for i, r := range rs {
			switch {
			case r.Coder == Reconciled:
				settled, reconciled = r.Themes, true
			case !reconciled && i > 0 && !sameThemes(r.Themes, settled):
				agree = false
			case !reconciled && i == 0:
				settled = r.Themes
			}
		}
		if reconciled || agree {
			out[k] = settled
		}
	}
	return out
}

// Disagreements lists the answers on which people disagree and nobody has
// reconciled, in answer order.
func Disagreements(records []Record) []AnswerKey {
	effective := Effective(records)
	seen := map[AnswerKey]bool{}
	var out []AnswerKey
	for _, r := range records {
		if _, ok := effective[r.Key()]; !ok && !seen[r.Key()] {
			seen[r.Key()] = true
			out = append(out, r.Key())
		}
	}
	slices.SortFunc(out, func(x, y AnswerKey) int {
		return strings.Compare(x.Participant+"/"+x.Wave+"/"+x.Question, y.Participant+"/"+y.Wave+"/"+y.Question)
	})
	return out
}

func sameThemes(x, y []string) bool {
	a, b := slices.Clone(x), slices.Clone(y)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// Key names the answer a record codes.
func (r Record) Key() AnswerKey { return AnswerKey{r.Participant, r.Wave, r.Question} }

// AnswerKey names an open answer: whose, in which wave, to which question.
type AnswerKey struct {
	Participant string `json:"participant"`
	Wave        string `json:"wave"`
	Question    string `json:"question"`
}

// Answer is an open answer to code, with the themes the codebook's
// patterns find in it (the suggestion).
type Answer struct {
	AnswerKey
	Language, Text string
	Suggested      []string
}

// Sheet columns before the themes.
var keyColumns = []string{"participant", "wave", "question", "language", "answer"}

// SheetHeader is the spreadsheet's header: the answer's columns, then one
// column per theme, headed by its id.
func SheetHeader(themes []string) []string { return append(slices.Clone(keyColumns), themes...) }

// SheetRows are the spreadsheet's rows: each answer with 1 or 0 per theme
// — the coder's codes where they have coded it, else the suggestion, or
// nothing at all when blank.
func SheetRows(themes []string, answers []Answer, coded map[AnswerKey][]string, blank bool) [][]any {
	var rows [][]any
	for _, a := range answers {
		row := []any{a.Participant, a.Wave, a.Question, a.Language, a.Text}
		given, ok := coded[a.AnswerKey]
		if !ok && !blank {
			given, ok = a.Suggested, true
		}
		for _, t := range themes {
			switch {
			case !ok:
				row = append(row, nil)
			case slices.Contains(given, t):
				row = append(row, 1)
			default:
				row = append(row, 0)
			}
		}
		rows = append(rows, row)
	}
	return rows
}

// Problem is what is wrong with a cell of a coding spreadsheet.
type Problem struct {
	Row    int    // as the spreadsheet numbers rows (the header is 1)
	Column string // the column's header
	Text   string
}

func (p Problem) String() string {
	if p.Column == "" {
		return fmt.Sprintf("row %d: %s", p.Row, p.Text)
	}
	return fmt.Sprintf("row %d, column %s: %s", p.Row, p.Column, p.Text)
}

// MaxProblems bounds the problems listed: beyond, the file is the wrong one.
const MaxProblems = 50

// ReadSheet reads a coding spreadsheet back: every row must name an open
// answer of the exchange (known), each theme cell be 1, 0 or empty; a row
// with every theme cell empty is not coded. It returns the coder's records,
// or every problem by row and column — and then no record: a file is taken
// whole or not at all.
func ReadSheet(rows [][]string, themes []string, known map[AnswerKey]bool, exchangeID, coder string, now time.Time) ([]Record, []Problem) {
	var probs []Problem
	add := func(p Problem) bool {
		probs = append(probs, p)
		return len(probs) < MaxProblems
	}
	if len(rows) == 0 {
		return nil, []Problem{{Row: 1, Text: "the file is empty: export a coding sheet first (exchangeeval coding export)"}}
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[strings.ToLower(strings.TrimSpace(h))] = i
	}
	for _, need := range append(slices.Clone(keyColumns[:3]), themes...) {
		if _, ok := col[strings.ToLower(need)]; !ok && !add(Problem{Row: 1, Column: need, Text: "this column is missing: the header must keep the exported columns"}) {
			return nil, probs
		}
	}
	for _, h := range rows[0] {
		h = strings.ToLower(strings.TrimSpace(h))
		if h != "" && !slices.Contains(keyColumns, h) && !slices.ContainsFunc(themes, func(t string) bool { return strings.EqualFold(t, h) }) &&
			!add(Problem{Row: 1, Column: h, Text: "no theme of the codebook has this id (themes: " + strings.Join(themes, ", ") + ")"}) {
			return nil, probs
		}
	}
	if len(probs) > 0 {
		return nil, probs
	}
	cell := func(row []string, name string) string {
		if i := col[strings.ToLower(name)]; i < len(row) {
			return strings.TrimSpace(row[i])
		}
		return ""
	}
	var out []Record
	seen := map[AnswerKey]int{}
	for i, row := range rows[1:] {
		n := i + 2
		k := AnswerKey{cell(row, "participant"), cell(row, "wave"), cell(row, "question")}
		if k == (AnswerKey{}) && strings.Join(row, "") == "" {
			continue // an empty line
		}
		if !known[k] {
			if !add(Problem{Row: n, Text: fmt.Sprintf("%s has no answer to %s in wave %s of this exchange", k.Participant, k.Question, k.Wave)}) {
				break
			}
			continue
		}
		if first, dup := seen[k]; dup {
			if !add(Problem{Row: n, Text: fmt.Sprintf("the same answer as row %d", first)}) {
				break
			}
			continue
		}
		seen[k] = n
		r := Record{Exchange: exchangeID, Participant: k.Participant, Wave: k.Wave, Question: k.Question, Coder: coder, Themes: []string{}, At: now.UTC()}
		coded := false
		for _, t := range themes {
			switch v := cell(row, t); v {
			case "":
			case "1", "1.0":
				r.Themes, coded = append(r.Themes, t), true
			case "0", "0.0":
				coded = true
			default:
				if !add(Problem{Row: n, Column: t, Text: fmt.Sprintf("%q: write 1 (coded), 0 (not) or leave it empty", v)}) {
					return nil, probs
				}
			}
		}
		if coded {
			out = append(out, r)
		}
	}
	if len(probs) > 0 {
		return nil, probs
	}
	return out, nil
}
