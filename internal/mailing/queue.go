package mailing

import (
	"context"
	"time"

	"github.com/csci/exchangeeval/internal/exchange"
)

// Store is what queueing needs from storage.
type Store interface {
	Participants(ctx context.Context, exchangeID string) ([]*exchange.Participant, error)
	Respondents(ctx context.Context, exchangeID string) (map[string]map[string]bool, error)
	QueueMail(ctx context.Context, exchangeID string, mails []*Mail, now time.Time) (queued []*Mail, already int, err error)
}

// Outcome is what a request to send did, or would do.
type Outcome struct {
	// Planned are the messages written; Queued those stored to send
	// (none in a dry run); Already the participants who have that
	// message already (or a reminder still waiting).
	Planned []*Mail
	Queued  []*Mail
	Already int
	Skipped []Skipped
}

// Queue writes the messages a request asks for and, unless dryRun, puts
// them in the outbox. Only an open wave is invited to or reminded of.
func Queue(ctx context.Context, st Store, r Request, dryRun bool, now time.Time) (*Outcome, error) {
	if r.Kind != ThankYou && !r.Exchange.Waves[r.Wave].Open {
		return nil, exchange.Errorf(exchange.ECONFLICT, "wave %s of %s is closed: open it before inviting to it or reminding of it", r.Wave, r.Exchange.ID)
	}
	people, err := st.Participants(ctx, r.Exchange.ID)
	if err != nil {
		return nil, err
	}
	if r.Kind == Reminder {
		by, err := st.Respondents(ctx, r.Exchange.ID)
		if err != nil {
			return nil, err
		}
		r.Answered = by[r.Wave]
	}
	planned, skipped, err := Plan(r, people)
	if err != nil {
		return nil, err
	}
	out := &Outcome{Planned: planned, Skipped: skipped}
	if dryRun || len(planned) == 0 {
		return out, nil
	}
	out.Queued, out.Already, err = st.QueueMail(ctx, r.Exchange.ID, planned, now)
	return out, err
}

// DueReminder is a wave whose automatic reminder is due.
type DueReminder struct {
	Exchange *exchange.Exchange
	Wave     string
}

// DueReminders lists the open waves whose automatic reminder is due at
// now and not yet sent.
func DueReminders(xs []*exchange.Exchange, now time.Time) []DueReminder {
	var out []DueReminder
	for _, x := range xs {
		for id, w := range x.Waves {
			if at := w.RemindAt(); w.Open && w.RemindedAt == nil && !at.IsZero() && !now.Before(at) && now.Before(w.Closes.AddDate(0, 0, 1)) {
				out = append(out, DueReminder{Exchange: x, Wave: id})
			}
		}
	}
	return out
}
