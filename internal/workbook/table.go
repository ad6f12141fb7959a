// Package workbook is everything excelize: reading tables from XLSX (and, so
// callers need not care, CSV) and writing spreadsheets.
package workbook

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"

	"github.com/csci/exchangeeval/internal/exchange"
)

// MaxTableBytes bounds an uploaded or imported table.
const MaxTableBytes = 64 << 20

// DefaultMaxRows is how many data rows (below the header) one import takes
// unless told otherwise: well above any exchange's delegation, well below
// what would hold a server's memory for minutes.
const DefaultMaxRows = 50_000

var zipMagic = []byte("PK\x03\x04")

// Table is a table read from a file: its rows of cells, header first.
type Table struct {
	Rows [][]string
	// Encoding is "windows-1252" when the file was not UTF-8 and was read
	// as Windows-1252, and FirstNotUTF8 the line that showed it; the user
	// should be told (see Note).
	Encoding     string
	FirstNotUTF8 int
}

// Note tells, in English, how the file was read when it was not UTF-8;
// empty when it was.
func (t *Table) Note(name string) string {
	if t.Encoding == "" {
		return ""
	}
	return fmt.Sprintf("%s is not UTF-8 (line %d is the first that is not): it was read as Windows-1252, as Excel on Windows saves CSV", name, t.FirstNotUTF8)
}

// ReadOptions tune ReadTable.
type ReadOptions struct {
	// Prefer names the sheets to read from a workbook, in order; its first
	// sheet when it has none of them.
	Prefer []string
	// MaxRows bounds the data rows; DefaultMaxRows when 0.
	MaxRows int
	// Context stops the reading when done (the client went away);
	// none when nil.
	Context context.Context
}

func (o ReadOptions) context() context.Context {
	if o.Context == nil {
		return context.Background()
	}
	return o.Context
}

// ReadTable reads a CSV file, or a sheet of an XLSX file, into rows of
// cells. The format is told by content, not by name, so a misnamed file
// still reads. CSV may be separated by commas or, as French spreadsheet
// software writes it, semicolons; it is UTF-8, or else Windows-1252 (what
// Excel on Windows saves as "CSV"), which is decoded and said so. The file
// is streamed, not held: a CSV is read twice (once to tell its encoding),
// and reading stops at the first row beyond the limit, with an error that
// says so before anything is imported.
func ReadTable(name string, r io.ReadSeeker, opts ReadOptions) (*Table, error) {
	if opts.MaxRows <= 0 {
		opts.MaxRows = DefaultMaxRows
	}
	br := bufio.NewReaderSize(r, 64<<10)
	head, _ := br.Peek(len(zipMagic))
	if bytes.Equal(head, zipMagic) {
		return readXLSX(name, br, opts)
	}
	return readCSV(name, r, opts)
}

func tooManyRows(name string, max int) error {
	return exchange.Coded(exchange.EINVALID, exchange.ProblemTooManyRows, name, max)
}

func readXLSX(name string, r io.Reader, opts ReadOptions) (*Table, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxTableBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if len(data) > MaxTableBytes {
		return nil, exchange.Coded(exchange.EINVALID, exchange.ProblemTooLarge, name, MaxTableBytes>>20)
	}
	f, err := openWorkbook(name, data, MaxUnzippedBytes)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, exchange.Coded(exchange.EINVALID, exchange.ProblemNoSheets, name)
	}
	sheet := sheets[0]
	for _, p := range opts.Prefer {
		if slices.Contains(sheets, p) {
			sheet = p
			break
		}
	}
	rows, err := readSheet(opts.context(), name, f, sheet, sheetLimits{rows: opts.MaxRows + 1, cols: MaxColumns, cells: MaxCells})
	if err != nil {
		return nil, tableLimit(name, opts, err)
	}
	return &Table{Rows: rows}, nil
}

// tableLimit words a too-many-rows error the import's way, with the limit
// the import was given.
func tableLimit(name string, opts ReadOptions, err error) error {
	var e *exchange.Error
	if errors.As(err, &e) && e.Coded != nil && e.Coded.Code == exchange.ProblemTooManyRows {
		return tooManyRows(name, opts.MaxRows)
	}
	return err
}

// windows1252Undefined are the bytes Windows-1252 gives no character: a
// file with them is in some other encoding.
var windows1252Undefined = []byte{0x81, 0x8d, 0x8f, 0x90, 0x9d}

