package web_test

import (
	"context"
	"encoding/json"
	"html"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

// openPost closes the fixture's pre wave and opens post, whose shipped
// questions include a conditional one: how useful the immersion day was,
// only for those who had one.
func openPost(t *testing.T, f *fixture) {
	t.Helper()
	ctx := context.Background()
	for wave, open := range map[string]bool{"pre": false, "post": true} {
		if _, err := f.store.SetWave(ctx, "chicago-paris-2014", wave, open, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
}

// The form shows every question; a conditional one carries its condition
// for the script and says in words, in the delegate's language, when to
// answer it.
func TestConditionalQuestionOnTheForm(t *testing.T) {
	f := newFixture(t)
	openPost(t, f)
	body := html.UnescapeString(f.do(http.MethodGet, "/s/"+f.fr.Token, "", "").Body.String())
	mustContain(t, body,
		`id="q-core_immersion" data-relevant="["=",["ref","immersion_done","single"],["str","yes"]]"`,
		"Seulement si vous avez répondu « Oui » à « Avez-vous passé une journée d'immersion individuelle dans un service de votre domaine ? ».")
	if !strings.Contains(body, `id="in-core_immersion`) && !strings.Contains(body, `name="core_immersion"`) {
		t.Error("the conditional question is not on the form (without the script every question shows)")
	}
}

// The server decides: an answer to a question whose condition is false is
// dropped whatever the browser sent, and its required flag does not hold.
func TestFormDropsAnswersToQuestionsThatDoNotApply(t *testing.T) {
	f := newFixture(t)
	openPost(t, f)
	form := validForm(f.in, "post")
	form.Set("immersion_done", "no")
	form.Set("core_immersion", "9") // out of range, but it does not apply
	if rec := f.postForm(f.en.Token, form); rec.Code != http.StatusSeeOther {
		t.Fatalf("submit: %d %s", rec.Code, rec.Body)
	}
	r, err := f.store.Response(context.Background(), "chicago-paris-2014", f.en.PID, "post")
	if err != nil {
		t.Fatal(err)
	}
	if _, kept := r.Answers["core_immersion"]; kept || r.Answers["immersion_done"] != "no" {
		t.Errorf("stored %v", r.Answers)
	}

	// Once it applies, it is required again and must be right.
	form.Set("immersion_done", "yes")
	form.Del("core_immersion")
	rec := f.postForm(f.en.Token, form)
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), `id="err-core_immersion"`) {
		t.Errorf("required conditional question left out: %d", rec.Code)
	}
}

func TestJSONSaysWhichQuestionsDidNotApply(t *testing.T) {
	f := newFixture(t)
	openPost(t, f)
	var q struct {
		Sections []struct {
			Questions []struct {
				ID          string `json:"id"`
				Relevant    string `json:"relevant"`
				AppliesWhen string `json:"applies_when"`
			} `json:"questions"`
		} `json:"sections"`
	}
	rec := f.do(http.MethodGet, "/api/v1/questionnaire/"+f.en.Token, "", "")
	if err := json.Unmarshal(rec.Body.Bytes(), &q); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, s := range q.Sections {
		for _, qq := range s.Questions {
			if qq.ID == "core_immersion" {
				found = qq.Relevant == "${immersion_done} = 'yes'" && strings.HasPrefix(qq.AppliesWhen, "Only if you answered “Yes” to")
			}
		}
	}
	if !found {
		t.Errorf("the questionnaire does not give core_immersion's condition: %s", rec.Body)
	}

	answers := map[string]any{}
	for k, v := range validForm(f.in, "post") {
		if k != "wave" {
			answers[k] = v[0]
		}
	}
	answers["immersion_done"] = "no"
	answers["core_immersion"] = 5
	b, _ := json.Marshal(map[string]any{"answers": answers})
	rec = f.do(http.MethodPost, "/api/v1/responses/"+f.en.Token, "application/json", string(b))
	var saved struct {
		NotApplicable []string `json:"not_applicable"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &saved); err != nil || rec.Code != http.StatusOK {
		t.Fatalf("submit: %d %s", rec.Code, rec.Body)
	}
	if !slices.Equal(saved.NotApplicable, []string{"core_immersion"}) {
		t.Errorf("not_applicable %v", saved.NotApplicable)
	}
	r, _ := f.store.Response(context.Background(), "chicago-paris-2014", f.en.PID, "post")
	if _, kept := r.Answers["core_immersion"]; kept {
		t.Errorf("an answer to a question that did not apply was stored: %v", r.Answers)
	}
}
