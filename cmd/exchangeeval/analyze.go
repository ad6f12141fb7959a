package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/csci/exchangeeval/internal/analysis"
	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/survey"
)

func runAnalyze(ctx context.Context, env *environment, args []string) error {
	var (
		cfg       config
		exchanges listFlag
		programme string
		asJSON    bool
		minCell   int
		lang      string
		compare   string
	)
	const usage = "analyze --exchange ID | --programme INSTRUMENT_ID [--exchange ID ...] [--compare FROM:TO] [--json] [--min-cell K] [--lang en|fr]"
	fs := newFlagSet(env, "analyze", usage)
	cfg.bind(fs, env.getenv)
	fs.Var(&exchanges, "exchange", "exchange id; with --programme, narrows it to these exchanges (repeat for several)")
	fs.StringVar(&programme, "programme", "", "pool every exchange of this instrument (the programme), goal by goal")
	fs.BoolVar(&asJSON, "json", false, "write the report as JSON (fields documented in the README)")
	fs.IntVar(&minCell, "min-cell", envInt(env.getenv, "EXCHANGEEVAL_MIN_CELL", analysis.DefaultMinCell), "smallest group shown; smaller ones are suppressed (env EXCHANGEEVAL_MIN_CELL)")
	fs.StringVar(&lang, "lang", "en", "language of goal and theme names in the text report")
	fs.StringVar(&compare, "compare", "", compareHelp)
	if err := noPositional(fs, args); err != nil {
		return err
	}
	if programme == "" && len(exchanges) != 1 {
		return errUsage("usage: exchangeeval " + usage)
	}
	from, to, err := parseCompare(compare, programme)
	if err != nil {
		return err
	}
	if minCell < 1 {
		return errUsage("--min-cell must be at least 1")
	}
	sess, err := cfg.open(ctx, env, "analyze")
	if err != nil {
		return err
	}
	defer sess.Close()
	store := sess.store
	if programme != "" {
		return analyzeProgramme(ctx, env, sess, programme, exchanges, asJSON, analysis.ProgrammeOptions{MinCell: minCell, From: from, To: to}, lang)
	}
	x, in, err := sess.exchange(ctx, exchanges[0])
	if err != nil {
		return err
	}
	if !in.HasLanguage(lang) {
		return errUsage(fmt.Sprintf("--lang %s: instrument %s is in %s", lang, in.ID, strings.Join(in.Languages, ", ")))
	}
	report, err := analysis.Analyze(ctx, store.AnalysisInput(ctx, x, in),
		analysis.Options{MinCell: minCell, GeneratedAt: time.Now(), SoftwareVersion: Version()})
	if err != nil {
		return err
	}
	if asJSON {
		return writeJSON(env.stdout, report)
	}
	return analysis.WriteText(env.stdout, report, in, lang)
}

// writeJSON writes a report as indented JSON, as --json promises.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func envInt(getenv func(string) string, key string, def int) int {
	if n, err := strconv.Atoi(getenv(key)); err == nil {
		return n
	}
	return def
}

// analyzeProgramme pools the exchanges of an instrument (all, or those
// named), analysing each once.
func analyzeProgramme(ctx context.Context, env *environment, sess *session, instrumentID string, only []string, asJSON bool, opts analysis.ProgrammeOptions, lang string) error {
	in := sess.instruments.Get(instrumentID)
	if in != nil && !in.HasLanguage(lang) {
		return errUsage(fmt.Sprintf("--lang %s: instrument %s is in %s", lang, in.ID, strings.Join(in.Languages, ", ")))
	}
	p, in, _, err := sess.programme(ctx, instrumentID, only, opts)
	if err != nil {
		return err
	}
	if asJSON {
		return writeJSON(env.stdout, p)
	}
	return analysis.WriteProgrammeText(env.stdout, p, in, lang)
}

const compareHelp = "with --programme, pool this comparison of waves for every goal (e.g. post:follow-up) instead of each goal's criterion"

// parseCompare reads --compare FROM:TO, which only a programme takes.
func parseCompare(v, programme string) (string, string, error) {
	if v == "" {
		return "", "", nil
	}
	from, to, ok := strings.Cut(v, ":")
	switch {
	case programme == "":
		return "", "", errUsage("--compare goes with --programme")
	case !ok || from == "" || to == "" || from == to:
		return "", "", errUsage(fmt.Sprintf("--compare %s: give two waves as FROM:TO, e.g. pre:follow-up", v))
	}
	return from, to, nil
}

// programme analyses the programme of an instrument: its exchanges (all,
// or those named, which must be among them), each once with the version
// it was run with.
func (s *session) programme(ctx context.Context, instrumentID string, only []string, opts analysis.ProgrammeOptions) (*analysis.ProgrammeReport, *survey.Instrument, []*exchange.Exchange, error) {
	in := s.instruments.Get(instrumentID)
	if in == nil {
		return nil, nil, nil, exchange.Errorf(exchange.ENOTFOUND, "no instrument %q (known: %s)", instrumentID, strings.Join(s.instruments.IDs(), ", "))
	}
	all, err := s.store.Exchanges(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	var xs []*exchange.Exchange
	for _, x := range all {
		if x.Instrument == in.ID && (len(only) == 0 || slices.Contains(only, x.ID)) {
			xs = append(xs, x)
		}
	}
	for _, id := range only {
		if !slices.ContainsFunc(xs, func(x *exchange.Exchange) bool { return x.ID == id }) {
			return nil, nil, nil, exchange.Errorf(exchange.ENOTFOUND, "%s is not an exchange of the programme %s", id, in.ID)
		}
	}
	if len(xs) == 0 {
		return nil, nil, nil, exchange.Errorf(exchange.ENOTFOUND, "instrument %s has no exchanges yet", in.ID)
	}
	p, err := analysis.ProgrammeOf(xs, s.instruments, func(x *exchange.Exchange, in *survey.Instrument) (*analysis.Report, error) {
		return analysis.Analyze(ctx, s.store.AnalysisInput(ctx, x, in), analysis.Options{MinCell: opts.MinCell, GeneratedAt: time.Now(), SoftwareVersion: Version()})
	}, opts)
	return p, in, xs, err
}
