package workbook

import (
	"bufio"
	"context"
	"fmt"
	"iter"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/csci/exchangeeval"
	"github.com/csci/exchangeeval/internal/analysis"
	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/survey"
)

// BenchmarkResponsesSheet times the Responses sheet alone — 10 000
// participants × 3 waves, the responses held in memory — written by this
// package, and the same cells written by libxlsxwriter, a C library, in its
// constant-memory mode (testdata/responses_xlsxwriter.c; Debian's
// libxlsxwriter-dev and a C compiler must be installed for that half):
//
//	go test ./internal/workbook -run '^$' -bench ResponsesSheet -benchtime 3x
//
// Target: ≤ 1.5 × the C writer's time.
func BenchmarkResponsesSheet(b *testing.B) {
	ins, probs := survey.LoadFS(exchangeeval.Surveys, "surveys", "surveys/")
	if len(probs) > 0 {
		b.Fatal(probs)
	}
	in := survey.NewSet(ins...).Get("csci-social-services")
	x := &exchange.Exchange{ID: "bench", Name: "Benchmark", Instrument: in.ID}
	ps, rs := analysis.Synthetic(in, x.ID, 10_000)
	report, err := analysis.Analyze(context.Background(), analysis.Input{Instrument: in, Exchange: x, Participants: ps, Responses: rs}, analysis.Options{})
	if err != nil {
		b.Fatal(err)
	}
	var responses []*exchange.Response
	for r, err := range rs {
		if err != nil {
			b.Fatal(err)
		}
		responses = append(responses, r)
	}
	e := Export{Instrument: in, Exchanges: []*exchange.Exchange{x}, Report: report, Responses: func() iter.Seq2[*exchange.Response, error] {
		return func(yield func(*exchange.Response, error) bool) {
			for _, r := range responses {
				if !yield(r, nil) {
					return
				}
			}
		}
	}}
	dir := b.TempDir()
	sheetOnly := func(out string) (*book, error) {
		f := excelize.NewFile()
		defer f.Close()
		bk := &book{f: f, e: e, base: in.BaseLanguage(), k: report.MinCell, rows: map[string]*rowFile{}}
		defer bk.removeRowFiles()
		if err := bk.styles(); err != nil {
			return nil, err
		}
		if err := f.SetSheetName("Sheet1", SheetResponses); err != nil {
			return nil, err
		}
		f.SetActiveSheet(0)
		if err := bk.responses(); err != nil {
			return nil, err
		}
		w, err := os.Create(out)
		if err != nil {
			return nil, err
		}
		defer w.Close()
		return bk, bk.writeZip(w)
	}
	var goTime time.Duration
	var bk *book
	for b.Loop() {
		t0 := time.Now()
		if bk, err = sheetOnly(filepath.Join(dir, "go.xlsx")); err != nil {
			b.Fatal(err)
		}
		goTime += time.Since(t0)
	}
	goSeconds := goTime.Seconds() / float64(b.N)
	b.ReportMetric(goSeconds, "go-s")

	cProgram := filepath.Join(dir, "responses_xlsxwriter")
	build := exec.Command("cc", "-O2", "-o", cProgram, filepath.Join("testdata", "responses_xlsxwriter.c"), "-lxlsxwriter")
	if out, err := build.CombinedOutput(); err != nil {
		b.Logf("no C reference (install libxlsxwriter-dev and a C compiler): %v\n%s", err, out)
		return
	}
	cells := filepath.Join(dir, "cells.tsv")
	if keep := os.Getenv("EXCHANGEEVAL_KEEP_CELLS"); keep != "" {
		// For measuring the C writer's memory by hand (/usr/bin/time -v):
		// the child of a large process reports the parent's RSS as its own.
		cells = keep
	}
	if err := writeCells(cells, bk, responses, in); err != nil {
		b.Fatal(err)
	}
	var cTime time.Duration
	for range b.N {
		cmd := exec.Command(cProgram, cells, filepath.Join(dir, "c.xlsx"))
		t0 := time.Now()
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("C writer: %v\n%s", err, out)
		}
		cTime += time.Since(t0)
	}
	cSeconds := cTime.Seconds() / float64(b.N)
	b.ReportMetric(cSeconds, "c-s")
	b.ReportMetric(goSeconds/cSeconds, "go/c")
}

// writeCells writes the Responses sheet's cells for the C writer.
func writeCells(path string, bk *book, responses []*exchange.Response, in *survey.Instrument) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	questions := in.Questions()
	head := append([]string{}, ResponseColumns...)
	for _, q := range questions {
		head = append(head, q.ID)
	}
	fmt.Fprintln(w, strings.Join(head, "\t"))
	epoch := time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
	var vals []any
	for _, r := range responses {
		vals = bk.responseRow(vals[:0], r, questions)
		for i, v := range vals {
			if i > 0 {
				w.WriteByte('\t')
			}
			if c, ok := v.(excelize.Cell); ok {
				v = c.Value
			}
			switch v := v.(type) {
			case nil:
				w.WriteString("e")
			case time.Time:
				fmt.Fprintf(w, "d%.10f", v.Sub(epoch).Hours()/24)
			case int, float64:
				fmt.Fprintf(w, "n%v", v)
			case string:
				w.WriteString("s" + strings.NewReplacer("\t", " ", "\n", " ").Replace(v))
			default:
				fmt.Fprintf(w, "s%v", v)
			}
		}
		w.WriteByte('\n')
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return f.Close()
}
