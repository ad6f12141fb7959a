package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/csci/exchangeeval"
	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/mongostore"
	"github.com/csci/exchangeeval/internal/mongostore/storetest"
	"github.com/csci/exchangeeval/internal/survey"
	"github.com/csci/exchangeeval/internal/web"
)

func TestMain(m *testing.M) {
	code := storetest.Main(m)
	if code == 0 {
		if err := checkEveryOperationSeen(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			code = 1
		}
	}
	os.Exit(code)
}

// fixture is a running service on a fresh database with one exchange whose
// pre wave is open, and two participants: one French, one English.
type fixture struct {
	t       *testing.T
	store   *mongostore.Store
	in      *survey.Instrument
	handler http.Handler
	fr, en  *exchange.Participant
}

// instruments are the built-in instruments.
func instruments(tb testing.TB) *survey.Set {
	tb.Helper()
	ins, probs := survey.LoadFS(exchangeeval.Surveys, "surveys", "surveys/")
	if len(probs) > 0 {
		tb.Fatal(probs)
	}
	return survey.NewSet(ins...)
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	set := instruments(t)
	store := storetest.Open(t)
	ctx := context.Background()
	x, err := exchange.NewExchange{ID: "chicago-paris-2014", Name: "Chicago–Paris 2014", Instrument: "csci-social-services",
		HostCity: "Chicago", VisitingCity: "Paris", Start: "2014-03-09", End: "2014-03-15"}.Build(set, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := store.CreateExchange(ctx, x); err != nil {
		t.Fatal(err)
	}
	if _, err := store.SetWave(ctx, x.ID, "pre", true, time.Now()); err != nil {
		t.Fatal(err)
	}
	res, err := store.ImportParticipants(ctx, x.ID, []exchange.ParticipantRow{
		{Name: "Camille Fournier", Email: "camille@example.org", City: "Paris", Role: "practitioner", Language: "fr", Side: "visiting"},
		{Name: "Dana Whitfield", Email: "dana@example.org", City: "Chicago", Role: "supervisor", Language: "en", Side: "host"},
	}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	h, err := web.NewServer(store, set, exchangeeval.Templates, slog.New(slog.NewTextHandler(io.Discard, nil)), web.Config{})
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{t: t, store: store, in: set.Get("csci-social-services"), handler: validateAPI(t, h), fr: res.Participants[0], en: res.Participants[1]}
}

func (f *fixture) do(method, target, contentType, body string) *httptest.ResponseRecorder {
	f.t.Helper()
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	rec := httptest.NewRecorder()
	f.handler.ServeHTTP(rec, req)
	return rec
}

func (f *fixture) postForm(token string, form url.Values) *httptest.ResponseRecorder {
	return f.do(http.MethodPost, "/s/"+token, "application/x-www-form-urlencoded", form.Encode())
}

// validForm answers every question of the wave with an acceptable value.
func validForm(in *survey.Instrument, wave string) url.Values {
	form := url.Values{"wave": {wave}}
	for _, q := range in.QuestionsIn(wave) {
		switch q.Type {
		case survey.TypeLikert:
			form.Set(q.ID, "2")
		case survey.TypeSingle, survey.TypeMulti:
			form.Set(q.ID, q.Options[len(q.Options)-1].Code)
		case survey.TypeNumber:
			form.Set(q.ID, "7")
		case survey.TypeText:
			form.Set(q.ID, "Comprendre l'évaluation et le pouvoir d'agir.")
		}
	}
	return form
}

func mustContain(t *testing.T, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("page lacks %q", w)
		}
	}
}

