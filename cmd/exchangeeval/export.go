package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/csci/exchangeeval/internal/analysis"
	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/qdpx"
	"github.com/csci/exchangeeval/internal/statfiles"
	"github.com/csci/exchangeeval/internal/workbook"
)

// listFlag collects a repeated flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

func runExport(ctx context.Context, env *environment, args []string) error {
	var (
		cfg     config
		ids     listFlag
		out     string
		labels  string
		minCell int
		prog    string
		compare string
		format  string
	)
	const usage = "export --exchange ID [--exchange ID2 ...] | --programme INSTRUMENT_ID [--exchange ID ...] [--compare FROM:TO] [--format xlsx|spss|r|stata|qdpx] --out FILE.xlsx|DIR|FILE.qdpx [--labels LANG] [--min-cell K]"
	fs := newFlagSet(env, "export", usage)
	cfg.bind(fs, env.getenv)
	fs.Var(&ids, "exchange", "exchange id (repeat to combine exchanges that share an instrument); with --programme, narrows it to these")
	fs.StringVar(&prog, "programme", "", "every exchange of this instrument, with a Programme sheet first that pools them goal by goal")
	fs.StringVar(&compare, "compare", "", compareHelp)
	fs.StringVar(&format, "format", "xlsx", "xlsx (the workbook), or spss, r, stata: a folder (--out DIR) with the data as CSV and the package's syntax, or qdpx: the open answers and their codes as a REFI-QDA project for NVivo, ATLAS.ti, MAXQDA (one exchange)")
	fs.StringVar(&out, "out", "", "the .xlsx file to write")
	fs.StringVar(&labels, "labels", "", "write answer labels in this language instead of codes in the Responses sheet")
	fs.IntVar(&minCell, "min-cell", envInt(env.getenv, "EXCHANGEEVAL_MIN_CELL", analysis.DefaultMinCell), "smallest group shown; smaller ones are suppressed (env EXCHANGEEVAL_MIN_CELL)")
	if err := noPositional(fs, args); err != nil {
		return err
	}
	if (len(ids) == 0 && prog == "") || out == "" {
		return errUsage("usage: exchangeeval " + usage)
	}
	if minCell < 1 {
		return errUsage("--min-cell must be at least 1")
	}
	from, to, err := parseCompare(compare, prog)
	if err != nil {
		return err
	}
	if format != "xlsx" && format != "qdpx" && !slices.Contains(statfiles.Formats, format) {
		return errUsage(fmt.Sprintf("--format %s: choose xlsx, qdpx, %s", format, strings.Join(statfiles.Formats, ", ")))
	}
	if format == "qdpx" && (len(ids) != 1 || prog != "" || !strings.EqualFold(filepath.Ext(out), ".qdpx")) {
		return errUsage("--format qdpx: give one --exchange and --out FILE.qdpx")
	}
	// The workbook is XLSX whatever it is called: a name that says
	// otherwise would have spreadsheet software misread it.
	if format == "xlsx" && !strings.EqualFold(filepath.Ext(out), ".xlsx") {
		return errUsage(fmt.Sprintf("--out %s: the workbook is an Excel file; name it with .xlsx", out))
	}
	sess, err := cfg.open(ctx, env, "export")
	if err != nil {
		return err
	}
	defer sess.Close()
	var programme *analysis.ProgrammeReport
	if prog != "" {
		p, _, _, err := sess.programme(ctx, prog, ids, analysis.ProgrammeOptions{MinCell: minCell, From: from, To: to})
		if err != nil {
			return err
		}
		programme, ids = p, nil
		for _, x := range p.Exchanges { // in date order
			ids = append(ids, x.ID)
		}
	}
	e, err := workbook.Build(ctx, sess.store, sess.instruments, ids, workbook.Options{Labels: labels, MinCell: minCell, Version: Version(),
		GeneratedAt: time.Now(), Programme: programme})
	if err != nil {
		return err
	}
	if format == "qdpx" {
		lang := cmp.Or(labels, e.Instrument.BaseLanguage())
		people, err := sess.store.Codes(ctx, ids[0])
		if err != nil {
			return err
		}
		p, err := qdpx.Build(e.Instrument, ids[0], lang, e.GeneratedAt, e.Responses(), analysis.AutoCoder(e.Instrument), people)
		if err != nil {
			return err
		}
		if err := writeReplacing(out, func(w io.Writer) error { return qdpx.Write(w, p) }); err != nil {
			return err
		}
		fmt.Fprintf(env.stdout, "wrote %s: %d open answers, %d codes (REFI-QDA project)\n", out, len(p.Sources), len(p.Codes))
		return nil
	}
	if format != "xlsx" {
		files, err := statfiles.Write(out, format, statfiles.Input{Instrument: e.Instrument, Report: e.Report, Responses: e.Responses, Exchanges: ids,
			Labels: labels, Version: Version(), GeneratedAt: e.GeneratedAt.UTC().Format("2006-01-02")})
		if err != nil {
			return err
		}
		fmt.Fprintf(env.stdout, "wrote %s: %s (%s; %d invited, responses: %s)\n", out, strings.Join(files, ", "), strings.Join(ids, " + "),
			e.Report.Participation.Invited, respondedText(e.Report))
		return nil
	}
	if err := writeReplacing(out, func(w io.Writer) error { return workbook.Write(w, *e) }); err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "wrote %s (%s; %d invited, responses: %s)\n", out, strings.Join(ids, " + "), e.Report.Participation.Invited, respondedText(e.Report))
	return nil
}

// writeReplacing writes a file through write, to a temporary file first,
// so that a failure never leaves half a file under the requested name.
func writeReplacing(out string, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(dirOf(out), ".exchangeeval-*"+filepath.Ext(out))
	if err != nil {
		return exchange.Errorf(exchange.EINVALID, "cannot write next to %s: %v", out, err)
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", out, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", out, err)
	}
	if err := os.Rename(tmp.Name(), out); err != nil {
		return fmt.Errorf("write %s: %w", out, err)
	}
	return nil
}

func dirOf(path string) string {
	if i := strings.LastIndexAny(path, `/\`); i >= 0 {
		return path[:i+1]
	}
	return "."
}

func respondedText(r *analysis.Report) string {
	var parts []string
	for _, w := range r.Participation.Waves {
		parts = append(parts, fmt.Sprintf("%s %d", w.Wave, w.Responded))
	}
	return strings.Join(parts, ", ")
}
