package main

import (
	"fmt"

	"github.com/csci/exchangeeval"
	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/survey"
	"github.com/csci/exchangeeval/internal/workbook"
)

// runValidate checks definition files — YAML or XLSForm — and prints every
// problem as file:line: message (file: sheet!cell: message for a form).
// With no arguments it checks the built-in instruments.
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
		ins, probs = loadDefinitions(paths...)
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

// loadDefinitions reads YAML definitions and XLSForms (.xlsx) from files
// and directories, as validate and --surveys do: a designer who keeps the
// questionnaire as a form need not convert it.
func loadDefinitions(paths ...string) ([]*survey.Instrument, survey.Problems) {
	return survey.Loader{Readers: map[string]survey.Reader{".xlsx": workbook.ReadForm}}.LoadPaths(paths...)
}
