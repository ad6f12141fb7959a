package workbook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/legacyxls"
	"github.com/csci/exchangeeval/internal/survey"
)

// MaxFormBytes bounds an XLSForm file. A questionnaire of a thousand
// questions in three languages is well under 1 MB; a bigger file is not a
// questionnaire, and reading it would only cost memory.
const MaxFormBytes = 5 << 20

// The limits of a form's sheets, for the same reason: rows and cells per
// sheet, columns per row (a form in 28 languages has about 150), and what
// the whole workbook unpacks to.
const (
	maxFormRows     = 20000
	maxFormCells    = 400_000
	maxFormUnzipped = 32 << 20
	maxFormProblems = 100
)

// The sheets a form is read from; others (a designer's notes) are left.
var formSheets = []string{survey.SheetSurvey, survey.SheetChoices, survey.SheetSettings, survey.SheetWaves, survey.SheetGoals, survey.SheetThemes}

// ReadXLSForm reads the sheets of an XLSForm as text. What is wrong with the
// file as a spreadsheet — too big, not an .xlsx, a formula where text is
// expected — comes back as problems naming the file and the cell; what is
// wrong with it as a questionnaire is survey.FromXLSForm's to say.
func ReadXLSForm(name string, r io.Reader) ([]survey.Sheet, survey.Problems) {
	return ReadXLSFormContext(context.Background(), name, r)
}

// ReadXLSFormContext is ReadXLSForm, stopping when ctx is done.
func ReadXLSFormContext(ctx context.Context, name string, r io.Reader) ([]survey.Sheet, survey.Problems) {
	fail := func(cell, format string, args ...any) survey.Problems {
		return survey.Problems{{File: name, Cell: cell, Message: fmt.Sprintf(format, args...)}}
	}
	data, err := io.ReadAll(io.LimitReader(r, MaxFormBytes+1))
	if err != nil {
		return nil, fail("", "cannot read the file: %v", err)
	}
	if len(data) > MaxFormBytes {
		return nil, fail("", "the file is over %d MB: an XLSForm questionnaire is far smaller; is this the right file?", MaxFormBytes>>20)
	}
	if bytes.HasPrefix(data, legacyxls.Magic) {
		return readLegacyForm(name, data)
	}
	if !bytes.HasPrefix(data, zipMagic) {
		what := "it is not an Excel workbook (.xlsx)"
		switch {
		case bytes.HasPrefix(data, []byte{0xD0, 0xCF, 0x11, 0xE0}):
			what = "it is an Office file of another kind than a spreadsheet (.xls or .xlsx)"
		case bytes.HasPrefix(bytes.TrimSpace(data), []byte("<")):
			what = "it is XML or HTML, not a spreadsheet: upload the XLSForm (.xlsx), not the converted form"
		}
		return nil, fail("", "%s", what)
	}
	f, err := openWorkbook(name, data, maxFormUnzipped)
	if err != nil {
		return nil, fail("", "%s", formLimitMessage(err))
	}
	defer f.Close()
	var (
		sheets []survey.Sheet
		probs  survey.Problems
	)
	for _, sheet := range f.GetSheetList() {
		if !isFormSheet(sheet) {
			continue
		}
		rows, err := readSheet(ctx, name, f, sheet, sheetLimits{rows: maxFormRows, cols: MaxColumns, cells: maxFormCells})
		if err != nil {
			if ctx.Err() != nil {
				return nil, fail("", "reading stopped: %v", ctx.Err())
			}
			probs = append(probs, fail(sheet+"!A1", "%s", formLimitMessage(err))...)
			continue
		}
		// A formula is read as the value the spreadsheet last calculated
		// and saved with it, as pyxform reads it; LibreOffice's TRUE()
		// and FALSE() are true and false even unsaved. A formula with
		// no saved value (written by a program that does not calculate)
		// is refused: what it means is not in the file. Only the cells
		// within the rows read are asked, so this costs what the bounded
		// rows cost.
		width := 0
		if len(rows) > 0 {
			width = len(rows[0]) // the header's: a formula with no value may be past a row's last text
		}
		for r := range rows {
			for c := range max(width, len(rows[r])) {
				cell := survey.CellName(c, r)
				formula, _ := f.GetCellFormula(sheet, cell)
				if formula == "" {
					continue
				}
				for len(rows[r]) <= c {
					rows[r] = append(rows[r], "")
				}
				row := rows[r]
				switch {
				case row[c] != "":
				case strings.EqualFold(strings.TrimSpace(formula), "TRUE()"), strings.EqualFold(strings.TrimSpace(formula), "TRUE"):
					row[c] = "true"
				case strings.EqualFold(strings.TrimSpace(formula), "FALSE()"), strings.EqualFold(strings.TrimSpace(formula), "FALSE"):
					row[c] = "false"
				default:
					probs = append(probs, fail(sheet+"!"+cell, "a formula (=%s) with no value saved: type the text itself, or open and save the file in a spreadsheet program so that its value is kept", formula)...)
				}
			}
		}
		sheets = append(sheets, survey.Sheet{Name: strings.ToLower(strings.TrimSpace(sheet)), Rows: rows})
	}
	probs = probs.Capped(survey.MaxProblems)
	if probs != nil {
		return nil, probs
	}
	return sheets, nil
}

