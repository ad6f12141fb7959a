package mailing_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/csci/exchangeeval"
	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/mailing"
	"github.com/csci/exchangeeval/internal/mongostore"
	"github.com/csci/exchangeeval/internal/mongostore/storetest"
	"github.com/csci/exchangeeval/internal/smtpsend"
	"github.com/csci/exchangeeval/internal/smtpsend/smtptest"
	"github.com/csci/exchangeeval/internal/survey"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

// invitedExchange is an exchange of n delegates in the store, its pre
// wave open and their invitations queued.
func invitedExchange(t testing.TB, n int) (*mongostore.Store, *survey.Instrument, *exchange.Exchange) {
	t.Helper()
	ctx := context.Background()
	ins, probs := survey.LoadFS(exchangeeval.Surveys, "surveys", "surveys/")
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	in := survey.NewSet(ins...).Get("csci-social-services")
	s := storetest.Open(t)
	x, err := exchange.NewExchange{ID: "x1", Instrument: in.ID, Name: "Chicago–Paris 2027", HostCity: "Paris", VisitingCity: "Chicago",
		Start: "2027-04-11", End: "2027-04-17"}.Build(survey.NewSet(in), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CreateExchange(ctx, x); err != nil {
		t.Fatal(err)
	}
	var rows []exchange.ParticipantRow
	for i := range n {
		rows = append(rows, exchange.ParticipantRow{Row: i + 2, Name: fmt.Sprint("Delegate ", i), Email: fmt.Sprintf("d%d@example.org", i), Language: []string{"en", "fr"}[i%2], Side: "host"})
	}
	if _, err := s.ImportParticipants(ctx, "x1", rows, time.Now()); err != nil {
		t.Fatal(err)
	}
	if x, err = s.SetWave(ctx, "x1", "pre", true, time.Now()); err != nil {
		t.Fatal(err)
	}
	out, err := mailing.Queue(ctx, s, mailing.Request{Instrument: in, Exchange: x, Wave: "pre", Kind: mailing.Invitation, BaseURL: "https://eval.example.org"}, false, time.Now())
	if err != nil || len(out.Queued) != n {
		t.Fatalf("queue: %v %+v", err, out)
	}
	return s, in, x
}

func worker(t testing.TB, s *mongostore.Store, srv *smtptest.Server) *mailing.Worker {
	settings, err := mailing.ParseSettings(srv.URL(), "eval@example.org")
	if err != nil {
		t.Fatal(err)
	}
	return &mailing.Worker{Outbox: s, Sender: smtpsend.New(*settings), Backoff: func(int) time.Duration { return 0 }, MaxAttempts: 5}
}

// TestA421ThenAcceptDeliversEachOnce: the server answers every first
// attempt with 421 and accepts the next: each delegate gets exactly one.
func TestA421ThenAcceptDeliversEachOnce(t *testing.T) {
	const n = 40
	s, _, _ := invitedExchange(t, n)
	srv := smtptest.Start(t)
	var mu sync.Mutex
	tried := map[string]bool{}
	srv.Refuse(func(_ int, to []string) *smtp.SMTPError {
		mu.Lock()
		defer mu.Unlock()
		if !tried[to[0]] {
			tried[to[0]] = true
			return &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
		}
		return nil
	})
	res, err := worker(t, s, srv).SendDue(context.Background())
	if err != nil || res.Sent != n || res.Retried != n || res.Failed != 0 {
		t.Fatalf("%+v %v", res, err)
	}
	to := srv.To()
	for i := range n {
		if got := to[fmt.Sprintf("d%d@example.org", i)]; got != 1 {
			t.Errorf("d%d received %d", i, got)
		}
	}
}

// TestAServerDownLosesNothing: with the server down every message stays
// queued with the reason; when it is back, each is sent once.
func TestAServerDownLosesNothing(t *testing.T) {
	const n = 25
	s, _, _ := invitedExchange(t, n)
	srv := smtptest.Start(t)
	w := worker(t, s, srv)
	srv.Stop()
	// Each failure waits an hour, on a clock the test moves.
	now := time.Now()
	w.Now, w.Backoff = func() time.Time { return now }, func(int) time.Duration { return time.Hour }
	ctx := context.Background()
	res, err := w.SendDue(ctx)
	if err == nil && res.Sent != 0 {
		t.Fatalf("sent with the server down: %+v", res)
	}
	all, _ := s.Mail(ctx, "x1")
	for _, m := range all {
		if m.Status != mailing.Queued || m.LastError == "" {
			t.Fatalf("with the server down: %+v", m)
		}
	}
	srv.Restart()
	if res, err := w.SendDue(ctx); err != nil || res.Sent != 0 {
		t.Fatalf("sent before the backoff: %+v %v", res, err)
	}
	now = now.Add(2 * time.Hour)
	if res, err := w.SendDue(ctx); err != nil || res.Sent != n {
		t.Fatalf("after the server came back: %+v %v", res, err)
	}
	if len(srv.Received()) != n {
		t.Errorf("%d received, want %d", len(srv.Received()), n)
	}
}

// TestTheAutomaticReminderGoesOnceWhenDue: a wave closing in two days with
// a reminder three days before is due now; the reminder goes to those who
// have not answered, once however often the service looks.
func TestTheAutomaticReminderGoesOnceWhenDue(t *testing.T) {
	const n = 6
	s, in, _ := invitedExchange(t, n)
	ctx := context.Background()
	closes := time.Now().UTC().AddDate(0, 0, 2).Truncate(24 * time.Hour)
	if _, err := s.SetWaveSchedule(ctx, "x1", "pre", nil, &closes, 3*24*time.Hour); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SaveResponse(ctx, &exchange.Response{Exchange: "x1", Participant: "P0001", Wave: "pre", Instrument: in.ID, InstrumentVersion: in.Version,
		Language: "en", Answers: survey.Answers{"fund_corporate": 3}, Source: exchange.SourceWeb, SubmittedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	var reminded []int
	svc := &mailing.Service{Store: s, Instruments: survey.NewSet(in), BaseURL: "https://eval.example.org",
		Reminded: func(_ context.Context, _ *exchange.Exchange, _ string, out *mailing.Outcome) {
			reminded = append(reminded, len(out.Queued))
		}}
	// Not yet due a week earlier.
	if err := svc.QueueDueReminders(ctx, closes.AddDate(0, 0, -7)); err != nil || len(reminded) != 0 {
		t.Fatalf("a week before: %v %v", err, reminded)
	}
	for range 2 {
		if err := svc.QueueDueReminders(ctx, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	if len(reminded) != 1 || reminded[0] != n-1 {
		t.Fatalf("reminders queued: %v, want one round of %d", reminded, n-1)
	}
	all, _ := s.Mail(ctx, "x1")
	for _, m := range all {
		if m.Kind == mailing.Reminder && m.Participant == "P0001" {
			t.Errorf("the delegate who answered is reminded")
		}
		if m.Kind == mailing.Reminder && !strings.Contains(m.Text, mailing.Date(m.Language, closes)) {
			t.Errorf("the reminder does not name the closing day:\n%s", m.Text)
		}
	}
}

// TestTwoWorkersSendEachMessageOnce: two processes' workers (a serve and a
// mail send on one database) send the same outbox at once; each message
// goes once.
func TestTwoWorkersSendEachMessageOnce(t *testing.T) {
	const n = 60
	s, _, _ := invitedExchange(t, n)
	other := storetest.Reopen(t, s)
	srv := smtptest.Start(t)
	var wg sync.WaitGroup
	results := make([]mailing.Result, 2)
	for i, st := range []*mongostore.Store{s, other} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := worker(t, st, srv).SendDue(context.Background())
			if err != nil {
				t.Error(err)
			}
			results[i] = res
		}()
	}
	wg.Wait()
	if results[0].Sent+results[1].Sent != n || len(srv.Received()) != n {
		t.Fatalf("sent %+v, received %d, want %d in all", results, len(srv.Received()), n)
	}
	for addr, k := range srv.To() {
		if k != 1 {
			t.Errorf("%s received %d", addr, k)
		}
	}
	t.Logf("the workers sent %d and %d", results[0].Sent, results[1].Sent)
}
