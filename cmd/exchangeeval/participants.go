package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/staff"
	"github.com/csci/exchangeeval/internal/survey"
	"github.com/csci/exchangeeval/internal/workbook"
)

func runParticipants(ctx context.Context, env *environment, args []string) error {
	return runGroup(ctx, env, "participants", []subcommand{
		{"import", "participants import --exchange ID [--out links.xlsx] [--max-rows N] FILE", runParticipantsImport},
		{"list", "participants list --exchange ID", runParticipantsList},
		{"remove", "participants remove --exchange ID --participant PID", runParticipantsRemove},
		{"erase", "participants erase --exchange ID --participant PID [--answers] [--by EMAIL]", runParticipantsErase},
		{"export", "participants export --exchange ID --participant PID [--out FILE.json]", runParticipantsExport},
	}, args)
}

func runParticipantsImport(ctx context.Context, env *environment, args []string) error {
	var (
		cfg                      config
		exchangeID, out, baseURL string
	)
	fs := newFlagSet(env, "participants import", "participants import --exchange ID [--out links.xlsx] FILE")
	cfg.bind(fs, env.getenv)
	fs.StringVar(&exchangeID, "exchange", "", "exchange id")
	fs.StringVar(&out, "out", "", "write the personal links to this .xlsx (or .csv) file instead of CSV on standard output")
	fs.StringVar(&baseURL, "base-url", env.getenv("EXCHANGEEVAL_BASE_URL"), "public address of the service, for the links (env EXCHANGEEVAL_BASE_URL; default: the one serve was given)")
	maxRows := maxRowsFlag(fs, env.getenv)
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if exchangeID == "" || len(rest) != 1 {
		return errUsage("usage: exchangeeval participants import --exchange ID [--out links.xlsx] FILE")
	}
	path := rest[0]
	table, err := readTableFile(env, path, *maxRows)
	if err != nil {
		return err
	}
	sess, err := cfg.open(ctx, env, "participants import")
	if err != nil {
		return err
	}
	defer sess.Close()
	store := sess.store
	_, in, err := sess.exchange(ctx, exchangeID)
	if err != nil {
		return err
	}
	rows, err := exchange.ParseParticipants(table, in)
	if err != nil {
		return inFile(path, err)
	}
	res, err := store.ImportParticipants(ctx, exchangeID, rows, time.Now())
	if err != nil {
		return err
	}
	baseURL, err = sess.baseURL(ctx, baseURL)
	if err != nil {
		return err
	}
	if baseURL == "" {
		fmt.Fprintln(env.stderr, "note: no base URL is known (start the service once with --base-url https://your.address, or give --base-url here): the links below are paths, to put after the service's address")
	}
	links := make([]exchange.Link, len(res.Participants))
	for i, p := range res.Participants {
		links[i] = exchange.Link{PID: p.PID, Name: p.Name, Email: p.Email, Language: p.Language, Side: p.Side,
			URL: exchange.LinkURL(baseURL, p.Token), New: res.Created[p.PID]}
	}
	if err := writeLinks(env, out, exchangeID, links); err != nil {
		return err
	}
	fmt.Fprintf(env.stderr, "imported %d new participant(s) into %s; %d were already there and keep their links\n", res.New, exchangeID, res.Kept)
	if out != "" {
		fmt.Fprintf(env.stderr, "personal links written to %s\n", out)
	}
	return nil
}

// writeLinks writes the mail-merge table: XLSX or CSV to a file, or CSV to
// standard output.
func writeLinks(env *environment, out, exchangeID string, links []exchange.Link) error {
	if out == "" {
		return writeLinksCSV(env.stdout, links)
	}
	// Personal links are credentials: the file is its owner's alone.
	f, err := os.OpenFile(out, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return exchange.Errorf(exchange.EINVALID, "cannot write %s: %v", out, err)
	}
	if err := f.Chmod(0o600); err != nil { // an existing file keeps its mode otherwise
		f.Close()
		return exchange.Errorf(exchange.EINVALID, "cannot write %s: %v", out, err)
	}
	if strings.EqualFold(filepath.Ext(out), ".csv") {
		err = writeLinksCSV(f, links)
	} else {
		err = workbook.WriteLinks(f, exchangeID, links)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write links to %s: %w", out, err)
	}
	return nil
}

func writeLinksCSV(w interface{ Write([]byte) (int, error) }, links []exchange.Link) error {
	cw := csv.NewWriter(w)
	_ = cw.Write(workbook.LinkColumns)
	for _, l := range links {
		_ = cw.Write(csvSafe(workbook.LinkRow(l)))
	}
	cw.Flush()
	return cw.Error()
}

// csvSafe defuses cells a spreadsheet would run as a formula when the CSV is
// opened (a name typed as "=HYPERLINK(…)").
func csvSafe(row []string) []string {
	out := make([]string, len(row))
	for i, c := range row {
		if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
			c = "'" + c
		}
		out[i] = c
	}
	return out
}

