package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/i18n"
	"github.com/csci/exchangeeval/internal/survey"
	"github.com/csci/exchangeeval/internal/workbook"
)

var instrumentSynopses = []synopsis{
	{"list", "instruments list"},
	{"import", "instruments import [--by EMAIL] FILE.yaml|FORM.xlsx"},
	{"export", "instruments export --id ID [--version N] [--wave W] --format xlsform|yaml --out FILE"},
	{"show", "instruments show --id ID [--version N] [--lang fr]"},
}

func runInstruments(ctx context.Context, env *environment, args []string) error {
	return runGroup(ctx, env, "instruments", subcommandsOf(instrumentSynopses, runInstrumentsSub), args)
}

func runInstrumentsSub(ctx context.Context, env *environment, sub, synopsis string, args []string) error {
	var (
		cfg             config
		id, format, out string
		wave            string
		by, lang        string
		version         int
	)
	fs := newFlagSet(env, "instruments "+sub, synopsis)
	cfg.bind(fs, env.getenv)
	switch sub {
	case "import":
		fs.StringVar(&by, "by", "command line", "who uploads it, recorded with the version")
	case "export", "show":
		fs.StringVar(&id, "id", "", "the instrument's id")
		fs.IntVar(&version, "version", 0, "the version (default: the newest)")
		if sub == "export" {
			fs.StringVar(&format, "format", "", "xlsform or yaml")
			fs.StringVar(&out, "out", "", "the file to write")
			fs.StringVar(&wave, "wave", "", "one wave's form only, to collect that wave in KoboToolbox or ODK (id ID-WAVE)")
		} else {
			fs.StringVar(&lang, "lang", "", "the language of the texts (default: the base language)")
		}
	}
	positional, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	switch {
	case sub == "import" && len(positional) != 1:
		return errUsage("instruments import takes one file: a YAML definition or an XLSForm (.xlsx)")
	case sub != "import" && len(positional) > 0:
		return errUsage(fmt.Sprintf("unexpected argument %q", positional[0]))
	case (sub == "export" || sub == "show") && id == "":
		return errUsage("--id is required")
	case sub == "export" && format != "xlsform" && format != "yaml":
		return errUsage("--format is xlsform or yaml")
	case sub == "export" && out == "":
		return errUsage("--out is required")
	}
	s, err := cfg.open(ctx, env, "instruments "+sub)
	if err != nil {
		return err
	}
	defer s.Close()
	switch sub {
	case "list":
		return listInstruments(ctx, env, s)
	case "import":
		return importInstrument(ctx, env, s, positional[0], by)
	}
	in := s.instruments.Version(id, version)
	if in == nil {
		if s.instruments.Get(id) == nil {
			return exchange.Errorf(exchange.ENOTFOUND, "no instrument %q (instruments: %s)", id, strings.Join(s.instruments.IDs(), ", "))
		}
		return exchange.Errorf(exchange.ENOTFOUND, "instrument %s has no version %d", id, version)
	}
	if sub == "show" {
		return showInstrument(env.stdout, in, lang)
	}
	if wave != "" {
		if in, err = in.OneWave(wave); err != nil {
			return exchange.Errorf(exchange.EINVALID, "--wave: %v", err)
		}
	}
	var buf bytes.Buffer
	if format == "yaml" {
		data, err := in.Canonical()
		if err != nil {
			return err
		}
		buf.Write(data)
	} else {
		sheets := survey.ToXLSForm(in)
		if wave != "" {
			// Collected elsewhere, the answers need to say whose they are.
			label := survey.Text{}
			for _, l := range in.Languages {
				label[l] = i18n.T(l, "xlsform.participant")
			}
			sheets = survey.WithParticipantQuestion(sheets, label)
		}
		if err := workbook.WriteXLSForm(&buf, sheets); err != nil {
			return err
		}
	}
	if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
		return err
	}
	if wave != "" {
		fmt.Fprintf(env.stdout, "wrote %s: the form of wave %s (%d questions), id %s version %d, as %s\n", out, wave, len(in.Questions()), in.ID, in.Version, format)
		return nil
	}
	fmt.Fprintf(env.stdout, "wrote %s: instrument %s version %d as %s\n", out, in.ID, in.Version, format)
	return nil
}

