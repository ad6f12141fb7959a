package web_test

import (
	"strings"
	"testing"

	"github.com/csci/exchangeeval/internal/demo"
	"github.com/csci/exchangeeval/internal/staff"
	"github.com/csci/exchangeeval/internal/web"
)

// TestTheDashboardMarksWordsInOtherLanguages: an evaluator reading in
// Arabic sees the goals in English (the instrument has no Arabic) marked
// as English and left to right, and the French delegates' quotes marked
// as French; in English, the goals are not marked.
func TestTheDashboardMarksWordsInOtherLanguages(t *testing.T) {
	s := newSite(t, web.Config{})
	ev := s.login(account(staff.RoleEvaluator).Email, account(staff.RoleEvaluator).Password)
	const goal = "Fundraising through corporate partnerships and volunteerism"
	code, page := s.page(ev, "/exchanges/"+demo.CompletedID+"?lang=ar")
	if code != 200 || !strings.Contains(page, `<span lang="en" dir="ltr">`+goal+`</span>`) {
		t.Errorf("the Arabic dashboard (%d) does not mark the English goal", code)
	}
	if !strings.Contains(page, `<blockquote><p><span lang="fr" dir="ltr">`) {
		t.Error("the Arabic dashboard does not mark the French quotes")
	}
	_, page = s.page(ev, "/exchanges/"+demo.CompletedID+"?lang=en")
	if !strings.Contains(page, ">"+goal+"</a>") || strings.Contains(page, `<span lang="en"`) {
		t.Error("the English dashboard marks English words, or lacks the goal")
	}
	if !strings.Contains(page, `<blockquote><p><span lang="fr">`) {
		t.Error("the English dashboard does not mark the French quotes")
	}
}