func runParticipantsList(ctx context.Context, env *environment, args []string) error {
	var (
		cfg        config
		exchangeID string
	)
	fs := newFlagSet(env, "participants list", "participants list --exchange ID")
	cfg.bind(fs, env.getenv)
	fs.StringVar(&exchangeID, "exchange", "", "exchange id")
	if err := noPositional(fs, args); err != nil {
		return err
	}
	if exchangeID == "" {
		return errUsage("usage: exchangeeval participants list --exchange ID")
	}
	store, err := cfg.openStore(ctx, "participants list", cfg.quietLogger(env))
	if err != nil {
		return err
	}
	defer store.Close(context.Background())
	if _, err := store.Exchange(ctx, exchangeID); err != nil {
		return err
	}
	ps, err := store.Participants(ctx, exchangeID)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(env.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PID\tNAME\tEMAIL\tCITY\tROLE\tLANGUAGE\tSIDE")
	for _, p := range ps {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", p.PID, p.Name, p.Email, p.City, p.Role, p.Language, p.Side)
	}
	return tw.Flush()
}

// runParticipantsRemove takes out a participant who has answered nothing:
// someone invited by mistake, or who will not travel.
func runParticipantsRemove(ctx context.Context, env *environment, args []string) error {
	sess, in, exchangeID, pid, err := openForParticipant(ctx, env, "participants remove", "", args, nil)
	if err != nil {
		return err
	}
	defer sess.Close()
	p, err := sess.store.RemoveParticipant(ctx, exchangeID, pid, in.WaveIDs())
	if err != nil {
		return err
	}
	sess.store.Audit(ctx, staff.Event{At: time.Now(), Actor: "cli", Action: staff.AuditAdminister, Exchange: exchangeID,
		Detail: "participant " + pid + " removed", Note: "removed", Args: []string{pid}})
	fmt.Fprintf(env.stderr, "removed %s (%s) from %s; their personal link no longer works\n", pid, p.Name, exchangeID)
	return nil
}

// runParticipantsErase erases a delegate on request: their identity, and
// with --answers their answers too (see mongostore.EraseParticipant).
func runParticipantsErase(ctx context.Context, env *environment, args []string) error {
	var (
		answers bool
		by      string
	)
	sess, _, exchangeID, pid, err := openForParticipant(ctx, env, "participants erase", "[--answers] [--by EMAIL]", args, func(fs *flagSet) {
		fs.BoolVar(&answers, "answers", false, "erase their answers too (the figures change; sign-offs over them are flagged)")
		fs.StringVar(&by, "by", "cli", "who asked for the erasure, for the log (e.g. the data protection officer's e-mail)")
	})
	if err != nil {
		return err
	}
	defer sess.Close()
	store := sess.store
	n, err := store.EraseParticipant(ctx, exchangeID, pid, answers, by, time.Now())
	if err != nil {
		return err
	}
	what := "identity (name, e-mail, personal link, " + fmt.Sprint(n.Messages) + " message(s)); their answers stay under " + pid
	if answers {
		what = fmt.Sprintf("identity (name, e-mail, personal link, %d message(s)) and answers (%d response(s), %d version(s), %d draft(s))", n.Messages, n.Responses, n.Versions, n.Drafts)
	}
	store.Audit(ctx, staff.Event{At: time.Now(), Actor: by, Action: staff.AuditAdminister, Exchange: exchangeID,
		Detail: "participant " + pid + " erased", Note: "erased", Args: []string{pid}})
	fmt.Fprintf(env.stdout, "erased %s of %s: %s\n", pid, exchangeID, what)
	return nil
}

// runParticipantsExport writes everything stored about one delegate, as
// JSON, for an access request.
func runParticipantsExport(ctx context.Context, env *environment, args []string) error {
	var out string
	sess, in, exchangeID, pid, err := openForParticipant(ctx, env, "participants export", "[--out FILE.json]", args, func(fs *flagSet) {
		fs.StringVar(&out, "out", "", "file to write (default: standard output)")
	})
	if err != nil {
		return err
	}
	defer sess.Close()
	d, err := sess.store.PersonalDataOf(ctx, exchangeID, pid, in.WaveIDs(), time.Now())
	if err != nil {
		return err
	}
	b, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return err
	}
	b = append(b, '\n')
	sess.store.Audit(ctx, staff.Event{At: time.Now(), Actor: "cli", Action: staff.AuditAdminister, Exchange: exchangeID,
		Detail: "personal data of " + pid + " exported", Note: "personal-data-exported", Args: []string{pid}})
	if out == "" {
		_, err = env.stdout.Write(b)
		return err
	}
	if err := os.WriteFile(out, b, 0o600); err != nil {
		return exchange.Errorf(exchange.EINVALID, "cannot write %s: %v", out, err)
	}
	fmt.Fprintf(env.stderr, "wrote %s: everything stored about %s of %s\n", out, pid, exchangeID)
	return nil
}

// openForParticipant parses the flags of a command about one participant
// — --exchange, --participant and those more binds, shown in usage after
// them — then opens the store and finds the exchange and its instrument.
func openForParticipant(ctx context.Context, env *environment, command, usage string, args []string, more func(*flagSet)) (
	sess *session, in *survey.Instrument, exchangeID, pid string, err error) {
	var cfg config
	synopsis := strings.TrimSpace(command + " --exchange ID --participant PID " + usage)
	fs := newFlagSet(env, command, synopsis)
	cfg.bind(fs, env.getenv)
	fs.StringVar(&exchangeID, "exchange", "", "exchange id")
	fs.StringVar(&pid, "participant", "", "pseudonymous id of the participant (as participants list shows it, e.g. P0007)")
	if more != nil {
		more(fs)
	}
	if err := noPositional(fs, args); err != nil {
		return nil, nil, "", "", err
	}
	if exchangeID == "" || pid == "" {
		return nil, nil, "", "", errUsage("usage: exchangeeval " + synopsis)
	}
	if sess, err = cfg.open(ctx, env, command); err != nil {
		return nil, nil, "", "", err
	}
	if _, in, err = sess.exchange(ctx, exchangeID); err != nil {
		sess.Close()
		return nil, nil, "", "", err
	}
	return sess, in, exchangeID, pid, nil
}
