package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/csci/exchangeeval/internal/analysis"
)

func runAnalyze(ctx context.Context, env *environment, args []string) error {
	var (
		cfg        config
		exchangeID string
		asJSON     bool
		minCell    int
		lang       string
	)
	fs := newFlagSet(env, "analyze", "analyze --exchange ID [--json] [--min-cell K] [--lang en|fr]")
	cfg.bind(fs, env.getenv)
	fs.StringVar(&exchangeID, "exchange", "", "exchange id")
	fs.BoolVar(&asJSON, "json", false, "write the report as JSON (fields documented in the README)")
	fs.IntVar(&minCell, "min-cell", envInt(env.getenv, "EXCHANGEEVAL_MIN_CELL", analysis.DefaultMinCell), "smallest group shown; smaller ones are suppressed (env EXCHANGEEVAL_MIN_CELL)")
	fs.StringVar(&lang, "lang", "en", "language of goal and theme names in the text report")
	if err := noPositional(fs, args); err != nil {
		return err
	}
	if exchangeID == "" {
		return errUsage("usage: exchangeeval analyze --exchange ID [--json] [--min-cell K] [--lang en|fr]")
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
	x, in, err := sess.exchange(ctx, exchangeID)
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
		enc := json.NewEncoder(env.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(report)
	}
	return analysis.WriteText(env.stdout, report, in, lang)
}

func envInt(getenv func(string) string, key string, def int) int {
	if n, err := strconv.Atoi(getenv(key)); err == nil {
		return n
	}
	return def
}
