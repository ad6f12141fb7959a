package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/csci/exchangeeval/internal/analysis"
	"github.com/csci/exchangeeval/internal/demo"
	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/staff"
	"github.com/csci/exchangeeval/internal/survey"
	"github.com/csci/exchangeeval/internal/web"
	"github.com/csci/exchangeeval/internal/workbook"
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
		"Pilote Birmingham–Chicago 2013 (données de démonstration)", "\u00a0·\u00a04\u00a0paires", "moins de 5 paires : ni affiché, ni regroupé", "Les échanges diffèrent au-delà du hasard"} {
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
	if len(p.Exchanges) != 6 || len(p.Goals) != 3 || p.Exchanges[0].ID != demo.BirminghamID || p.Exchanges[4].ID != demo.UpcomingID || p.Exchanges[5].ID != demo.MultilingualID {
		t.Fatalf("%d exchanges (in date order?), %d goals", len(p.Exchanges), len(p.Goals))
	}
	// Its candidate themes: one exchange's words against the same wave of
	// the others, listed on the page for the evaluator.
	if len(p.Candidates) == 0 {
		t.Fatal("the programme has no candidate themes")
	}
	c0 := p.Candidates[0]
	if _, page := s.page(ev, prog); !strings.Contains(page, `<span lang="`+c0.Language+`">`+html.EscapeString(strings.Join(c0.Terms, ", "))+`</span>`) {
		t.Errorf("the programme page does not list the candidate %+v", c0)
	}
	for _, g := range p.Goals {
		var yi, sei []float64
		for _, e := range g.Exchanges {
			if e.Pooled {
				yi, sei = append(yi, *e.MeanDiff), append(sei, *e.SE)
			}
		}
		m := analysis.Pool(yi, sei)
		if len(yi) != 3 || g.Random == nil || g.Random.Estimate != m.Random.Estimate || g.Exchanges[0].Pooled || g.Exchanges[4].Pooled || g.Exchanges[5].Pooled || g.Heterogeneity == nil {
			t.Errorf("goal %s: %+v", g.ID, g)
		}
	}
	for _, field := range []string{`"prediction_interval"`, `"heterogeneity"`, `"n_pairs"`, `"random"`, `"fixed"`, `"trend"`, `"weight"`} {
		if !strings.Contains(string(b), field) {
			t.Errorf("the JSON lacks %s", field)
		}
	}
	// The programme workbook, from the page's button: the Programme sheet
	// first, French texts for a French page, one audit event per
	// exchange whose data it holds. A committee member has no button.
	_, page = s.page(ev, prog+"?lang=fr")
	link := regexp.MustCompile(`href="(/api/v1/programmes/[^"]+/workbook.xlsx[^"]*)"`).FindStringSubmatch(page)
	if link == nil || !strings.Contains(link[1], "labels=fr") {
		t.Fatalf("the French programme page has no workbook button in French: %v", link)
	}
	resp, err = ev.Get(s.srv.URL + html.UnescapeString(link[1]))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	f, err := excelize.OpenReader(bytes.NewReader(raw))
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("programme workbook: %d %v", resp.StatusCode, err)
	}
	if sheets := f.GetSheetList(); sheets[0] != workbook.SheetProgramme || !strings.Contains(resp.Header.Get("Content-Disposition"), demo.InstrumentID+"-programme-") {
		t.Errorf("programme workbook: sheets %v, %s", sheets, resp.Header.Get("Content-Disposition"))
	}
	if a1, _ := f.GetCellValue(workbook.SheetProgramme, "A1"); a1 != "Programme — Échange de services sociaux — questionnaire des délégués" {
		t.Errorf("programme workbook A1 %q", a1)
	}
	f.Close()
	events, _, err := s.store.AuditTrail(context.Background(), staff.AuditQuery{Action: staff.AuditExport, Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	exported := map[string]bool{}
	for _, e := range events {
		if e.Note == "programme-workbook" {
			exported[e.Exchange] = true
		}
	}
	if len(exported) != 6 {
		t.Errorf("the programme workbook is audited for %d exchanges, want 6: %v", len(exported), exported)
	}
	// Another comparison for every goal, chosen on the page; one that the
	// exchanges do not make is refused in the page's language.
	code, page = s.page(ev, prog+"?lang=fr&from=post&to=follow-up")
	page = html.UnescapeString(page)
	if code != http.StatusOK || !strings.Contains(page, "Chaque objectif ci-dessous est regroupé sur l'évolution À la fin de l'échange → Six mois après") ||
		!strings.Contains(page, `aria-current="page">À la fin de l'échange → Six mois après</a>`) || strings.Contains(page, "évolution minimale visée") {
		t.Errorf("the programme on post → follow-up (%d) does not say so, or draws the criteria's minimum change", code)
	}
	// Nobody has answered the follow-up: nothing is pooled, and the page
	// says so rather than speaking of one exchange.
	if !strings.Contains(page, "Aucun échange n'a encore assez de paires pour cette comparaison") || strings.Contains(page, "Avec un seul échange") {
		t.Errorf("the programme with nothing to pool does not say why")
	}
	// Theme shares are a table: a column per theme, a row per exchange
	// and wave; the Birmingham pilot's four show as n<5.
	if !regexp.MustCompile(`<th scope="row">Pilote Birmingham–Chicago 2013 \(données de démonstration\)<br><small class="muted">Avant l'échange</small></th><td data-label="[^"]+">n<5</td>`).MatchString(page) {
		t.Errorf("the theme shares are not a table with the small pilot suppressed")
	}
	if code, page := s.page(ev, prog+"?lang=fr&from=follow-up&to=pre"); code != http.StatusBadRequest || !strings.Contains(html.UnescapeString(page), "follow-up → pre n'est pas une comparaison que fait l'échange") {
		t.Errorf("a comparison the exchanges do not make: %d", code)
	}
	if _, page := s.page(cm, prog); strings.Contains(page, "workbook.xlsx") {
		t.Errorf("the committee member's programme page offers the workbook")
	}
	if resp, _ := cm.Get(s.srv.URL + "/api/v1" + prog + "/report"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a committee member's JSON: %d", resp.StatusCode)
	}
	if resp, _ := s.client().Get(s.srv.URL + "/api/v1" + prog + "/report"); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("an anonymous JSON: %d", resp.StatusCode)
	}
}

