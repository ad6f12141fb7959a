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
	f := excelize.NewFile()
	defer f.Close()
	sheet := "Links"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Color: []string{"DCE6F1"}, Pattern: 1}})
	if err != nil {
		return err
	}
	for i, h := range LinkColumns {
		cell, _ := excelize.CoordinatesToCellName(i+1, 1)
		// SetCellStr, never SetCellValue on user text: a name such as
		// "=HYPERLINK(…)" must stay text, not become a formula.
		if err := f.SetCellStr(sheet, cell, h); err != nil {
			return err
		}
	}
	for r, l := range links {
		for c, v := range LinkRow(l) {
			cell, _ := excelize.CoordinatesToCellName(c+1, r+2)
			if err := f.SetCellStr(sheet, cell, v); err != nil {
				return err
			}
		}
	}
	last, _ := excelize.CoordinatesToCellName(len(LinkColumns), len(links)+1)
	if err := f.SetCellStyle(sheet, "A1", fmt.Sprintf("%s1", string(rune('A'+len(LinkColumns)-1))), bold); err != nil {
		return err
	}
	if err := f.AutoFilter(sheet, "A1:"+last, nil); err != nil {
		return err
	}
	if err := f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	widths := []float64{8, 28, 32, 10, 10, 70, 6}
	for i, wd := range widths {
		col, _ := excelize.ColumnNumberToName(i + 1)
		if err := f.SetColWidth(sheet, col, col, wd); err != nil {
			return err
		}
	}
	f.SetDocProps(&excelize.DocProperties{Title: "Personal links — " + exchangeID, Creator: "exchangeeval"})
	if err := declareDimensions(f, nil); err != nil {
		return err
	}
	_, err = f.WriteTo(w)
	return err
}
