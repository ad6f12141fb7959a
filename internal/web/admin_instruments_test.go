package web_test

import (
	"bytes"
	"fmt"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/csci/exchangeeval/internal/demo"
	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/staff"
	"github.com/csci/exchangeeval/internal/survey"
	"github.com/csci/exchangeeval/internal/web"
	"github.com/csci/exchangeeval/internal/workbook"
)

// upload sends a file to the instruments page as the browser's form does
// and returns the status and the page it leads to.
func (s *site) upload(c *http.Client, name string, data []byte) (int, string) {
	s.t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	_ = w.WriteField("csrf_token", s.csrf(c, "/admin/instruments"))
	fw, _ := w.CreateFormFile("file", name)
	_, _ = fw.Write(data)
	_ = w.Close()
	req, _ := http.NewRequest(http.MethodPost, s.srv.URL+"/admin/instruments", &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Origin", s.srv.URL)
	resp, err := c.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	page, _ := io.ReadAll(resp.Body)
	if resp.StatusCode == http.StatusSeeOther {
		return resp.StatusCode, s.get(c, resp.Header.Get("Location"))
	}
	return resp.StatusCode, html.UnescapeString(string(page))
}

func (s *site) get(c *http.Client, path string) string {
	s.t.Helper()
	resp, err := c.Get(s.srv.URL + path)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return html.UnescapeString(string(b))
}

func TestAdminUploadsAndPreviewsInstruments(t *testing.T) {
	s := newSite(t, web.Config{})
	admin := s.login(account(staff.RoleAdmin).Email, account(staff.RoleAdmin).Password)
	page := s.get(admin, "/admin/instruments")
	mustContain(t, page, "csci-social-services", demo.CompletedID, "33 questions (3 conditional)")

	// A definition with a mistake: every problem is listed, nothing stored.
	def, err := os.ReadFile("../survey/testdata/conditions.yaml")
	if err != nil {
		t.Fatal(err)
	}
	bad := strings.Replace(string(def), "${visited} = 'yes'", "${visited} = 'oui'", 1)
	bad = strings.Replace(bad, "id: why_not", "id: visited", 1)
	status, page := s.upload(admin, "visits.yaml", []byte(bad))
	if status != http.StatusUnprocessableEntity {
		t.Fatalf("a bad definition: %d", status)
	}
	mustContain(t, page, "visits.yaml was not stored: 2 problems", `visits.yaml:38: question visit_rating: relevant "${visited} = 'oui'"`, `duplicate question id "visited"`)
	if stored, _ := s.store.StoredInstruments(t.Context()); len(stored) > 0 || strings.Contains(s.get(admin, "/admin/instruments"), "Site visits") {
		t.Fatal("a definition with problems was stored")
	}
	// An XLSForm with a formula and an unsupported construct, by cell.
	f := survey.ToXLSForm(mustInstrument(t, def))
	f[0].Rows = append(f[0].Rows[:3], append([][]string{{"begin_repeat", "visits"}}, f[0].Rows[3:]...)...)
	var form bytes.Buffer
	if err := workbook.WriteXLSForm(&form, f); err != nil {
		t.Fatal(err)
	}
	status, page = s.upload(admin, "visits.xlsx", form.Bytes())
	mustContain(t, page, "visits.xlsx: survey!A4: repeat groups are not supported")
	if status != http.StatusUnprocessableEntity {
		t.Errorf("an unsupported XLSForm: %d", status)
	}
	// Too big: refused before it is read.
	status, page = s.upload(admin, "huge.xlsx", make([]byte, 50<<20))
	if status != http.StatusRequestEntityTooLarge || !strings.Contains(page, "larger than 5 MB") {
		t.Errorf("a 50 MB upload: %d", status)
	}

	// The good definition is stored as version 1 of its id; the same file
	// again stores nothing.
	status, page = s.upload(admin, "visits.yaml", def)
	mustContain(t, page, "visits.yaml stored as conditions version 1.", "Site visits", "8 questions (5 conditional)")
	if status != http.StatusSeeOther {
		t.Errorf("upload: %d", status)
	}
	_, page = s.upload(admin, "visits.yaml", def)
	mustContain(t, page, "says exactly what conditions version 1 says")

	// Downloads: the YAML is the canonical form, the XLSForm reads back to it.
	yml := s.get(admin, "/admin/instruments/conditions/1/definition.yaml")
	if !strings.HasPrefix(yml, "id: conditions\nversion: 1\n") || !strings.Contains(yml, "relevant: ${visited} = 'yes'") {
		t.Errorf("YAML download:\n%s", yml)
	}

	// The preview: the questionnaire as a delegate sees it, a banner, the
	// conditions' sentences; sending checks and saves nothing.
	page = s.get(admin, "/admin/instruments/conditions/1/preview?wave=pre&lang=fr")
	mustContain(t, page, "Aperçu de conditions version 1", "Seulement si vous avez répondu « Oui » à « Avez-vous visité une structure d'accueil ? ».", `data-relevant=`)
	if strings.Contains(page, `value="draft"`) {
		t.Error("the preview offers to save a draft")
	}
	status, _ = s.postForm(admin, "/admin/instruments/conditions/1/preview", "/admin/instruments/conditions/1/preview",
		url.Values{"wave": {"pre"}, "lang": {"en"}, "visited": {"no"}, "visit_rating": {"9"}})
	if status != http.StatusOK {
		t.Errorf("a preview answered correctly (the rating does not apply): %d", status)
	}
	status, _ = s.postForm(admin, "/admin/instruments/conditions/1/preview", "/admin/instruments/conditions/1/preview",
		url.Values{"wave": {"pre"}, "lang": {"en"}, "visited": {"yes"}})
	if status != http.StatusUnprocessableEntity {
		t.Errorf("a preview missing a required conditional answer: %d", status)
	}
	if n, _ := s.store.Exchanges(t.Context()); len(n) != 6 {
		t.Errorf("the preview created something: %d exchanges", len(n))
	}
}

func mustInstrument(t *testing.T, def []byte) *survey.Instrument {
	t.Helper()
	in, probs := survey.Parse("def.yaml", def)
	if probs != nil {
		t.Fatal(probs)
	}
	return in
}

// An exchange moves to a newer version while nobody has answered, or when
// the version keeps every answered question; otherwise it stays, and the
// page lists what stands in the way.
func TestAdminMovesAnExchangeToANewerVersion(t *testing.T) {
	s := newSite(t, web.Config{})
	admin := s.login(account(staff.RoleAdmin).Email, account(staff.RoleAdmin).Password)
	src, err := os.ReadFile("../../surveys/csci-social-services.yaml")
	if err != nil {
		t.Fatal(err)
	}
	keeps := strings.Replace(string(src), "Six months later", "Six months on", 1)
	drops := strings.Replace(keeps, "id: fund_corporate", "id: fund_corporate_v2", 1)
	for i, def := range []string{keeps, drops} {
		if _, page := s.upload(admin, "v.yaml", []byte(def)); !strings.Contains(page, fmt.Sprintf("stored as csci-social-services version %d", 4+i)) {
			t.Fatalf("upload %d: %s", i, page)
		}
	}
	empty, err := exchange.NewExchange{ID: "empty-2030", Name: "Nobody yet", Instrument: demo.InstrumentID, HostCity: "Chicago", VisitingCity: "Durban",
		Start: "2030-01-01", End: "2030-01-07"}.Build(s.set, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := s.store.CreateExchange(t.Context(), empty); err != nil {
		t.Fatal(err)
	}
	move := func(id, version string) (int, string) {
		path := "/admin/exchanges/" + id
		form := url.Values{"version": {version}, "csrf_token": {s.csrf(admin, path)}}
		resp := s.post(admin, path+"/instrument", form)
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, html.UnescapeString(string(body))
	}
	version := func(id string) int {
		x, err := s.store.Exchange(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		return x.InstrumentVersion
	}

	// Answers, and the version keeps every answered question: moved.
	if status, _ := move(demo.CompletedID, "4"); status != http.StatusSeeOther || version(demo.CompletedID) != 4 {
		t.Errorf("move to a version that keeps the answers: %d, now on %d", status, version(demo.CompletedID))
	}
	mustContain(t, s.get(admin, "/admin/exchanges/"+demo.CompletedID), "moved from csci-social-services version 3 to version 4", "uses csci-social-services version 4")
	// Answers, and the version drops an answered question: refused, listed.
	status, page := move(demo.CompletedID, "5")
	if status != http.StatusConflict || version(demo.CompletedID) != 4 {
		t.Errorf("move to a version that drops answers: %d, now on %d", status, version(demo.CompletedID))
	}
	mustContain(t, page, "would not keep the answers already given", "question fund_corporate has answers, and version 5 does not ask it")
	// Nobody has answered: any newer version will do.
	if status, _ := move("empty-2030", "5"); status != http.StatusSeeOther || version("empty-2030") != 5 {
		t.Errorf("move of an exchange without answers: %d, now on %d", status, version("empty-2030"))
	}
	// An older version or nonsense is refused.
	for _, v := range []string{"1", "x", "99"} {
		if status, _ := move(demo.CompletedID, v); status != http.StatusBadRequest {
			t.Errorf("move to %q: %d", v, status)
		}
	}
}

// A form as KoboToolbox users write them: the upload says what it passed
// over, and the preview shows the note between the questions, a date
// picker, and the form's own message when a constraint is broken.
func TestAdminUploadsAnODKForm(t *testing.T) {
	s := newSite(t, web.Config{})
	admin := s.login(account(staff.RoleAdmin).Email, account(staff.RoleAdmin).Password)
	sheets := []survey.Sheet{
		{Name: "survey", Rows: [][]string{
			{"type", "name", "label::English (en)", "label::Français (fr)", "constraint", "constraint_message::English (en)", "constraint_message::Français (fr)", "calculation"},
			{"start", "start"},
			{"date", "arrived", "When did you arrive?", "Quand êtes-vous arrivé ?"},
			{"note", "between", "Now about your stay.", "Maintenant, votre séjour."},
			{"date", "left", "When did you leave?", "Quand êtes-vous parti ?", ". >= ${arrived}", "You left before you arrived?", "Vous êtes parti avant d'arriver ?"},
			{"calculate", "stay", "", "", "", "", "", "${left} - ${arrived}"},
		}},
		{Name: "settings", Rows: [][]string{{"form_id", "form_title"}, {"stays", "Stays"}}},
	}
	var form bytes.Buffer
	if err := workbook.WriteXLSForm(&form, sheets); err != nil {
		t.Fatal(err)
	}
	status, page := s.upload(admin, "stays.xlsx", form.Bytes())
	if status != http.StatusSeeOther {
		t.Fatalf("upload: %d\n%s", status, page)
	}
	mustContain(t, page, "stays.xlsx stored as stays version 1.", "Passed over, as exchangeeval records when and how each answer came itself: start (start, survey!A2).")

	page = s.get(admin, "/admin/instruments/stays/1/preview?wave=form&lang=fr")
	mustContain(t, page, "Maintenant, votre séjour.", `type="date" id="in-arrived"`, `data-calculate=`)
	if strings.Index(page, "in-arrived") > strings.Index(page, "Maintenant, votre séjour.") || strings.Index(page, "Maintenant, votre séjour.") > strings.Index(page, "in-left") {
		t.Error("the note is not between the questions it was written between")
	}
	form2 := url.Values{"wave": {"form"}, "lang": {"fr"}, "arrived": {"2027-03-10"}, "left": {"2027-03-08"}}
	form2.Set("csrf_token", s.csrf(admin, "/admin/instruments/stays/1/preview"))
	resp := s.post(admin, "/admin/instruments/stays/1/preview", form2)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(body), "Vous êtes parti avant d") {
		t.Errorf("leaving before arriving: %d, the form's message not shown:\n%s", resp.StatusCode, body)
	}
}