// TestProgrammeAcrossInstrumentVersions: three exchanges of an instrument
// that changed between them (two with version 1, one with version 2 of
// ../survey/testdata/versions). The French page says which versions were
// used and lists in French, by goal title, what is not pooled and why;
// the delegate questionnaire of a version-1 exchange is version 1's.
func TestProgrammeAcrossInstrumentVersions(t *testing.T) {
	ctx := context.Background()
	more, probs := survey.LoadPaths("../survey/testdata/versions")
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	s := newSiteWith(t, web.Config{}, survey.NewSet(append(instruments(t).Versions(demo.InstrumentID), more...)...))
	for i, v := range []int{1, 1, 2} {
		x := &exchange.Exchange{ID: fmt.Sprintf("evolving-%d", 2014+i), Name: fmt.Sprintf("Evolving %d", 2014+i), Instrument: "evolving", InstrumentVersion: v,
			HostCity: "Paris", VisitingCity: "Chicago", Start: time.Date(2014+i, 3, 9, 0, 0, 0, 0, time.UTC), End: time.Date(2014+i, 3, 15, 0, 0, 0, 0, time.UTC),
			Waves: map[string]exchange.WaveState{"pre": {Open: true}}}
		if err := s.store.CreateExchange(ctx, x); err != nil {
			t.Fatal(err)
		}
		ps, rs := analysis.Synthetic(s.set.Version("evolving", v), x.ID, 12)
		if err := s.store.BulkLoad(ctx, x.ID, ps, rs); err != nil {
			t.Fatal(err)
		}
	}
	ev := s.login(account(staff.RoleEvaluator).Email, account(staff.RoleEvaluator).Password)
	code, page := s.page(ev, "/programmes/evolving?lang=fr")
	if code != http.StatusOK {
		t.Fatalf("programme page: %d", code)
	}
	for _, want := range []string{"Ces échanges ont utilisé les versions 1, 2 du questionnaire",
		"Non comparable d'une version à l'autre, donc non regroupé",
		"La question q3 se note sur 5 points dans la version 1 et sur 7 dans la version 2",
		"L'objectif « Compared at follow-up later » compare Before→After dans la version 1 et Before→Later dans la version 2",
		"Le thème « Dropped » figure dans la version 1, pas dans la version 2",
		"La question years est de type nombre dans la version 1 et texte dans la version 2"} {
		if !strings.Contains(page, want) {
			t.Errorf("the French programme page lacks %q", want)
		}
	}
	if n := strings.Count(page, `<svg class="chart forest"`); n != 1 {
		t.Errorf("%d forest plots, want one: only goal “same” is comparable", n)
	}

	// A delegate of a version-1 exchange answers version 1: q7 came with
	// version 2.
	added, err := s.store.ImportParticipants(ctx, "evolving-2014", []exchange.ParticipantRow{{Row: 2, Name: "New Delegate", Email: "new@example.org",
		City: "Chicago", Role: "practitioner", Language: "fr", Side: "visiting"}}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	resp, err := s.client().Get(s.srv.URL + "/api/v1/questionnaire/" + added.Participants[0].Token)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || strings.Contains(string(body), `"q7"`) || !strings.Contains(string(body), `"q6"`) {
		t.Errorf("the version-1 delegate's questionnaire (%d) is not version 1's:\n%.600s", resp.StatusCode, body)
	}
}
