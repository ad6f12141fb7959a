package workbook

import (
	"archive/zip"
	"bufio"
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// The two big sheets (Responses, Pairs) are not written through excelize's
// stream writer, which keeps up to 32 MB of each sheet in memory before it
// spills to disk and keeps that buffer until the file is written. Their
// data rows go as sheet XML to a temporary file as they are made (64 KB in
// memory), the sheet itself — header, frozen panes, widths, table — is made
// with excelize's ordinary calls, and when the file is zipped the rows are
// spliced into that sheet's XML on their way to the output.

// rowFile is a big sheet's data rows, as sheet XML in a temporary file.
type rowFile struct {
	sheet string
	f     *os.File
	w     *bufio.Writer
	rows  int // the last row number written
	cols  int // the widest row
	refs  []string
}

func newRowFile(sheet string) (*rowFile, error) {
	f, err := os.CreateTemp("", "exchangeeval-sheet-")
	if err != nil {
		return nil, fmt.Errorf("temporary file for sheet %s: %w", sheet, err)
	}
	return &rowFile{sheet: sheet, f: f, w: bufio.NewWriterSize(f, 64<<10)}, nil
}

// colRef is the letters of column i (1-based): A, B, … AA.
func (rf *rowFile) colRef(i int) string {
	for len(rf.refs) < i {
		name, _ := excelize.ColumnNumberToName(len(rf.refs) + 1)
		rf.refs = append(rf.refs, name)
	}
	return rf.refs[i-1]
}

// add writes row number row: nil values are empty cells; a value may be an
// excelize.Cell to give it a style. Text is always text, never a formula.
func (rf *rowFile) add(row int, values []any) error {
	w := rf.w
	r := strconv.Itoa(row)
	w.WriteString(`<row r="`)
	w.WriteString(r)
	w.WriteString(`">`)
	for i, v := range values {
		style := 0
		if c, ok := v.(excelize.Cell); ok {
			v, style = c.Value, c.StyleID
		}
		if v == nil {
			continue
		}
		w.WriteString(`<c r="`)
		w.WriteString(rf.colRef(i + 1))
		w.WriteString(r)
		w.WriteByte('"')
		if style != 0 {
			w.WriteString(` s="`)
			w.WriteString(strconv.Itoa(style))
			w.WriteByte('"')
		}
		switch t := v.(type) {
		case string:
			writeInlineString(w, t)
		case bool:
			w.WriteString(` t="b"><v>`)
			w.WriteString(map[bool]string{true: "1", false: "0"}[t])
			w.WriteString(`</v></c>`)
		case time.Time:
			writeNumber(w, excelTime(t))
		case int:
			writeNumber(w, float64(t))
		case int64:
			writeNumber(w, float64(t))
		case float64:
			writeNumber(w, t)
		default:
			writeInlineString(w, fmt.Sprint(t))
		}
	}
	w.WriteString(`</row>`)
	rf.rows = row
	rf.cols = max(rf.cols, len(values))
	_, err := w.Write(nil)
	return err
}

func writeNumber(w *bufio.Writer, x float64) {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		w.WriteString(`/>`)
		return
	}
	w.WriteString(`><v>`)
	w.WriteString(strconv.FormatFloat(x, 'f', -1, 64))
	w.WriteString(`</v></c>`)
}

// maxCellText is the longest text a spreadsheet cell holds.
const maxCellText = 32767

func writeInlineString(w *bufio.Writer, s string) {
	if len(s) > maxCellText {
		s = s[:maxCellText]
		for !utf8.ValidString(s) {
			s = s[:len(s)-1]
		}
	}
	w.WriteString(` t="inlineStr"><is><t`)
	if s != strings.TrimSpace(s) {
		w.WriteString(` xml:space="preserve"`)
	}
	w.WriteByte('>')
	for _, r := range s {
		switch {
		case r == '&':
			w.WriteString("&amp;")
		case r == '<':
			w.WriteString("&lt;")
		case r == '>':
			w.WriteString("&gt;")
		case r == '\t' || r == '\n' || r == '\r':
			w.WriteRune(r)
		case r < 0x20 || r == 0xFFFE || r == 0xFFFF || r == utf8.RuneError:
			// Not allowed in XML: dropped.
		default:
			w.WriteRune(r)
		}
	}
	w.WriteString(`</t></is></c>`)
}

// excelTime is a moment as a spreadsheet date: days since 1899-12-30.
func excelTime(t time.Time) float64 {
	const day = 24 * time.Hour
	d := t.UTC().Sub(time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC))
	return float64(d/day) + float64(d%day)/float64(day)
}

