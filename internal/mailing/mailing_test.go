package mailing_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/mailing"
	"github.com/csci/exchangeeval/internal/survey"
)

func TestParseSettings(t *testing.T) {
	for _, c := range []struct {
		url, from string
		want      mailing.Settings
		err       string
	}{
		{"smtp://ana:s3cret@mail.example.org", "Eval <eval@example.org>", mailing.Settings{Host: "mail.example.org", Port: 587, Username: "ana", Password: "s3cret", TLS: mailing.TLSRequired, From: "Eval <eval@example.org>"}, ""},
		{"smtps://mail.example.org", "eval@example.org", mailing.Settings{Host: "mail.example.org", Port: 465, TLS: mailing.TLSImplicit, From: "eval@example.org"}, ""},
		{"smtp://127.0.0.1:2525?tls=none", "eval@example.org", mailing.Settings{Host: "127.0.0.1", Port: 2525, TLS: mailing.TLSNone, From: "eval@example.org"}, ""},
		{"http://mail.example.org", "eval@example.org", mailing.Settings{}, `the scheme must be smtp or smtps, not "http"`},
		{"smtps://h?tls=none", "eval@example.org", mailing.Settings{}, "contradicts"},
		{"smtp://h?tls=maybe", "eval@example.org", mailing.Settings{}, `tls="maybe"`},
		{"smtp://h:99999", "eval@example.org", mailing.Settings{}, "not a port number"},
		{"mail.example.org", "eval@example.org", mailing.Settings{}, "is not a URL"},
		{"smtp://h", "", mailing.Settings{}, "EXCHANGEEVAL_MAIL_FROM is not set"},
		{"smtp://h", "not an address", mailing.Settings{}, "EXCHANGEEVAL_MAIL_FROM"},
	} {
		s, err := mailing.ParseSettings(c.url, c.from)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s: %v, want %q", c.url, err, c.err)
			}
			continue
		}
		if err != nil || *s != c.want {
			t.Errorf("%s: %+v %v", c.url, s, err)
		}
	}
	// A password is never shown back.
	_, err := mailing.ParseSettings("ftp://ana:s3cret@h", "e@example.org")
	if err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("the password is shown: %v", err)
	}
	s, _ := mailing.ParseSettings("smtp://ana:s3cret@h", "e@example.org")
	if strings.Contains(s.String(), "s3cret") {
		t.Errorf("the password is shown: %s", s)
	}
}

// TestRender: values fill the placeholders; the HTML part escapes the
// template and the values and makes the link a link; the subject stays
// one line whatever a name holds; without a deadline the sentence about
// it goes.
func TestRender(t *testing.T) {
	v := mailing.Values{Name: "Léa <b>Petit</b>\r\nBcc: all@example.org", Link: "https://eval.example.org/s/abc?x=1&y=2",
		Wave: "Avant l'échange", Deadline: "1er mars 2027", Exchange: "Chicago & Paris"}
	c := mailing.Render(mailing.Default(mailing.Invitation, "fr"), v, "fr")
	if strings.ContainsAny(c.Subject, "\r\n") || !strings.HasPrefix(c.Subject, "Chicago & Paris : votre questionnaire « Avant l'échange »") {
		t.Errorf("subject %q", c.Subject)
	}
	for _, want := range []string{"Bonjour Léa <b>Petit</b>", "https://eval.example.org/s/abc?x=1&y=2", "d'ici le 1er mars 2027"} {
		if !strings.Contains(c.Text, want) {
			t.Errorf("text lacks %q:\n%s", want, c.Text)
		}
	}
	for _, want := range []string{`<html lang="fr" dir="ltr">`, "Bonjour Léa &lt;b&gt;Petit&lt;/b&gt;", `<a href="https://eval.example.org/s/abc?x=1&amp;y=2">`, "Chicago &amp; Paris", "l&#39;échange"} {
		if !strings.Contains(c.HTML, want) {
			t.Errorf("HTML lacks %q:\n%s", want, c.HTML)
		}
	}
	if strings.Contains(c.HTML, "<b>Petit") {
		t.Errorf("a name's markup reached the HTML")
	}
	v.Deadline = ""
	c = mailing.Render(mailing.Default(mailing.Reminder, "en"), v, "en")
	if strings.Contains(c.Text, "closes") || strings.Contains(c.Text, "{deadline}") || !strings.Contains(c.Text, v.Link) {
		t.Errorf("without a deadline:\n%s", c.Text)
	}
	if got := survey.UnknownPlaceholders("Hello {name}, {nom} {Link} {link}"); strings.Join(got, " ") != "{nom} {Link}" {
		t.Errorf("unknown placeholders: %v", got)
	}
	if mailing.Date("fr", time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)) != "1er mars 2027" || mailing.Date("en", time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)) != "1 March 2027" {
		t.Errorf("dates")
	}
}

