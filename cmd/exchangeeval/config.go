package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/csci/exchangeeval"
	"github.com/csci/exchangeeval/internal/coding"
	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/mongostore"
	"github.com/csci/exchangeeval/internal/survey"
	"github.com/csci/exchangeeval/internal/workbook"
)

// config is everything the commands are configured with, parsed once from
// flags and environment.
type config struct {
	MongoURI   string
	Database   string
	DataDir    string
	SurveysDir string
	LogLevel   string
	// TranslationsDir holds PO files that add languages to the
	// interface or change its wording (see internal/i18n).
	TranslationsDir string
	// Secret is EXCHANGEEVAL_SECRET as written (64 hex digits), checked
	// when the store is opened.
	Secret string
}

// bind registers the flags every command shares; environment variables give
// the defaults, flags override them.
func (c *config) bind(fs *flagSet, getenv func(string) string) {
	c.MongoURI = getenv("MONGODB_URI")
	c.Secret = getenv("EXCHANGEEVAL_SECRET")
	fs.StringVar(&c.DataDir, "data-dir", envOr(getenv, "EXCHANGEEVAL_DATA_DIR", "data"), "directory of the embedded store, used when MONGODB_URI is not set (env EXCHANGEEVAL_DATA_DIR)")
	fs.StringVar(&c.Database, "database", envOr(getenv, "EXCHANGEEVAL_DATABASE", mongostore.DefaultDatabase), "MongoDB database name (env EXCHANGEEVAL_DATABASE)")
	fs.StringVar(&c.SurveysDir, "surveys", getenv("EXCHANGEEVAL_SURVEYS"), "directory of instrument definitions that add to or override the built-in ones (env EXCHANGEEVAL_SURVEYS)")
	fs.StringVar(&c.TranslationsDir, "translations", getenv("EXCHANGEEVAL_TRANSLATIONS"), "directory of gettext .po files that add interface languages or change the shipped wording (env EXCHANGEEVAL_TRANSLATIONS)")
	fs.StringVar(&c.LogLevel, "log-level", envOr(getenv, "EXCHANGEEVAL_LOG_LEVEL", "info"), "debug, info, warn or error (env EXCHANGEEVAL_LOG_LEVEL)")
}

func envOr(getenv func(string) string, key, def string) string {
	if v := getenv(key); v != "" {
		return v
	}
	return def
}

// parseFlags parses args, allowing flags after positional arguments
// ("open-wave pre --exchange x" as well as "open-wave --exchange x pre").
func parseFlags(fs *flagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, fs.answer(err)
		}
		args = fs.Args()
		if len(args) == 0 {
			return positional, nil
		}
		if args[0] == "--" {
			return append(positional, args[1:]...), nil
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
}

// noPositional parses args, which must be flags only.
func noPositional(fs *flagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return fs.answer(err)
	}
	if len(fs.Args()) > 0 {
		return errUsage(fmt.Sprintf("unexpected argument %q", fs.Args()[0]))
	}
	return nil
}

// flagSet is a command's flags, with what it needs to print its help: the
// flag package would print it on its own, to one writer, for a request for
// help and for a mistake alike.
type flagSet struct {
	*flag.FlagSet
	env      *environment
	synopsis string
}

func newFlagSet(env *environment, name, synopsis string) *flagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return &flagSet{FlagSet: fs, env: env, synopsis: synopsis}
}

// answer turns a parse error into the command's answer: -h prints the help
// on standard output and succeeds; a mistake prints it on standard error
// and fails.
func (fs *flagSet) answer(err error) error {
	if errors.Is(err, flag.ErrHelp) {
		fs.printHelp(fs.env.stdout)
		return errHelp
	}
	fs.printHelp(fs.env.stderr)
	return errUsage(err.Error())
}

