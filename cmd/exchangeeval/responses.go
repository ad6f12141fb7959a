package main

import (
	"context"
	"fmt"
	"time"

	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/mongostore"
	"github.com/csci/exchangeeval/internal/survey"
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
	instruments, err := cfg.instruments()
	if err != nil {
		return err
	}
	store, err := cfg.openStore(ctx, "responses import", cfg.quietLogger(env))
	if err != nil {
		return err
	}
	defer store.Close(context.Background())
	x, in, err := exchangeAndInstrument(ctx, store, instruments, exchangeID)
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
	res, err := store.ImportResponses(ctx, rows)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "imported %d response(s) into %s: %d new, %d replacing an earlier answer (kept in its history)\n",
		len(rows), exchangeID, res.Added, res.Replaced)
	return nil
}

// exchangeAndInstrument finds an exchange and the instrument it uses.
func exchangeAndInstrument(ctx context.Context, store *mongostore.Store, instruments *survey.Set, id string) (*exchange.Exchange, *survey.Instrument, error) {
	x, err := store.Exchange(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	in := instruments.Get(x.Instrument)
	if in == nil {
		return nil, nil, exchange.Errorf(exchange.EINVALID, "exchange %s uses instrument %s, which is not loaded (add it with --surveys)", x.ID, x.Instrument)
	}
	return x, in, nil
}