func TestQuestionnaireInParticipantLanguage(t *testing.T) {
	f := newFixture(t)
	rec := f.do(http.MethodGet, "/s/"+f.fr.Token, "", "")
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d", rec.Code)
	}
	body := rec.Body.String()
	mustContain(t, body, `<html lang="fr" dir="ltr">`, "Avant l&#39;échange", "Envoyer mes réponses",
		`<legend>Je comprends comment les partenariats avec les entreprises peuvent financer les services sociaux. <span class="req">(obligatoire)</span></legend>`,
		`<label class="prompt" for="in-work_city">`, `<select id="in-work_city"`, // 29 cities: a drop-down
		`hreflang="en"`, `name="wave" value="pre"`, `<link rel="stylesheet" href="/static/app.css?v=`)
	if strings.Contains(body, "Merci de répondre le dernier jour") {
		t.Error("post-wave text shown in the pre wave")
	}
	if got := rec.Header().Get("Referrer-Policy"); got != "no-referrer" {
		t.Errorf("Referrer-Policy = %q: the token in the URL could leak", got)
	}
	rec = f.do(http.MethodGet, "/s/"+f.fr.Token+"?lang=en", "", "")
	mustContain(t, rec.Body.String(), `<html lang="en" dir="ltr">`, "Before the exchange", "Send my answers")
	rec = f.do(http.MethodGet, "/s/"+f.en.Token+"?lang=pl", "", "")
	mustContain(t, rec.Body.String(), `<html lang="en" dir="ltr">`)
}

func TestUnknownAndMalformedTokens(t *testing.T) {
	f := newFixture(t)
	for _, target := range []string{"/s/" + exchange.NewToken(), "/s/short", "/s/" + strings.Repeat("%24", 43), "/nowhere"} {
		rec := f.do(http.MethodGet, target, "", "")
		if rec.Code != http.StatusNotFound || !strings.Contains(rec.Body.String(), "Link not recognised") {
			t.Errorf("%s: status %d", target, rec.Code)
		}
	}
	rec := f.do(http.MethodGet, "/api/v1/questionnaire/"+exchange.NewToken(), "", "")
	if rec.Code != http.StatusNotFound || !strings.Contains(rec.Body.String(), `"error"`) {
		t.Errorf("API unknown token: %d %s", rec.Code, rec.Body)
	}
}

func TestFormErrorsKeepAnswersAndSaveNothing(t *testing.T) {
	f := newFixture(t)
	form := validForm(f.in, "pre")
	form.Set("lang", "fr")
	form.Set("years_practice", "douze")
	form.Set("fund_corporate", "9")
	form.Del("job_role")
	form.Set("expectations", "Mes attentes <script>alert(1)</script>")
	rec := f.postForm(f.fr.Token, form)
	if rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("status %d", rec.Code)
	}
	body := rec.Body.String()
	mustContain(t, body, "Certaines réponses sont à revoir", `href="#q-years_practice"`,
		`<p class="error" id="err-years_practice">Saisissez un nombre.</p>`,
		`<p class="error" id="err-fund_corporate">Saisissez une valeur comprise entre 1 et 5.</p>`,
		`<p class="error" id="err-job_role">Cette question demande une réponse.</p>`,
		`value="douze"`, // what was typed stays
		`id="org_type-other" name="org_type" value="other" checked`,
		`aria-invalid="true" aria-describedby="err-years_practice"`,
		"Mes attentes &lt;script&gt;")
	if _, err := f.store.Response(context.Background(), "chicago-paris-2014", f.fr.PID, "pre"); exchange.ErrorCode(err) != exchange.ENOTFOUND {
		t.Fatalf("an invalid form was stored: %v", err)
	}
}

