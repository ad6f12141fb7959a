package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/mongostore"
	"github.com/csci/exchangeeval/internal/survey"
	"github.com/csci/exchangeeval/internal/workbook"
)

func runResponses(ctx context.Context, env *environment, args []string) error {
	versions := func(sub string) func(context.Context, *environment, []string) error {
		return func(ctx context.Context, env *environment, args []string) error {
			return runResponseVersions(ctx, env, sub, args)
		}
	}
	return runGroup(ctx, env, "responses", []subcommand{
		{"import", "responses import --exchange ID [--replace] [--from-exchange OTHER] [--max-rows N] FILE", runResponsesImport},
		{"history", "responses history --exchange ID --participant PID --wave WAVE", versions("history")},
		{"restore", "responses restore --exchange ID --participant PID --wave WAVE --version N", versions("restore")},
	}, args)
}

func runResponsesImport(ctx context.Context, env *environment, args []string) error {
	var (
		cfg                      config
		exchangeID, fromExchange string
		wave                     string
		replace                  bool
	)
	fs := newFlagSet(env, "responses import", "responses import --exchange ID [--wave W] [--replace] [--from-exchange OTHER] FILE")
	cfg.bind(fs, env.getenv)
	fs.StringVar(&exchangeID, "exchange", "", "exchange id")
	fs.BoolVar(&replace, "replace", false, "make each row the whole response, dropping stored answers its empty cells leave out (they stay in the history); without it, rows are merged cell by cell")
	fs.StringVar(&fromExchange, "from-exchange", "", "accept rows whose exchange column names this other exchange (a workbook of an earlier exchange)")
	fs.StringVar(&wave, "wave", "", "the wave of a file without a wave column: the submissions of a wave's form exported from KoboToolbox or ODK Central")
	maxRows := maxRowsFlag(fs, env.getenv)
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if exchangeID == "" || len(rest) != 1 {
		return errUsage("usage: exchangeeval responses import --exchange ID [--wave W] [--replace] [--from-exchange OTHER] FILE")
	}
	path := rest[0]
	// An evaluator workbook is read from its Responses sheet.
	table, err := readTableFile(env, path, *maxRows, workbook.SheetResponses)
	if err != nil {
		return err
	}
	sess, err := cfg.open(ctx, env, "responses import")
	if err != nil {
		return err
	}
	defer sess.Close()
	store := sess.store
	x, in, err := sess.exchange(ctx, exchangeID)
	if err != nil {
		return err
	}
	ps, err := store.Participants(ctx, exchangeID)
	if err != nil {
		return err
	}
	if wave != "" && in.Wave(wave) == nil {
		return errUsage(fmt.Sprintf("--wave %s: not a wave of %s (%s)", wave, in.ID, strings.Join(in.WaveIDs(), ", ")))
	}
	// KoboToolbox's and ODK Central's exports of a wave's form come in
	// as a responses table.
	hadWave := len(table) > 0 && slices.ContainsFunc(table[0], func(h string) bool { return strings.EqualFold(strings.TrimSpace(h), "wave") })
	table, collected := exchange.FromCollector(table, in, wave)
	if collected && wave == "" && !hadWave {
		return errUsage("this is an export of submissions from KoboToolbox or ODK: say which wave its form collected, with --wave")
	}
	rows, err := exchange.ParseResponses(table, in, x, ps, fromExchange, time.Now())
	if err != nil {
		return inFile(path, err)
	}
	mode := mongostore.ImportMerge
	if replace {
		mode = mongostore.ImportReplace
	}
	res, err := store.ImportResponses(ctx, exchangeID, rows, mode)
	if err != nil {
		return err
	}
	parts := []string{fmt.Sprintf("%d new", res.Added)}
	if replace {
		parts = append(parts, fmt.Sprintf("%d replaced whole, dropping %d stored answer(s)", res.Replaced, res.Dropped))
	} else {
		parts = append(parts, fmt.Sprintf("%d merged into earlier answers (%d answer(s) set)", res.Merged, res.Changed))
	}
	parts = append(parts, fmt.Sprintf("%d unchanged", res.Unchanged))
	fmt.Fprintf(env.stdout, "imported %d row(s) into %s: %s; earlier versions are kept in each response's history\n",
		len(rows), exchangeID, strings.Join(parts, ", "))
	if res.Superseded > 0 {
		fmt.Fprintf(env.stdout, "%d response(s) were submitted again while the import ran: the newer submission stays current, the imported answers are in the history\n", res.Superseded)
	}
	return nil
}