// sniffText reads a CSV file through once and tells whether it is UTF-8;
// when it is not, whether Windows-1252 reads it, and the line of its first
// byte that is not UTF-8.
func sniffText(name string, r io.Reader) (utf8OK bool, line int, err error) {
	buf := make([]byte, 64<<10)
	var carry []byte
	total, line, utf8OK, cp1252OK := 0, 1, true, true
	for {
		n, rerr := r.Read(buf)
		total += n
		if total > MaxTableBytes {
			return false, 0, exchange.Coded(exchange.EINVALID, exchange.ProblemTooLarge, name, MaxTableBytes>>20)
		}
		chunk := append(carry, buf[:n]...)
		if bytes.IndexByte(chunk, 0) >= 0 {
			return false, 0, exchange.Coded(exchange.EINVALID, exchange.ProblemNotTable, name)
		}
		// Hold back an incomplete character at the end for the next chunk.
		end := len(chunk)
		if rerr == nil {
			for k := 1; k <= 3 && k <= len(chunk); k++ {
				if utf8.RuneStart(chunk[len(chunk)-k]) {
					if !utf8.FullRune(chunk[len(chunk)-k:]) {
						end = len(chunk) - k
					}
					break
				}
			}
		}
		if utf8OK && !utf8.Valid(chunk[:end]) {
			utf8OK = false
			for i := 0; i < end; {
				c, size := utf8.DecodeRune(chunk[i:end])
				if c == utf8.RuneError && size <= 1 {
					line += bytes.Count(chunk[:i], []byte("\n"))
					break
				}
				i += size
			}
		} else if utf8OK {
			line += bytes.Count(chunk[:end], []byte("\n"))
		}
		if !utf8OK && cp1252OK && slices.ContainsFunc(chunk[:end], func(b byte) bool { return slices.Contains(windows1252Undefined, b) }) {
			cp1252OK = false
		}
		carry = append(carry[:0], chunk[end:]...)
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return false, 0, fmt.Errorf("read %s: %w", name, rerr)
		}
	}
	if !utf8OK && !cp1252OK {
		return false, line, exchange.Coded(exchange.EINVALID, exchange.ProblemNotText, name, line)
	}
	return utf8OK, line, nil
}

func readCSV(name string, r io.ReadSeeker, opts ReadOptions) (*Table, error) {
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	utf8OK, line, err := sniffText(name, r)
	if err != nil {
		return nil, err
	}
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	t := &Table{}
	var text io.Reader = r
	if !utf8OK {
		text = charmap.Windows1252.NewDecoder().Reader(r)
		t.Encoding, t.FirstNotUTF8 = "windows-1252", line
	}
	br := bufio.NewReaderSize(text, readAhead)
	if bom, _ := br.Peek(3); bytes.Equal(bom, []byte("\ufeff")) {
		br.Discard(3)
	}
	first, _ := br.Peek(br.Size())
	if i := bytes.IndexByte(first, '\n'); i >= 0 {
		first = first[:i]
	}
	// Each record may take MaxRecordBytes of the input, and a little
	// more that the readers buffer ahead: a line of millions of fields,
	// or a quote left open over the rest of the file, stops there.
	limited := &recordLimit{r: br}
	cr := csv.NewReader(limited)
	if bytes.Count(first, []byte(";")) > bytes.Count(first, []byte(",")) {
		cr.Comma = ';'
	}
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	ctx := opts.context()
	cells, nextLine := 0, 1
	for {
		limited.allow = cr.InputOffset() + MaxRecordBytes + 2*readAhead
		row, err := cr.Read()
		if err == io.EOF {
			return t, nil
		}
		if errors.Is(err, errRecordTooLong) {
			return nil, exchange.Coded(exchange.EINVALID, exchange.ProblemRecordTooLong, name, nextLine, MaxRecordBytes>>20)
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, csvProblem(name, pe)
			}
			return nil, exchange.Errorf(exchange.EINVALID, "%s: %v", name, err)
		}
		if len(t.Rows)%256 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if len(t.Rows) > opts.MaxRows {
			return nil, tooManyRows(name, opts.MaxRows)
		}
		last, _ := cr.FieldPos(len(row) - 1)
		nextLine = last + 1
		end := len(row)
		for end > 0 && row[end-1] == "" {
			end--
		}
		if end > MaxColumns {
			line, _ := cr.FieldPos(end - 1)
			return nil, exchange.Coded(exchange.EINVALID, exchange.ProblemTooWide, name, fmt.Sprintf("%s (line %d)", cellName(end-1, len(t.Rows)), line), MaxColumns)
		}
		cells += len(row)
		if cells > MaxCells {
			return nil, exchange.Coded(exchange.EINVALID, exchange.ProblemTooManyCells, name, MaxCells)
		}
		t.Rows = append(t.Rows, append([]string(nil), row...))
	}
}

// readAhead is the buffer of the readers between the file and the CSV
// parser.
const readAhead = 64 << 10

var errRecordTooLong = errors.New("record too long")

// recordLimit stops a CSV reader whose input runs past allow.
type recordLimit struct {
	r     io.Reader
	read  int64
	allow int64
}

func (l *recordLimit) Read(p []byte) (int, error) {
	if l.read >= l.allow {
		return 0, errRecordTooLong
	}
	if int64(len(p)) > l.allow-l.read {
		p = p[:l.allow-l.read]
	}
	n, err := l.r.Read(p)
	l.read += int64(n)
	return n, err
}

// csvProblem says what encoding/csv found in words a spreadsheet user
// knows.
func csvProblem(name string, pe *csv.ParseError) error {
	switch {
	case errors.Is(pe.Err, csv.ErrQuote):
		return exchange.Coded(exchange.EINVALID, exchange.ProblemQuote, name, pe.Line)
	case errors.Is(pe.Err, csv.ErrBareQuote):
		return exchange.Coded(exchange.EINVALID, exchange.ProblemBareQuote, name, pe.Line)
	}
	return exchange.Errorf(exchange.EINVALID, "%s, line %d: %s", name, pe.Line, strings.TrimPrefix(pe.Err.Error(), "csv: "))
}