func TestSubmitPrefillAndResubmitKeepsHistory(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	form := validForm(f.in, "pre")
	form.Set("lang", "fr")
	form["practice_areas"] = []string{"youth", "homelessness"}
	rec := f.postForm(f.fr.Token, form)
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	loc := rec.Header().Get("Location")
	if !strings.HasPrefix(loc, "/s/"+f.fr.Token+"/thanks") {
		t.Fatalf("redirect to %q", loc)
	}
	// The thank-you page says what comes next: the next questionnaire,
	// when, and through the same link.
	mustContain(t, f.do(http.MethodGet, loc, "", "").Body.String(), "Merci", "Avant l&#39;échange", "Relire ou modifier mes réponses",
		"La suite : le questionnaire « À la fin de l&#39;échange », par ce même lien personnel", "Merci de répondre le dernier jour de l&#39;échange")
	if body := f.do(http.MethodGet, "/s/"+f.en.Token+"/thanks?wave=follow-up", "", "").Body.String(); !strings.Contains(body, "This was the last questionnaire") {
		t.Errorf("the last wave's thank-you page does not say it was the last")
	}

	r, err := f.store.Response(ctx, "chicago-paris-2014", f.fr.PID, "pre")
	if err != nil {
		t.Fatal(err)
	}
	if r.Answers["fund_corporate"] != 2 || r.Language != "fr" || r.Source != exchange.SourceWeb || r.Seq != 1 {
		t.Fatalf("stored %+v", r)
	}
	if got := r.Answers["practice_areas"].([]string); len(got) != 2 || got[0] != "youth" {
		t.Errorf("multi choice stored as %v", got)
	}

	page := f.do(http.MethodGet, "/s/"+f.fr.Token, "", "").Body.String()
	mustContain(t, page, "Vous avez répondu le", `id="fund_corporate-2" name="fund_corporate" value="2" checked`,
		`id="practice_areas-youth" name="practice_areas" value="youth" checked`, `value="7"`)

	form.Set("fund_corporate", "5")
	if rec := f.postForm(f.fr.Token, form); rec.Code != http.StatusSeeOther {
		t.Fatalf("resubmit status %d", rec.Code)
	}
	r, _ = f.store.ResponseHistory(ctx, "chicago-paris-2014", f.fr.PID, "pre")
	if r.Seq != 2 || len(r.History) != 2 || r.Answers["fund_corporate"] != 5 || r.History[0].Answers["fund_corporate"] != 2 {
		t.Fatalf("after resubmission: version %d, answers %v, history %+v", r.Seq, r.Answers["fund_corporate"], r.History)
	}
}

func TestClosedWave(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	form := validForm(f.in, "pre")
	f.postForm(f.en.Token, form)
	if _, err := f.store.SetWave(ctx, "chicago-paris-2014", "pre", false, time.Now()); err != nil {
		t.Fatal(err)
	}
	rec := f.do(http.MethodGet, "/s/"+f.en.Token, "", "")
	mustContain(t, rec.Body.String(), "This questionnaire is not open", "Your answers to “Before the exchange” were received on")
	if strings.Contains(rec.Body.String(), "<form") {
		t.Error("a closed wave still shows its form")
	}
	rec = f.postForm(f.en.Token, form)
	if rec.Code != http.StatusConflict {
		t.Errorf("POST to a closed wave: %d", rec.Code)
	}
	rec = f.do(http.MethodPost, "/api/v1/responses/"+f.en.Token, "application/json", `{"wave":"pre","answers":{}}`)
	if rec.Code != http.StatusConflict || !strings.Contains(rec.Body.String(), "closed") {
		t.Errorf("API POST to a closed wave: %d %s", rec.Code, rec.Body)
	}
	r, _ := f.store.Response(ctx, "chicago-paris-2014", f.en.PID, "pre")
	if r.Seq != 1 {
		t.Errorf("closed wave accepted a submission: version %d", r.Seq)
	}
}

func TestInvalidRequestPage(t *testing.T) {
	f := newFixture(t)
	form := validForm(f.in, "pre")
	form.Set("wave", "during")
	rec := f.postForm(f.en.Token, form)
	if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "This request could not be handled") ||
		strings.Contains(rec.Body.String(), "is not open") {
		t.Errorf("unknown wave: %d", rec.Code)
	}
}

func TestOversizedBody(t *testing.T) {
	f := newFixture(t)
	big := "expectations=" + strings.Repeat("a", web.MaxBodyBytes+10)
	rec := f.do(http.MethodPost, "/s/"+f.fr.Token, "application/x-www-form-urlencoded", big)
	if rec.Code != http.StatusRequestEntityTooLarge || strings.Contains(rec.Body.String(), "goroutine") {
		t.Errorf("form: %d", rec.Code)
	}
	rec = f.do(http.MethodPost, "/api/v1/responses/"+f.fr.Token, "application/json", `{"answers":{"expectations":"`+strings.Repeat("a", web.MaxBodyBytes)+`"}}`)
	if rec.Code != http.StatusRequestEntityTooLarge || !strings.Contains(rec.Body.String(), `"error"`) {
		t.Errorf("json: %d %s", rec.Code, rec.Body.String()[:min(200, rec.Body.Len())])
	}
}

