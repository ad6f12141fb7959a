package web_test

import (
	"strings"
	"testing"

	"github.com/csci/exchangeeval/internal/demo"
	"github.com/csci/exchangeeval/internal/staff"
	"github.com/csci/exchangeeval/internal/web"
)

// TestDashboardListsCandidateThemes: the 2014 dashboard lists candidate
// themes — words of the report's themes.candidates, in their language —
// for an evaluator, in French with French numbers; a committee member,
// who reads aggregates only, does not see them.
func TestDashboardListsCandidateThemes(t *testing.T) {
	s := newSite(t, web.Config{})
	page := "/exchanges/" + demo.CompletedID
	ev := s.login(account(staff.RoleEvaluator).Email, account(staff.RoleEvaluator).Password)
	body := s.get(ev, page+"?lang=fr")
	if !strings.Contains(body, "Thèmes candidats") || !strings.Contains(body, `<span lang="fr">santé mentale</span>`) || !strings.Contains(body, "<li><bdi>À la fin de l'échange : 5</bdi></li>") {
		i := strings.Index(body, "h-candidates")
		t.Fatalf("the evaluator's dashboard: %q", body[max(i, 0):min(max(i, 0)+1500, len(body))])
	}
	cm := s.login(account(staff.RoleCommittee).Email, account(staff.RoleCommittee).Password)
	if body := s.get(cm, page); strings.Contains(body, "Candidate themes") {
		t.Error("a committee member sees candidate themes")
	}
}
