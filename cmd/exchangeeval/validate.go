package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

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
	var yamlPaths []string
	var ins []*survey.Instrument
	var probs survey.Problems
	seen := map[string]string{}
	addForm := func(path string) {
		data, err := readBounded(path, workbook.MaxFormBytes)
		if err != nil {
			probs = append(probs, survey.Problem{File: path, Message: err.Error()})
			return
		}
		in, _, ps := workbook.ParseDefinition(path, data)
		if ps != nil {
			probs = append(probs, ps...)
			return
		}
		in.Source = path
		ins = append(ins, in)
	}
	for _, p := range paths {
		st, err := os.Stat(p)
		switch {
		case err == nil && st.IsDir():
			yamlPaths = append(yamlPaths, p)
			forms, _ := filepath.Glob(filepath.Join(p, "*.xlsx"))
			for _, f := range forms {
				addForm(f)
			}
		case strings.EqualFold(filepath.Ext(p), ".xlsx"):
			addForm(p)
		default:
			yamlPaths = append(yamlPaths, p)
		}
	}
	if len(yamlPaths) > 0 {
		more, ps := survey.LoadPaths(yamlPaths...)
		// A directory holding only forms is not "empty".
		for _, pr := range ps {
			if strings.HasSuffix(pr.Message, "no definition files (*.yaml, *.yml) in this directory") && len(ins) > 0 {
				continue
			}
			probs = append(probs, pr)
		}
		ins = append(more, ins...)
	}
	var out []*survey.Instrument
	first := map[string]*survey.Instrument{}
	for _, in := range ins {
		key := in.Key()
		if other, dup := seen[key]; dup {
			// The same definition twice (surveys/ ships the example form
			// beside its YAML) is one instrument.
			if a, err := in.CanonicalHash(); err == nil {
				if b, err := first[key].CanonicalHash(); err == nil && a == b {
					continue
				}
			}
			probs = append(probs, survey.Problem{File: in.Source, Message: fmt.Sprintf("instrument %q version %d is also defined in %s (a changed definition needs a higher version)", in.ID, in.Version, other)})
			continue
		}
		seen[key], first[key] = in.Source, in
		out = append(out, in)
	}
	return out, probs
}