func importInstrument(ctx context.Context, env *environment, s *session, path, by string) error {
	data, err := readBounded(path, workbook.MaxFormBytes)
	if err != nil {
		return err
	}
	in, format, probs := workbook.ParseDefinition(ctx, filepath.Base(path), data)
	if probs != nil {
		return probs
	}
	stored, unchanged, err := s.catalog.Add(ctx, in, survey.Upload{By: by, At: time.Now(), Format: format, Filename: filepath.Base(path)})
	if err != nil {
		return err
	}
	for _, p := range in.PassedOver {
		if p.Type == survey.ColumnPassedOver {
			fmt.Fprintf(env.stdout, "%s: %s: passed over column %s: it only changes how ODK Collect shows or sends a question\n", path, p.Cell, p.Name)
			continue
		}
		fmt.Fprintf(env.stdout, "%s: %s: passed over %s (%s): exchangeeval records when and how each answer came itself\n", path, p.Cell, p.Name, p.Type)
	}
	if unchanged {
		fmt.Fprintf(env.stdout, "%s: the same as instrument %s version %d; nothing stored\n", path, stored.ID, stored.Version)
		return nil
	}
	fmt.Fprintf(env.stdout, "%s: stored as instrument %s version %d (%s, sha256 %s)\n", path, stored.ID, stored.Version, format, stored.Hash[:12])
	return nil
}

// readBounded reads a file of at most limit bytes, saying so of a bigger
// one rather than reading it.
func readBounded(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, exchange.Errorf(exchange.EINVALID, "cannot read %s: %v", path, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, exchange.Errorf(exchange.EINVALID, "cannot read %s: %v", path, err)
	}
	if int64(len(data)) > limit {
		return nil, exchange.Errorf(exchange.EINVALID, "%s is over %d MB: an instrument definition is far smaller", path, limit>>20)
	}
	return data, nil
}

func listInstruments(ctx context.Context, env *environment, s *session) error {
	xs, err := s.store.Exchanges(ctx)
	if err != nil {
		return err
	}
	uses := exchange.ExchangesByVersion(xs, s.instruments)
	tw := tabwriter.NewWriter(env.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tVERSION\tSOURCE\tSHA256\tQUESTIONS\tEXCHANGES")
	for _, in := range s.instruments.Every() {
		source := in.Source
		if u := in.Uploaded; u != nil {
			source = fmt.Sprintf("uploaded by %s %s (%s %s)", u.By, u.At.Format("2006-01-02 15:04"), u.Format, u.Filename)
		}
		used := strings.Join(uses[in.Key()], ", ")
		if used == "" {
			used = "-"
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%d\t%s\n", in.ID, in.Version, source, in.Hash[:12], len(in.Questions()), used)
	}
	return tw.Flush()
}

// showInstrument prints an instrument's outline: waves, sections and
// questions, with types and conditions.
func showInstrument(w io.Writer, in *survey.Instrument, lang string) error {
	base := in.BaseLanguage()
	if lang == "" {
		lang = base
	}
	fmt.Fprintf(w, "%s version %d — %s\n", in.ID, in.Version, in.Title.In(lang, base))
	fmt.Fprintf(w, "languages: %s; waves: %s; %d goals, %d themes\n", strings.Join(in.Languages, ", "), strings.Join(in.WaveIDs(), ", "), len(in.Goals), len(in.Themes))
	for _, s := range in.Sections {
		fmt.Fprintf(w, "\n[%s] %s\n", s.ID, s.Heading.In(lang, base))
		if c := s.Condition(); c != nil {
			fmt.Fprintf(w, "  relevant: %s\n", c.Source)
		}
		for _, q := range s.Questions {
			kind := q.Type
			switch {
			case q.Scale != "":
				kind += " " + q.Scale
			case q.Goal != "":
				kind += " goal " + q.Goal
			}
			req := ""
			if q.Required {
				req = ", required"
			}
			fmt.Fprintf(w, "  %s (%s; %s%s) %s\n", q.ID, kind, strings.Join(q.Waves, " "), req, q.Text.In(lang, base))
			if c := q.Condition(); c != nil {
				fmt.Fprintf(w, "      relevant: %s — %s\n", c.Source, c.Describe(in, lang))
			}
		}
	}
	return nil
}
