package mongostore

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/survey"
)

var waves = []string{"pre", "post", "followup"}

// invitedStore is a store of its own with exchange x1 and n participants.
func invitedStore(t *testing.T, n int) (*Store, *exchange.ImportResult) {
	t.Helper()
	s := openTemp(t)
	createBareExchange(t, s)
	res, err := s.ImportParticipants(context.Background(), "x1", people(n), tStart)
	if err != nil {
		t.Fatal(err)
	}
	return s, res
}

// TestRemoveAParticipantWhoHasNotAnswered: the participant, their link and
// their draft go; one who has answered stays, answers and all; an unknown
// one is said to be unknown; importing the list again invites the removed
// person afresh under a new id, never reusing the old one.
func TestRemoveAParticipantWhoHasNotAnswered(t *testing.T) {
	ctx := context.Background()
	s, res := invitedStore(t, 3)
	token := res.Participants[1].Token
	if _, err := s.LinkHolder(ctx, token); err != nil {
		t.Fatal(err) // now cached in this process
	}
	if err := s.SaveDraft(ctx, "x1", "P0002", "pre", "fr", survey.Answers{"fund_corporate": 3}, tStart); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SaveResponse(ctx, submission("P0001", 4)); err != nil {
		t.Fatal(err)
	}

	p, err := s.RemoveParticipant(ctx, "x1", "P0002", waves)
	if err != nil || p.Email != "b@example.org" {
		t.Fatalf("remove P0002: %v %+v", err, p)
	}
	ps, _ := s.Participants(ctx, "x1")
	if len(ps) != 2 || ps[0].PID != "P0001" || ps[1].PID != "P0003" {
		t.Errorf("participants after the removal: %v", pids(ps))
	}
	if _, err := s.LinkHolder(ctx, token); exchange.ErrorCode(err) != exchange.ENOTFOUND {
		t.Errorf("the removed participant's link still works in this process: %v", err)
	}
	if _, err := sibling(t, s).LinkHolder(ctx, token); exchange.ErrorCode(err) != exchange.ENOTFOUND {
		t.Errorf("the removed participant's link still works in another: %v", err)
	}
	if d, err := s.Draft(ctx, "x1", "P0002", "pre"); d != nil || err != nil {
		t.Errorf("the removed participant's draft is kept: %+v %v", d, err)
	}
	if _, err := s.RemoveParticipant(ctx, "x1", "P0002", waves); exchange.ErrorCode(err) != exchange.ENOTFOUND {
		t.Errorf("removing P0002 twice: %v", err)
	}

	_, err = s.RemoveParticipant(ctx, "x1", "P0001", waves)
	if exchange.ErrorCode(err) != exchange.ECONFLICT || !strings.Contains(err.Error(), "P0001 has answered (pre)") {
		t.Fatalf("removing a participant who answered: %v", err)
	}
	if r, err := s.Response(ctx, "x1", "P0001", "pre"); err != nil || r.Answers["fund_corporate"] != 4 {
		t.Errorf("the refused removal touched the answers: %v %+v", err, r)
	}
	if ps, _ := s.Participants(ctx, "x1"); len(ps) != 2 {
		t.Errorf("the refused removal took a participant: %v", pids(ps))
	}

	again, err := s.ImportParticipants(ctx, "x1", people(3), tStart)
	if err != nil || again.New != 1 || !again.Created["P0004"] {
		t.Fatalf("importing the list again: %v %+v", err, again)
	}
}

func pids(ps []*exchange.Participant) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.PID)
	}
	return out
}

// TestAFirstAnswerAfterARemovalIsTakenBack: another process still knows
// the link from its cache and takes a first answer after the removal; the
// answer is refused and nothing of it stays.
func TestAFirstAnswerAfterARemovalIsTakenBack(t *testing.T) {
	ctx := context.Background()
	s, res := invitedStore(t, 2)
	other := sibling(t, s)
	if _, err := other.LinkHolder(ctx, res.Participants[1].Token); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RemoveParticipant(ctx, "x1", "P0002", waves); err != nil {
		t.Fatal(err)
	}
	if _, err := other.LinkHolder(ctx, res.Participants[1].Token); err != nil {
		t.Fatalf("the other process's cache was expected to hold the link: %v", err)
	}
	if _, err := other.SaveResponse(ctx, submission("P0002", 5)); exchange.ErrorCode(err) != exchange.ENOTFOUND {
		t.Fatalf("a first answer of a removed participant: %v", err)
	}
	sizes, err := s.CollectionSizes(ctx, "x1")
	if err != nil || sizes[kindResponses] != 0 || sizes[kindVersions] != 0 {
		t.Errorf("the refused answer left documents: %v %v", sizes, err)
	}
}

