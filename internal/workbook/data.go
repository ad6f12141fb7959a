package workbook

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/survey"
)

// key identifies a participant across the exchanges of one workbook, as
// analysis.Combine does.
func key(exchangeID, pid string) string { return exchangeID + "/" + pid }

func (b *book) multi() bool { return len(b.e.Exchanges) > 1 }

// attributes returns a participant's city, role, language and side, taken
// from the analysis: names and e-mails never reach the workbook.
func (b *book) attributes(k string) [4]string {
	sc := b.e.Report.Scores
	if i, ok := sc.Index(k); ok {
		_, attrs := sc.Participant(i)
		return attrs
	}
	return [4]string{}
}

// ResponseColumns are the columns of the Responses sheet before the question
// ids; `responses import` reads the sheet back unchanged. The exchange comes
// first, in every workbook: pseudonymous ids repeat from one exchange to the
// next, and the import refuses rows of another exchange than the one named.
var ResponseColumns = []string{"exchange", "participant", "wave", "city", "role", "language", "side", "submitted_at", "imported"}

func (b *book) responses() error {
	in := b.e.Instrument
	head := append([]string{}, ResponseColumns...)
	questions := in.Questions()
	for _, q := range questions {
		head = append(head, q.ID)
	}
	rf, err := b.rowFile(SheetResponses)
	if err != nil {
		return err
	}
	row := 1
	vals := make([]any, 0, len(head))
	for r, err := range b.e.Responses() {
		if err != nil {
			return err
		}
		row++
		vals = b.responseRow(vals[:0], r, questions)
		if err := rf.add(row, vals); err != nil {
			return err
		}
	}
	if row == 1 {
		// A table needs a data row; an empty one says there is nothing yet.
		row = 2
		if err := rf.add(row, []any{excelize.Cell{StyleID: b.muted, Value: "no data: no responses yet"}}); err != nil {
			return err
		}
	}
	if err := rf.finish(); err != nil {
		return err
	}
	sh := b.sheet(SheetResponses)
	sh.headerRow(head...)
	widths := make([]float64, len(head))
	for i, h := range head {
		widths[i] = float64(max(10, len(h)+2))
	}
	sh.widths(widths...)
	sh.freeze(1)
	if sh.err != nil {
		return sh.err
	}
	last, _ := excelize.CoordinatesToCellName(len(head), row)
	return b.f.AddTable(SheetResponses, &excelize.Table{Range: "A1:" + last, Name: "Responses", StyleName: "TableStyleLight9", ShowRowStripes: ptr(true)})
}

// responseRow appends the cells of a response's row to vals.
func (b *book) responseRow(vals []any, r *exchange.Response, questions []*survey.Question) []any {
	k := r.Participant
	if b.multi() {
		k = key(r.Exchange, r.Participant)
	}
	vals = append(vals, r.Exchange)
	p := b.attributes(k)
	imported := "no"
	if r.Imported() {
		imported = "yes"
	}
	vals = append(vals, r.Participant, r.Wave, p[0], p[1], r.Language, p[3], excelize.Cell{StyleID: b.date, Value: r.SubmittedAt.UTC()}, imported)
	// A question that did not apply is an empty cell, whatever an old
	// import may have stored for it (the form never keeps such answers).
	var notApplicable []string
	if slices.ContainsFunc(questions, (*survey.Question).Conditional) {
		notApplicable = b.e.Instrument.NotApplicable(r.Wave, r.Answers)
	}
	for _, q := range questions {
		if slices.Contains(notApplicable, q.ID) {
			vals = append(vals, nil)
			continue
		}
		vals = append(vals, b.answerCell(q, r.Answers[q.ID]))
	}
	return vals
}

