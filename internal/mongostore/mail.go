package mongostore

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/mailing"
)

// The outbox is kept twice over, each with a natural key:
//
//   - every message, for good, in its exchange's mail collection under
//     "P0001/pre/reminder/2" — the key is the message's identity, so the
//     collection's unique _id is what makes one message never queued
//     twice, on MongoDB and on the embedded store alike;
//   - the messages still to send, in mail_queue, under
//     "<exchange>/P0001/pre/reminder/2", removed once sent or given up.
//     The worker reads this small collection, not every message ever
//     sent, and each message by its key.
//
// A message is queued by inserting its queue entry first, then the
// message: a crash between the two leaves an entry whose message the
// worker rebuilds from the entry's copy, never a message nobody will send.
const collMailQueue = "mail_queue"

// collMailClaims holds, per attempt at a message, which worker makes it:
// _id "<queue key>#<attempt>", claimed by inserting it — an insert is
// atomic on MongoDB and on the embedded store alike, so of two workers
// one gets it. A claim older than mailClaimTTL is taken for abandoned.
const (
	collMailClaims = "mail_claims"
	mailClaimTTL   = 10 * time.Minute
)

// mailDoc is a message under its key: "P0001/pre/reminder/2" in its
// exchange's mail collection, "<exchange>/P0001/pre/reminder/2" in the
// queue, which keeps a whole copy.
type mailDoc struct {
	ID           string `bson:"_id"`
	mailing.Mail `bson:",inline"`
	// SealedBody is the text and HTML, which carry the personal link,
	// sealed (see sealed.go); PlainText and PlainHTML are how releases
	// before sealing stored them, until the upgrade seals them.
	SealedBody []byte `bson:"body_sealed,omitempty"`
	PlainText  string `bson:"text,omitempty"`
	PlainHTML  string `bson:"html,omitempty"`
}

func queueKey(m *mailing.Mail) string { return m.Exchange + "/" + m.Key() }

// QueueMail puts messages in the outbox. Invitations and thanks are
// number 1: one already there (queued, sent or failed) is left alone and
// counted in already. A reminder takes the next number, unless one for
// that participant and wave is still waiting to be sent (a double click
// sends one reminder, not two). Queued returns those stored, numbered.
func (s *Store) QueueMail(ctx context.Context, exchangeID string, mails []*mailing.Mail, now time.Time) (queued []*mailing.Mail, already int, err error) {
	if err := s.prepare(ctx, exchangeID); err != nil {
		return nil, 0, err
	}
	if err := s.outage.check(); err != nil {
		return nil, 0, err
	}
	coll := s.coll(exchangeID, kindMail)
	for _, m := range mails {
		m.Exchange, m.Status, m.Attempts, m.QueuedAt, m.NextAttemptAt = exchangeID, mailing.Queued, 0, now.UTC(), now.UTC()
		switch {
		case m.Kind != mailing.Reminder && m.Seq == 0:
			m.Seq = 1
		case m.Kind != mailing.Reminder:
			// A message sent again (mailing.Resend) brings its number.
		default:
			seq, waiting, err := s.nextReminder(ctx, m)
			if err != nil {
				return queued, already, err
			}
			if waiting {
				already++
				continue
			}
			m.Seq = seq
		}
		existing, err := findByID[mailDoc](ctx, s, coll, m.Key(), "message "+m.Key())
		if err != nil {
			return queued, already, err
		}
		if existing != nil {
			already++
			continue
		}
		if _, err := s.db.Collection(collMailQueue).InsertOne(ctx, s.newMailDoc(queueKey(m), m)); err != nil {
			if isDuplicate(err) {
				already++
				continue
			}
			return queued, already, s.fail("queue message "+queueKey(m), err)
		}
		if _, err := coll.InsertOne(ctx, s.newMailDoc(m.Key(), m)); err != nil && !isDuplicate(err) {
			return queued, already, s.fail("store message "+queueKey(m), err)
		}
		queued = append(queued, m)
	}
	return queued, already, nil
}

// nextReminder finds the number of a participant's next reminder in a
// wave by looking up 1, 2, 3… (a handful at most), and whether the last
// one is still waiting to be sent.
func (s *Store) nextReminder(ctx context.Context, m *mailing.Mail) (seq int, waiting bool, err error) {
	coll := s.coll(m.Exchange, kindMail)
	probe := *m
	for seq = 1; ; seq++ {
		probe.Seq = seq
		d, err := findByID[mailDoc](ctx, s, coll, probe.Key(), "message "+probe.Key())
		if err != nil {
			return 0, false, err
		}
		if d == nil {
			return seq, false, nil
		}
		waiting = d.Status == mailing.Queued
		if waiting {
			return seq, true, nil
		}
	}
}

