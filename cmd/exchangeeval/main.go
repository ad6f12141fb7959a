// Command exchangeeval evaluates what international professional exchanges
// achieve: it serves the delegates' questionnaires, stores the answers in
// MongoDB, and administers exchanges from the command line.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"slices"
	"strings"
	"syscall"
	_ "time/tzdata" // exchanges' time zones on hosts without a zone database (containers)

	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/survey"
)

func main() {
	ctx, stop := signalContext()
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	if err != nil && !errors.Is(err, errHelp) {
		fmt.Fprintln(os.Stderr, "exchangeeval:", userMessage(err))
		os.Exit(exitCode(err))
	}
}

// signalContext is cancelled by Ctrl-C or SIGTERM: the service then
// finishes the requests in flight, a command stops and undoes its work.
func signalContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}

const usage = `exchangeeval — evaluation of international professional exchanges

Usage:
  exchangeeval serve [--addr :8080] [--demo] [--base-url URL]
  exchangeeval validate [FILE|DIR ...]
  exchangeeval instruments list | import [--by EMAIL] FILE.yaml|FORM.xlsx | export --id ID [--version N] --format xlsform|yaml --out FILE | show --id ID [--version N] [--lang fr]
  exchangeeval exchange create --id ID --instrument INSTRUMENT_ID --name NAME --host-city CITY [--time-zone ZONE] --visiting-city CITY --start YYYY-MM-DD --end YYYY-MM-DD
  exchangeeval exchange open-wave --exchange ID WAVE [--closes YYYY-MM-DD] [--remind-before 3d]
  exchangeeval exchange close-wave --exchange ID WAVE
  exchangeeval exchange list
  exchangeeval participants import --exchange ID [--out links.xlsx] FILE
  exchangeeval participants list --exchange ID
  exchangeeval participants remove --exchange ID --participant PID
  exchangeeval participants erase --exchange ID --participant PID [--answers] [--by EMAIL]
  exchangeeval participants export --exchange ID --participant PID [--out FILE.json]
  exchangeeval responses import --exchange ID [--replace] [--from-exchange OTHER] FILE | history|restore --exchange ID --participant PID --wave W [--version N]
  exchangeeval analyze --exchange ID | --programme INSTRUMENT_ID [--exchange ID ...] [--compare FROM:TO] [--json] [--min-cell K]
  exchangeeval themes candidates --exchange ID [--json] [--min-cell K]
  exchangeeval coding export --exchange ID --coder EMAIL --out CODING.xlsx [--blank] | import --exchange ID --coder EMAIL CODING.xlsx
  exchangeeval export --exchange ID [--exchange ID2 ...] | --programme INSTRUMENT_ID [--exchange ID ...] [--compare FROM:TO] [--format xlsx|spss|r|stata|qdpx] --out FILE.xlsx|DIR|FILE.qdpx [--labels LANG] [--min-cell K]
  exchangeeval users add --email E --role admin|evaluator|committee [--name N] [--language fr] [--exchange ID ...]
  exchangeeval users list | disable --email E | enable --email E | reset-password --email E | assign|unassign --email E --exchange ID ...
  exchangeeval tokens create --user E [--name N]
  exchangeeval invite --exchange ID --wave WAVE [--dry-run]
  exchangeeval remind --exchange ID --wave WAVE [--dry-run]
  exchangeeval mail list --exchange ID [--status failed] | send [--rate N] | retry --exchange ID
  exchangeeval backup --out FILE.tar.gz
  exchangeeval restore [--drop] FILE.tar.gz
  exchangeeval translations template --lang LANG > LANG.po | check [DIR]
  exchangeeval version

Every command takes --data-dir DIR (embedded store, default ./data),
--surveys DIR (extra instrument definitions) and --translations DIR (extra
interface languages as .po files), and uses MONGODB_URI when set.
Run "exchangeeval COMMAND -h" for a command's flags.
`

// version is set at build time with -ldflags "-X main.version=…"; when it
// is not, Version reads what the Go toolchain recorded in the binary.
var version = ""

