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
	var cfg config
	fs := newFlagSet(env, "validate", "validate [--translations DIR] [FILE|DIR ...]")
	// Only the translations: validate reads files, never the store.
	fs.StringVar(&cfg.TranslationsDir, "translations", env.getenv("EXCHANGEEVAL_TRANSLATIONS"), "directory of gettext .po files that add interface languages (env EXCHANGEEVAL_TRANSLATIONS)")
	paths, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := cfg.useTranslations(); err != nil {
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
		for _, note := range languageNotes(in) {
			fmt.Fprintf(env.stdout, "%s: note: %s\n", in.Source, note)
		}
	}
	return nil
}

// languageNotes names each language of the instrument the interface has
// no catalogue for, and what its delegates will see.
func languageNotes(in *survey.Instrument) []string {
	var out []string
	for _, lang := range in.Languages {
		if !interfaceSpeaks(lang) {
			out = append(out, fmt.Sprintf("the interface has no catalogue for language %s: delegates answering in %s read the questionnaire's own texts in %s, "+
				"and the buttons, progress, errors, thank-you page and e-mails around them in English; "+
				"to translate them: exchangeeval translations template --lang %s > %s.po, then serve --translations DIR", lang, lang, lang, lang, lang))
		}
	}
	return out
}

// loadDefinitions reads YAML definitions and XLSForms (.xlsx) from files
// and directories, as validate and --surveys do: a designer who keeps the
// questionnaire as a form need not convert it.
func loadDefinitions(paths ...string) ([]*survey.Instrument, survey.Problems) {
	return survey.Loader{Readers: map[string]survey.Reader{".xlsx": workbook.ReadForm, ".xls": workbook.ReadForm}}.LoadPaths(paths...)
}
