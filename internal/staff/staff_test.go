package staff_test

import (
	"strings"
	"testing"
	"time"

	"github.com/csci/exchangeeval/internal/analysis"
	"github.com/csci/exchangeeval/internal/staff"
)

func TestCan(t *testing.T) {
	admin := &staff.User{Roles: []string{staff.RoleAdmin}}
	evaluator := &staff.User{Roles: []string{staff.RoleEvaluator}}
	committee := &staff.User{Roles: []string{staff.RoleCommittee}, Exchanges: []string{"x1"}}
	disabled := &staff.User{Roles: []string{staff.RoleAdmin}, Disabled: true}
	actions := []staff.Action{staff.ListExchanges, staff.ViewDashboard, staff.SignGoal, staff.ViewAnalytics, staff.DownloadData, staff.Administer, staff.ReadAudit}
	tests := []struct {
		name string
		u    *staff.User
		x    string
		want []bool // in the order of actions
	}{
		{"admin", admin, "x1", []bool{true, true, true, true, true, true, true}},
		{"evaluator", evaluator, "x1", []bool{true, true, false, true, true, false, false}},
		{"committee, assigned", committee, "x1", []bool{true, true, true, false, false, false, false}},
		{"committee, not assigned", committee, "x2", []bool{true, false, false, false, false, false, false}},
		{"disabled", disabled, "x1", []bool{false, false, false, false, false, false, false}},
		{"nobody", nil, "x1", []bool{false, false, false, false, false, false, false}},
	}
	for _, tt := range tests {
		for i, a := range actions {
			if got := staff.Can(tt.u, a, tt.x); got != tt.want[i] {
				t.Errorf("%s may %s: %v, want %v", tt.name, a, got, tt.want[i])
			}
		}
	}
}

func TestNewUserAndPasswords(t *testing.T) {
	u, err := staff.NewUser(" Ana@Example.org ", "", []string{staff.RoleCommittee}, "a-long-enough-password", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if u.Email != "ana@example.org" || u.Name != "ana@example.org" || !u.PasswordMatches("a-long-enough-password") || u.PasswordMatches("a-long-enough-passworD") {
		t.Errorf("%+v", u)
	}
	if strings.Contains(string(u.PasswordHash), "a-long-enough-password") {
		t.Error("password stored in clear")
	}
	_, err = staff.NewUser("not an address", "", []string{"king"}, "short", time.Now())
	if err == nil || !strings.Contains(err.Error(), "email") || !strings.Contains(err.Error(), "role") || !strings.Contains(err.Error(), "password") {
		t.Errorf("every problem named: %v", err)
	}
	if err := staff.CheckPassword(strings.Repeat("é", 40)); err == nil {
		t.Error("a password bcrypt would cut (over 72 bytes) accepted")
	}
}

func TestSecrets(t *testing.T) {
	a, ha := staff.NewSecret()
	b, hb := staff.NewSecret()
	if a == b || ha == hb || len(a) != 43 || staff.HashSecret(a) != ha || ha == a {
		t.Errorf("secrets %q %q, hashes %q %q", a, b, ha, hb)
	}
}

func TestSignOff(t *testing.T) {
	diff, p := 0.7, 0.004
	g := analysis.GoalReport{ID: "funding", Verdict: analysis.Attained, VerdictReason: "because",
		Criterion:   analysis.CriterionReport{From: "pre", To: "post"},
		Comparisons: []analysis.Comparison{{From: "pre", To: "post", Paired: analysis.Paired{N: 14, MeanDiff: &diff, PHolm: &p}}}}
	u := &staff.User{Email: "c@example.org", Name: "C"}
	so, err := staff.NewSignOff(u, "x1", g, staff.Accept, "", time.Now())
	if err != nil || so.Figures.Pairs != 14 || *so.Figures.MeanDiff != 0.7 || so.Figures.Verdict != analysis.Attained {
		t.Fatalf("%v %+v", err, so)
	}
	if _, err := staff.NewSignOff(u, "x1", g, staff.Disagree, "  ", time.Now()); err == nil {
		t.Error("disagreeing without a reason accepted")
	}
	if _, err := staff.NewSignOff(u, "x1", g, "maybe", "", time.Now()); err == nil {
		t.Error("an unknown decision accepted")
	}
	changed := g
	changed.VerdictReason = "other figures"
	if so.Figures.Same(staff.FiguresOf(changed)) || !so.Figures.Same(staff.FiguresOf(g)) {
		t.Error("Figures.Same")
	}
}
