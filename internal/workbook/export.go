package workbook

import (
	"archive/zip"
	"compress/flate"
	"fmt"
	"io"
	"iter"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/csci/exchangeeval/internal/analysis"
	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/survey"
)

// Export is what the evaluator workbook is made from: the analysis (whose
// scores give the Pairs sheet) and the responses, which Responses opens a
// fresh pass over (a new database cursor) for the Responses sheet.
type Export struct {
	Instrument *survey.Instrument
	// Differences are the parts of the instrument left out because the
	// exchanges were run with versions that do not agree on them.
	Differences []survey.Difference
	Exchanges   []*exchange.Exchange
	Report      *analysis.Report
	Responses   func() iter.Seq2[*exchange.Response, error]
	// Labels, when set to a language, writes answer labels in that language
	// instead of codes in the Responses sheet.
	Labels      string
	GeneratedAt time.Time
	Version     string
	// Methods is the plain-words account of the methods, for About.
	Methods string
	// Programme, when set, is the programme of the exchanges (every
	// exchange of the instrument, or those chosen), written first as the
	// Programme sheet.
	Programme *analysis.ProgrammeReport
}

// Sheet names, in workbook order.
const (
	SheetSummary    = "Summary"
	SheetGoals      = "Goals"
	SheetItems      = "Items"
	SheetThemes     = "Themes"
	SheetCandidates = "Candidates"
	SheetBreakdowns = "Breakdowns"
	SheetResponses  = "Responses"
	SheetPairs      = "Pairs"
	SheetCodebook   = "Codebook"
	SheetAbout      = "About"
)

// Sheets lists the sheets of the workbook in order; a programme's
// workbook has SheetProgramme before them.
var Sheets = []string{SheetSummary, SheetGoals, SheetItems, SheetThemes, SheetCandidates, SheetBreakdowns, SheetResponses, SheetPairs, SheetCodebook, SheetAbout}

// Write writes the evaluator workbook to w. The two big sheets are written
// with excelize's stream writer: Responses from one more pass over the
// responses, Pairs from the analysis's scores, so memory does not grow with
// the number of responses beyond what the analysis already holds.
func Write(w io.Writer, e Export) error {
	f := excelize.NewFile()
	defer f.Close()
	b := &book{f: f, e: e, base: e.Instrument.BaseLanguage(), lang: textLanguage(e.Labels), k: e.Report.MinCell, rows: map[string]*rowFile{}}
	defer b.removeRowFiles()
	if err := b.styles(); err != nil {
		return err
	}
	steps := []struct {
		sheet   string
		write   func() error
		headers int // rows repeated on every printed page
	}{
		{SheetProgramme, b.programme, 0},
		{SheetSummary, b.summary, 0}, {SheetGoals, b.goals, 1}, {SheetItems, b.items, 1}, {SheetThemes, b.themes, 0},
		{SheetCandidates, b.candidates, 1}, {SheetBreakdowns, b.breakdowns, 1}, {SheetResponses, b.responses, 1}, {SheetPairs, b.pairs, 1},
		{SheetCodebook, b.codebook, 3}, {SheetAbout, b.about, 0},
	}
	if e.Programme == nil {
		steps = steps[1:]
	}
	for i, s := range steps {
		var err error
		if i == 0 {
			err = f.SetSheetName("Sheet1", s.sheet)
		} else {
			_, err = f.NewSheet(s.sheet)
		}
		if err != nil {
			return fmt.Errorf("add sheet %s: %w", s.sheet, err)
		}
	}
	// Before any sheet is streamed: SetActiveSheet visits every sheet, and
	// a streamed one would be read back from its temporary file whole —
	// 443 MB at 10 000 participants, against 127 MB this way round.
	f.SetActiveSheet(0)
	for _, s := range steps {
		if err := s.write(); err != nil {
			return fmt.Errorf("write sheet %s: %w", s.sheet, err)
		}
	}
	// Printed, every sheet fits the page width in landscape, and tables
	// repeat their header on every page: a printout is never cut at the
	// right edge (the wide data sheets print small; they are for software).
	for _, s := range steps {
		if err := b.printable(s.sheet, s.headers); err != nil {
			return fmt.Errorf("print setup of %s: %w", s.sheet, err)
		}
	}
	title := e.Instrument.Title.In(e.Instrument.BaseLanguage(), e.Instrument.BaseLanguage())
	f.SetDocProps(&excelize.DocProperties{Title: "Evaluation — " + e.Report.Exchange.ID, Subject: title, Creator: "exchangeeval " + e.Version,
		Created: e.GeneratedAt.UTC().Format(time.RFC3339)})
	if err := declareDimensions(f, b.rows); err != nil {
		return err
	}
	return b.writeZip(w)
}

