package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"github.com/csci/exchangeeval/internal/i18n"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"golang.org/x/term"

	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/staff"
)

// userSynopses are the users subcommands, each with the flags it takes.
var userSynopses = []synopsis{
	{"add", "users add --email E --role admin|evaluator|committee [--name N] [--language fr] [--exchange ID ...]"},
	{"list", "users list"},
	{"disable", "users disable --email E"},
	{"enable", "users enable --email E"},
	{"reset-password", "users reset-password --email E"},
	{"reset-two-factor", "users reset-two-factor --email E"},
	{"assign", "users assign --email E --exchange ID [--exchange ID ...]"},
	{"unassign", "users unassign --email E --exchange ID [--exchange ID ...]"},
}

func runUsers(ctx context.Context, env *environment, args []string) error {
	return runGroup(ctx, env, "users", subcommandsOf(userSynopses, runUsersSub), args)
}

func runUsersSub(ctx context.Context, env *environment, sub, synopsis string, args []string) error {
	var (
		cfg                   config
		email, name, language string
		roles, exchanges      listFlag
	)
	fs := newFlagSet(env, "users "+sub, synopsis)
	cfg.bind(fs, env.getenv)
	if sub != "list" {
		fs.StringVar(&email, "email", "", "the account's e-mail")
	}
	switch sub {
	case "add":
		fs.StringVar(&name, "name", "", "display name")
		fs.StringVar(&language, "language", "en", "language of the staff pages: one the interface speaks (en, fr, es, de, pt, ar, zh, or one added with --translations)")
		fs.Var(&roles, "role", "admin, evaluator or committee (repeat for several)")
		fs.Var(&exchanges, "exchange", "for committee members: an exchange they review (repeat for several)")
	case "assign", "unassign":
		fs.Var(&exchanges, "exchange", "an exchange they review (repeat for several)")
	}
	if err := noPositional(fs, args); err != nil {
		return err
	}
	email = strings.ToLower(strings.TrimSpace(email))
	if sub != "list" && email == "" {
		return errUsage(fmt.Sprintf("users %s needs --email", sub))
	}
	store, err := cfg.openStore(ctx, "users "+sub, cfg.quietLogger(env))
	if err != nil {
		return err
	}
	defer store.Close(context.Background())
	switch sub {
	case "add":
		var rs []string
		for _, r := range roles {
			rs = append(rs, strings.Split(r, ",")...)
		}
		if !interfaceSpeaks(language) {
			return exchange.Errorf(exchange.EINVALID, "--language must be one the interface speaks: %s", strings.Join(i18n.Active().Languages(), ", "))
		}
		for _, id := range exchanges {
			if _, err := store.Exchange(ctx, id); err != nil {
				return err
			}
		}
		pw, err := readPassword(env, "Password for "+email)
		if err != nil {
			return err
		}
		u, err := staff.NewUser(email, name, rs, pw, time.Now())
		if err != nil {
			return err
		}
		u.Language, u.Exchanges = language, exchanges
		if err := store.CreateUser(ctx, u); err != nil {
			return err
		}
		fmt.Fprintf(env.stdout, "created %s (%s)\n", u.Email, strings.Join(u.Roles, ", "))
	case "list":
		users, err := store.Users(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(env.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "EMAIL\tNAME\tROLES\tEXCHANGES\tLANGUAGE\tSTATE")
		for _, u := range users {
			state := "active"
			if u.Disabled {
				state = "disabled"
			}
			if u.TOTP.Enabled {
				state += ", two-factor"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", u.Email, u.Name, strings.Join(u.Roles, ","), strings.Join(u.Exchanges, ","), u.Language, state)
		}
		return tw.Flush()
	case "disable", "enable":
		if err := store.SetDisabled(ctx, email, sub == "disable"); err != nil {
			return err
		}
		fmt.Fprintf(env.stdout, "%s is now %sd\n", email, sub)
	case "reset-password":
		if _, err := store.User(ctx, email); err != nil {
			return err
		}
		pw, err := readPassword(env, "New password for "+email)
		if err != nil {
			return err
		}
		hash, err := staff.HashPassword(pw)
		if err != nil {
			return err
		}
		if err := store.SetPassword(ctx, email, hash); err != nil {
			return err
		}
		fmt.Fprintf(env.stdout, "password of %s changed; its sessions have ended\n", email)
	case "reset-two-factor":
		// For the admin who lost both phone and recovery codes, with no
		// other admin to reset it in the browser.
		if err := store.DisableTOTP(ctx, email); err != nil {
			return err
		}
		store.Audit(ctx, staff.Event{At: time.Now(), Actor: "exchangeeval", Action: staff.AuditAdminister,
			Detail: "the two-factor sign-in of " + email + " was reset from the command line", Note: "user-two-factor-reset", Args: []string{email}})
		fmt.Fprintf(env.stdout, "two-factor sign-in of %s removed: it signs in with its password until it sets it up again\n", email)
	case "assign", "unassign":
		// assign adds and unassign removes: neither touches the exchanges
		// it does not name. An exchange being assigned must exist; one
		// being unassigned need not (it may have been deleted).
		if len(exchanges) == 0 {
			return errUsage(fmt.Sprintf("users %s needs --exchange ID (repeat for several)", sub))
		}
		if sub == "assign" {
			for _, id := range exchanges {
				if _, err := store.Exchange(ctx, id); err != nil {
					return err
				}
			}
		}
		now, err := store.AssignExchanges(ctx, email, exchanges, sub == "assign")
		if err != nil {
			return err
		}
		args := []string{sub, email, strings.Join(exchanges, ",")}
		store.Audit(ctx, staff.Event{At: time.Now(), Actor: "cli", Action: staff.AuditAdminister, Detail: "command line: users " + strings.Join(args, " "), Note: "cli-user", Args: args})
		fmt.Fprintf(env.stdout, "%s now reviews: %s\n", email, orNone(now))
	}
	return nil
}

// readPassword reads a password: from the terminal without echo (asked
// twice), or else the first line of standard input — never from the command
// line, where other users and shell history would see it.
func readPassword(env *environment, prompt string) (string, error) {
	if f, ok := env.stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(env.stderr, prompt+": ")
		first, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(env.stderr)
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		fmt.Fprint(env.stderr, "Again: ")
		second, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(env.stderr)
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		if string(first) != string(second) {
			return "", exchange.Errorf(exchange.EINVALID, "the two passwords differ")
		}
		return string(first), nil
	}
	line, err := bufio.NewReader(env.stdin).ReadString('\n')
	if err != nil && !errors.Is(err, os.ErrClosed) && line == "" {
		return "", exchange.Errorf(exchange.EINVALID, "no password given: type it when asked, or send it on standard input")
	}
	return strings.TrimRight(line, "\r\n"), nil
}

const tokensCreateSynopsis = "tokens create --user EMAIL [--name NAME] [--expires-in 90d]"

func runTokens(ctx context.Context, env *environment, args []string) error {
	return runGroup(ctx, env, "tokens", []subcommand{
		{"create", tokensCreateSynopsis, runTokensCreate},
		{"list", "tokens list [--user EMAIL]", runTokensList},
		{"revoke", "tokens revoke ID", runTokensRevoke},
	}, args)
}

// runTokensList lists API tokens: id, account, name, created, expires.
func runTokensList(ctx context.Context, env *environment, args []string) error {
	var cfg config
	var user string
	fs := newFlagSet(env, "tokens list", "tokens list [--user EMAIL]")
	cfg.bind(fs, env.getenv)
	fs.StringVar(&user, "user", "", "only this account's tokens")
	if err := noPositional(fs, args); err != nil {
		return err
	}
	store, err := cfg.openStore(ctx, "tokens list", cfg.quietLogger(env))
	if err != nil {
		return err
	}
	defer store.Close(context.Background())
	ts, err := store.Tokens(ctx, strings.ToLower(user))
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(env.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tUSER\tNAME\tCREATED\tEXPIRES")
	now := time.Now()
	for _, t := range ts {
		expires := t.Expires().UTC().Format(time.DateOnly)
		if !now.Before(t.Expires()) {
			expires += " (expired)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", t.ID(), t.User, t.Name, t.CreatedAt.UTC().Format(time.DateOnly), expires)
	}
	return tw.Flush()
}

// runTokensRevoke deletes one API token, by the id tokens list shows.
func runTokensRevoke(ctx context.Context, env *environment, args []string) error {
	var cfg config
	fs := newFlagSet(env, "tokens revoke", "tokens revoke ID")
	cfg.bind(fs, env.getenv)
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return errUsage("usage: exchangeeval tokens revoke ID (tokens list shows the ids)")
	}
	store, err := cfg.openStore(ctx, "tokens revoke", cfg.quietLogger(env))
	if err != nil {
		return err
	}
	defer store.Close(context.Background())
	t, err := store.RevokeToken(ctx, rest[0])
	if err != nil {
		return err
	}
	store.Audit(ctx, staff.Event{At: time.Now(), Actor: t.User, Action: staff.AuditTokenRevoked, Detail: t.Name, Note: "token", Args: []string{t.Name}})
	fmt.Fprintf(env.stdout, "revoked API token %s (%s) of %s\n", t.ID(), t.Name, t.User)
	return nil
}

func runTokensCreate(ctx context.Context, env *environment, args []string) error {
	var cfg config
	var user, name string
	fs := newFlagSet(env, "tokens create", tokensCreateSynopsis)
	cfg.bind(fs, env.getenv)
	fs.StringVar(&user, "user", "", "the account the token acts as")
	fs.StringVar(&name, "name", "script", "what the token is for")
	var expiresIn string
	fs.StringVar(&expiresIn, "expires-in", "90d", "how long the token works: 30d, 90d, 365d")
	if err := noPositional(fs, args); err != nil {
		return err
	}
	ttl, err := parseDays(expiresIn)
	if err != nil || ttl <= 0 || ttl > 730*24*time.Hour {
		return errUsage(fmt.Sprintf("--expires-in %q: a number of days from 1 to 730, e.g. 90d", expiresIn))
	}
	if user == "" {
		return errUsage("usage: exchangeeval tokens create --user EMAIL [--name NAME]")
	}
	store, err := cfg.openStore(ctx, "tokens create", cfg.quietLogger(env))
	if err != nil {
		return err
	}
	defer store.Close(context.Background())
	u, err := store.User(ctx, strings.ToLower(user))
	if err != nil {
		return err
	}
	if u.Disabled {
		return exchange.Errorf(exchange.EINVALID, "%s is disabled", u.Email)
	}
	secret, hash := staff.NewSecret()
	tok := &staff.APIToken{Hash: hash, User: u.Email, Name: name, CreatedAt: time.Now().UTC(), ExpiresAt: time.Now().UTC().Add(ttl)}
	if err := store.CreateToken(ctx, tok); err != nil {
		return err
	}
	store.Audit(ctx, staff.Event{At: time.Now(), Actor: u.Email, Action: staff.AuditTokenCreated, Detail: name, Note: "token", Args: []string{name}})
	fmt.Fprintf(env.stderr, "API token %s for %s (%s), valid until %s. It is shown once; send it as Authorization: Bearer <token>. Revoke it with: exchangeeval tokens revoke %s\n",
		tok.ID(), u.Email, name, tok.ExpiresAt.Format(time.DateOnly), tok.ID())
	fmt.Fprintln(env.stdout, secret)
	return nil
}
