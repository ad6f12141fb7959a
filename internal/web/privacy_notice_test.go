package web_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/csci/exchangeeval"
	"github.com/csci/exchangeeval/internal/survey"
	"github.com/csci/exchangeeval/internal/web"
)

// TestResponsesRecordThePrivacyNoticeShown: the questionnaire's first
// page shows the service's privacy notice in the delegate's language (the
// instrument has none), the JSON questionnaire gives it with its version,
// and a response sent through the page or the API records that version,
// in the history too. An instrument with its own notice shows that one,
// and its responses record its version.
func TestResponsesRecordThePrivacyNoticeShown(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	mustContain(t, f.do(http.MethodGet, "/s/"+f.fr.Token+"?lang=fr", "", "").Body.String(),
		"Utilisation de vos réponses et de vos coordonnées", "Vous pouvez à tout moment demander aux organisateurs")
	var q struct {
		PrivacyNotice struct{ Version, Text string } `json:"privacy_notice"`
	}
	rec := f.do(http.MethodGet, "/api/v1/questionnaire/"+f.en.Token, "", "")
	if err := json.Unmarshal(rec.Body.Bytes(), &q); err != nil || q.PrivacyNotice.Version != "exchangeeval-2026-12" || !strings.Contains(q.PrivacyNotice.Text, "erased after the evaluation") {
		t.Fatalf("the JSON questionnaire's notice: %v %+v", err, q.PrivacyNotice)
	}
	form := validForm(f.in, "pre")
	form.Set("lang", "fr")
	if rec := f.postForm(f.fr.Token, form); rec.Code != http.StatusSeeOther {
		t.Fatalf("submit: %d", rec.Code)
	}
	answers := map[string]any{}
	for k, v := range validForm(f.in, "pre") {
		if k != "wave" {
			answers[k] = v[0]
		}
	}
	body, _ := json.Marshal(map[string]any{"answers": answers})
	if rec := f.do(http.MethodPost, "/api/v1/responses/"+f.en.Token, "application/json", string(body)); rec.Code != http.StatusOK {
		t.Fatalf("API submit: %d %s", rec.Code, rec.Body)
	}
	for _, pid := range []string{f.fr.PID, f.en.PID} {
		r, err := f.store.ResponseHistory(ctx, "chicago-paris-2014", pid, "pre")
		if err != nil || r.PrivacyNotice != "exchangeeval-2026-12" || len(r.History) != 1 || r.History[0].PrivacyNotice != "exchangeeval-2026-12" {
			t.Errorf("%s: the notice recorded: %v %q %+v", pid, err, r.PrivacyNotice, r.History)
		}
	}

	// The instrument's own notice, in French with an English fallback.
	ins, probs := survey.LoadFS(exchangeeval.Surveys, "surveys", "surveys/")
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	set := survey.NewSet(ins...)
	set.Get("csci-social-services").Privacy = &survey.PrivacyNotice{Version: "csci-2027-01",
		Text: survey.Text{"en": "Chicago Sister Cities International keeps your answers for ten years.", "fr": "CSCI conserve vos réponses dix ans."}}
	h, err := web.NewServer(f.store, set, exchangeeval.Templates, slog.New(slog.NewTextHandler(io.Discard, nil)), web.Config{})
	if err != nil {
		t.Fatal(err)
	}
	page := httptest.NewRecorder()
	h.ServeHTTP(page, httptest.NewRequest(http.MethodGet, "/s/"+f.fr.Token+"?lang=fr&wave=pre", nil))
	mustContain(t, page.Body.String(), "CSCI conserve vos réponses dix ans.")
	sent := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, "/api/v1/responses/"+f.en.Token, strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	h.ServeHTTP(sent, req)
	if sent.Code != http.StatusOK {
		t.Fatalf("API submit under the instrument's notice: %d %s", sent.Code, sent.Body)
	}
	if r, err := f.store.ResponseHistory(ctx, "chicago-paris-2014", f.en.PID, "pre"); err != nil || r.PrivacyNotice != "csci-2027-01" || len(r.History) != 2 || r.History[0].PrivacyNotice != "exchangeeval-2026-12" {
		t.Errorf("the notice after a resubmission under the instrument's notice: %v %q %+v", err, r.PrivacyNotice, r.History)
	}
}
