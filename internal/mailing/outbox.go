package mailing

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/csci/exchangeeval/internal/metrics"
)

// Statuses of a message.
const (
	Queued = "queued"
	Sent   = "sent"
	Failed = "failed"
)

// Mail is one message in the outbox: stored before it is sent, and kept
// after, with what happened to it. It is identified by its exchange,
// participant, wave, kind and sequence number (invitations and thanks are
// number 1; each reminder takes the next), so that one message is never
// queued twice.
type Mail struct {
	Exchange    string `bson:"exchange" json:"exchange"`
	Participant string `bson:"participant" json:"participant"`
	Wave        string `bson:"wave" json:"wave"`
	Kind        string `bson:"kind" json:"kind"`
	Seq         int    `bson:"seq" json:"seq"`
	Language    string `bson:"language" json:"language"`
	// To is the delegate's address: admins see it, analytic outputs never.
	To      string `bson:"to" json:"to"`
	Name    string `bson:"name" json:"name"`
	Subject string `bson:"subject" json:"subject"`
	// Text and HTML carry the personal link: the store keeps them sealed.
	Text string `bson:"-" json:"-"`
	HTML string `bson:"-" json:"-"`

	Status        string     `bson:"status" json:"status"`
	Attempts      int        `bson:"attempts" json:"attempts"`
	LastError     string     `bson:"last_error,omitempty" json:"last_error,omitempty"`
	QueuedAt      time.Time  `bson:"queued_at" json:"queued_at"`
	NextAttemptAt time.Time  `bson:"next_attempt_at" json:"next_attempt_at"`
	SentAt        *time.Time `bson:"sent_at,omitempty" json:"sent_at,omitempty"`
}

// Key is the message's identity within its exchange: "P0001/pre/reminder/2".
func (m *Mail) Key() string { return fmt.Sprintf("%s/%s/%s/%d", m.Participant, m.Wave, m.Kind, m.Seq) }

// MessageID is the Message-ID header: the same for every attempt, so that
// a message sent again after a crash (see Worker) is one message to a mail
// client that removes duplicates.
func (m *Mail) MessageID(domain string) string {
	return fmt.Sprintf("<%s.%s.%s.%s.%d@%s>", m.Exchange, m.Participant, m.Wave, m.Kind, m.Seq, domain)
}

// SendError is a refusal by the mail server or a failure to reach it.
// Temporary ones (4xx, a server that does not answer) are tried again
// later; permanent ones (5xx: no such mailbox, a refused address) are not.
type SendError struct {
	Temporary bool
	Reason    string
}

func (e *SendError) Error() string { return e.Reason }

// Temporary reports whether err may succeed if tried later. An error
// that is not a *SendError is taken as temporary: better a retry than a
// message given up.
func Temporary(err error) bool {
	var se *SendError
	if errors.As(err, &se) {
		return se.Temporary
	}
	return true
}

// Outbox is where messages wait: the store.
type Outbox interface {
	// DueMail returns up to limit queued messages whose next attempt is
	// due at now, oldest first.
	DueMail(ctx context.Context, now time.Time, limit int) ([]*Mail, error)
	// MarkSent records a message sent; MarkRetry a temporary failure and
	// when to try again; MarkFailed a permanent one.
	// Claim takes a message for this worker's attempt: false when
	// another worker (another process) has it. A claim left by a process
	// that died lapses after a while.
	Claim(ctx context.Context, m *Mail, now time.Time) (bool, error)
	MarkSent(ctx context.Context, m *Mail, at time.Time) error
	MarkRetry(ctx context.Context, m *Mail, reason string, next time.Time) error
	MarkFailed(ctx context.Context, m *Mail, reason string) error
}

// Sender hands a message to the mail server.
type Sender interface {
	Send(ctx context.Context, m *Mail) error
}

// Worker sends what the outbox holds, at a steady rate.
//
// A message is marked sent after the server has accepted it. A process
// that dies between the two leaves it queued, and the next run sends it
// again: at most one duplicate per message, in that window only, never a
// loss. The duplicate carries the same Message-ID.
type Worker struct {
	Outbox Outbox
	Sender Sender
	// Rate is how many messages a second at most; 0 for no limit.
	Rate float64
	// MaxAttempts is how many temporary failures make a message failed.
	MaxAttempts int
	// Backoff is the wait before the attempt after the n-th failure.
	Backoff func(n int) time.Duration
	Now     func() time.Time
	Log     *slog.Logger
}

