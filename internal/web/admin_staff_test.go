package web_test

import (
	"context"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/csci/exchangeeval/internal/demo"
	"github.com/csci/exchangeeval/internal/staff"
	"github.com/csci/exchangeeval/internal/web"
)

// page fetches a page with a browser and returns its status and text.
func (s *site) page(c *http.Client, path string) (int, string) {
	s.t.Helper()
	resp, err := c.Get(s.srv.URL + path)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, html.UnescapeString(string(b))
}

// postForm sends a form with the token of the page it is on, as a browser
// does, and returns the status and where it redirects.
func (s *site) postForm(c *http.Client, from, path string, form url.Values) (int, string) {
	s.t.Helper()
	form.Set("csrf_token", s.csrf(c, from))
	resp := s.post(c, path, form)
	defer resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("Location")
}

// TestAdminRemovesAParticipantWhoHasNotAnswered: the people list offers to
// remove exactly those who have answered nothing; a removal answers with a
// redirect and says what it did in the admin's language; the link stops
// working; one who has answered is refused and kept; and a refresh of the
// form's address is a redirect, not an error.
func TestAdminRemovesAParticipantWhoHasNotAnswered(t *testing.T) {
	s := newSite(t, web.Config{})
	ctx := context.Background()
	c := s.login(account(staff.RoleAdmin).Email, account(staff.RoleAdmin).Password)
	// Nobody has answered yet for the upcoming exchange; everybody has
	// for the completed one.
	admin := "/admin/exchanges/" + demo.UpcomingID
	ps, _ := s.store.Participants(ctx, demo.UpcomingID)
	by, _ := s.store.Respondents(ctx, demo.UpcomingID)
	var silent []string
	tokens := map[string]string{}
	for _, p := range ps {
		tokens[p.PID] = p.Token
		if !by["pre"][p.PID] && !by["post"][p.PID] && !by["followup"][p.PID] {
			silent = append(silent, p.PID)
		}
	}
	done, _ := s.store.Respondents(ctx, completed)
	var answered []string
	for pid := range done["pre"] {
		answered = append(answered, pid)
	}
	if len(silent) < 2 || len(answered) == 0 {
		t.Fatalf("the demo needs both kinds: %d silent, %d answered", len(silent), len(answered))
	}
	_, body := s.page(c, admin+"?lang=fr")
	offered := regexp.MustCompile(`/participants/(P\d+)/remove"`).FindAllStringSubmatch(body, -1)
	if len(offered) != len(silent) {
		t.Fatalf("removal offered for %d participants, want the %d who answered nothing", len(offered), len(silent))
	}
	for _, m := range offered {
		if by["pre"][m[1]] || by["post"][m[1]] {
			t.Errorf("removal offered for %s, who has answered", m[1])
		}
	}

	pid := silent[0]
	status, where := s.postForm(c, admin, admin+"/participants/"+pid+"/remove", url.Values{})
	if status != http.StatusSeeOther || !strings.HasPrefix(where, admin) {
		t.Fatalf("remove %s: %d → %q", pid, status, where)
	}
	_, body = s.page(c, where)
	if !strings.Contains(body, pid+" (") || !strings.Contains(body, "a été retiré·e") {
		t.Errorf("no notice of the removal in French")
	}
	if after, _ := s.store.Participants(ctx, demo.UpcomingID); len(after) != len(ps)-1 {
		t.Errorf("%d participants after the removal, want %d", len(after), len(ps)-1)
	}
	if code, _ := s.page(s.client(), "/s/"+tokens[pid]); code != http.StatusNotFound {
		t.Errorf("the removed participant's link answers %d", code)
	}
	// The notice is shown once.
	if _, again := s.page(c, admin); strings.Contains(again, "a été retiré·e") || strings.Contains(again, "was removed") {
		t.Errorf("the notice is shown again on the next visit")
	}

	keep, doneAdmin := answered[0], "/admin/exchanges/"+completed
	before, _ := s.store.Participants(ctx, completed)
	status, where = s.postForm(c, doneAdmin, doneAdmin+"/participants/"+keep+"/remove", url.Values{})
	_, body = s.page(c, where)
	if status != http.StatusSeeOther || !strings.Contains(body, keep+" a répondu à un questionnaire et n'a pas été retiré·e") {
		t.Errorf("removing %s, who answered: %d, page says no refusal", keep, status)
	}
	if after, _ := s.store.Participants(ctx, completed); len(after) != len(before) {
		t.Errorf("the refused removal changed the participants: %d, was %d", len(after), len(before))
	}

	// Refreshing the form's address is a visit to the exchange's page.
	resp, err := c.Get(s.srv.URL + admin + "/participants/" + silent[1] + "/remove")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != admin {
		t.Errorf("GET on the removal address: %d → %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	// Only admins remove.
	ev := s.login(account(staff.RoleEvaluator).Email, account(staff.RoleEvaluator).Password)
	if status, _ := s.postForm(ev, "/exchanges", admin+"/participants/"+silent[1]+"/remove", url.Values{}); status != http.StatusForbidden {
		t.Errorf("an evaluator's removal: %d", status)
	}
	events, _, _ := s.store.AuditTrail(ctx, staff.AuditQuery{Action: staff.AuditAdminister, Exchange: demo.UpcomingID})
	if len(events) == 0 || events[0].Note != "removed" || events[0].Args[0] != pid {
		t.Errorf("the removal is not in the audit trail: %+v", events)
	}
}

// TestAdminManagesAccounts: an admin adds an account (a French form's
// problems in French, nothing stored until all is right), gives and takes
// away the exchanges a committee member reviews, and disables and enables
// accounts — never their own. Each change shows at once in what the
// account may do.
func TestAdminManagesAccounts(t *testing.T) {
	s := newSite(t, web.Config{})
	ctx := context.Background()
	c := s.login(account(staff.RoleAdmin).Email, account(staff.RoleAdmin).Password)
	if code, body := s.page(c, "/admin/users?lang=fr"); code != http.StatusOK || !strings.Contains(body, "Comptes (4)") {
		t.Fatalf("accounts page: %d", code)
	}
	ev := s.login(account(staff.RoleEvaluator).Email, account(staff.RoleEvaluator).Password)
	if code, _ := s.page(ev, "/admin/users"); code != http.StatusForbidden {
		t.Errorf("an evaluator sees the accounts: %d", code)
	}

	// A form with every field wrong says so field by field, in French.
	form := url.Values{"csrf_token": {s.csrf(c, "/admin/users")}, "email": {"not-an-address"}, "name": {"A\x00B"}, "role": {""}, "password": {"short"}}
	resp := s.post(c, "/admin/users", form)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	body := html.UnescapeString(string(b))
	for _, want := range []string{"Le compte n'a pas été ajouté", "Adresse e-mail : une adresse e-mail", "Nom : contient un caractère de contrôle",
		"Rôle : choisissez un rôle", "Premier mot de passe : au moins 10 caractères", `value="not-an-address"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the refused form does not say %q", want)
		}
	}
	if resp.StatusCode != http.StatusUnprocessableEntity && resp.StatusCode != http.StatusBadRequest {
		t.Errorf("refused form: %d", resp.StatusCode)
	}
	if strings.Contains(body, "short") {
		t.Errorf("the refused form shows the password back")
	}
	if us, _ := s.store.Users(ctx); len(us) != 4 {
		t.Fatalf("a refused form stored an account: %d accounts", len(us))
	}

	const email, password = "reviewer@example.org", "a-long-password-1"
	status, where := s.postForm(c, "/admin/users", "/admin/users", url.Values{"email": {"Reviewer@Example.org "}, "name": {"Rose Reviewer"},
		"role": {staff.RoleCommittee}, "language": {"fr"}, "password": {password}})
	if status != http.StatusSeeOther || where != "/admin/users" {
		t.Fatalf("add an account: %d → %q", status, where)
	}
	if _, body := s.page(c, where); !strings.Contains(body, "Compte "+email+" ajouté.") || !strings.Contains(body, "Rose Reviewer") {
		t.Errorf("the new account is not listed with a notice")
	}
	status, _ = s.postForm(c, "/admin/users", "/admin/users", url.Values{"email": {email}, "role": {staff.RoleEvaluator}, "password": {password}})
	if status != http.StatusConflict {
		t.Errorf("a second account with the same e-mail: %d", status)
	}
	rose := s.login(email, password)
	if code, _ := s.page(rose, "/exchanges/"+completed); code != http.StatusForbidden {
		t.Errorf("a committee member with no exchange sees a dashboard: %d", code)
	}

	change := func(action, who, exchangeID string) string {
		t.Helper()
		status, where := s.postForm(c, "/admin/users", "/admin/users/change", url.Values{"action": {action}, "email": {who}, "exchange": {exchangeID}})
		if status != http.StatusSeeOther {
			t.Fatalf("%s %s %s: %d", action, who, exchangeID, status)
		}
		_, body := s.page(c, where)
		return body
	}
	if body := change("assign", email, completed); !strings.Contains(body, email+" examine désormais "+completed) {
		t.Errorf("no notice of the assignment")
	}
	if code, _ := s.page(rose, "/exchanges/"+completed); code != http.StatusOK {
		t.Errorf("the assigned member cannot see the dashboard: %d", code)
	}
	if body := change("assign", email, "no-such-exchange"); !strings.Contains(body, "n'existe pas") {
		t.Errorf("an assignment to an unknown exchange is not refused")
	}
	if u, _ := s.store.User(ctx, email); len(u.Exchanges) != 1 {
		t.Errorf("assignments after a refused one: %v", u.Exchanges)
	}
	change("assign", email, demo.UpcomingID)
	change("unassign", email, completed)
	if u, _ := s.store.User(ctx, email); len(u.Exchanges) != 1 || u.Exchanges[0] != demo.UpcomingID {
		t.Errorf("assignments after taking one away: %v", u.Exchanges)
	}
	if code, _ := s.page(rose, "/exchanges/"+completed); code != http.StatusForbidden {
		t.Errorf("a member whose exchange was taken away still sees it: %d", code)
	}

	if body := change("disable", email, ""); !strings.Contains(body, "Compte "+email+" désactivé") {
		t.Errorf("no notice of the disabling")
	}
	if code, _ := s.page(rose, "/exchanges"); code != http.StatusSeeOther {
		t.Errorf("a disabled member is still signed in: %d", code)
	}
	change("enable", email, "")
	s.login(email, password) // fails the test if they cannot sign in again

	admin := account(staff.RoleAdmin).Email
	if body := change("disable", admin, ""); !strings.Contains(body, "Vous ne pouvez pas désactiver votre propre compte") {
		t.Errorf("an admin disabling themselves is not refused")
	}
	if u, _ := s.store.User(ctx, admin); u.Disabled {
		t.Fatalf("the admin disabled their own account")
	}
	if body := change("frobnicate", email, ""); !strings.Contains(body, "Cette modification n'a pas pu être faite") {
		t.Errorf("an unknown change is not refused")
	}
	events, _, _ := s.store.AuditTrail(ctx, staff.AuditQuery{Actor: admin, Action: staff.AuditAdminister})
	notes := map[string]int{}
	for _, e := range events {
		notes[e.Note]++
	}
	for _, n := range []string{"user-added", "user-assign", "user-unassign", "user-disable", "user-enable"} {
		if notes[n] == 0 {
			t.Errorf("%s is not in the audit trail: %v", n, notes)
		}
	}
}

// TestAuditTrailPagesFiltersAndLanguage fills the trail with events, many
// of them at the very same moment, and reads it back page by page: every
// event once, newest first, filters applied, in the reader's language.
func TestAuditTrailPagesFiltersAndLanguage(t *testing.T) {
	s := newSite(t, web.Config{})
	ctx := context.Background()
	c := s.login(account(staff.RoleAdmin).Email, account(staff.RoleAdmin).Password)
	base := time.Date(2030, 1, 10, 12, 0, 0, 0, time.UTC)
	const n = 130
	for i := range n {
		at := base.Add(time.Duration(i/40) * time.Hour) // forty at each moment
		e := staff.Event{At: at, Actor: fmt.Sprintf("user%d@example.org", i%3), Action: staff.AuditExport, Exchange: completed,
			Detail: fmt.Sprintf("event #%03d", i)}
		if i%10 == 0 {
			e.Action, e.Note, e.Detail, e.Args = staff.AuditAdminister, "wave-open", fmt.Sprintf("event #%03d", i), []string{fmt.Sprintf("w%03d", i)}
		}
		s.store.Audit(ctx, e)
	}
	seen := map[string]int{}
	eventNo := regexp.MustCompile(`event #(\d{3})|questionnaire « w(\d{3})`)
	next := "/admin/audit?from=2030-01-10&to=2030-01-10&lang=fr"
	pages := 0
	var order []string
	for next != "" {
		code, body := s.page(c, next)
		if code != http.StatusOK {
			t.Fatalf("%s: %d", next, code)
		}
		pages++
		rows := strings.Count(body, "<tr><th scope=\"row\">")
		if rows > 50 {
			t.Errorf("page %d has %d rows", pages, rows)
		}
		for _, m := range eventNo.FindAllStringSubmatch(body, -1) {
			id := m[1] + m[2]
			seen[id]++
			order = append(order, id)
		}
		next = ""
		if m := regexp.MustCompile(`href="([^"]+)" rel="next"`).FindStringSubmatch(body); m != nil {
			next = m[1]
		}
		if pages == 1 {
			for _, want := range []string{"10 janvier 2030 à 14:00 (UTC)", "téléchargement", "administration", "questionnaire « w120 » ouvert", "Événements plus anciens"} {
				if !strings.Contains(body, want) {
					t.Errorf("the first page in French lacks %q", want)
				}
			}
		}
	}
	if pages != 3 || len(seen) != n {
		t.Fatalf("%d pages showed %d different events, want 3 pages and %d", pages, len(seen), n)
	}
	for id, k := range seen {
		if k != 1 {
			t.Errorf("event %s shown %d times", id, k)
		}
	}
	// Newest first: the last moment's forty come before the first's.
	if order[0] < "120" || order[len(order)-1] >= "040" {
		t.Errorf("not newest first: starts %s, ends %s", order[0], order[len(order)-1])
	}

	count := func(path string) int {
		t.Helper()
		code, body := s.page(c, path)
		if code != http.StatusOK {
			t.Fatalf("%s: %d", path, code)
		}
		return len(eventNo.FindAllString(body, -1))
	}
	user1 := 0
	for i := range n {
		if i%3 == 1 {
			user1++
		}
	}
	if got := count("/admin/audit?actor=USER1@example.org&from=2030-01-10"); got != user1 {
		t.Errorf("filtered by actor: %d events, want %d", got, user1)
	}
	if got := count("/admin/audit?action=administer&from=2030-01-01&to=2030-12-31"); got != 13 {
		t.Errorf("filtered by action: %d events, want 13", got)
	}
	if got := count("/admin/audit?exchange=" + demo.UpcomingID + "&from=2030-01-01"); got != 0 {
		t.Errorf("filtered by another exchange: %d events", got)
	}
	if got := count("/admin/audit?from=2030-01-11"); got != 0 {
		t.Errorf("from the next day: %d events", got)
	}
	// A staff page that does not exist says so in staff terms, with the
	// staff navigation — not as a delegate's unrecognised link.
	for _, path := range []string{"/exchanges/no-such-exchange", "/admin/exchanges/no-such-exchange"} {
		code, body := s.page(c, path+"?lang=fr")
		if code != http.StatusNotFound || !strings.Contains(body, "Introuvable") || strings.Contains(body, "Lien non reconnu") || !strings.Contains(body, "Journal d'audit") {
			t.Errorf("%s: %d, not a staff page in French", path, code)
		}
	}
	for _, bad := range []struct{ query, says string }{
		{"?after=garbage", "Cette page du journal n'existe pas"},
		{"?from=2030-13-01", "Du : une date comme"},
		{"?action=nope", "Quoi : n'est pas une action du journal"},
	} {
		code, body := s.page(c, "/admin/audit"+bad.query)
		if code != http.StatusBadRequest || !strings.Contains(body, bad.says) {
			t.Errorf("%s: %d, does not say %q", bad.query, code, bad.says)
		}
	}
}