// formLimitMessage words a limit a form's workbook went past, without the
// file's name (a problem names it) or what is said of imports.
func formLimitMessage(err error) string {
	var e *exchange.Error
	if !errors.As(err, &e) || e.Coded == nil {
		return err.Error()
	}
	switch e.Coded.Code {
	case exchange.ProblemTooManyRows:
		return fmt.Sprintf("the sheet has more than %d rows; a form has fewer", maxFormRows)
	case exchange.ProblemTooManyCells:
		return fmt.Sprintf("the sheet has more than %d cells; a form has fewer", maxFormCells)
	case exchange.ProblemTooWide:
		return fmt.Sprintf("cell %s has text beyond the %d columns a form may have", e.Coded.Args[1], MaxColumns)
	case exchange.ProblemUnzipsTooLarge:
		return fmt.Sprintf("the workbook unpacks to more than %d MB: an XLSForm questionnaire is far smaller; is this the right file?", maxFormUnzipped>>20)
	case exchange.ProblemNotXLSX:
		return fmt.Sprintf("it is not a readable Excel workbook (.xlsx): %v", e.Coded.Args[1])
	}
	return e.Message
}

// readLegacyForm reads a form in the old Excel format (.xls), as
// KoboToolbox downloads them, within the same limits as an .xlsx. Formulas
// come as the values the file saved, as pyxform reads them.
func readLegacyForm(name string, data []byte) ([]survey.Sheet, survey.Problems) {
	read, err := legacyxls.Read(data, isFormSheet, legacyxls.Limits{Rows: maxFormRows, Cols: MaxColumns, Cells: maxFormCells})
	var limit *legacyxls.LimitError
	switch {
	case errors.As(err, &limit):
		return nil, survey.Problems{{File: name, Cell: limit.Sheet + "!A1", Message: fmt.Sprintf("the sheet has more than %d %s; a form has fewer", limit.Limit, limit.What)}}
	case err != nil:
		return nil, survey.Problems{{File: name, Message: fmt.Sprintf("it is an old Excel file (.xls) that cannot be read (%v): open it in a spreadsheet program and save it as .xlsx", err)}}
	}
	sheets := make([]survey.Sheet, len(read))
	for i, s := range read {
		sheets[i] = survey.Sheet{Name: strings.ToLower(strings.TrimSpace(s.Name)), Rows: s.Rows}
	}
	return sheets, nil
}

func isFormSheet(name string) bool {
	for _, s := range formSheets {
		if strings.EqualFold(strings.TrimSpace(name), s) {
			return true
		}
	}
	return false
}

