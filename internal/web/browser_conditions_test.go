package web_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/csci/exchangeeval/internal/demo"
	"github.com/csci/exchangeeval/internal/staff"
	"github.com/csci/exchangeeval/internal/survey"
	"github.com/csci/exchangeeval/internal/web"
	"github.com/csci/exchangeeval/internal/workbook"
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

// TestBrowserAdminUploadsAndPreviews: an admin uploads an XLSForm through
// the questionnaires page in Chromium, sees it listed, and previews it:
// the conditional question shows once the answer that opens it is given,
// at phone width as well.
func TestBrowserAdminUploadsAndPreviews(t *testing.T) {
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("chromium not installed: apt-get install chromium to run the browser test")
	}
	s := newSite(t, web.Config{})
	def, err := os.ReadFile("../survey/testdata/conditions.yaml")
	if err != nil {
		t.Fatal(err)
	}
	in, probs := survey.Parse("conditions.yaml", def)
	if probs != nil {
		t.Fatal(probs)
	}
	form := filepath.Join(t.TempDir(), "site-visits.xlsx")
	f, err := os.Create(form)
	if err != nil {
		t.Fatal(err)
	}
	if err := workbook.WriteXLSForm(f, survey.ToXLSForm(in)); err != nil {
		t.Fatal(err)
	}
	f.Close()

	b := newBrowser(t, chromium)
	a := account(staff.RoleAdmin)
	var notice, listed string
	if err := chromedp.Run(b, chromedp.Navigate(s.srv.URL+"/login"),
		chromedp.SendKeys(`#email`, a.Email, chromedp.ByQuery), chromedp.SendKeys(`#password`, a.Password, chromedp.ByQuery),
		chromedp.Click(`form[action="/login"] button[type=submit]`, chromedp.ByQuery), chromedp.WaitVisible(`.staffnav`, chromedp.ByQuery),
		chromedp.Click(`a[href="/admin/instruments"]`, chromedp.ByQuery), chromedp.WaitVisible(`#file`, chromedp.ByQuery),
		chromedp.SetUploadFiles(`#file`, []string{form}, chromedp.ByQuery),
		chromedp.Click(`form[action="/admin/instruments"] button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`p.saved`, chromedp.ByQuery), chromedp.Text(`p.saved`, &notice, chromedp.ByQuery),
		chromedp.Text(`#i-conditions`, &listed, chromedp.ByQuery)); err != nil {
		t.Fatalf("uploading: %v", err)
	}
	if !strings.Contains(notice, "site-visits.xlsx stored as conditions version 1") || !strings.Contains(listed, "8 questions (5 conditional)") {
		t.Errorf("after the upload: %q; listed %q", notice, listed)
	}
	shotTo(t, b, "5-admin-instruments.png")

	var before, after bool
	var banner string
	var sideways int
	if err := chromedp.Run(b, emulation.SetDeviceMetricsOverride(390, 844, 1, true),
		chromedp.Click(`#i-conditions a[href$="/preview"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`.preview-banner`, chromedp.ByQuery), chromedp.Text(`.preview-banner`, &banner, chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelector('#q-visit_rating').checkVisibility()`, &before),
		chromedp.Click(`#visited-yes`, chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelector('#q-visit_rating').checkVisibility()`, &after),
		chromedp.Evaluate(`document.documentElement.scrollWidth - document.documentElement.clientWidth`, &sideways)); err != nil {
		t.Fatalf("previewing: %v", err)
	}
	shotTo(t, b, "6-admin-preview-phone.png")
	if !strings.Contains(banner, "Nothing you send here is saved") || before || !after || sideways > 0 {
		t.Errorf("preview: banner %q, rating visible before %v after %v, scrolls %d px sideways", banner, before, after, sideways)
	}
	var accepted string
	step, cancel := context.WithTimeout(b, 20*time.Second)
	defer cancel()
	if err := chromedp.Run(step, chromedp.Click(`#visit_rating-4`, chromedp.ByQuery),
		chromedp.Click(`form[data-progress] button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`p.saved`, chromedp.ByQuery), chromedp.Text(`p.saved`, &accepted, chromedp.ByQuery)); err != nil {
		var html string
		_ = chromedp.Run(b, chromedp.OuterHTML("main", &html, chromedp.ByQuery))
		t.Fatalf("checking the preview's answers: %v\n%.3000s", err, html)
	}
	if !strings.Contains(accepted, "would be accepted") {
		t.Errorf("after sending the preview: %q", accepted)
	}
	if xs, _ := s.store.Exchanges(context.Background()); len(xs) != 6 {
		t.Errorf("the preview stored something: %d exchanges", len(xs))
	}
}

func shotTo(t *testing.T, b context.Context, name string) {
	var png []byte
	if err := chromedp.Run(b, chromedp.FullScreenshot(&png, 100)); err != nil {
		t.Errorf("screenshot %s: %v", name, err)
		return
	}
	if err := os.MkdirAll(artifacts, 0o755); err == nil {
		_ = os.WriteFile(filepath.Join(artifacts, name), png, 0o644)
	}
}
