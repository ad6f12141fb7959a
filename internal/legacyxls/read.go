// Package legacyxls reads spreadsheets in the old Excel format (.xls,
// BIFF8): the format KoboToolbox offers its forms for download in, and
// that many published XLSForms are kept in. It wraps
// github.com/shakinm/xlsReader, the one place that library is used.
package legacyxls

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/shakinm/xlsReader/xls"
	"github.com/shakinm/xlsReader/xls/structure"
)

// Magic begins every .xls file (the compound-file signature).
var Magic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}

// Sheet is one sheet's text, row by row, trailing empty cells and rows
// left out.
type Sheet struct {
	Name string
	Rows [][]string
}

// Limits bound what one sheet may hold: rows up to the last one with
// text, columns up to the last one with text, cells with text in all.
type Limits struct{ Rows, Cols, Cells int }

// LimitError is a sheet past one of the Limits.
type LimitError struct {
	Sheet, What string
	Limit       int
}

func (e *LimitError) Error() string {
	return fmt.Sprintf("sheet %s has more than %d %s", e.Sheet, e.Limit, e.What)
}

// Read reads every sheet of an .xls file whose name keep accepts. A file
// the library cannot read, whatever it does on the way (it is not ours),
// is an error, never a crash.
func Read(data []byte, keep func(sheet string) bool, lim Limits) (sheets []Sheet, err error) {
	defer func() {
		if r := recover(); r != nil {
			sheets, err = nil, fmt.Errorf("not a readable .xls file (%v)", r)
		}
	}()
	if err := checkContainer(data); err != nil {
		return nil, fmt.Errorf("not a readable .xls file (%v)", err)
	}
	wb, err := xls.OpenReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("not a readable .xls file (%v)", err)
	}
	for i := range wb.GetNumberSheets() {
		s, err := wb.GetSheet(i)
		if err != nil {
			return nil, fmt.Errorf("not a readable .xls file (sheet %d: %v)", i+1, err)
		}
		if !keep(s.GetName()) {
			continue
		}
		sheet, err := readSheet(s, lim)
		if err != nil {
			return nil, err
		}
		sheets = append(sheets, sheet)
	}
	return sheets, nil
}

func readSheet(s *xls.Sheet, lim Limits) (Sheet, error) {
	out := Sheet{Name: s.GetName()}
	cells, empty := 0, 0
	for r := range s.GetNumberRows() {
		row, err := s.GetRow(r)
		var vals []string
		if err == nil {
			for _, c := range row.GetCols() {
				vals = append(vals, text(c))
			}
		}
		end := len(vals)
		for end > 0 && vals[end-1] == "" {
			end--
		}
		if end == 0 {
			empty++ // kept only if a row with text follows
			continue
		}
		switch {
		case len(out.Rows)+empty >= lim.Rows:
			return out, &LimitError{out.Name, "rows", lim.Rows - 1}
		case end > lim.Cols:
			return out, &LimitError{out.Name, "columns", lim.Cols}
		}
		if cells += end; cells > lim.Cells {
			return out, &LimitError{out.Name, "cells", lim.Cells}
		}
		for ; empty > 0; empty-- {
			out.Rows = append(out.Rows, nil)
		}
		out.Rows = append(out.Rows, vals[:end])
	}
	return out, nil
}

// text is a cell as typed: text as text, a whole number without ".0".
func text(c structure.CellData) string {
	switch c.GetType() {
	case "*record.LabelSSt", "*record.Label", "*record.Rstring":
		return latin1(c.GetString())
	}
	if f := c.GetFloat64(); f != 0 || c.GetString() == "0" {
		if f == math.Trunc(f) && math.Abs(f) < 1e15 {
			return strconv.FormatInt(int64(f), 10)
		}
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	return strings.TrimSpace(latin1(c.GetString()))
}

// latin1 mends what the library returns for a "compressed" string — the
// form BIFF8 stores text in when every character is below U+0100 — which
// it hands back as those single bytes ("\xbfEn qu\xe9…" for "¿En qué…").
// Such bytes are not UTF-8 unless they spell mojibake such as "Ã©", which
// no form means to hold, so text that is not valid UTF-8 is read as the
// Latin-1 it is.
func latin1(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	b := make([]rune, 0, len(s))
	for i := 0; i < len(s); i++ {
		b = append(b, rune(s[i]))
	}
	return string(b)
}