// memoryOutbox is an Outbox in memory, for the worker's own rules; the
// real one, on the store, is tested with the store.
type memoryOutbox struct {
	mu   sync.Mutex
	mail []*mailing.Mail
}

func (o *memoryOutbox) DueMail(_ context.Context, now time.Time, limit int) ([]*mailing.Mail, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []*mailing.Mail
	for _, m := range o.mail {
		if m.Status == mailing.Queued && !m.NextAttemptAt.After(now) && len(out) < limit {
			c := *m
			out = append(out, &c)
		}
	}
	return out, nil
}

func (o *memoryOutbox) update(m *mailing.Mail, f func(*mailing.Mail)) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, x := range o.mail {
		if x.Key() == m.Key() {
			f(x)
			return nil
		}
	}
	return errors.New("no such mail")
}

func (o *memoryOutbox) Claim(context.Context, *mailing.Mail, time.Time) (bool, error) {
	return true, nil
}

func (o *memoryOutbox) MarkSent(_ context.Context, m *mailing.Mail, at time.Time) error {
	return o.update(m, func(x *mailing.Mail) { x.Status, x.SentAt, x.Attempts = mailing.Sent, &at, x.Attempts+1 })
}

func (o *memoryOutbox) MarkRetry(_ context.Context, m *mailing.Mail, reason string, next time.Time) error {
	return o.update(m, func(x *mailing.Mail) { x.Attempts, x.LastError, x.NextAttemptAt = x.Attempts+1, reason, next })
}

func (o *memoryOutbox) MarkFailed(_ context.Context, m *mailing.Mail, reason string) error {
	return o.update(m, func(x *mailing.Mail) { x.Status, x.LastError, x.Attempts = mailing.Failed, reason, x.Attempts+1 })
}

type scriptedSender struct {
	mu      sync.Mutex
	replies map[string][]error // by participant: the replies, in turn
	got     []string
}

func (s *scriptedSender) Send(_ context.Context, m *mailing.Mail) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.got = append(s.got, m.Participant)
	if r := s.replies[m.Participant]; len(r) > 0 {
		s.replies[m.Participant] = r[1:]
		return r[0]
	}
	return nil
}