// runResponseVersions lists a response's versions, or restores one.
func runResponseVersions(ctx context.Context, env *environment, sub string, args []string) error {
	var (
		cfg                         config
		exchangeID, participant, wv string
		version                     int
	)
	synopsis := "responses history --exchange ID --participant PID --wave WAVE"
	if sub == "restore" {
		synopsis = "responses restore --exchange ID --participant PID --wave WAVE --version N"
	}
	fs := newFlagSet(env, "responses "+sub, synopsis)
	cfg.bind(fs, env.getenv)
	fs.StringVar(&exchangeID, "exchange", "", "exchange id")
	fs.StringVar(&participant, "participant", "", "pseudonymous id, such as P0001")
	fs.StringVar(&wv, "wave", "", "wave id, such as pre")
	if sub == "restore" {
		fs.IntVar(&version, "version", 0, "the version to make current again (see responses history)")
	}
	if err := noPositional(fs, args); err != nil {
		return err
	}
	if exchangeID == "" || participant == "" || wv == "" || (sub == "restore" && version < 1) {
		return errUsage("usage: exchangeeval " + synopsis)
	}
	sess, err := cfg.open(ctx, env, "responses "+sub)
	if err != nil {
		return err
	}
	defer sess.Close()
	_, in, err := sess.exchange(ctx, exchangeID)
	if err != nil {
		return err
	}
	if in.Wave(wv) == nil {
		return exchange.Errorf(exchange.EINVALID, "--wave: %q is not a wave of the instrument (%s)", wv, strings.Join(in.WaveIDs(), ", "))
	}
	participant = strings.ToUpper(participant)
	if sub == "restore" {
		r, restored, err := sess.store.RestoreResponse(ctx, exchangeID, participant, wv, version, time.Now())
		if err != nil {
			return err
		}
		if !restored {
			fmt.Fprintf(env.stdout, "version %d of %s's %s response is its current answers already; nothing written\n", version, participant, wv)
			return nil
		}
		fmt.Fprintf(env.stdout, "restored version %d of %s's %s response as version %d (%d answers)\n", version, participant, wv, r.Seq, len(r.Answers))
		return nil
	}
	h, err := sess.store.ResponseHistory(ctx, exchangeID, participant, wv)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(env.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "VERSION\tSUBMITTED\tSOURCE\tLANGUAGE\tANSWERS\tCHANGES")
	var previous survey.Answers
	for _, v := range h.History {
		mark := ""
		if v.Seq == h.Seq {
			mark = " (current)"
		}
		source := v.Source
		if v.Submission != "" {
			source += " " + v.Submission
		}
		if v.RestoredFrom > 0 {
			source += fmt.Sprintf(", restores %d", v.RestoredFrom)
		}
		fmt.Fprintf(tw, "%d%s\t%s\t%s\t%s\t%d\t%s\n", v.Seq, mark, v.SubmittedAt.UTC().Format("2006-01-02 15:04"), source, v.Language,
			len(v.Answers), changes(previous, v.Answers))
		previous = v.Answers
	}
	return tw.Flush()
}

// changes names the answers that differ from the version before: set,
// changed or dropped.
func changes(before, after survey.Answers) string {
	if before == nil {
		return "first"
	}
	var set, changed, dropped []string
	for id, a := range after {
		if b, ok := before[id]; !ok {
			set = append(set, id)
		} else if !survey.SameAnswer(a, b) {
			changed = append(changed, id)
		}
	}
	for id := range before {
		if _, ok := after[id]; !ok {
			dropped = append(dropped, id)
		}
	}
	var parts []string
	for _, p := range []struct {
		what string
		ids  []string
	}{{"set", set}, {"changed", changed}, {"dropped", dropped}} {
		if len(p.ids) > 0 {
			slices.Sort(p.ids)
			parts = append(parts, p.what+" "+strings.Join(p.ids, " "))
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, "; ")
}