// WriteXLSForm writes sheets (survey.ToXLSForm's) as an .xlsx file that
// KoboToolbox, ODK and LibreOffice open: a bold, frozen header row and
// wide label columns, every cell text.
func WriteXLSForm(w io.Writer, sheets []survey.Sheet) error {
	f := excelize.NewFile()
	defer f.Close()
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Color: []string{"DCE6F1"}, Pattern: 1}})
	if err != nil {
		return err
	}
	wrap, err := f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	if err != nil {
		return err
	}
	for i, s := range sheets {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", s.Name); err != nil {
				return err
			}
		} else if _, err := f.NewSheet(s.Name); err != nil {
			return err
		}
		for r, row := range s.Rows {
			cells := make([]any, len(row))
			for c, v := range row {
				cells[c] = v
			}
			if err := f.SetSheetRow(s.Name, survey.CellName(0, r), &cells); err != nil {
				return err
			}
		}
		if len(s.Rows) == 0 {
			continue
		}
		last := survey.CellName(len(s.Rows[0])-1, 0)
		if err := f.SetCellStyle(s.Name, "A1", last, bold); err != nil {
			return err
		}
		for c, h := range s.Rows[0] {
			col := strings.TrimRight(survey.CellName(c, 0), "1")
			width := 14.0
			if isLongText(h) {
				width = 45
				if len(s.Rows) > 1 {
					if err := f.SetColStyle(s.Name, col, wrap); err != nil {
						return err
					}
				}
			}
			if err := f.SetColWidth(s.Name, col, col, width); err != nil {
				return err
			}
		}
		if err := f.SetPanes(s.Name, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
			return err
		}
	}
	if err := declareDimensions(f, nil); err != nil {
		return err
	}
	_, err = f.WriteTo(w)
	return err
}

// isLongText tells the columns that hold sentences.
func isLongText(header string) bool {
	for _, p := range []string{"label", "hint", "intro", "description", "patterns", "_body", "form_title", "title", "relevant"} {
		if strings.HasPrefix(header, p) || strings.Contains(header, p+"::") {
			return true
		}
	}
	return false
}

// ReadForm reads an XLSForm file's content as a survey.Reader (for
// validate and --surveys).
func ReadForm(name string, data []byte) (*survey.Instrument, survey.Problems) {
	return readForm(context.Background(), name, data)
}

func readForm(ctx context.Context, name string, data []byte) (*survey.Instrument, survey.Problems) {
	sheets, probs := ReadXLSFormContext(ctx, name, bytes.NewReader(data))
	if probs != nil {
		return nil, probs
	}
	return survey.FromXLSForm(name, sheets)
}

// MaxDefinitionBytes bounds an uploaded YAML definition (the shipped one
// is about 30 KB).
const MaxDefinitionBytes = 1 << 20

// ParseDefinition reads an uploaded instrument, YAML or XLSForm, told
// apart by content (an .xlsx file is a zip archive), not by name. Format
// is "yaml" or "xlsform".
// Reading a form stops when ctx is done.
func ParseDefinition(ctx context.Context, name string, data []byte) (in *survey.Instrument, format string, probs survey.Problems) {
	ext := strings.ToLower(filepath.Ext(name))
	if bytes.HasPrefix(data, zipMagic) || bytes.HasPrefix(data, []byte{0xD0, 0xCF, 0x11, 0xE0}) || ext == ".xlsx" || ext == ".xls" {
		in, probs := readForm(ctx, name, data)
		return in, "xlsform", probs
	}
	if len(data) > MaxDefinitionBytes {
		return nil, "yaml", survey.Problems{{File: name, Message: fmt.Sprintf("the file is over %d MB: a YAML definition is far smaller; is this the right file?", MaxDefinitionBytes>>20)}}
	}
	in, probs = survey.Parse(name, data)
	return in, "yaml", probs
}
