package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/csci/exchangeeval/internal/analysis"
	"github.com/csci/exchangeeval/internal/coding"
	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/staff"
	"github.com/csci/exchangeeval/internal/workbook"
)

// codingSynopses are the coding subcommands: open answers coded by people
// in a spreadsheet.
var codingSynopses = []synopsis{
	{"export", "coding export --exchange ID --coder EMAIL --out CODING.xlsx [--blank] [--disagreements]"},
	{"import", "coding import --exchange ID --coder EMAIL [--reconcile] CODING.xlsx"},
}

func runCoding(ctx context.Context, env *environment, args []string) error {
	return runGroup(ctx, env, "coding", subcommandsOf(codingSynopses, runCodingSub), args)
}

func runCodingSub(ctx context.Context, env *environment, sub, synopsis string, args []string) error {
	var (
		cfg                    config
		exchangeID, coder, out string
		blank, disagreements   bool
		reconcile              bool
	)
	fs := newFlagSet(env, "coding "+sub, synopsis)
	cfg.bind(fs, env.getenv)
	fs.StringVar(&exchangeID, "exchange", "", "exchange id")
	fs.StringVar(&coder, "coder", "", "the coder's staff account (e-mail): each coder's codes are kept apart")
	if sub == "export" {
		fs.StringVar(&out, "out", "", "the .xlsx file to write")
		fs.BoolVar(&blank, "blank", false, "leave every theme cell empty instead of prefilling the codebook's suggestions")
		fs.BoolVar(&disagreements, "disagreements", false, "only the answers on which coders disagree and nobody has reconciled, to reconcile (import with --reconcile)")
	} else {
		fs.BoolVar(&reconcile, "reconcile", false, "the sheet settles disagreements: its codes count in the figures, recorded as reconciled by --coder")
	}
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	coder = strings.ToLower(strings.TrimSpace(coder))
	if exchangeID == "" || coder == "" || (sub == "export" && (out == "" || len(rest) != 0)) || (sub == "import" && len(rest) != 1) {
		return errUsage("usage: exchangeeval " + synopsis)
	}
	sess, err := cfg.open(ctx, env, "coding "+sub)
	if err != nil {
		return err
	}
	defer sess.Close()
	if _, err := sess.store.User(ctx, coder); err != nil {
		return exchange.Errorf(exchange.ENOTFOUND, "--coder %s: no staff account has this e-mail (exchangeeval users add)", coder)
	}
	x, in, err := sess.exchange(ctx, exchangeID)
	if err != nil {
		return err
	}
	answers, err := analysis.OpenAnswers(sess.store.AnalysisInput(ctx, x, in))
	if err != nil {
		return err
	}
	var themes []string
	for _, t := range in.Themes {
		themes = append(themes, t.ID)
	}
	records, err := sess.store.Codes(ctx, x.ID)
	if err != nil {
		return err
	}
	if sub == "export" {
		if disagreements {
			open := map[coding.AnswerKey]bool{}
			for _, k := range coding.Disagreements(records) {
				open[k] = true
			}
			answers = slices.DeleteFunc(answers, func(a coding.Answer) bool { return !open[a.AnswerKey] })
			blank = true
		}
		mine := map[coding.AnswerKey][]string{}
		for _, r := range records {
			if r.Coder == coder {
				mine[r.Key()] = r.Themes
			}
		}
		rows := coding.SheetRows(themes, answers, mine, blank)
		widths := []float64{11, 10, 16, 9, 70}
		for range themes {
			widths = append(widths, 12)
		}
		err := writeReplacing(out, func(w io.Writer) error {
			return workbook.WriteTable(w, "Coding", "Coding of "+x.ID+" by "+coder, coding.SheetHeader(themes), rows, widths)
		})
		if err != nil {
			return err
		}
		fmt.Fprintf(env.stdout, "wrote %s: %d open answers, %d themes, for %s\n", out, len(rows), len(themes), coder)
		return nil
	}
	rows, err := readTableFile(env, rest[0], 0, "Coding")
	if err != nil {
		return err
	}
	known := map[coding.AnswerKey]bool{}
	for _, a := range answers {
		known[a.AnswerKey] = true
	}
	as := coder
	if reconcile {
		as = coding.Reconciled
	}
	got, probs := coding.ReadSheet(rows, themes, known, x.ID, as, time.Now())
	if len(probs) > 0 {
		e := exchange.Errorf(exchange.EINVALID, "%s: nothing imported, %d problem(s)", rest[0], len(probs))
		for _, p := range probs {
			e.Details = append(e.Details, p.String())
		}
		return e
	}
	note, said := "codes-imported", "imported the codes of %d open answers for %s\n"
	if reconcile {
		for i := range got {
			got[i].By = coder
		}
		note, said = "codes-reconciled", "reconciled the codes of %d open answers, by %s: they count in the figures\n"
	}
	if err := sess.store.SaveCodes(ctx, got); err != nil {
		return err
	}
	sess.store.Audit(ctx, staff.Event{At: time.Now(), Actor: coder, Action: staff.AuditAdminister, Exchange: x.ID,
		Detail: fmt.Sprintf(strings.TrimSpace(said), len(got), coder), Note: note, Args: []string{fmt.Sprint(len(got)), coder}})
	fmt.Fprintf(env.stdout, said, len(got), coder)
	return nil
}
