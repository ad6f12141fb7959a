package main

import (
	"fmt"

	"github.com/csci/exchangeeval"
	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/survey"
)

// runValidate checks definition files and prints every problem as
// file:line: message. With no arguments it checks the built-in instruments.
func runValidate(env *environment, args []string) error {
	fs := newFlagSet(env, "validate", "validate [FILE|DIR ...]")
	paths, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	var (
		ins   []*survey.Instrument
		probs survey.Problems
	)
	if len(paths) == 0 {
		ins, probs = survey.LoadFS(exchangeeval.Surveys, "surveys", "surveys/")
	} else {
		ins, probs = survey.LoadPaths(paths...)
	}
	for _, p := range probs {
		fmt.Fprintln(env.stdout, p)
	}
	if len(probs) > 0 {
		return exchange.Errorf(exchange.EINVALID, "%d problem(s) found", len(probs))
	}
	for _, in := range ins {
		fmt.Fprintf(env.stdout, "%s: ok (instrument %s version %d: %d waves, %d goals, %d themes, %d questions)\n",
			in.Source, in.ID, in.Version, len(in.Waves), len(in.Goals), len(in.Themes), len(in.Questions()))
	}
	return nil
}