func (fs *flagSet) printHelp(w io.Writer) {
	fmt.Fprintf(w, "Usage: exchangeeval %s\n", fs.synopsis)
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	if n > 0 {
		fmt.Fprintln(w, "\nFlags:")
		fs.SetOutput(w)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
}

// subcommand is one subcommand of a command group (exchange create, …).
type subcommand struct {
	name, synopsis string
	run            func(ctx context.Context, env *environment, args []string) error
}

// synopsis is a subcommand's name and its usage line.
type synopsis struct{ name, synopsis string }

// subcommandsOf makes a group's subcommands that all run through one
// function, told which subcommand it runs.
func subcommandsOf(list []synopsis, run func(ctx context.Context, env *environment, sub, synopsis string, args []string) error) []subcommand {
	subs := make([]subcommand, len(list))
	for i, s := range list {
		subs[i] = subcommand{s.name, s.synopsis, func(ctx context.Context, env *environment, args []string) error {
			return run(ctx, env, s.name, s.synopsis, args)
		}}
	}
	return subs
}

// runGroup runs the subcommand args name. With no subcommand, an unknown
// one, or -h, it lists the group's subcommands: on standard output and
// successfully when help was asked for.
func runGroup(ctx context.Context, env *environment, group string, subs []subcommand, args []string) error {
	help := func(w io.Writer) {
		fmt.Fprintln(w, "Usage:")
		for _, s := range subs {
			fmt.Fprintf(w, "  exchangeeval %s\n", s.synopsis)
		}
		fmt.Fprintf(w, "\nRun \"exchangeeval %s SUBCOMMAND -h\" for a subcommand's flags.\n", group)
	}
	names := make([]string, len(subs))
	for i, s := range subs {
		names[i] = s.name
	}
	switch {
	case len(args) == 0:
		help(env.stderr)
		return errUsage(fmt.Sprintf("%s needs a subcommand: %s", group, strings.Join(names, ", ")))
	case args[0] == "-h" || args[0] == "--help" || args[0] == "help":
		help(env.stdout)
		return errHelp
	}
	for _, s := range subs {
		if s.name == args[0] {
			return s.run(ctx, env, args[1:])
		}
	}
	help(env.stderr)
	return errUsage(fmt.Sprintf("unknown %s subcommand %q (%s)", group, args[0], strings.Join(names, ", ")))
}

func (c *config) logger(env *environment) *slog.Logger {
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.LogLevel)); err != nil {
		level = slog.LevelInfo
	}
	return slog.New(slog.NewJSONHandler(env.stderr, &slog.HandlerOptions{Level: level}))
}

// instruments loads the built-in instruments and those of --surveys, which
// override built-in ones with the same id. Any problem stops the command.
func (c *config) instruments() (*survey.Set, error) {
	ins, probs := survey.LoadFS(exchangeeval.Surveys, "surveys", "surveys/")
	if c.SurveysDir != "" {
		more, p := loadDefinitions(c.SurveysDir)
		ins, probs = append(ins, more...), append(probs, p...)
	}
	if len(probs) > 0 {
		return nil, probs
	}
	return survey.NewSet(ins...), nil
}

// openStore is the one way every command reaches storage.
func (c *config) openStore(ctx context.Context, command string, log *slog.Logger) (*mongostore.Store, error) {
	if err := c.useTranslations(); err != nil {
		return nil, err
	}
	secret, err := secretKey(c.Secret)
	if err != nil {
		return nil, err
	}
	return mongostore.Open(ctx, mongostore.Config{URI: c.MongoURI, Database: c.Database, DataDir: c.DataDir, Command: command, Logger: log, Secret: secret})
}

