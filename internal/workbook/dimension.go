package workbook

import "github.com/xuri/excelize/v2"

// declareDimensions writes each sheet's used range into its <dimension>
// element. excelize leaves it at "A1" for cells set one by one, and a
// reader that trusts it sees one cell: openpyxl's read-only mode does, and
// so does pyxform, KoboToolbox's and ODK's converter, which read a form
// that way. Sheets in spliced (their rows are spliced in as the file is
// written, rows.go) declare their own.
func declareDimensions(f *excelize.File, spliced map[string]*rowFile) error {
	for _, sheet := range f.GetSheetList() {
		if _, ok := spliced[sheet]; ok {
			continue
		}
		rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
		if err != nil {
			return err
		}
		last, cols := 0, 0
		for i, r := range rows {
			if len(r) > 0 {
				last, cols = i+1, max(cols, len(r))
			}
		}
		if last == 0 {
			continue
		}
		end, err := excelize.CoordinatesToCellName(cols, last)
		if err != nil {
			return err
		}
		if err := f.SetSheetDimension(sheet, "A1:"+end); err != nil {
			return err
		}
	}
	return nil
}
