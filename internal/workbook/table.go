// Package workbook is everything excelize: reading tables from XLSX (and, so
// callers need not care, CSV) and writing spreadsheets.
package workbook

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/csci/exchangeeval/internal/exchange"
)

// MaxTableBytes bounds an uploaded or imported table.
const MaxTableBytes = 64 << 20

var zipMagic = []byte("PK\x03\x04")

// ReadTable reads a CSV file, or a sheet of an XLSX file — the first sheet
// named in prefer that the workbook has, else its first sheet — into rows of
// cells. The format is told by content, not by name, so a misnamed file
// still reads. CSV may be separated by commas or, as French spreadsheet
// software writes it, semicolons.
func ReadTable(name string, r io.Reader, prefer ...string) ([][]string, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxTableBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if len(data) > MaxTableBytes {
		return nil, exchange.Errorf(exchange.EINVALID, "%s is larger than %d MiB", name, MaxTableBytes>>20)
	}
	if bytes.HasPrefix(data, zipMagic) {
		return readXLSX(name, data, prefer)
	}
	return readCSV(name, data)
}

func readXLSX(name string, data []byte, prefer []string) ([][]string, error) {
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		return nil, exchange.Errorf(exchange.EINVALID, "%s is not a readable XLSX workbook: %v", name, err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, exchange.Errorf(exchange.EINVALID, "%s has no sheets", name)
	}
	sheet := sheets[0]
	for _, p := range prefer {
		if slices.Contains(sheets, p) {
			sheet = p
			break
		}
	}
	rows, err := f.GetRows(sheet)
	if err != nil {
		return nil, exchange.Errorf(exchange.EINVALID, "%s: sheet %q cannot be read: %v", name, sheet, err)
	}
	return rows, nil
}

func readCSV(name string, data []byte) ([][]string, error) {
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	if !isText(data) {
		return nil, exchange.Errorf(exchange.EINVALID, "%s is neither CSV text nor an XLSX workbook", name)
	}
	first, _, _ := bufio.NewReader(bytes.NewReader(data)).ReadLine()
	cr := csv.NewReader(bytes.NewReader(data))
	if strings.Count(string(first), ";") > strings.Count(string(first), ",") {
		cr.Comma = ';'
	}
	cr.FieldsPerRecord = -1
	rows, err := cr.ReadAll()
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, exchange.Errorf(exchange.EINVALID, "%s: row %d, column %d: %v", name, pe.Line, pe.Column, pe.Err)
		}
		return nil, exchange.Errorf(exchange.EINVALID, "%s: %v", name, err)
	}
	return rows, nil
}

func isText(data []byte) bool {
	sample := data
	if len(sample) > 4096 {
		sample = sample[:4096]
	}
	return !bytes.ContainsRune(sample, 0)
}
