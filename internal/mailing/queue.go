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

// Resend writes a wave's invitation again, with links under r.BaseURL, to
// each participant who was invited to it — what an admin does when the
// first invitations carried a wrong address. Each is a new message (the
// next number after the participant's invitations so far), so the outbox
// keeps what was sent before and what is sent now.
func Resend(ctx context.Context, st Store, sent []*Mail, r Request, dryRun bool, now time.Time) (*Outcome, error) {
	last := map[string]int{}
	for _, m := range sent {
		if m.Wave == r.Wave && m.Kind == Invitation {
			last[m.Participant] = max(last[m.Participant], m.Seq)
		}
	}
	people, err := st.Participants(ctx, r.Exchange.ID)
	if err != nil {
		return nil, err
	}
	var invited []*exchange.Participant
	for _, p := range people {
		if last[p.PID] > 0 {
			invited = append(invited, p)
		}
	}
	r.Kind = Invitation
	planned, skipped, err := Plan(r, invited)
	if err != nil {
		return nil, err
	}
	for _, m := range planned {
		m.Seq = last[m.Participant] + 1
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
