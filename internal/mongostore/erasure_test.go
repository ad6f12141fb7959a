package mongostore

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/mailing"
)

// TestAnErasedDelegateIsGoneFromTheFiles: erasing a delegate's identity
// takes their name, e-mail, link and messages out of every collection and
// out of the SQLite files themselves (searched byte by byte, the
// write-ahead log too), keeps their answers under the pseudonymous id, and
// logs the erasure without the data; erasing with answers takes those
// too. A second erasure changes nothing and fails nothing.
func TestAnErasedDelegateIsGoneFromTheFiles(t *testing.T) {
	if os.Getenv("MONGODB_URI") != "" {
		t.Skip("MONGODB_URI is set: the embedded store's files are unavailable to search")
	}
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(ctx, Config{Database: "erasure", DataDir: dir, Secret: testSecret})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(ctx)
	createBareExchange(t, s)
	ps := answeredAndMailed(t, s, "Zofia Erasable", "Kept Person", "Whole Erasure")
	zofia, whole := ps[0], ps[2]
	if _, err := s.EraseParticipant(ctx, "x1", zofia.PID, false, "dpo@example.org", time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := s.EraseParticipant(ctx, "x1", whole.PID, true, "dpo@example.org", time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := s.EraseParticipant(ctx, "x1", zofia.PID, false, "dpo@example.org", time.Now()); err != nil {
		t.Errorf("the same erasure again: %v", err)
	}

	if held := filesHolding(t, dir, []string{"zofia.erasable", "Zofia Erasable", "whole.erasure", "Whole Erasure", zofia.Token, whole.Token}); len(held) > 0 {
		t.Errorf("erased data still in: %s", strings.Join(held, ", "))
	}
	if len(filesHolding(t, dir, []string{"kept.person"})) == 0 {
		t.Error("the files lost the delegate nobody erased")
	}
	if _, err := s.LinkHolder(ctx, zofia.Token); exchange.ErrorCode(err) != exchange.ENOTFOUND {
		t.Errorf("an erased delegate's link: %v", err)
	}
	if r, err := s.Response(ctx, "x1", zofia.PID, "pre"); err != nil || r.Answers["fund_corporate"] != 1 {
		t.Errorf("the answers of a delegate erased without them: %v %+v", err, r)
	}
	if _, err := s.Response(ctx, "x1", whole.PID, "pre"); exchange.ErrorCode(err) != exchange.ENOTFOUND {
		t.Errorf("the answers of a delegate erased with them: %v", err)
	}
	ps, _ = s.Participants(ctx, "x1")
	for _, p := range ps {
		if (p.PID == zofia.PID || p.PID == whole.PID) && (p.Name != "" || p.Email != "") {
			t.Errorf("%s keeps %q %q", p.PID, p.Name, p.Email)
		}
	}
	log, err := s.Erasures(ctx, "x1")
	if err != nil || len(log) != 2 || log[0].By != "dpo@example.org" {
		t.Errorf("the erasure log: %v %+v", err, log)
	}

}

// TestAnAccessRequestGetsEverythingStored: the export of one delegate's
// data holds who they are, whether their link works, every version of
// every answer, their drafts and every message to them — and nothing of
// another delegate's; after an erasure, what is left and the erasure.
func TestAnAccessRequestGetsEverythingStored(t *testing.T) {
	s := openTemp(t)
	ctx := context.Background()
	createExchange(t, s)
	ps, _ := s.Participants(ctx, "x1")
	for _, answer := range []int{2, 4} {
		if _, err := s.SaveResponse(ctx, submission(ps[0].PID, answer)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.SaveResponse(ctx, submission(ps[1].PID, 5)); err != nil {
		t.Fatal(err)
	}
	m := &mailing.Mail{Exchange: "x1", Participant: ps[0].PID, Wave: "pre", Kind: mailing.Invitation, Language: "en", To: ps[0].Email, Subject: "Your questionnaire"}
	if _, _, err := s.QueueMail(ctx, "x1", []*mailing.Mail{m}, time.Now()); err != nil {
		t.Fatal(err)
	}
	d, err := s.PersonalDataOf(ctx, "x1", ps[0].PID, []string{"pre", "post"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if d.Email != ps[0].Email || !d.LinkWorks || len(d.Responses) != 1 || len(d.Responses[0].History) != 2 ||
		d.Responses[0].History[0].Answers["fund_corporate"] != 2 || d.Responses[0].Current["fund_corporate"] != 4 ||
		len(d.Messages) != 1 || d.Messages[0].To != ps[0].Email || len(d.Erasures) != 0 {
		t.Errorf("the access export: %+v", d)
	}
	if _, err := s.EraseParticipant(ctx, "x1", ps[0].PID, false, "dpo@example.org", time.Now()); err != nil {
		t.Fatal(err)
	}
	d, err = s.PersonalDataOf(ctx, "x1", ps[0].PID, []string{"pre", "post"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if d.Email != "" || d.LinkWorks || len(d.Messages) != 0 || len(d.Responses) != 1 || len(d.Erasures) != 1 || d.Erasures[0].By != "dpo@example.org" {
		t.Errorf("after the erasure: %+v", d)
	}
}

// answeredAndMailed imports delegates of the given names into exchange x1
// (e-mail: the name in lower case, dotted, at example.org), each with
// answers to pre and an invitation in the outbox, and returns them.
func answeredAndMailed(t *testing.T, s *Store, names ...string) []*exchange.Participant {
	t.Helper()
	ctx := context.Background()
	var rows []exchange.ParticipantRow
	for _, n := range names {
		rows = append(rows, exchange.ParticipantRow{Name: n, Email: strings.ToLower(strings.ReplaceAll(n, " ", ".")) + "@example.org", Language: "en", Side: "visiting"})
	}
	res, err := s.ImportParticipants(ctx, "x1", rows, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range res.Participants {
		if _, err := s.SaveResponse(ctx, submission(p.PID, i+1)); err != nil {
			t.Fatal(err)
		}
		m := &mailing.Mail{Exchange: "x1", Participant: p.PID, Wave: "pre", Kind: mailing.Invitation, Language: "en", To: p.Email, Name: p.Name,
			Subject: "Your questionnaire, " + p.Name, Text: "Dear " + p.Name + ", answer at https://x/s/" + p.Token, HTML: "<p>Dear " + p.Name + "</p>"}
		if _, _, err := s.QueueMail(ctx, "x1", []*mailing.Mail{m}, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	return res.Participants
}
