package workbook

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/csci/exchangeeval/internal/exchange"
)

// What a spreadsheet may hold before it is refused. A file under the upload
// limit can otherwise unpack to gigabytes (a zip bomb of shared strings or
// white space), pad one cell in column XFD out to 16 384 cells a row, or
// hold millions of empty cells: each limit is checked while the file is
// read, so memory and time stay bounded by the limits, never by the file.
const (
	// MaxUnzippedBytes bounds everything a workbook unpacks to.
	MaxUnzippedBytes = 256 << 20
	// MaxSharedStringsBytes bounds the table of texts a workbook's cells
	// share (about 300 000 distinct texts of 50 characters).
	MaxSharedStringsBytes = 16 << 20
	// maxZipEntries bounds the parts of a workbook (a real one has tens).
	maxZipEntries = 1000
	// inMemoryXMLBytes is how much of a sheet excelize keeps in memory;
	// a larger sheet is unpacked to a temporary file, removed on Close.
	inMemoryXMLBytes = 16 << 20
	// MaxColumns bounds a table's width: a row with text beyond it is
	// refused (empty cells beyond it are passed over).
	MaxColumns = 256
	// MaxCells bounds the cells of a table, empty ones within rows
	// included.
	MaxCells = 2_000_000
	// maxScannedCells bounds the cells a reader walks through, the
	// empty ones past MaxColumns included, so that rows padded to column
	// XFD cost bounded time too.
	maxScannedCells = 40_000_000
	// MaxRecordBytes bounds one CSV record (a line, or lines inside
	// quotes).
	MaxRecordBytes = 1 << 20
)

// checkZip reads through every part of a workbook held in data, counting
// what it really unpacks to (the sizes a zip declares can lie), and refuses
// one over the limits before excelize unpacks anything.
func checkZip(name string, data []byte, maxTotal int64) error {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return exchange.Coded(exchange.EINVALID, exchange.ProblemNotXLSX, name, err)
	}
	if len(zr.File) > maxZipEntries {
		return exchange.Coded(exchange.EINVALID, exchange.ProblemUnzipsTooLarge, name, maxTotal>>20)
	}
	var total int64
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			return exchange.Coded(exchange.EINVALID, exchange.ProblemNotXLSX, name, err)
		}
		n, err := io.Copy(io.Discard, io.LimitReader(rc, maxTotal-total+1))
		rc.Close()
		if err != nil {
			return exchange.Coded(exchange.EINVALID, exchange.ProblemNotXLSX, name, err)
		}
		total += n
		if total > maxTotal || (strings.EqualFold(f.Name, "xl/sharedStrings.xml") && n > MaxSharedStringsBytes) {
			return exchange.Coded(exchange.EINVALID, exchange.ProblemUnzipsTooLarge, name, maxTotal>>20)
		}
	}
	return nil
}

// openWorkbook opens a workbook held in data, refusing one that unpacks
// to more than maxTotal bytes.
func openWorkbook(name string, data []byte, maxTotal int64) (*excelize.File, error) {
	if err := checkZip(name, data, maxTotal); err != nil {
		return nil, err
	}
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: maxTotal, UnzipXMLSizeLimit: min(maxTotal, inMemoryXMLBytes)})
	if err != nil {
		return nil, exchange.Coded(exchange.EINVALID, exchange.ProblemNotXLSX, name, err)
	}
	return f, nil
}

// sheetLimits bound one sheet's reading.
type sheetLimits struct {
	rows, cols, cells int
}

// readSheet reads a sheet's rows of text, trimmed of empty cells at their
// ends, within lim; it stops when ctx is done. Errors name the file, the
// sheet and the cell.
func readSheet(ctx context.Context, name string, f *excelize.File, sheet string, lim sheetLimits) ([][]string, error) {
	it, err := f.Rows(sheet)
	if err != nil {
		return nil, exchange.Coded(exchange.EINVALID, exchange.ProblemUnreadable, name, sheet, err)
	}
	defer it.Close()
	var (
		rows           [][]string
		cells, scanned int
		// empty rows read and not yet kept: a spreadsheet program may
		// format thousands of rows below the last one typed in, and
		// they count only if a row with text follows.
		empty, read int
	)
	for it.Next() {
		if read++; read%256 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		row, err := it.Columns()
		if err != nil {
			return nil, exchange.Errorf(exchange.EINVALID, "%s: sheet %q, row %d cannot be read: %v", name, sheet, len(rows)+1, err)
		}
		scanned += len(row)
		end := len(row)
		for end > 0 && row[end-1] == "" {
			end--
		}
		if end == 0 {
			empty++
			continue
		}
		if len(rows)+empty >= lim.rows {
			return nil, exchange.Coded(exchange.EINVALID, exchange.ProblemTooManyRows, name, lim.rows-1)
		}
		for ; empty > 0; empty-- {
			rows = append(rows, nil)
		}
		if end > lim.cols {
			return nil, exchange.Coded(exchange.EINVALID, exchange.ProblemTooWide, name, sheet+"!"+cellName(end-1, len(rows)), lim.cols)
		}
		cells += end
		if cells > lim.cells || scanned > maxScannedCells {
			return nil, exchange.Coded(exchange.EINVALID, exchange.ProblemTooManyCells, name, lim.cells)
		}
		// A copy of the row's text, so the padded slice is let go.
		rows = append(rows, append([]string(nil), row[:end]...))
	}
	if err := it.Error(); err != nil {
		return nil, exchange.Coded(exchange.EINVALID, exchange.ProblemUnreadable, name, sheet, err)
	}
	return rows, nil
}

// cellName names the cell at zero-based column c and row r ("XFD7").
func cellName(c, r int) string {
	n, err := excelize.CoordinatesToCellName(c+1, r+1)
	if err != nil {
		return fmt.Sprintf("R%dC%d", r+1, c+1)
	}
	return n
}