// DueMail returns queued messages whose next attempt is due, oldest
// first. Entries whose message is already sent or failed (a process that
// stopped between the two writes) are cleared on the way.
func (s *Store) DueMail(ctx context.Context, now time.Time, limit int) ([]*mailing.Mail, error) {
	entries, err := findAll[mailDoc](ctx, s, s.db.Collection(collMailQueue), bson.D{}, nil, "the mail queue")
	if err != nil {
		return nil, err
	}
	slices.SortFunc(entries, func(a, b *mailDoc) int {
		if c := a.QueuedAt.Compare(b.QueuedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	var out []*mailing.Mail
	for _, e := range entries {
		if len(out) == limit {
			break
		}
		if err := s.openMail(e); err != nil {
			return nil, err
		}
		m, err := s.mailOf(ctx, e)
		if err != nil {
			return nil, err
		}
		if m.Status != mailing.Queued {
			if _, err := s.db.Collection(collMailQueue).DeleteOne(ctx, byID(e.ID)); err != nil {
				return nil, s.fail("clear the mail queue", err)
			}
			continue
		}
		if m.NextAttemptAt.After(now) {
			continue
		}
		out = append(out, m)
	}
	return out, nil
}

// mailOf reads the message of a queue entry, storing it from the entry
// when it is missing.
func (s *Store) mailOf(ctx context.Context, e *mailDoc) (*mailing.Mail, error) {
	if err := s.prepare(ctx, e.Exchange); err != nil {
		if exchange.ErrorCode(err) == exchange.ENOTFOUND {
			// The exchange is gone: nothing to send for it.
			m := e.Mail
			m.Status = mailing.Failed
			return &m, nil
		}
		return nil, err
	}
	coll := s.coll(e.Exchange, kindMail)
	d, err := findByID[mailDoc](ctx, s, coll, e.Key(), "message "+e.ID)
	if err != nil {
		return nil, err
	}
	if d == nil {
		m := e.Mail
		if _, err := coll.InsertOne(ctx, s.newMailDoc(e.Key(), &m)); err != nil && !isDuplicate(err) {
			return nil, s.fail("store message "+e.ID, err)
		}
		return &m, nil
	}
	if err := s.openMail(d); err != nil {
		return nil, err
	}
	return &d.Mail, nil
}

// mailClaim is a worker's claim on an attempt at a message: which process
// makes it, and since when.
type mailClaim struct {
	ID   string    `bson:"_id"`
	At   time.Time `bson:"at"`
	Run  string    `bson:"run"`
	Host string    `bson:"host"`
	PID  int       `bson:"pid"`
}

// Claim takes an attempt at a message for this process (see
// collMailClaims). A claim of a process that is gone — killed while
// sending — is taken over at once on its host, after mailClaimTTL from
// elsewhere.
func (s *Store) Claim(ctx context.Context, m *mailing.Mail, now time.Time) (bool, error) {
	id := fmt.Sprintf("%s#%d", queueKey(m), m.Attempts)
	coll := s.db.Collection(collMailClaims)
	host, _ := os.Hostname()
	claim := mailClaim{ID: id, At: now.UTC(), Run: thisRun, Host: host, PID: os.Getpid()}
	for range 3 {
		_, err := coll.InsertOne(ctx, claim)
		if err == nil {
			return s.stillDue(ctx, m)
		}
		if !isDuplicate(err) {
			return false, s.fail("claim message "+id, err)
		}
		held, err := findByID[mailClaim](ctx, s, coll, id, "the claim on message "+id)
		if err != nil {
			return false, err
		}
		if held == nil {
			continue // freed meanwhile
		}
		if !processGone(held.Run, held.Host, held.PID, held.At, mailClaimTTL) {
			return false, nil
		}
		// Abandoned: free it, naming its time, so that a claim just made
		// by another worker is not freed instead.
		if _, err := coll.DeleteOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "at", Value: held.At}}); err != nil {
			return false, s.fail("claim message "+id, err)
		}
	}
	return false, nil
}

// stillDue reads a just-claimed message again: another worker may have
// made this attempt, and settled it and dropped its claim, since this one
// read the queue. The record is written before the claim is dropped, so
// the read sees it.
func (s *Store) stillDue(ctx context.Context, m *mailing.Mail) (bool, error) {
	d, err := findByID[mailDoc](ctx, s, s.coll(m.Exchange, kindMail), m.Key(), "message "+queueKey(m))
	if err != nil {
		return false, err
	}
	return d != nil && d.Status == mailing.Queued && d.Attempts == m.Attempts, nil
}

// MarkSent records a message as sent, then takes it off the queue.
func (s *Store) MarkSent(ctx context.Context, m *mailing.Mail, at time.Time) error {
	at = at.UTC()
	return s.settleMail(ctx, m, bson.D{{Key: "status", Value: mailing.Sent}, {Key: "sent_at", Value: at}, {Key: "attempts", Value: m.Attempts + 1}, {Key: "last_error", Value: ""}}, true)
}

