package web_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/csci/exchangeeval/internal/analysis"
	"github.com/csci/exchangeeval/internal/coding"
	"github.com/csci/exchangeeval/internal/demo"
	"github.com/csci/exchangeeval/internal/staff"
	"github.com/csci/exchangeeval/internal/web"
)

const codebookPath = "/exchanges/" + demo.CompletedID + "/codebook"

// TestEvaluatorDecidesCandidateThemes: on the 2014 exchange an evaluator
// promotes a candidate into a theme, rejects another and merges a third
// into the first theme, each from the codebook page. Each decision is the
// next codebook version, in the audit trail; the report counts with it
// (the new theme has figures and coders can tick it, the rejected and
// merged candidates are no longer proposed) and says its version. A form
// made from an older version, a bad id, or a committee member changes
// nothing.
func TestEvaluatorDecidesCandidateThemes(t *testing.T) {
	s := newSite(t, web.Config{})
	ev := s.login(account(staff.RoleEvaluator).Email, account(staff.RoleEvaluator).Password)
	r := s.report(ev, demo.CompletedID)
	if r.Themes.CodebookVersion != 0 || len(r.Themes.Candidates) < 3 {
		t.Fatalf("before: version %d, %d candidates", r.Themes.CodebookVersion, len(r.Themes.Candidates))
	}
	if body := s.get(ev, codebookPath); !strings.Contains(body, "Codebook version: 0") || !strings.Contains(body, `value="`+coding.CandidateKey(r.Themes.Candidates[0].Language, r.Themes.Candidates[0].Stem)+`"`) {
		t.Fatal("the codebook page does not offer the first candidate")
	}
	first, second, third := r.Themes.Candidates[0], r.Themes.Candidates[1], r.Themes.Candidates[2]
	key := func(c analysis.ThemeCandidate) string { return coding.CandidateKey(c.Language, c.Stem) }
	decide := func(form url.Values) (int, string) {
		t.Helper()
		return s.submit(ev, codebookPath, codebookPath, form)
	}

	// A bad id is refused, the form kept.
	status, body := decide(url.Values{"version": {"0"}, "candidate": {key(first)}, "action": {"promote"}, "id": {"Bad Id"}, "label_en": {"Understanding"}, "patterns_" + first.Language: {first.Terms[0]}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, "The id must start with a letter") || !strings.Contains(body, `value="Bad Id"`) {
		t.Errorf("a bad id: %d", status)
	}
	status, _ = s.postForm(ev, codebookPath, codebookPath, url.Values{"version": {"0"}, "candidate": {key(first)}, "action": {"promote"}, "id": {"understanding"},
		"label_en": {"Understanding"}, "label_fr": {"Comprendre"}, "patterns_" + first.Language: {strings.Join(first.Terms, "\n")}})
	if status != http.StatusSeeOther {
		t.Fatalf("promote: %d", status)
	}
	if status, _ := s.postForm(ev, codebookPath, codebookPath, url.Values{"version": {"1"}, "candidate": {key(second)}, "action": {"reject"}}); status != http.StatusSeeOther {
		t.Fatalf("reject: %d", status)
	}
	status, _ = s.postForm(ev, codebookPath, codebookPath, url.Values{"version": {"2"}, "candidate": {key(third)}, "action": {"merge"}, "theme": {"empowerment"}, "merge_" + third.Language: {third.Terms[0]}})
	if status != http.StatusSeeOther {
		t.Fatalf("merge: %d", status)
	}
	// A form shown before those decisions is refused.
	if status, body := decide(url.Values{"version": {"1"}, "candidate": {key(third)}, "action": {"reject"}}); status != http.StatusConflict || !strings.Contains(body, "version 3 now") {
		t.Errorf("a stale form: %d", status)
	}
	// The first candidate counted with an English word; a word of its own
	// language, or nothing but stop words, is refused.
	if status, body := decide(url.Values{"version": {"3"}, "candidate": {key(first)}, "action": {"join"}, "with_lang": {first.Language}, "with_word": {first.Terms[0]}}); status != http.StatusUnprocessableEntity || !strings.Contains(body, "Join a word of another language") {
		t.Errorf("a join in the same language: %d", status)
	}
	if status, body := decide(url.Values{"version": {"3"}, "candidate": {key(first)}, "action": {"join"}, "with_lang": {"en"}, "with_word": {"the of"}}); status != http.StatusUnprocessableEntity || !strings.Contains(body, "Type one word or two") {
		t.Errorf("a join of stop words: %d", status)
	}
	if status, body := decide(url.Values{"version": {"3"}, "candidate": {key(first)}, "action": {"join"}, "with_lang": {"en"}, "with_word": {"Understanding"}}); status != http.StatusSeeOther {
		t.Fatalf("join: %d %s", status, body)
	}
	cm := s.login(account(staff.RoleCommittee).Email, account(staff.RoleCommittee).Password)
	if status, _ := s.page(cm, codebookPath); status != http.StatusForbidden {
		t.Errorf("a committee member opens the codebook: %d", status)
	}

	after := s.report(ev, demo.CompletedID)
	if after.Themes.CodebookVersion != 4 {
		t.Errorf("the report counts with version %d, want 4", after.Themes.CodebookVersion)
	}
	if !slices.ContainsFunc(after.Themes.Codebook, func(ti analysis.ThemeInfo) bool { return ti.ID == "understanding" }) {
		t.Errorf("the promoted theme is not in the report's codebook: %+v", after.Themes.Codebook)
	}
	counted := false
	for _, w := range after.Themes.Waves {
		for _, tc := range w.Themes {
			counted = counted || (tc.Theme == "understanding" && tc.Respondents > 0)
		}
	}
	if !counted {
		t.Error("the promoted theme has no figures")
	}
	for _, c := range after.Themes.Candidates {
		if k := key(c); k == key(first) || k == key(second) || k == key(third) {
			t.Errorf("%s is still proposed", k)
		}
	}
	s.auditHas(staff.AuditQuery{Exchange: demo.CompletedID}, "codebook-promote", "codebook-reject", "codebook-merge", "codebook-join")
	if body := s.get(ev, codingPath); !strings.Contains(body, `name="theme" value="understanding"`) {
		t.Error("coders cannot tick the promoted theme")
	}
	history, err := s.store.CodebookHistory(context.Background(), demo.CompletedID)
	if err != nil || len(history) != 4 || history[0].Version != 4 || history[0].Change.With != "en:understand" || history[3].Change.Kind != coding.ChangePromote || history[0].By != account(staff.RoleEvaluator).Email {
		t.Errorf("history: %+v %v", history, err)
	}
}
