package main

import (
	"context"
	"fmt"
	"time"

	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/workbook"
)

func runResponses(ctx context.Context, env *environment, args []string) error {
	if len(args) == 0 || args[0] != "import" {
		return errUsage("usage: exchangeeval responses import --exchange ID FILE")
	}
	var (
		cfg        config
		exchangeID string
	)
	fs := newFlagSet(env, "responses import", "responses import --exchange ID FILE")
	cfg.bind(fs, env.getenv)
	fs.StringVar(&exchangeID, "exchange", "", "exchange id")
	rest, err := parseFlags(fs, args[1:])
	if err != nil {
		return err
	}
	if exchangeID == "" || len(rest) != 1 {
		return errUsage("usage: exchangeeval responses import --exchange ID FILE")
	}
	path := rest[0]
	// An evaluator workbook is read from its Responses sheet.
	table, err := readTableFile(path, workbook.SheetResponses)
	if err != nil {
		return err
	}
	sess, err := cfg.open(ctx, env, "responses import")
	if err != nil {
		return err
	}
	defer sess.Close()
	store := sess.store
	x, in, err := sess.exchange(ctx, exchangeID)
	if err != nil {
		return err
	}
	ps, err := store.Participants(ctx, exchangeID)
	if err != nil {
		return err
	}
	rows, err := exchange.ParseResponses(table, in, x, ps, time.Now())
	if err != nil {
		return inFile(path, err)
	}
	res, err := store.ImportResponses(ctx, exchangeID, rows)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "imported %d response(s) into %s: %d new, %d replacing an earlier answer (kept in its history)\n",
		len(rows), exchangeID, res.Added, res.Replaced)
	return nil
}