// TestRemovalsRacingFirstAnswersNeverOrphanAnAnswer removes participants
// in one process while another takes their first answers, all at once:
// afterwards every answer has its participant, every successful removal
// left no answer, and every accepted answer kept its participant.
func TestRemovalsRacingFirstAnswersNeverOrphanAnAnswer(t *testing.T) {
	ctx := context.Background()
	const n = 24
	s, _ := invitedStore(t, n)
	other := sibling(t, s)
	removed, answered := make([]bool, n), make([]bool, n)
	// One pair at a time, the answer sent a little later each time: from
	// before the removal starts to after it ends (a removal takes a few
	// milliseconds), so answers land before, inside and after its writes.
	for i := range n {
		pid := exchange.PID(i + 1)
		var wg sync.WaitGroup
		wg.Add(2)
		go func() {
			defer wg.Done()
			_, err := s.RemoveParticipant(ctx, "x1", pid, waves)
			removed[i] = err == nil
			if err != nil && exchange.ErrorCode(err) != exchange.ECONFLICT {
				t.Errorf("remove %s: %v", pid, err)
			}
		}()
		go func() {
			defer wg.Done()
			time.Sleep(time.Duration(i%12) * time.Millisecond)
			_, err := other.SaveResponse(ctx, submission(pid, 3))
			answered[i] = err == nil
			if err != nil && exchange.ErrorCode(err) != exchange.ENOTFOUND {
				t.Errorf("answer of %s: %v", pid, err)
			}
		}()
		wg.Wait()
	}
	ps, err := s.Participants(ctx, "x1")
	if err != nil {
		t.Fatal(err)
	}
	present := map[string]bool{}
	for _, p := range ps {
		present[p.PID] = true
	}
	respondents, err := s.Respondents(ctx, "x1")
	if err != nil {
		t.Fatal(err)
	}
	outcomes := map[string]int{}
	for i := range n {
		pid := exchange.PID(i + 1)
		has := respondents["pre"][pid]
		switch {
		case has && !present[pid]:
			t.Errorf("%s has an answer and no participant", pid)
		case removed[i] && (present[pid] || has):
			t.Errorf("%s was removed but is present=%v, has an answer=%v", pid, present[pid], has)
		case answered[i] && !has:
			t.Errorf("%s's accepted answer is gone", pid)
		}
		outcomes[fmt.Sprintf("removed=%v answered=%v", removed[i], answered[i])]++
	}
	t.Logf("outcomes: %v", outcomes)
}

// TestARemovalCutShortIsSettledOnRestart: a removal whose process died
// after deleting the participant is finished when the store next opens —
// or undone, when an answer came meanwhile.
func TestARemovalCutShortIsSettledOnRestart(t *testing.T) {
	for _, answerCame := range []bool{false, true} {
		t.Run(fmt.Sprintf("answer came %v", answerCame), func(t *testing.T) {
			ctx := context.Background()
			s, res := invitedStore(t, 2)
			d, err := findByID[participantDoc](ctx, s, s.coll("x1", kindParticipants), "P0002", "participant")
			if err != nil || d == nil {
				t.Fatal(err)
			}
			// What RemoveParticipant does up to the deletion, then dies.
			run, err := s.beginImport(ctx, "x1", importRemoval)
			if err != nil {
				t.Fatal(err)
			}
			run.stopHeartbeat()
			if _, err := s.db.Collection(collImports).UpdateOne(ctx, byID("x1"), bson.D{{Key: "$set", Value: bson.D{{Key: "removing", Value: d}, {Key: "waves", Value: waves}}}}); err != nil {
				t.Fatal(err)
			}
			if _, err := s.coll("x1", kindParticipants).DeleteOne(ctx, byID("P0002")); err != nil {
				t.Fatal(err)
			}
			if answerCame {
				if _, _, err := s.addVersion(ctx, submission("P0002", 2), "", true); err != nil {
					t.Fatal(err)
				}
			}
			orphan(t, s)
			restarted := sibling(t, s)
			if err := restarted.recoverImports(ctx); err != nil {
				t.Fatal(err)
			}
			ps, _ := restarted.Participants(ctx, "x1")
			_, linkErr := restarted.LinkHolder(ctx, res.Participants[1].Token)
			if answerCame {
				if len(ps) != 2 || linkErr != nil {
					t.Errorf("the participant who answered was not put back: %v, link %v", pids(ps), linkErr)
				}
			} else if len(ps) != 1 || exchange.ErrorCode(linkErr) != exchange.ENOTFOUND {
				t.Errorf("the removal was not finished: %v, link %v", pids(ps), linkErr)
			}
			if p, _ := restarted.pendingBatch(ctx, "x1"); p != "" {
				t.Errorf("the removal still holds the exchange")
			}
		})
	}
}

// TestRemovalsAtOnceTakeTurns: two admins clearing a list at the same
// time each hold the exchange for a moment; every removal waits its turn
// and succeeds, none is refused for the other.
func TestRemovalsAtOnceTakeTurns(t *testing.T) {
	ctx := context.Background()
	const n = 8
	s, _ := invitedStore(t, n)
	other := sibling(t, s)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st := s
			if i%2 == 1 {
				st = other
			}
			if _, err := st.RemoveParticipant(ctx, "x1", exchange.PID(i+1), waves); err != nil {
				t.Errorf("remove %s: %v", exchange.PID(i+1), err)
			}
		}()
	}
	wg.Wait()
	if ps, _ := s.Participants(ctx, "x1"); len(ps) != 0 {
		t.Errorf("%d participants left", len(ps))
	}
}