// answerCell writes an answer as its code (numbers as numbers) or, with
// Labels set, as its label in that language.
func (b *book) answerCell(q *survey.Question, v any) any {
	if v == nil {
		return nil
	}
	in := b.e.Instrument
	lang := b.e.Labels
	typ := q.Type
	if q.Numeric() {
		typ = survey.TypeNumber
	}
	switch typ {
	case survey.TypeLikert:
		n, ok := v.(int)
		if !ok {
			return fmt.Sprint(v)
		}
		if lang != "" {
			return in.Scales[q.Scale].Label(n, lang, b.base)
		}
		return n
	case survey.TypeSingle:
		code, _ := v.(string)
		if lang != "" {
			if o := q.Option(code); o != nil {
				return o.Label.In(lang, b.base)
			}
		}
		return code
	case survey.TypeMulti:
		codes := survey.Strings(v)
		if lang != "" {
			labels := make([]string, len(codes))
			for i, c := range codes {
				labels[i] = c
				if o := q.Option(c); o != nil {
					labels[i] = o.Label.In(lang, b.base)
				}
			}
			return strings.Join(labels, "; ")
		}
		return strings.Join(codes, ";")
	case survey.TypeNumber:
		if f, ok := v.(float64); ok {
			return f
		}
		return fmt.Sprint(v)
	case survey.TypeDate, survey.TypeDateTime:
		// Dates as dates, for pandas, R and a spreadsheet's sorting;
		// shown as they are stored, so the sheet imports back as it is.
		s, _ := v.(string)
		layout, style := "2006-01-02", b.day
		if typ == survey.TypeDateTime {
			layout, style = "2006-01-02T15:04", b.date
		}
		if t, err := time.Parse(layout, s); err == nil {
			return excelize.Cell{StyleID: style, Value: t}
		}
		return s
	}
	s, _ := v.(string)
	return s
}

// pairColumns lists the wide Pairs sheet's value columns: each goal score and
// each Likert item in every wave it is asked, as SPSS- and R-safe names.
type pairColumn struct {
	name       string
	goal, wave string
	item       *survey.Question
}

func varName(parts ...string) string {
	return strings.NewReplacer("-", "_", " ", "_").Replace(strings.Join(parts, "_"))
}

func (b *book) pairColumns() []pairColumn {
	in := b.e.Instrument
	var cols []pairColumn
	for _, g := range in.Goals {
		for _, w := range in.WaveIDs() {
			for _, q := range in.QuestionsIn(w) {
				if q.Type == survey.TypeLikert && q.Goal == g.ID {
					cols = append(cols, pairColumn{name: varName(g.ID, w), goal: g.ID, wave: w})
					break
				}
			}
		}
	}
	for _, q := range in.Questions() {
		if q.Type != survey.TypeLikert {
			continue
		}
		for _, w := range q.Waves {
			cols = append(cols, pairColumn{name: varName(q.ID, w), wave: w, item: q})
		}
	}
	return cols
}

// pairs writes one row per participant from the analysis's own scores: no
// second reading of the responses.
func (b *book) pairs() error {
	sc := b.e.Report.Scores
	cols := b.pairColumns()
	head := []string{"participant", "city", "role", "language", "side"}
	if b.multi() {
		head = append([]string{"exchange"}, head...)
	}
	for _, c := range cols {
		head = append(head, c.name)
	}
	rf, err := b.rowFile(SheetPairs)
	if err != nil {
		return err
	}
	row := 1
	vals := make([]any, 0, len(head))
	for i := range sc.Participants() {
		k, attrs := sc.Participant(i)
		answered := false
		for _, w := range b.e.Instrument.WaveIDs() {
			answered = answered || sc.Responded(i, w)
		}
		if !answered {
			continue
		}
		vals = append(vals[:0], k, attrs[0], attrs[1], attrs[2], attrs[3])
		if b.multi() {
			exID, pid, _ := strings.Cut(k, "/")
			vals = append(vals[:0], exID, pid, attrs[0], attrs[1], attrs[2], attrs[3])
		}
		for _, c := range cols {
			if c.item != nil {
				if v, ok := sc.Item(i, c.item, c.wave); ok {
					vals = append(vals, v)
					continue
				}
			} else if v, ok := sc.Goal(i, c.goal, c.wave); ok {
				vals = append(vals, excelize.Cell{StyleID: b.num2, Value: v})
				continue
			}
			vals = append(vals, nil)
		}
		row++
		if err := rf.add(row, vals); err != nil {
			return err
		}
	}
	if row == 1 {
		if err := rf.add(2, []any{excelize.Cell{StyleID: b.muted, Value: "no data: no responses yet"}}); err != nil {
			return err
		}
	}
	if err := rf.finish(); err != nil {
		return err
	}
	sh := b.sheet(SheetPairs)
	sh.headerRow(head...)
	if err := b.f.SetColWidth(SheetPairs, "A", colName(len(head)), 13); err != nil {
		return err
	}
	if sh.err != nil {
		return sh.err
	}
	return b.f.SetPanes(SheetPairs, &excelize.Panes{Freeze: true, YSplit: 1, XSplit: 1, TopLeftCell: "B2", ActivePane: "bottomRight"})
}

func colName(i int) string {
	name, _ := excelize.ColumnNumberToName(i)
	return name
}