// writeZip writes the workbook to w. excelize assembles the whole file in
// memory before writing it out (WriteToBuffer); its zip writer hook lets the
// archive go straight to w instead, leaving that buffer empty, with the big
// sheets' rows spliced in on the way (rows.go). Fast compression: the file
// is a little larger, and written in a fraction of the time.
func (b *book) writeZip(w io.Writer) error {
	sp := &splicer{rows: map[string]*rowFile{}, seen: map[string]bool{}, errorBars: b.errorBars}
	for sheet, rf := range b.rows {
		path, err := sheetPath(b.f, sheet)
		if err != nil {
			return err
		}
		sp.rows[path] = rf
	}
	hooked := false
	b.f.SetZipWriter(func(io.Writer) excelize.ZipWriter {
		hooked = true
		sp.zw = zip.NewWriter(w)
		sp.zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
			return flate.NewWriter(out, flate.BestSpeed)
		})
		return sp
	})
	buf, err := b.f.WriteToBuffer()
	if err != nil {
		return fmt.Errorf("write workbook: %w", err)
	}
	if !hooked || buf.Len() != 0 {
		return fmt.Errorf("write workbook: excelize did not write through its zip writer hook")
	}
	return nil
}

// rowFile starts the temporary file of a big sheet's rows.
func (b *book) rowFile(sheet string) (*rowFile, error) {
	rf, err := newRowFile(sheet)
	if err != nil {
		return nil, err
	}
	b.rows[sheet] = rf
	return rf, nil
}

func (b *book) removeRowFiles() {
	for _, rf := range b.rows {
		rf.remove()
	}
}

// book holds the file being written and its styles.
type book struct {
	f    *excelize.File
	e    Export
	base string
	// lang is the language of the sheets' texts (see texts.go).
	lang string
	k    int

	header, title, bold, wrap, num2, num3, pval, pct, integer, date, day, muted, shaded int
	verdict                                                                             map[string]int
	// rows are the big sheets' data rows, by sheet (rows.go).
	rows map[string]*rowFile
	// errorBars are the charts' error bars, added as the charts are
	// written out (errorbars.go).
	errorBars []errorBar
}

func (b *book) styles() error {
	var err error
	mk := func(s *excelize.Style) int {
		if err != nil {
			return 0
		}
		var id int
		id, err = b.f.NewStyle(s)
		return id
	}
	border := []excelize.Border{{Type: "bottom", Color: "8EA9C1", Style: 1}}
	b.header = mk(&excelize.Style{Font: &excelize.Font{Bold: true, Color: "1F2937"}, Fill: excelize.Fill{Type: "pattern", Color: []string{"DCE6F1"}, Pattern: 1},
		Border: border, Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	b.title = mk(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}})
	b.bold = mk(&excelize.Style{Font: &excelize.Font{Bold: true}})
	b.wrap = mk(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	b.num2 = mk(&excelize.Style{CustomNumFmt: ptr("0.00")})
	b.num3 = mk(&excelize.Style{CustomNumFmt: ptr("0.000")})
	// A p-value keeps its exact value in the cell (for R, SPSS or a
	// formula) and reads as the dashboard writes it: "<0.001", not 0.000.
	b.pval = mk(&excelize.Style{CustomNumFmt: ptr(`[<0.001]"<0.001";0.000`)})
	b.pct = mk(&excelize.Style{NumFmt: 9})
	b.integer = mk(&excelize.Style{NumFmt: 1})
	b.date = mk(&excelize.Style{CustomNumFmt: ptr("yyyy-mm-dd hh:mm")})
	b.day = mk(&excelize.Style{CustomNumFmt: ptr("yyyy-mm-dd")})
	b.muted = mk(&excelize.Style{Font: &excelize.Font{Color: "6B7280", Italic: true}})
	b.shaded = mk(&excelize.Style{Fill: excelize.Fill{Type: "pattern", Color: []string{"E5E7EB"}, Pattern: 1}})
	b.verdict = map[string]int{}
	for v, color := range map[string]string{analysis.Attained: "C6EFCE", analysis.PartlyAttained: "FFEB9C", analysis.NotAttained: "FFC7CE", analysis.InsufficientData: "E5E7EB"} {
		b.verdict[v] = mk(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Color: []string{color}, Pattern: 1}})
	}
	return err
}

func ptr[T any](v T) *T { return &v }

// sheet writes rows of a small sheet in normal mode.
type sheet struct {
	b    *book
	name string
	row  int
	err  error
	// header is the row of the table being written (0 before any), and
	// columns its width: a row with withheld cells names them in the
	// column after, headed once per table (see put).
	header, columns int
	headed          bool
}

// withheld is a statistic withheld because it describes fewer people than
// the minimum: an empty, shaded cell, never text, so that a statistic
// column stays numeric for pandas, R and formulas; the row says why in the
// table's Suppressed column.
type withheld struct{}

func (b *book) sheet(name string) *sheet { return &sheet{b: b, name: name, row: 1} }

