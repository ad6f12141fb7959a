package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/mongostore"
	"github.com/csci/exchangeeval/internal/survey"
)

// retentionEvery is how often serve looks for exchanges whose retention
// period has passed: a day's delay in an erasure due a year after the
// evaluation is nothing, and an hour costs nothing.
const retentionEvery = time.Hour

// keepRetention erases the identifying data of exchanges past their
// retention period, at start (a restored backup is brought up to date at
// once) and then every retentionEvery, until ctx ends.
func keepRetention(ctx context.Context, store *mongostore.Store, catalog *survey.Catalog, log *slog.Logger) {
	for {
		instrumentOf := func(x *exchange.Exchange) *survey.Instrument { return x.InstrumentIn(catalog.Set()) }
		erased, err := store.EraseDueIdentities(ctx, instrumentOf, time.Now())
		if err != nil && ctx.Err() == nil {
			log.Error("erase identities past their retention", "err", err)
		}
		for _, id := range erased {
			log.Info("retention: identities erased, answers kept", "exchange", id)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(retentionEvery):
		}
	}
}