// MarkRetry records a temporary failure and when to try again.
func (s *Store) MarkRetry(ctx context.Context, m *mailing.Mail, reason string, next time.Time) error {
	return s.settleMail(ctx, m, bson.D{{Key: "attempts", Value: m.Attempts + 1}, {Key: "last_error", Value: reason}, {Key: "next_attempt_at", Value: next.UTC()}}, false)
}

// MarkFailed records a message given up, with the server's reason.
func (s *Store) MarkFailed(ctx context.Context, m *mailing.Mail, reason string) error {
	return s.settleMail(ctx, m, bson.D{{Key: "status", Value: mailing.Failed}, {Key: "attempts", Value: m.Attempts + 1}, {Key: "last_error", Value: reason}}, true)
}

func (s *Store) settleMail(ctx context.Context, m *mailing.Mail, set bson.D, done bool) error {
	if _, err := s.coll(m.Exchange, kindMail).UpdateOne(ctx, byID(m.Key()), bson.D{{Key: "$set", Value: set}}); err != nil {
		return s.fail("record message "+queueKey(m), err)
	}
	// The attempt's claim has done its work (the next attempt claims
	// under its own number).
	if _, err := s.db.Collection(collMailClaims).DeleteOne(ctx, byID(fmt.Sprintf("%s#%d", queueKey(m), m.Attempts))); err != nil {
		s.log.Warn("could not drop a message's claim", "message", queueKey(m), "err", err)
	}
	if done {
		if _, err := s.db.Collection(collMailQueue).DeleteOne(ctx, byID(queueKey(m))); err != nil {
			return s.fail("take message "+queueKey(m)+" off the queue", err)
		}
		return nil
	}
	for _, e := range set {
		if e.Key == "next_attempt_at" {
			if _, err := s.db.Collection(collMailQueue).UpdateOne(ctx, byID(queueKey(m)), bson.D{{Key: "$set", Value: bson.D{e}}}); err != nil {
				return s.fail("reschedule message "+queueKey(m), err)
			}
		}
	}
	return nil
}

// RetryFailedMail queues an exchange's failed messages again (after the
// admin has corrected an address, or the server its configuration), with
// their attempts counted afresh. It returns how many.
func (s *Store) RetryFailedMail(ctx context.Context, exchangeID string, now time.Time) (int, error) {
	all, err := s.Mail(ctx, exchangeID)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, m := range all {
		if m.Status != mailing.Failed {
			continue
		}
		m.Status, m.Attempts, m.NextAttemptAt = mailing.Queued, 0, now.UTC()
		if _, err := s.db.Collection(collMailQueue).ReplaceOne(ctx, byID(queueKey(m)), s.newMailDoc(queueKey(m), m), upsert()); err != nil {
			return n, s.fail("queue message "+queueKey(m)+" again", err)
		}
		if _, err := s.coll(exchangeID, kindMail).UpdateOne(ctx, byID(m.Key()), bson.D{{Key: "$set", Value: bson.D{
			{Key: "status", Value: mailing.Queued}, {Key: "attempts", Value: 0}, {Key: "next_attempt_at", Value: now.UTC()}}}}); err != nil {
			return n, s.fail("queue message "+queueKey(m)+" again", err)
		}
		n++
	}
	return n, nil
}

// Mail lists an exchange's messages by participant, wave, kind and number.
func (s *Store) Mail(ctx context.Context, exchangeID string) ([]*mailing.Mail, error) {
	if err := s.prepare(ctx, exchangeID); err != nil {
		return nil, err
	}
	docs, err := findAll[mailDoc](ctx, s, s.coll(exchangeID, kindMail), bson.D{}, nil, "the messages of "+exchangeID)
	if err != nil {
		return nil, err
	}
	out := make([]*mailing.Mail, len(docs))
	for i, d := range docs {
		if err := s.openMail(d); err != nil {
			return nil, err
		}
		m := d.Mail
		out[i] = &m
	}
	slices.SortFunc(out, func(a, b *mailing.Mail) int {
		// Ids by length first: P10000 after P9999.
		return cmp.Or(cmp.Compare(len(a.Participant), len(b.Participant)), strings.Compare(a.Participant, b.Participant),
			strings.Compare(a.Wave, b.Wave), strings.Compare(a.Kind, b.Kind), cmp.Compare(a.Seq, b.Seq))
	})
	return out, nil
}

// MailQueueLength counts the messages still to send, for the metrics.
func (s *Store) MailQueueLength(ctx context.Context) (int, error) {
	n, err := s.db.Collection(collMailQueue).CountDocuments(ctx, bson.D{})
	return int(n), s.fail("count the mail queue", err)
}