// DefaultRate, DefaultMaxAttempts: two messages a second (gentle with a
// shared relay), and eight tries over about four hours.
const (
	DefaultRate        = 2
	DefaultMaxAttempts = 8
)

// DefaultBackoff doubles from a minute: 1, 2, 4 … 64 minutes.
func DefaultBackoff(n int) time.Duration { return time.Minute << min(n-1, 6) }

// batch is how many due messages the worker takes at a time: the embedded
// store reads the whole queue for each batch, so a large outbox goes in
// few reads.
const batch = 1000

// Result counts what a round did.
type Result struct{ Sent, Retried, Failed int }

// SendDue sends every message due now, and reports what happened. It
// stops at the first error of the outbox itself (the database), which it
// returns; the mail server's errors are recorded on their messages.
func (w *Worker) SendDue(ctx context.Context) (Result, error) {
	var res Result
	now := w.now()
	var tick *time.Ticker
	if w.Rate > 0 {
		tick = time.NewTicker(time.Duration(float64(time.Second) / w.Rate))
		defer tick.Stop()
	}
	first := true
	for {
		due, err := w.Outbox.DueMail(ctx, now, batch)
		if err != nil || len(due) == 0 {
			return res, err
		}
		before := res
		for _, m := range due {
			if tick != nil && !first {
				select {
				case <-ctx.Done():
					return res, ctx.Err()
				case <-tick.C:
				}
			}
			first = false
			if err := w.sendOne(ctx, m, &res); err != nil {
				return res, err
			}
		}
		if res == before {
			// Every message due is another worker's: theirs to send.
			return res, nil
		}
		now = w.now()
	}
}

func (w *Worker) sendOne(ctx context.Context, m *Mail, res *Result) error {
	// Two workers (a serve and a mail send, or two serves on one MongoDB)
	// never send the same attempt: whoever claims it first does.
	mine, err := w.Outbox.Claim(ctx, m, w.now())
	if err != nil || !mine {
		return err
	}
	err = w.Sender.Send(ctx, m)
	switch {
	case err == nil:
		res.Sent++
		metrics.Mail("sent")
		return w.Outbox.MarkSent(ctx, m, w.now())
	case ctx.Err() != nil:
		return ctx.Err()
	case !Temporary(err) || m.Attempts+1 >= w.maxAttempts():
		res.Failed++
		metrics.Mail("failed")
		w.log().Warn("message not delivered", "exchange", m.Exchange, "participant", m.Participant, "wave", m.Wave, "kind", m.Kind, "err", err)
		return w.Outbox.MarkFailed(ctx, m, err.Error())
	default:
		res.Retried++
		metrics.Mail("retried")
		backoff := DefaultBackoff
		if w.Backoff != nil {
			backoff = w.Backoff
		}
		return w.Outbox.MarkRetry(ctx, m, err.Error(), w.now().Add(backoff(m.Attempts+1)))
	}
}

// Run sends due messages every poll until ctx ends; errors are logged and
// the next round tries again.
func (w *Worker) Run(ctx context.Context, poll time.Duration) {
	t := time.NewTicker(poll)
	defer t.Stop()
	for {
		if res, err := w.SendDue(ctx); err != nil && ctx.Err() == nil {
			w.log().Error("sending e-mail", "err", err)
		} else if res != (Result{}) {
			w.log().Info("e-mail sent", "sent", res.Sent, "retried", res.Retried, "failed", res.Failed)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (w *Worker) now() time.Time {
	if w.Now != nil {
		return w.Now()
	}
	return time.Now()
}

func (w *Worker) maxAttempts() int {
	if w.MaxAttempts > 0 {
		return w.MaxAttempts
	}
	return DefaultMaxAttempts
}

func (w *Worker) log() *slog.Logger {
	if w.Log != nil {
		return w.Log
	}
	return slog.Default()
}
