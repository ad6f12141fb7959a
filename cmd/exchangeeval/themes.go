package main

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/csci/exchangeeval/internal/analysis"
)

// themeSynopses are the themes subcommands: what the delegates wrote
// about, beyond the codebook.
var themeSynopses = []synopsis{
	{"candidates", "themes candidates --exchange ID [--json] [--min-cell K]"},
}

func runThemes(ctx context.Context, env *environment, args []string) error {
	return runGroup(ctx, env, "themes", subcommandsOf(themeSynopses, runThemesSub), args)
}

func runThemesSub(ctx context.Context, env *environment, sub, synopsis string, args []string) error {
	var (
		cfg        config
		exchangeID string
		asJSON     bool
		minCell    int
	)
	fs := newFlagSet(env, "themes "+sub, synopsis)
	cfg.bind(fs, env.getenv)
	fs.StringVar(&exchangeID, "exchange", "", "exchange id")
	fs.BoolVar(&asJSON, "json", false, "write the candidates as JSON (the report's themes.candidates)")
	fs.IntVar(&minCell, "min-cell", envInt(env.getenv, "EXCHANGEEVAL_MIN_CELL", analysis.DefaultMinCell), "smallest group shown; words fewer delegates used are not (env EXCHANGEEVAL_MIN_CELL)")
	if err := noPositional(fs, args); err != nil {
		return err
	}
	if exchangeID == "" {
		return errUsage("usage: exchangeeval " + synopsis)
	}
	if minCell < 1 {
		return errUsage("--min-cell must be at least 1")
	}
	sess, err := cfg.open(ctx, env, "themes "+sub)
	if err != nil {
		return err
	}
	defer sess.Close()
	x, in, err := sess.exchange(ctx, exchangeID)
	if err != nil {
		return err
	}
	report, err := analysis.Analyze(ctx, sess.store.AnalysisInput(ctx, x, in), analysis.Options{MinCell: minCell, GeneratedAt: time.Now(), SoftwareVersion: Version()})
	if err != nil {
		return err
	}
	cs := report.Themes.Candidates
	if asJSON {
		return writeJSON(env.stdout, cs)
	}
	fmt.Fprintf(env.stdout, "Candidate themes of %s: words the codebook does not cover, used far more in one wave than in the others (AGAINST waves) or than in everyday language (AGAINST baseline)\n", x.ID)
	if len(cs) == 0 {
		fmt.Fprintf(env.stdout, "none (a word needs at least %d delegates)\n", max(minCell, 2))
		return nil
	}
	tw := tabwriter.NewWriter(env.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "WAVE\tLANGUAGE\tWORDS\tDELEGATES BY WAVE\tMENTIONS\tG2\tP\tLOG RATIO\tAGAINST")
	for _, c := range cs {
		var by []string
		for _, d := range c.Delegates {
			n := "<" + fmt.Sprint(minCell)
			if d.Delegates != nil {
				n = fmt.Sprint(*d.Delegates)
			}
			by = append(by, d.Wave+" "+n)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%.1f\t%s\t%.2f\t%s\n", c.Wave, c.Language, strings.Join(c.Terms, ", "), strings.Join(by, ", "), c.Mentions, c.G2, pValue(c.P), c.LogRatio, c.Reference)
	}
	return tw.Flush()
}

// pValue writes a p-value as a table shows it: "<0.001" below that.
func pValue(p float64) string {
	if p < 0.001 {
		return "<0.001"
	}
	return fmt.Sprintf("%.3f", p)
}