// put writes one row of values starting at column A; a value may be a
// styled cell.
func (s *sheet) put(values ...any) {
	if s.err != nil {
		return
	}
	hidden := false
	for i, v := range values {
		cell, _ := excelize.CoordinatesToCellName(i+1, s.row)
		style := 0
		if sc, ok := v.(styled); ok {
			v, style = sc.v, sc.style
		}
		switch t := v.(type) {
		case nil:
			continue
		case withheld:
			hidden = true
		case string:
			// SetCellStr, never a formula: user text such as
			// "=HYPERLINK(…)" stays text.
			s.err = s.b.f.SetCellStr(s.name, cell, t)
		default:
			s.err = s.b.f.SetCellValue(s.name, cell, t)
		}
		if s.err == nil && style != 0 {
			s.err = s.b.f.SetCellStyle(s.name, cell, cell, style)
		}
		if s.err != nil {
			return
		}
	}
	if hidden && s.header > 0 {
		s.markWithheld()
	}
	s.row++
}

// markWithheld writes, in the column after the table's, that the row's
// empty shaded cells are withheld ("n<5"), heading that column the first
// time.
func (s *sheet) markWithheld() {
	col := s.columns + 1
	if !s.headed {
		cell, _ := excelize.CoordinatesToCellName(col, s.header)
		if s.err = s.b.f.SetCellStr(s.name, cell, "Suppressed"); s.err == nil {
			s.err = s.b.f.SetCellStyle(s.name, cell, cell, s.b.header)
		}
		s.headed = true
	}
	cell, _ := excelize.CoordinatesToCellName(col, s.row)
	if s.err == nil {
		s.err = s.b.f.SetCellStr(s.name, cell, s.b.suppressed())
	}
	if s.err == nil {
		s.err = s.b.f.SetCellStyle(s.name, cell, cell, s.b.muted)
	}
}

func (s *sheet) headerRow(names ...string) {
	vals := make([]any, len(names))
	for i, n := range names {
		vals[i] = styled{n, s.b.header}
	}
	s.header, s.columns, s.headed = s.row, len(names), false
	s.put(vals...)
}

func (s *sheet) blank() { s.row++ }

func (s *sheet) widths(ws ...float64) {
	for i, w := range ws {
		col, _ := excelize.ColumnNumberToName(i + 1)
		if s.err == nil {
			s.err = s.b.f.SetColWidth(s.name, col, col, w)
		}
	}
}

func (s *sheet) freeze(row int) {
	if s.err == nil {
		cell, _ := excelize.CoordinatesToCellName(1, row+1)
		s.err = s.b.f.SetPanes(s.name, &excelize.Panes{Freeze: true, YSplit: row, TopLeftCell: cell, ActivePane: "bottomLeft"})
	}
}

type styled struct {
	v     any
	style int
}

// num is a statistic cell: the number, withheld when suppressed, empty
// when not computable.
func (b *book) num(v *float64, suppressed bool, style int) any {
	switch {
	case suppressed:
		return b.withheld()
	case v == nil || math.IsNaN(*v) || math.IsInf(*v, 0):
		return nil
	}
	return styled{*v, style}
}

// printable sets a sheet up for paper: A4 landscape, one page wide however
// many long, and its header rows (if any) repeated on every page.
func (b *book) printable(sheet string, headerRows int) error {
	if err := b.f.SetSheetProps(sheet, &excelize.SheetPropsOptions{FitToPage: ptr(true)}); err != nil {
		return err
	}
	if err := b.f.SetPageLayout(sheet, &excelize.PageLayoutOptions{Size: ptr(9), Orientation: ptr("landscape"), FitToWidth: ptr(1), FitToHeight: ptr(0)}); err != nil {
		return err
	}
	if headerRows == 0 {
		return nil
	}
	return b.f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles", Scope: sheet,
		RefersTo: fmt.Sprintf("'%s'!$1:$%d", sheet, headerRows)})
}

// fitRow gives row of sheet the height its wrapped text needs in a column
// of width characters: spreadsheet programs do not grow a row for wrapped
// text that was written by a program, and the next row then hides it.
func (s *sheet) fitRow(row int, text string, width float64) {
	if s.err != nil {
		return
	}
	lines := 0
	for _, para := range strings.Split(text, "\n") {
		lines += 1 + int(float64(utf8.RuneCountInString(para))/(width*1.05))
	}
	if lines > 1 {
		s.err = s.b.f.SetRowHeight(s.name, row, float64(lines)*15+2)
	}
}

func (b *book) suppressed() string { return "n<" + strconv.Itoa(b.k) }

// withheld is a statistic cell withheld for privacy (see withheld).
func (b *book) withheld() styled { return styled{withheld{}, b.shaded} }

// text is an instrument's text (a goal's or wave's title, a theme's
// label) in the language of the labels, else the base language.
func (b *book) text(t survey.Text) string {
	if b.e.Labels != "" {
		return t.In(b.e.Labels, b.base)
	}
	return t.In(b.base, b.base)
}

// noData marks a table that has no rows yet.
func (s *sheet) noData(what string) {
	s.put(styled{"no data: " + what, s.b.muted})
}
