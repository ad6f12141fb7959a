package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/csci/exchangeeval/internal/demo"
	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/privacy"
	"github.com/csci/exchangeeval/internal/staff"
	"github.com/csci/exchangeeval/internal/web"
)

// TestAdminAnswersAnAccessRequestAndErases: from the people list an admin
// opens a delegate's personal data — identity, link, answers worded by
// question, messages — as a page and as JSON; erases their identity with
// the page's button; the page then shows nothing of who they were and the
// erasure, the link is gone, the answers stay, and both steps are in the
// audit trail. Committee members cannot open the page.
func TestAdminAnswersAnAccessRequestAndErases(t *testing.T) {
	ctx := context.Background()
	s := newSite(t, web.Config{})
	admin := s.login(account(staff.RoleAdmin).Email, account(staff.RoleAdmin).Password)
	ps, _ := s.store.Participants(ctx, demo.CompletedID)
	var p *exchange.Participant
	for _, q := range ps {
		if r, err := s.store.Response(ctx, demo.CompletedID, q.PID, "pre"); err == nil && len(r.Answers) > 0 {
			p = q
			break
		}
	}
	if p == nil {
		t.Fatal("no demo delegate with answers")
	}
	list := s.get(admin, "/admin/exchanges/"+demo.CompletedID)
	page := "/admin/exchanges/" + demo.CompletedID + "/participants/" + p.PID
	if !strings.Contains(list, `href="`+page+`"`) {
		t.Fatalf("the people list does not link to %s", page)
	}
	body := s.get(admin, page)
	for _, want := range []string{"Personal data of " + p.PID, p.Name, p.Email, "works", "Answers", `value="yes"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the personal data page lacks %q", want)
		}
	}
	resp, err := admin.Get(s.srv.URL + page + "?format=json")
	if err != nil {
		t.Fatal(err)
	}
	var d privacy.PersonalData
	err = json.NewDecoder(resp.Body).Decode(&d)
	resp.Body.Close()
	if err != nil || d.PID != p.PID || d.Email != p.Email || len(d.Responses) == 0 || !strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment") {
		t.Errorf("the JSON: %v %+v", err, d)
	}
	if status, _ := s.postForm(admin, page, page+"/erase", url.Values{"answers": {"no"}}); status != http.StatusSeeOther {
		t.Fatalf("erase: %d", status)
	}
	body = s.get(admin, page)
	if strings.Contains(body, p.Email) || strings.Contains(body, p.Name) || !strings.Contains(body, "identity erased, asked by "+account(staff.RoleAdmin).Email) || !strings.Contains(body, "none (erased or removed)") {
		t.Errorf("the page after the erasure:\n%s", body)
	}
	if _, err := s.store.LinkHolder(ctx, p.Token); exchange.ErrorCode(err) != exchange.ENOTFOUND {
		t.Errorf("the erased delegate's link: %v", err)
	}
	if r, err := s.store.Response(ctx, demo.CompletedID, p.PID, "pre"); err != nil || len(r.Answers) == 0 {
		t.Errorf("the answers after erasing the identity: %v", err)
	}
	s.auditHas(staff.AuditQuery{Exchange: demo.CompletedID, Limit: 20}, "erased", "personal-data-exported")
	cm := s.login(account(staff.RoleCommittee).Email, account(staff.RoleCommittee).Password)
	if resp, err := cm.Get(s.srv.URL + page); err != nil || resp.StatusCode != http.StatusForbidden {
		t.Errorf("a committee member opening personal data: %v", resp.StatusCode)
	}

	// Erased with answers: the answers go, and a sign-off made on the
	// figures before is flagged as made on other figures.
	dashboard := "/exchanges/" + demo.CompletedID
	if status, _ := s.postForm(cm, dashboard, dashboard+"/signoff", url.Values{"goal": {"funding"}, "decision": {"accept"}}); status != http.StatusSeeOther {
		t.Fatalf("sign-off: %d", status)
	}
	if strings.Contains(s.get(cm, dashboard), "have changed since") {
		t.Fatal("flagged before any change")
	}
	other := ""
	for _, q := range ps {
		if r, err := s.store.Response(ctx, demo.CompletedID, q.PID, "post"); q.PID != p.PID && err == nil && len(r.Answers) > 0 {
			other = q.PID
			break
		}
	}
	otherPage := "/admin/exchanges/" + demo.CompletedID + "/participants/" + other
	if status, _ := s.postForm(admin, otherPage, otherPage+"/erase", url.Values{"answers": {"yes"}}); status != http.StatusSeeOther {
		t.Fatalf("erase with answers: %d", status)
	}
	for _, w := range []string{"pre", "post"} {
		if _, err := s.store.Response(ctx, demo.CompletedID, other, w); exchange.ErrorCode(err) != exchange.ENOTFOUND {
			t.Errorf("the %s answers of a delegate erased with them: %v", w, err)
		}
	}
	if !strings.Contains(s.get(cm, dashboard), "The figures have changed since; the decision was made on:") {
		t.Error("the sign-off is not flagged after an erasure with answers")
	}
}