// finish flushes the rows to the file.
func (rf *rowFile) finish() error {
	if err := rf.w.Flush(); err != nil {
		return fmt.Errorf("write the rows of sheet %s: %w", rf.sheet, err)
	}
	return nil
}

func (rf *rowFile) remove() {
	_ = rf.f.Close()
	_ = os.Remove(rf.f.Name())
}

// splicer is the zip writer excelize writes the workbook through: entries
// go straight to the output, and a big sheet's rows are inserted into its
// sheet's XML on the way.
type splicer struct {
	zw      *zip.Writer
	rows    map[string]*rowFile // by the sheet's path in the archive
	pending string              // the path of the sheet being held
	held    bytes.Buffer
	seen    map[string]bool
	// errorBars are added to the charts on their way (errorbars.go);
	// barsPlaced counts those placed.
	errorBars  []errorBar
	barsPlaced int
}

func (s *splicer) Create(name string) (io.Writer, error) {
	if err := s.finish(); err != nil {
		return nil, err
	}
	if _, ok := s.rows[name]; ok || (isChart(name) && len(s.errorBars) > 0) {
		s.pending = name
		s.held.Reset()
		return &s.held, nil
	}
	return s.zw.Create(name)
}

func (s *splicer) AddFS(fsys fs.FS) error {
	if err := s.finish(); err != nil {
		return err
	}
	return s.zw.AddFS(fsys)
}

func (s *splicer) Close() error {
	if err := s.finish(); err != nil {
		return err
	}
	for name, rf := range s.rows {
		if !s.seen[name] {
			return fmt.Errorf("sheet %s was not where its rows were to go (%s)", rf.sheet, name)
		}
	}
	if s.barsPlaced != len(s.errorBars) {
		return fmt.Errorf("%d of %d charts' error bars found no chart", len(s.errorBars)-s.barsPlaced, len(s.errorBars))
	}
	return s.zw.Close()
}

// finish writes the sheet being held with its rows inside.
func (s *splicer) finish() error {
	if s.pending == "" {
		return nil
	}
	name, rf := s.pending, s.rows[s.pending]
	s.pending = ""
	if rf == nil {
		return s.finishChart(name)
	}
	s.seen[name] = true
	xml := s.held.Bytes()
	var before, after []byte
	if i := bytes.Index(xml, []byte("</sheetData>")); i >= 0 {
		before, after = xml[:i], xml[i:]
	} else if i := bytes.Index(xml, []byte("<sheetData/>")); i >= 0 {
		before = append(append([]byte{}, xml[:i]...), "<sheetData>"...)
		after = append([]byte("</sheetData>"), xml[i+len("<sheetData/>"):]...)
	} else {
		return fmt.Errorf("sheet %s has no sheet data to put its rows in", rf.sheet)
	}
	// The dimension says which cells are used: now the rows' too.
	if i := bytes.Index(before, []byte(`<dimension ref="`)); i >= 0 {
		if j := bytes.IndexByte(before[i+16:], '"'); j >= 0 {
			last, _ := excelize.CoordinatesToCellName(max(rf.cols, 1), max(rf.rows, 1))
			before = append(append(append([]byte{}, before[:i+16]...), "A1:"+last...), before[i+16+j:]...)
		}
	}
	w, err := s.zw.Create(name)
	if err != nil {
		return err
	}
	if _, err := w.Write(before); err != nil {
		return err
	}
	if _, err := rf.f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	if _, err := io.Copy(w, rf.f); err != nil {
		return fmt.Errorf("copy the rows of sheet %s: %w", rf.sheet, err)
	}
	_, err = w.Write(after)
	return err
}

// finishChart writes the chart being held with its error bars.
func (s *splicer) finishChart(name string) error {
	xml, found, err := addErrorBars(s.held.Bytes(), s.errorBars)
	if err != nil {
		return err
	}
	s.barsPlaced += len(found)
	w, err := s.zw.Create(name)
	if err != nil {
		return err
	}
	_, err = w.Write(xml)
	return err
}

// sheetPath is where excelize keeps a new workbook's sheet in the archive.
func sheetPath(f *excelize.File, sheet string) (string, error) {
	for id, name := range f.GetSheetMap() {
		if name == sheet {
			return "xl/worksheets/sheet" + strconv.Itoa(id) + ".xml", nil
		}
	}
	return "", fmt.Errorf("no sheet %s", sheet)
}
