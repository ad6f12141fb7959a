package web_test

import (
	"context"
	"os/exec"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/csci/exchangeeval/internal/demo"
	"github.com/csci/exchangeeval/internal/survey"
	"github.com/csci/exchangeeval/internal/web"
)

// TestBrowserConditionalQuestions: in Chromium, the post-exchange
// questionnaire hides "how useful was your immersion day" until the
// delegate says they had one, and hides it again when they say they did
// not; the answer is kept. With scripts off the same form shows every
// question with a sentence saying when to answer it, and still submits;
// the server drops the answer to the question that does not apply.
func TestBrowserConditionalQuestions(t *testing.T) {
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("chromium not installed: apt-get install chromium to run the browser test")
	}
	s := newSite(t, web.Config{})
	ctx := context.Background()
	for wave, open := range map[string]bool{"pre": false, "post": true} {
		if _, err := s.store.SetWave(ctx, demo.UpcomingID, wave, open, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	ps, _ := s.store.Participants(ctx, demo.UpcomingID)
	in := s.set.Get(demo.InstrumentID)
	answerLikerts := func() []chromedp.Action {
		var out []chromedp.Action
		for _, q := range in.QuestionsIn("post") {
			if q.Type == survey.TypeLikert && q.ID != "core_immersion" {
				out = append(out, chromedp.Click("#"+q.ID+"-4", chromedp.ByQuery))
			}
		}
		return append(out, chromedp.Click("#quote_consent-yes", chromedp.ByQuery))
	}
	visible := func(sel string) string { return `document.querySelector('` + sel + `').checkVisibility()` }

	// With the script.
	b := newBrowser(t, chromium)
	var before, afterYes, afterNo, whenShown bool
	actions := []chromedp.Action{
		chromedp.Navigate(s.srv.URL + "/s/" + ps[0].Token + "?lang=en"),
		chromedp.WaitVisible(`form button[type=submit]`, chromedp.ByQuery),
		chromedp.Evaluate(visible("#q-core_immersion"), &before),
		chromedp.Evaluate(visible("#q-core_immersion .when"), &whenShown),
		chromedp.Click("#immersion_done-yes", chromedp.ByQuery),
		chromedp.Evaluate(visible("#q-core_immersion"), &afterYes),
		chromedp.Click("#core_immersion-5", chromedp.ByQuery),
		chromedp.Click("#immersion_done-no", chromedp.ByQuery),
		chromedp.Evaluate(visible("#q-core_immersion"), &afterNo),
		chromedp.Click("#immersion_done-yes", chromedp.ByQuery),
	}
	actions = append(actions, answerLikerts()...)
	if err := chromedp.Run(b, actions...); err != nil {
		t.Fatalf("answering: %v", err)
	}
	if before || !afterYes || afterNo || whenShown {
		t.Errorf("immersion rating visible: before answering %v, after yes %v, after no %v; sentence shown with the script %v", before, afterYes, afterNo, whenShown)
	}
	if err := chromedp.Run(b, chromedp.Click(`form button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`main a[href*="wave=post"]`, chromedp.ByQuery)); err != nil {
		t.Fatalf("submitting: %v", err)
	}
	r, err := s.store.Response(ctx, demo.UpcomingID, ps[0].PID, "post")
	if err != nil || r.Answers["core_immersion"] != 5 || r.Answers["immersion_done"] != "yes" {
		t.Fatalf("stored with the script: %v %v", err, r)
	}

	// Without it: every question shows, with its sentence (waited for
	// as visible).
	b = newBrowser(t, chromium)
	var text string
	actions = []chromedp.Action{
		emulation.SetScriptExecutionDisabled(true),
		chromedp.Navigate(s.srv.URL + "/s/" + ps[1].Token + "?lang=fr"),
		chromedp.WaitVisible(`#q-core_immersion .when`, chromedp.ByQuery),
		chromedp.Text(`#q-core_immersion .when`, &text, chromedp.ByQuery),
		chromedp.Click("#immersion_done-no", chromedp.ByQuery),
		chromedp.Click("#core_immersion-2", chromedp.ByQuery), // shown, so a delegate may answer it
	}
	actions = append(actions, answerLikerts()...)
	actions = append(actions, chromedp.Click(`form button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`main a[href*="wave=post"]`, chromedp.ByQuery))
	if err := chromedp.Run(b, actions...); err != nil {
		t.Fatalf("without the script: %v", err)
	}
	if text != "Seulement si vous avez répondu « Oui » à « Avez-vous passé une journée d'immersion individuelle dans un service de votre domaine ? »." {
		t.Errorf("without the script the condition reads %q", text)
	}
	r, err = s.store.Response(ctx, demo.UpcomingID, ps[1].PID, "post")
	if err != nil || r.Answers["immersion_done"] != "no" {
		t.Fatalf("stored without the script: %v %v", err, r)
	}
	if _, kept := r.Answers["core_immersion"]; kept {
		t.Errorf("the answer to a question that did not apply was kept: %v", r.Answers)
	}
}
