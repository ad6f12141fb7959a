package mailing

import (
	"context"
	"log/slog"
	"time"

	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/survey"
)

// ServiceStore is what the running service's mailer needs from storage.
type ServiceStore interface {
	Store
	Outbox
	Exchanges(ctx context.Context) ([]*exchange.Exchange, error)
	MarkReminded(ctx context.Context, id, wave string, at time.Time) error
}

// Service is the mailer of a running service: it sends the outbox as it
// fills, and queues each wave's automatic reminder when it is due.
type Service struct {
	Store       ServiceStore
	Worker      *Worker
	Instruments survey.Source
	BaseURL     string
	// Reminded is told of each automatic reminder queued (the audit trail).
	Reminded func(ctx context.Context, x *exchange.Exchange, wave string, out *Outcome)
	Log      *slog.Logger
}

// Run works until ctx ends: the outbox every few seconds, the reminders
// every minute.
func (s *Service) Run(ctx context.Context) {
	go s.Worker.Run(ctx, 5*time.Second)
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		if err := s.QueueDueReminders(ctx, time.Now()); err != nil && ctx.Err() == nil {
			s.Log.Error("automatic reminders", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// QueueDueReminders queues the reminders that are due at now, and marks
// each wave reminded so that it is reminded once.
func (s *Service) QueueDueReminders(ctx context.Context, now time.Time) error {
	xs, err := s.Store.Exchanges(ctx)
	if err != nil {
		return err
	}
	for _, due := range DueReminders(xs, now) {
		in := due.Exchange.InstrumentIn(s.Instruments.Set())
		if in == nil {
			continue
		}
		out, err := Queue(ctx, s.Store, Request{Instrument: in, Exchange: due.Exchange, Wave: due.Wave, Kind: Reminder, BaseURL: s.BaseURL}, false, now)
		if err != nil {
			return err
		}
		if err := s.Store.MarkReminded(ctx, due.Exchange.ID, due.Wave, now); err != nil {
			return err
		}
		if s.Reminded != nil {
			s.Reminded(ctx, due.Exchange, due.Wave, out)
		}
	}
	return nil
}
