package web_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/csci/exchangeeval/internal/analysis"
	"github.com/csci/exchangeeval/internal/demo"
	"github.com/csci/exchangeeval/internal/staff"
	"github.com/csci/exchangeeval/internal/web"
)

// TestProgrammePageAndReport: the programme of the demo's instrument, as
// each reader may see it — the page (forest plots, verdict grid, French)
// for staff who see dashboards, each reader's exchanges only; the JSON
// for those who may read the analytics.
func TestProgrammePageAndReport(t *testing.T) {
	s := newSite(t, web.Config{})
	prog := "/programmes/" + demo.InstrumentID
	ev := s.login(account(staff.RoleEvaluator).Email, account(staff.RoleEvaluator).Password)
	code, page := s.page(ev, prog+"?lang=fr")
	if code != http.StatusOK {
		t.Fatalf("programme page: %d", code)
	}
	for _, want := range []string{`<svg class="chart forest"`, "Tous les échanges (effets aléatoires)", "Verdicts, échange par échange",
		"Échange Chicago–Paris des services sociaux 2014", "Délégation de Chicago à Paris 2027", "pas encore de paires",
		"Pilote Birmingham–Chicago 2013 (données de démonstration)", "… · 4 paires", "moins de 5 paires : ni affiché, ni regroupé", "Les échanges diffèrent au-delà du hasard"} {
		if !strings.Contains(page, want) {
			t.Errorf("the French programme page lacks %q", want)
		}
	}
	if strings.Count(page, `<svg class="chart forest"`) != 3 {
		t.Errorf("%d forest plots, want one per goal", strings.Count(page, `<svg class="chart forest"`))
	}
	// The committee member assigned to 2014 Paris and 2015 Hamburg sees
	// those two, pooled, and is told so.
	cm := s.login(account(staff.RoleCommittee).Email, account(staff.RoleCommittee).Password)
	code, page = s.page(cm, prog)
	if code != http.StatusOK || strings.Contains(page, "Chicago delegation to Paris 2027") || strings.Contains(page, "Durban") ||
		!strings.Contains(page, "Hamburg 2015") || !strings.Contains(page, "Only the exchanges you review are shown here") {
		t.Errorf("the committee member's programme: %d, or it shows exchanges not theirs: 2027 %v Durban %v Hamburg %v note %v", code,
			strings.Contains(page, "Chicago delegation to Paris 2027"), strings.Contains(page, "Durban"), strings.Contains(page, "Hamburg 2015"),
			strings.Contains(page, "Only the exchanges you review are shown here"))
	}
	other := s.login("other@demo.example.org", "other-committee-pw")
	if code, page := s.page(other, prog); code != http.StatusOK || strings.Contains(page, "2014") {
		t.Errorf("another member's programme: %d", code)
	}
	if code, _ := s.page(ev, "/programmes/no-such-instrument"); code != http.StatusNotFound {
		t.Errorf("unknown instrument: %d", code)
	}
	// Asking for exchanges that are not in it answers, and says so (it
	// once answered an empty 200 to an admin).
	admin := s.login(account(staff.RoleAdmin).Email, account(staff.RoleAdmin).Password)
	if code, body := s.page(admin, prog+"?exchange=nope"); code != http.StatusNotFound || !strings.Contains(body, "Not found") {
		t.Errorf("a programme narrowed to no exchange: %d", code)
	}
	if resp, _ := admin.Get(s.srv.URL + "/api/v1" + prog + "/report?exchange=nope"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("its JSON: %d", resp.StatusCode)
	}
	// The dashboard and the list lead to it.
	if _, dash := s.page(ev, "/exchanges/"+completed); !strings.Contains(dash, `href="`+prog+`"`) {
		t.Errorf("the dashboard does not link to the programme")
	}

	// The report's JSON, for evaluators; the 2014 exchange is the pool.
	resp, err := ev.Get(s.srv.URL + "/api/v1" + prog + "/report")
	if err != nil {
		t.Fatal(err)
	}
	var p analysis.ProgrammeReport
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err := json.Unmarshal(b, &p); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("report: %d %v", resp.StatusCode, err)
	}
	if len(p.Exchanges) != 5 || len(p.Goals) != 3 || p.Exchanges[0].ID != demo.BirminghamID || p.Exchanges[4].ID != demo.UpcomingID {
		t.Fatalf("%d exchanges (in date order?), %d goals", len(p.Exchanges), len(p.Goals))
	}
	for _, g := range p.Goals {
		var yi, sei []float64
		for _, e := range g.Exchanges {
			if e.Pooled {
				yi, sei = append(yi, *e.MeanDiff), append(sei, *e.SE)
			}
		}
		m := analysis.Pool(yi, sei)
		if len(yi) != 3 || g.Random == nil || g.Random.Estimate != m.Random.Estimate || g.Exchanges[0].Pooled || g.Exchanges[4].Pooled || g.Heterogeneity == nil {
			t.Errorf("goal %s: %+v", g.ID, g)
		}
	}
	for _, field := range []string{`"prediction_interval"`, `"heterogeneity"`, `"n_pairs"`, `"random"`, `"fixed"`, `"trend"`, `"weight"`} {
		if !strings.Contains(string(b), field) {
			t.Errorf("the JSON lacks %s", field)
		}
	}
	if resp, _ := cm.Get(s.srv.URL + "/api/v1" + prog + "/report"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a committee member's JSON: %d", resp.StatusCode)
	}
	if resp, _ := s.client().Get(s.srv.URL + "/api/v1" + prog + "/report"); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("an anonymous JSON: %d", resp.StatusCode)
	}
}
