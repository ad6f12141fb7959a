package main

import (
	"context"
	"fmt"
	"os"

	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/i18n"
)

func runTranslations(ctx context.Context, env *environment, args []string) error {
	return runGroup(ctx, env, "translations", []subcommand{
		{"template", "translations template --lang LANG [--plural-forms RULE] > LANG.po", runTranslationsTemplate},
		{"check", "translations check [DIR]", runTranslationsCheck},
	}, args)
}

// runTranslationsTemplate writes the PO file a translator fills: every
// message with its English and where it appears, and the translations
// LANG already has (shipped or in --translations), so the same command
// starts a language and brings one up to date.
func runTranslationsTemplate(_ context.Context, env *environment, args []string) error {
	var cfg config
	var lang, plural string
	fs := newFlagSet(env, "translations template", "translations template --lang LANG [--plural-forms RULE] > LANG.po")
	cfg.bind(fs, env.getenv)
	fs.StringVar(&lang, "lang", "", "the language to translate into: a BCP 47 code such as it, pl, uk, he, ja")
	fs.StringVar(&plural, "plural-forms", "", `the language's gettext Plural-Forms for one the service does not know yet, e.g. "nplurals=3; plural=(n==1 ? 0 : n%10>=2 && n%10<=4 && (n%100<12 || n%100>14) ? 1 : 2);" for Polish (default: two forms, as English)`)
	if err := noPositional(fs, args); err != nil {
		return err
	}
	if lang == "" {
		return errUsage("--lang is required, e.g. --lang it")
	}
	cs, err := cfg.catalogues()
	if err != nil {
		return err
	}
	return cs.WriteTemplate(env.stdout, lang, plural)
}

// runTranslationsCheck lists, per language, the messages missing,
// unused or broken (placeholders that differ from the English, plural
// forms missing): of the shipped catalogues, or of the PO files in DIR as
// the service would use them (over the shipped ones).
func runTranslationsCheck(_ context.Context, env *environment, args []string) error {
	var cfg config
	fs := newFlagSet(env, "translations check", "translations check [DIR]")
	cfg.bind(fs, env.getenv)
	dirs, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(dirs) > 1 {
		return errUsage("give one directory of .po files")
	}
	if len(dirs) == 1 {
		cfg.TranslationsDir = dirs[0]
	}
	cs, err := cfg.catalogues()
	if err != nil {
		return err
	}
	findings := cs.Check()
	total := len(cs.Catalogue(i18n.Source).Keys())
	for _, lang := range cs.Languages() {
		missing := 0
		for _, f := range findings {
			if f.Lang == lang && f.Kind == "missing" {
				missing++
			}
		}
		fmt.Fprintf(env.stdout, "%s: %d of %d messages translated (%s)\n", lang, total-missing, total, cs.Catalogue(lang).File)
	}
	for _, f := range findings {
		fmt.Fprintln(env.stdout, f)
	}
	if len(findings) > 0 {
		return exchange.Errorf(exchange.EINVALID, "%d finding(s) in the catalogues", len(findings))
	}
	return nil
}

// catalogues are the shipped catalogues with those of --translations
// over them.
func (c *config) catalogues() (*i18n.Catalogues, error) {
	if c.TranslationsDir == "" {
		return i18n.Builtin(), nil
	}
	cs, err := i18n.Load(os.DirFS(c.TranslationsDir))
	if err != nil {
		return nil, exchange.Errorf(exchange.EINVALID, "translations in %s: %v", c.TranslationsDir, err)
	}
	return cs, nil
}

// useTranslations makes the catalogues of --translations those every
// page, message and file of this process is worded from.
func (c *config) useTranslations() error {
	cs, err := c.catalogues()
	if err != nil {
		return err
	}
	i18n.Use(cs)
	return nil
}

// interfaceSpeaks says whether the interface has a catalogue for lang.
func interfaceSpeaks(lang string) bool { return i18n.Active().Has(lang) }