func TestJSONQuestionnaireAndSubmission(t *testing.T) {
	f := newFixture(t)
	rec := f.do(http.MethodGet, "/api/v1/questionnaire/"+f.fr.Token, "", "")
	var q struct {
		Wave     string         `json:"wave"`
		Language string         `json:"language"`
		Answers  map[string]any `json:"answers"`
		Versions int            `json:"versions"`
		Sections []struct {
			Questions []struct {
				ID      string `json:"id"`
				Type    string `json:"type"`
				Text    string `json:"text"`
				Options []struct {
					Value any    `json:"value"`
					Label string `json:"label"`
				} `json:"options"`
			} `json:"questions"`
		} `json:"sections"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &q); err != nil || rec.Code != 200 {
		t.Fatalf("%d %v", rec.Code, err)
	}
	if q.Wave != "pre" || q.Language != "fr" || len(q.Sections) == 0 || q.Sections[0].Questions[0].Text != "Dans quelle ville travaillez-vous ?" {
		t.Fatalf("questionnaire %+v", q)
	}

	answers := map[string]any{}
	for k, v := range validForm(f.in, "pre") {
		if k != "wave" {
			answers[k] = v[0]
		}
	}
	answers["fund_corporate"] = 4
	answers["practice_areas"] = []string{"youth", "foster-care"}
	body, _ := json.Marshal(map[string]any{"answers": answers})
	rec = f.do(http.MethodPost, "/api/v1/responses/"+f.fr.Token, "application/json", string(body))
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"versions":1`) {
		t.Fatalf("submit: %d %s", rec.Code, rec.Body)
	}
	rec = f.do(http.MethodGet, "/api/v1/questionnaire/"+f.fr.Token, "", "")
	_ = json.Unmarshal(rec.Body.Bytes(), &q)
	if q.Versions != 1 || q.Answers["fund_corporate"] != 4.0 {
		t.Errorf("stored answers not returned: %+v", q.Answers)
	}
}