// Version is this build's version: the one set at build time, else the
// module version (a tagged `go install`), else the VCS revision the binary
// was built from, with "+dirty" when its tree had uncommitted changes.
func Version() string {
	if version != "" {
		return version
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	v := info.Main.Version
	settings := map[string]string{}
	for _, s := range info.Settings {
		settings[s.Key] = s.Value
	}
	if rev := settings["vcs.revision"]; rev != "" && (v == "" || v == "(devel)" || strings.Contains(v, rev[:min(12, len(rev))])) {
		v = "rev " + rev[:min(12, len(rev))]
		if t := settings["vcs.time"]; t != "" {
			v += " (" + t + ")"
		}
		if settings["vcs.modified"] == "true" {
			v += "+dirty"
		}
	}
	if v == "" || v == "(devel)" {
		return "devel"
	}
	return v
}

// commonFlags are the flags every command takes (config.bind).
var commonFlags = []string{"data-dir", "surveys", "translations"}

// commandFirst moves common flags given before the command ("exchangeeval
// --data-dir D exchange list", as the usage's last lines invite) to after
// it, where the command's flags are parsed.
func commandFirst(args []string) []string {
	var flags []string
	for len(args) > 0 {
		name, _, hasValue := strings.Cut(strings.TrimLeft(args[0], "-"), "=")
		if !strings.HasPrefix(args[0], "-") || !slices.Contains(commonFlags, name) {
			break
		}
		n := 1
		if !hasValue && len(args) > 1 {
			n = 2
		}
		flags, args = append(flags, args[:n]...), args[n:]
	}
	if len(args) == 0 {
		return nil // no command: reported as such
	}
	return append(append([]string{args[0]}, args[1:]...), flags...)
}

// run is the whole program: tests call it exactly as main does.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	args = commandFirst(args)
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errUsage("no command given")
	}
	env := &environment{getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return runServe(ctx, env, rest)
	case "validate":
		return runValidate(env, rest)
	case "translations":
		return runTranslations(ctx, env, rest)
	case "exchange":
		return runExchange(ctx, env, rest)
	case "participants":
		return runParticipants(ctx, env, rest)
	case "responses":
		return runResponses(ctx, env, rest)
	case "themes":
		return runThemes(ctx, env, rest)
	case "coding":
		return runCoding(ctx, env, rest)
	case "analyze":
		return runAnalyze(ctx, env, rest)
	case "export":
		return runExport(ctx, env, rest)
	case "users":
		return runUsers(ctx, env, rest)
	case "instruments":
		return runInstruments(ctx, env, rest)
	case "tokens":
		return runTokens(ctx, env, rest)
	case "invite":
		return runInvite(ctx, env, rest)
	case "remind":
		return runRemind(ctx, env, rest)
	case "mail":
		return runMail(ctx, env, rest)
	case "backup":
		return runBackup(ctx, env, rest)
	case "restore":
		return runRestore(ctx, env, rest)
	case "version", "--version":
		fmt.Fprintln(stdout, "exchangeeval", Version())
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return errHelp
	}
	fmt.Fprint(stderr, usage)
	return errUsage(fmt.Sprintf("unknown command %q", cmd))
}

// environment is what the process was given: its environment variables and
// standard streams.
type environment struct {
	getenv         func(string) string
	stdin          io.Reader
	stdout, stderr io.Writer
}

type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func errUsage(msg string) error { return usageError{msg} }

// errHelp is returned when -h was asked for: the usage was printed, and the
// command succeeded.
var errHelp = errors.New("help shown")

// exitCode maps the error vocabulary to exit statuses, in one place.
func exitCode(err error) int {
	var ue usageError
	var probs survey.Problems
	var conflicts survey.Conflicts
	switch {
	case err == nil, errors.Is(err, errHelp):
		return 0
	case errors.As(err, &ue), errors.As(err, &probs), errors.As(err, &conflicts):
		return 2
	}
	switch exchange.ErrorCode(err) {
	case exchange.EINVALID:
		return 2
	case exchange.ENOTFOUND:
		return 3
	case exchange.ECONFLICT:
		return 4
	case exchange.EUNAVAILABLE:
		return 5
	}
	return 1
}

// userMessage is what the person at the terminal reads: the message of an
// application error with its details, the problems of a definition, or the
// wrapped cause of anything else (at a terminal the operator is the user).
func userMessage(err error) string {
	var probs survey.Problems
	if errors.As(err, &probs) {
		return fmt.Sprintf("%d problem(s) in instrument definitions:\n%s", len(probs), probs.Error())
	}
	return err.Error()
}