// TestWorkerRetriesWhatMaySucceed: a temporary refusal is tried again
// after its backoff, a permanent one is failed with the server's reason,
// and temporary ones past the limit fail too.
func TestWorkerRetriesWhatMaySucceed(t *testing.T) {
	now := time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC)
	o := &memoryOutbox{}
	for _, p := range []string{"P0001", "P0002", "P0003", "P0004"} {
		o.mail = append(o.mail, &mailing.Mail{Exchange: "x", Participant: p, Wave: "pre", Kind: mailing.Invitation, Seq: 1, Status: mailing.Queued, NextAttemptAt: now})
	}
	busy := &mailing.SendError{Temporary: true, Reason: "421 try again later"}
	s := &scriptedSender{replies: map[string][]error{
		"P0002": {busy},
		"P0003": {&mailing.SendError{Reason: "550 no such mailbox"}},
		"P0004": {busy, busy, busy},
	}}
	w := &mailing.Worker{Outbox: o, Sender: s, MaxAttempts: 3, Now: func() time.Time { return now }}
	res, err := w.SendDue(context.Background())
	if err != nil || res != (mailing.Result{Sent: 1, Retried: 2, Failed: 1}) {
		t.Fatalf("first round: %+v %v", res, err)
	}
	if m := o.mail[2]; m.Status != mailing.Failed || m.LastError != "550 no such mailbox" {
		t.Errorf("permanent refusal: %+v", m)
	}
	if m := o.mail[1]; m.Status != mailing.Queued || !m.NextAttemptAt.Equal(now.Add(time.Minute)) {
		t.Errorf("temporary refusal: %+v", m)
	}
	// Nothing is due before the backoff.
	if res, _ := w.SendDue(context.Background()); res != (mailing.Result{}) {
		t.Errorf("sent before the backoff: %+v", res)
	}
	for range 3 {
		now = now.Add(time.Hour)
		if _, err := w.SendDue(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if o.mail[1].Status != mailing.Sent || o.mail[3].Status != mailing.Failed || o.mail[3].Attempts != 3 {
		t.Errorf("after the retries: %+v %+v", o.mail[1], o.mail[3])
	}
	if !mailing.Temporary(errors.New("connection refused")) {
		t.Errorf("an unclassified error is not retried")
	}
}

// TestPlanSkipsWhomItCannotReach: a participant without a usable address
// is listed, by pseudonymous id, and skipped; each message is in its
// delegate's language, from the instrument's wording when it has one (in
// the base language when not translated), else the service's own.
func TestPlanSkipsWhomItCannotReach(t *testing.T) {
	src := `id: tiny
version: 1
languages: [en, fr, de]
title: {en: Tiny, fr: Petit, de: Klein}
waves:
  - id: pre
    title: {en: Before, fr: Avant, de: Vorher}
    messages:
      invitation:
        subject: {en: "Please, {name}", fr: "S'il vous plaît, {name}"}
        body: {en: "Here: {link}", fr: "Ici : {link}"}
sections:
  - id: s
    heading: {en: S}
    questions:
      - id: note
        type: text
        waves: [pre]
        text: {en: Note}
`
	in, probs := survey.Parse("tiny.yaml", []byte(src))
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	x := &exchange.Exchange{ID: "x", Name: "X", Instrument: "tiny", Waves: map[string]exchange.WaveState{"pre": {Open: true}}}
	people := []*exchange.Participant{
		{PID: "P0001", Name: "Ana", Email: "ana@example.org", Language: "en", Token: "t1"},
		{PID: "P0002", Name: "Léa", Email: "lea@example.org", Language: "fr", Token: "t2"},
		{PID: "P0003", Name: "Jonas", Email: "jonas@example.org", Language: "de", Token: "t3"},
		{PID: "P0004", Name: "Nobody", Email: "", Language: "en", Token: "t4"},
		{PID: "P0005", Name: "Typo", Email: "typo@", Language: "en", Token: "t5"},
	}
	mails, skipped, err := mailing.Plan(mailing.Request{Instrument: in, Exchange: x, Wave: "pre", Kind: mailing.Invitation, BaseURL: "https://e.example.org"}, people)
	if err != nil {
		t.Fatal(err)
	}
	if len(mails) != 3 || len(skipped) != 2 || skipped[0].PID != "P0004" || skipped[1].PID != "P0005" || !strings.Contains(skipped[1].Reason, "typo@") {
		t.Fatalf("%d messages, skipped %+v", len(mails), skipped)
	}
	want := map[string]string{"P0001": "Please, Ana", "P0002": "S'il vous plaît, Léa", "P0003": "Please, Jonas"}
	for _, m := range mails {
		if m.Subject != want[m.Participant] || !strings.Contains(m.Text, "https://e.example.org/s/"+map[string]string{"P0001": "t1", "P0002": "t2", "P0003": "t3"}[m.Participant]+"?wave=pre") {
			t.Errorf("%s: %q\n%s", m.Participant, m.Subject, m.Text)
		}
	}
	// Reminders: the service's own words, and not to those who answered.
	mails, _, _ = mailing.Plan(mailing.Request{Instrument: in, Exchange: x, Wave: "pre", Kind: mailing.Reminder, Answered: map[string]bool{"P0001": true}}, people[:3])
	if len(mails) != 2 || !strings.HasPrefix(mails[0].Subject, "Rappel") && !strings.HasPrefix(mails[1].Subject, "Rappel") {
		t.Errorf("reminders: %d, %q", len(mails), mails[0].Subject)
	}
}
