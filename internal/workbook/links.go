package workbook

import (
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"

	"github.com/csci/exchangeeval/internal/exchange"
)

// LinkColumns is the header of the personal-links table, for a mail merge.
var LinkColumns = []string{"pid", "name", "email", "language", "side", "link", "new"}

// LinkRow is one link as table cells, in LinkColumns order.
func LinkRow(l exchange.Link) []string {
	isNew := "no"
	if l.New {
		isNew = "yes"
	}
	return []string{l.PID, l.Name, l.Email, l.Language, l.Side, l.URL, isNew}
}

// WriteLinks writes the personal links as an XLSX workbook with one table:
// a header row, frozen, with an autofilter, ready for a mail merge.
func WriteLinks(w io.Writer, exchangeID string, links []exchange.Link) error {
	rows := make([][]any, len(links))
	for i, l := range links {
		for _, v := range LinkRow(l) {
			rows[i] = append(rows[i], v)
		}
	}
	return WriteTable(w, "Links", "Personal links — "+exchangeID, LinkColumns, rows, []float64{8, 28, 32, 10, 10, 70, 6})
}

// WriteTable writes one table as an XLSX workbook: a bold header row,
// frozen, with an autofilter; strings as text (never formulas: a name such
// as "=HYPERLINK(…)" stays text), whole numbers as numbers; columns of the
// widths given, text wrapped in those of 40 and more.
func WriteTable(w io.Writer, sheet, title string, header []string, rows [][]any, widths []float64) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Color: []string{"DCE6F1"}, Pattern: 1}})
	if err != nil {
		return err
	}
	wrap, err := f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	if err != nil {
		return err
	}
	for i, h := range header {
		cell, _ := excelize.CoordinatesToCellName(i+1, 1)
		if err := f.SetCellStr(sheet, cell, h); err != nil {
			return err
		}
	}
	for r, row := range rows {
		for c, v := range row {
			cell, _ := excelize.CoordinatesToCellName(c+1, r+2)
			switch v := v.(type) {
			case nil:
			case int:
				err = f.SetCellInt(sheet, cell, int64(v))
			default:
				err = f.SetCellStr(sheet, cell, fmt.Sprint(v))
			}
			if err != nil {
				return err
			}
		}
	}
	lastCol, _ := excelize.ColumnNumberToName(len(header))
	last, _ := excelize.CoordinatesToCellName(len(header), len(rows)+1)
	if err := f.SetCellStyle(sheet, "A1", lastCol+"1", bold); err != nil {
		return err
	}
	if err := f.AutoFilter(sheet, "A1:"+last, nil); err != nil {
		return err
	}
	if err := f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	for i, wd := range widths {
		col, _ := excelize.ColumnNumberToName(i + 1)
		if err := f.SetColWidth(sheet, col, col, wd); err != nil {
			return err
		}
		if wd >= 40 && len(rows) > 0 {
			if err := f.SetCellStyle(sheet, col+"2", fmt.Sprintf("%s%d", col, len(rows)+1), wrap); err != nil {
				return err
			}
		}
	}
	f.SetDocProps(&excelize.DocProperties{Title: title, Creator: "exchangeeval"})
	if err := declareDimensions(f, nil); err != nil {
		return err
	}
	_, err = f.WriteTo(w)
	return err
}