func TestJSONBadRequests(t *testing.T) {
	f := newFixture(t)
	path := "/api/v1/responses/" + f.fr.Token
	tests := []struct {
		name, body string
		status     int
		want       string
	}{
		{"not json", `{"answers": `, 400, "not valid JSON"},
		{"empty", ``, 400, "empty"},
		{"unknown field", `{"answers": {}, "admin": true}`, 400, `unknown field \"admin\"`},
		{"trailing data", `{"answers": {}} {"x":1}`, 400, "after the JSON object"},
		{"answers wrong type", `{"answers": [1,2]}`, 400, `answers must be an object, not an array`},
		{"body not an object", `[1,2]`, 400, `request body must be a JSON object`},
		{"wave wrong type", `{"wave": 3, "answers": {}}`, 400, `wave must be a string, not a number`},
		{"not UTF-8", "{\"answers\": {\"expectations\": \"caf\xe9\"}}", 400, "not UTF-8 text (at byte 33)"},
		{"NUL in a text", `{"answers": {"expectations": "a\u0000b"}}`, 422, `"expectations":"La réponse contient des caractères qui ne sont pas du texte`},
		{"control character in a code", `{"answers": {"work_city": "Paris\u0007"}}`, 422, `"work_city"`},
		{"no answers", `{"wave": "pre"}`, 400, "answers is required"},
		{"bad language", `{"language": "xx", "answers": {}}`, 400, "language"},
		{"undeclared wave", `{"wave": "later", "answers": {}}`, 400, "no wave"},
		{"operator as a value", `{"answers": {"fund_corporate": {"$gt": ""}}}`, 422, `"fund_corporate":"Donnez une valeur`},
		{"operator as a key", `{"answers": {"$where": "sleep(1000)"}}`, 422, `"$where":"Ce questionnaire ne comporte pas cette question."`},
		{"operator inside a list", `{"answers": {"practice_areas": ["youth", {"$ne": null}]}}`, 422, `"practice_areas"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := f.do(http.MethodPost, path, "application/json", tt.body)
			if rec.Code != tt.status || !strings.Contains(rec.Body.String(), tt.want) {
				t.Errorf("got %d %s; want %d containing %s", rec.Code, rec.Body, tt.status, tt.want)
			}
			var e struct {
				Error string `json:"error"`
			}
			if json.Unmarshal(rec.Body.Bytes(), &e) != nil || e.Error == "" {
				t.Errorf("error body is not {\"error\": …}: %s", rec.Body)
			}
		})
	}
	if _, err := f.store.Response(context.Background(), "chicago-paris-2014", f.fr.PID, "pre"); exchange.ErrorCode(err) != exchange.ENOTFOUND {
		t.Fatalf("a rejected request stored something: %v", err)
	}
	for _, body := range []string{`{}`, `{"answers": []}`, `[1]`, `{"wave": 3, "answers": {}}`} {
		if rec := f.do(http.MethodPost, path, "application/json", body); strings.Contains(rec.Body.String(), "web.") || strings.Contains(rec.Body.String(), "interface") {
			t.Errorf("%s: the error names Go types: %s", body, rec.Body)
		}
	}
}

// TestFormRefusesWhatIsNotText: a form answer with invalid UTF-8 or a
// control character is refused in the delegate's language and nothing is
// stored; line breaks and tabs in a free text are kept.
func TestFormRefusesWhatIsNotText(t *testing.T) {
	f := newFixture(t)
	form := validForm(f.in, "pre")
	form.Set("expectations", "D\xe9couvrir")
	rec := f.postForm(f.fr.Token, form)
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "ne sont pas du texte") {
		t.Fatalf("invalid UTF-8: %d %.300s", rec.Code, rec.Body)
	}
	form.Set("expectations", "ligne\x00")
	if rec := f.postForm(f.fr.Token, form); rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("NUL: %d", rec.Code)
	}
	if _, err := f.store.Response(context.Background(), "chicago-paris-2014", f.fr.PID, "pre"); exchange.ErrorCode(err) != exchange.ENOTFOUND {
		t.Fatalf("a refused form stored something: %v", err)
	}
	form.Set("expectations", "Première ligne\r\n\tseconde ligne")
	if rec := f.postForm(f.fr.Token, form); rec.Code != http.StatusSeeOther && rec.Code != http.StatusOK {
		t.Fatalf("line breaks and tabs: %d %.300s", rec.Code, rec.Body)
	}
	r, err := f.store.Response(context.Background(), "chicago-paris-2014", f.fr.PID, "pre")
	if err != nil || r.Answers["expectations"] != "Première ligne\n\tseconde ligne" {
		t.Fatalf("stored %v %q", err, r.Answers["expectations"])
	}
}

func TestHealthAndReadiness(t *testing.T) {
	f := newFixture(t)
	for _, p := range []string{"/healthz", "/readyz"} {
		if rec := f.do(http.MethodGet, p, "", ""); rec.Code != http.StatusOK {
			t.Errorf("%s: %d", p, rec.Code)
		}
	}
	if rec := f.do(http.MethodGet, "/static/app.css", "", ""); rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/css") {
		t.Errorf("stylesheet: %d %s", rec.Code, rec.Header().Get("Content-Type"))
	}
	// Browsers ask for /favicon.ico on every site; pages link the SVG.
	if rec := f.do(http.MethodGet, "/favicon.ico", "", ""); rec.Code != 200 || rec.Header().Get("Content-Type") != "image/x-icon" ||
		!bytes.HasPrefix(rec.Body.Bytes(), []byte{0, 0, 1, 0}) {
		t.Errorf("favicon.ico: %d %s", rec.Code, rec.Header().Get("Content-Type"))
	}
	if rec := f.do(http.MethodGet, "/static/favicon.svg", "", ""); rec.Code != 200 || !strings.Contains(rec.Body.String(), "<svg") {
		t.Errorf("favicon.svg: %d", rec.Code)
	}
	f.store.Close(context.Background())
	if rec := f.do(http.MethodGet, "/readyz", "", ""); rec.Code != http.StatusServiceUnavailable {
		t.Errorf("readyz with the store gone: %d", rec.Code)
	}
}

// TestAClientThatGivesUpIsNotAnError: a request whose client has gone away
// is logged as such, not as a failure, and the next request is served as
// usual (it does not look like a database outage).
func TestAClientThatGivesUpIsNotAnError(t *testing.T) {
	f := newFixture(t)
	var logs bytes.Buffer
	h, err := web.NewServer(f.store, survey.NewSet(f.in), exchangeeval.Templates, slog.New(slog.NewJSONHandler(&syncWriter{w: &logs}, nil)), web.Config{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req := httptest.NewRequest(http.MethodGet, "/s/"+f.fr.Token, nil).WithContext(ctx)
	h.ServeHTTP(httptest.NewRecorder(), req)
	if strings.Contains(logs.String(), `"level":"ERROR"`) || !strings.Contains(logs.String(), "client gave up") {
		t.Errorf("logs:\n%s", logs.String())
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/s/"+f.fr.Token, nil))
	if rec.Code != http.StatusOK {
		t.Errorf("the next request: %d", rec.Code)
	}
}

type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// TestSaveAndFinishLater: a delegate saves part of the questionnaire and
// comes back to it through the same link; the draft is no response (the
// analysis never sees it), a wrong answer in it is shown to be fixed, and
// sending the questionnaire drops it.
func TestSaveAndFinishLater(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	page := f.do(http.MethodGet, "/s/"+f.fr.Token, "", "").Body.String()
	mustContain(t, page, `<span id="progress-n">0</span> / 5 parties remplies`, "Partie 1 sur 5", "Enregistrer et finir plus tard")

	partial := url.Values{"lang": {"fr"}, "wave": {"pre"}, "action": {"draft"}, "work_city": {"paris"}, "org_type": {"nonprofit"},
		"job_role": {"practitioner"}, "fund_corporate": {"4"}}
	rec := f.postForm(f.fr.Token, partial)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/s/"+f.fr.Token+"?lang=fr&wave=pre#progress" {
		t.Fatalf("save a draft: %d → %s", rec.Code, rec.Header().Get("Location"))
	}
	page = f.do(http.MethodGet, "/s/"+f.fr.Token+"?lang=fr&wave=pre", "", "").Body.String()
	mustContain(t, page, "Vos réponses enregistrées le", `<span id="progress-n">1</span> / 5`, `value="4" checked`)
	if _, err := f.store.Response(ctx, "chicago-paris-2014", f.fr.PID, "pre"); exchange.ErrorCode(err) != exchange.ENOTFOUND {
		t.Fatalf("a draft became a response: %v", err)
	}
	if by, _ := f.store.Respondents(ctx, "chicago-paris-2014"); len(by["pre"]) != 0 {
		t.Fatalf("a draft counts as a respondent: %v", by)
	}

	bad := url.Values{"lang": {"fr"}, "wave": {"pre"}, "action": {"draft"}, "fund_corporate": {"9"}}
	if rec := f.postForm(f.fr.Token, bad); rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "entre 1 et 5") {
		t.Fatalf("a draft with a wrong answer: %d", rec.Code)
	}
	if d, _ := f.store.Draft(ctx, "chicago-paris-2014", f.fr.PID, "pre"); d == nil || d.Answers["fund_corporate"] != 4 {
		t.Fatalf("the refused draft replaced the saved one: %+v", d)
	}

	if rec := f.postForm(f.fr.Token, validForm(f.in, "pre")); rec.Code != http.StatusSeeOther {
		t.Fatalf("send: %d", rec.Code)
	}
	if d, err := f.store.Draft(ctx, "chicago-paris-2014", f.fr.PID, "pre"); err != nil || d != nil {
		t.Fatalf("the draft outlived the sending: %v %+v", err, d)
	}
	if page := f.do(http.MethodGet, "/s/"+f.fr.Token, "", "").Body.String(); strings.Contains(page, "Vos réponses enregistrées le") {
		t.Error("after sending, the page still speaks of a draft")
	}
}
