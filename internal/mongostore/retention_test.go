package mongostore

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/csci/exchangeeval"
	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/staff"
	"github.com/csci/exchangeeval/internal/survey"
)

// TestIdentitiesAreErasedWhenTheRetentionEnds: with every wave of an
// exchange closed, nothing is erased before its retention period ends
// (three months here); after it, every delegate's name, e-mail, link and
// messages are gone from the collections and the SQLite files, their
// answers stay, the exchange says when, and the audit trail says so. Run
// again, it erases nothing more.
func TestIdentitiesAreErasedWhenTheRetentionEnds(t *testing.T) {
	if os.Getenv("MONGODB_URI") != "" {
		t.Skip("MONGODB_URI is set: the embedded store's files are unavailable to search")
	}
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(ctx, Config{Database: "retention", DataDir: dir, Secret: testSecret})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(ctx)
	ins, _ := survey.LoadFS(exchangeeval.Surveys, "surveys", "surveys/")
	in := survey.NewSet(ins...).Get("csci-social-services")
	if err := s.CreateExchange(ctx, &exchange.Exchange{ID: "x1", Name: "X", Instrument: in.ID, RetentionMonths: 3, Waves: map[string]exchange.WaveState{}}); err != nil {
		t.Fatal(err)
	}
	delegates := answeredAndMailed(t, s, "Retained Until", "Second Delegate")
	closed := time.Date(2026, 3, 20, 12, 0, 0, 0, time.UTC)
	for _, w := range in.WaveIDs() {
		if _, err := s.SetWave(ctx, "x1", w, true, closed.AddDate(0, -1, 0)); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SetWave(ctx, "x1", w, false, closed); err != nil {
			t.Fatal(err)
		}
	}
	instrumentOf := func(*exchange.Exchange) *survey.Instrument { return in }
	if erased, err := s.EraseDueIdentities(ctx, instrumentOf, closed.AddDate(0, 3, -1)); err != nil || len(erased) != 0 {
		t.Fatalf("a day before the retention ends: %v %v", erased, err)
	}
	if ps, _ := s.Participants(ctx, "x1"); ps[0].Email == "" {
		t.Fatal("erased before its time")
	}
	if erased, err := s.EraseDueIdentities(ctx, instrumentOf, closed.AddDate(0, 3, 1)); err != nil || len(erased) != 1 {
		t.Fatalf("a day after: %v %v", erased, err)
	}
	ps, _ := s.Participants(ctx, "x1")
	for _, p := range ps {
		if p.Name != "" || p.Email != "" || p.Token != "" {
			t.Errorf("%s keeps %q %q", p.PID, p.Name, p.Email)
		}
		if r, err := s.Response(ctx, "x1", p.PID, "pre"); err != nil || len(r.Answers) == 0 {
			t.Errorf("the answers of %s: %v", p.PID, err)
		}
	}
	if mail, _ := s.Mail(ctx, "x1"); len(mail) != 0 {
		t.Errorf("messages left: %d", len(mail))
	}
	if held := filesHolding(t, dir, []string{"retained.until", "Retained Until", "second.delegate", delegates[0].Token}); len(held) > 0 {
		t.Errorf("erased data still in: %s", strings.Join(held, ", "))
	}
	x, _ := s.Exchange(ctx, "x1")
	if x.IdentitiesErasedAt == nil {
		t.Error("the exchange does not say its identities were erased")
	}
	events, _, _ := s.AuditTrail(ctx, staff.AuditQuery{Exchange: "x1", Limit: 10})
	if len(events) != 1 || events[0].Note != "retention-erased" || events[0].Args[0] != "2" {
		t.Errorf("the audit trail: %+v", events)
	}
	if erased, err := s.EraseDueIdentities(ctx, instrumentOf, closed.AddDate(1, 0, 0)); err != nil || len(erased) != 0 {
		t.Errorf("run again: %v %v", erased, err)
	}
}