// quietLogger is for one-shot commands: only warnings and errors, so their
// output is what the user asked for.
func (c *config) quietLogger(env *environment) *slog.Logger {
	if strings.EqualFold(c.LogLevel, "debug") {
		return c.logger(env)
	}
	return slog.New(slog.NewTextHandler(env.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// readTableFile reads a CSV or XLSX file (see workbook.ReadTable), telling
// the user on standard error how it was read when that matters (an
// encoding other than UTF-8).
func readTableFile(env *environment, path string, maxRows int, prefer ...string) ([][]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, exchange.Errorf(exchange.EINVALID, "cannot read %s: %v", path, err)
	}
	defer f.Close()
	t, err := workbook.ReadTable(path, f, workbook.ReadOptions{Prefer: prefer, MaxRows: maxRows})
	if err != nil {
		return nil, err
	}
	if note := t.Note(path); note != "" {
		fmt.Fprintln(env.stderr, "note: "+note)
	}
	return t.Rows, nil
}

// maxRowsFlag registers --max-rows, the most data rows one import takes.
func maxRowsFlag(fs *flagSet, getenv func(string) string) *int {
	return fs.Int("max-rows", envInt(getenv, "EXCHANGEEVAL_MAX_IMPORT_ROWS", workbook.DefaultMaxRows), "the most rows below the header one import takes (env EXCHANGEEVAL_MAX_IMPORT_ROWS)")
}

// inFile names the file an error is about: "people.csv: 3 problem(s)…".
func inFile(path string, err error) error {
	var e *exchange.Error
	if errors.As(err, &e) {
		e.Message = path + ": " + e.Message
	}
	return err
}

// session is what a one-shot command works with: the instruments and the
// store, opened together.
type session struct {
	instruments *survey.Set
	catalog     *survey.Catalog
	store       *mongostore.Store
}

// catalogOf joins the built-in and --surveys instruments with those
// uploaded to the store.
func catalogOf(fixed *survey.Set, store *mongostore.Store) *survey.Catalog {
	return survey.NewCatalog(fixed.Every(), store.StoredInstruments, store.AddInstrument)
}

// open loads the instruments and opens the store for a one-shot command.
func (c *config) open(ctx context.Context, env *environment, command string) (*session, error) {
	instruments, err := c.instruments()
	if err != nil {
		return nil, err
	}
	store, err := c.openStore(ctx, command, c.quietLogger(env))
	if err != nil {
		return nil, err
	}
	catalog := catalogOf(instruments, store)
	if _, err := catalog.Reload(ctx); err != nil {
		_ = store.Close(ctx)
		return nil, err
	}
	keepUsed(ctx, catalog, store, func(msg string, args ...any) {
		fmt.Fprintln(env.stderr, "warning: "+fmt.Sprintf(msg, args...))
	})
	return &session{instruments: catalog.Set(), catalog: catalog, store: store}, nil
}

// keepUsed stores every instrument version an exchange uses that came from
// a definition file (built in or --surveys) and is not stored yet: the
// exchanges made before instruments were kept at creation. warn is told
// what could not be kept and which exchange has no instrument at all;
// neither stops a start, since the rest of the service still works.
func keepUsed(ctx context.Context, catalog *survey.Catalog, store *mongostore.Store, warn func(msg string, args ...any)) {
	xs, err := store.Exchanges(ctx)
	if err != nil {
		warn("could not list the exchanges to keep their instruments: %v", err)
		return
	}
	for _, x := range xs {
		in := x.InstrumentIn(catalog.Set())
		if in == nil {
			warn("%s", exchange.InstrumentMissing(x).Message)
			continue
		}
		if err := catalog.Keep(ctx, in, time.Now()); err != nil {
			warn("%v", err)
		}
	}
}

// Close closes the store.
func (s *session) Close() { _ = s.store.Close(context.Background()) }

// baseURL is the public address personal links point at: the one given
// (--base-url or EXCHANGEEVAL_BASE_URL), else the one serve stored; ""
// when neither is known.
func (s *session) baseURL(ctx context.Context, given string) (string, error) {
	if given != "" {
		return given, nil
	}
	return s.store.BaseURL(ctx)
}

// linkBase is the base URL for links that are mailed: queued messages
// cannot be taken back, so an unknown address, or one on this machine
// (a default nobody meant), is refused unless allowLocal says so.
func (s *session) linkBase(ctx context.Context, given string, allowLocal bool) (string, error) {
	base, err := s.baseURL(ctx, given)
	if err != nil {
		return "", err
	}
	if base == "" {
		return "", exchange.Errorf(exchange.EINVALID, "no base URL is known for the personal links: start the service once with --base-url https://your.address (it is stored), or give --base-url here")
	}
	if isLocal(base) && !allowLocal {
		return "", exchange.Errorf(exchange.EINVALID, "the personal links would point at %s, which only this machine reaches: give the service's public address with --base-url, or --allow-localhost if that is what you mean", base)
	}
	return base, nil
}

// isLocal says whether a URL's host is this machine.
func isLocal(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	host := u.Hostname()
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && (ip.IsLoopback() || ip.IsUnspecified())
}

// exchange finds an exchange and the instrument it uses.
func (s *session) exchange(ctx context.Context, id string) (*exchange.Exchange, *survey.Instrument, error) {
	x, err := s.store.Exchange(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	in := x.InstrumentIn(s.instruments)
	if in == nil {
		return nil, nil, exchange.InstrumentMissing(x)
	}
	// The exchange codes with its own codebook once evaluators changed
	// the instrument's.
	cb, err := s.store.Codebook(ctx, x.ID)
	if err != nil {
		return nil, nil, err
	}
	return x, coding.Apply(in, cb), nil
}
