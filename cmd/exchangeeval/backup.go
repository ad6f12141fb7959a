package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"golang.org/x/term"

	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/mongostore"
)

// runBackup writes the whole database to one file while the service
// runs: a second process reaches a running service's embedded store
// through its socket (see mongostore's lock file).
func runBackup(ctx context.Context, env *environment, args []string) error {
	var (
		cfg config
		out string
	)
	fs := newFlagSet(env, "backup", "backup --out FILE.tar.gz")
	cfg.bind(fs, env.getenv)
	fs.StringVar(&out, "out", "", "file to write (written as FILE.partial, renamed when whole)")
	if err := noPositional(fs, args); err != nil {
		return err
	}
	if out == "" {
		return errUsage("usage: exchangeeval backup --out FILE.tar.gz")
	}
	store, err := cfg.openStore(ctx, "backup", cfg.quietLogger(env))
	if err != nil {
		return err
	}
	defer store.Close(context.Background())
	m, err := store.Backup(ctx, out, Version(), progressTo(env.stderr, "backup"))
	if err != nil {
		return err
	}
	docs := int64(0)
	for _, c := range m.Collections {
		docs += c.Documents
	}
	fmt.Fprintf(env.stdout, "wrote %s: database %s, %d collections, %d documents (format %d)\n", out, m.Database, len(m.Collections), docs, m.Format)
	return nil
}

// runRestore loads a backup into the embedded store of --data-dir or the
// MongoDB of MONGODB_URI.
func runRestore(ctx context.Context, env *environment, args []string) error {
	var (
		cfg          config
		drop         bool
		erasuresFrom string
	)
	fs := newFlagSet(env, "restore", "restore [--drop] [--erasures-from NEWER.tar.gz] FILE.tar.gz")
	cfg.bind(fs, env.getenv)
	fs.BoolVar(&drop, "drop", false, "replace what the database holds (without it, only an empty database is restored into)")
	fs.StringVar(&erasuresFrom, "erasures-from", "", "a newer backup whose erasure log is applied again after the restore (its erasures stay erased)")
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return errUsage("usage: exchangeeval restore [--drop] FILE.tar.gz")
	}
	if _, err := os.Stat(rest[0]); err != nil {
		return exchange.Errorf(exchange.ENOTFOUND, "cannot read the backup: %v", err)
	}
	// The newer backup's erasure log is read, and that backup checked,
	// before anything is written.
	var later []mongostore.Erasure
	if erasuresFrom != "" {
		if later, err = mongostore.ErasuresIn(erasuresFrom); err != nil {
			return err
		}
	}
	store, err := cfg.openStore(ctx, "restore", cfg.quietLogger(env))
	if err != nil {
		return err
	}
	defer store.Close(context.Background())
	m, err := store.Restore(ctx, rest[0], drop, progressTo(env.stderr, "restore"))
	if err != nil {
		return err
	}
	docs := int64(0)
	for _, c := range m.Collections {
		docs += c.Documents
	}
	fmt.Fprintf(env.stdout, "restored %s into database %s: %d collections, %d documents, each counted and checked against the backup's SHA-256; taken %s by %s\n",
		rest[0], store.DatabaseName(), len(m.Collections), docs, m.Created.Format("2006-01-02 15:04 MST"), m.Software)
	if m.Reapplied > 0 {
		fmt.Fprintf(env.stdout, "%d erasure(s) made after the backup was taken applied again\n", m.Reapplied)
	}
	if erasuresFrom != "" {
		n, err := store.ReapplyErasures(ctx, later)
		if err != nil {
			return fmt.Errorf("the backup is restored, but the erasures of %s are not all applied (run the restore again): %w", erasuresFrom, err)
		}
		fmt.Fprintf(env.stdout, "%d erasure(s) logged in %s applied again\n", n, erasuresFrom)
	}
	return nil
}

// progressTo shows a backup's or restore's progress on a terminal, on one
// line; elsewhere (a log, a pipe) nothing.
func progressTo(w io.Writer, what string) mongostore.Progress {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	return func(coll string, done, total int) {
		if done == total {
			fmt.Fprintf(w, "\r\033[K%s: %d of %d collections\n", what, done, total)
			return
		}
		fmt.Fprintf(w, "\r\033[K%s: %d of %d collections (%s)", what, done, total, coll)
	}
}
