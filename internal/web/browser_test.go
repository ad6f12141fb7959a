package web_test

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/csci/exchangeeval/internal/demo"
	"github.com/csci/exchangeeval/internal/mailing"
	"github.com/csci/exchangeeval/internal/smtpsend"
	"github.com/csci/exchangeeval/internal/smtpsend/smtptest"
	"github.com/csci/exchangeeval/internal/staff"
	"github.com/csci/exchangeeval/internal/survey"
	"github.com/csci/exchangeeval/internal/web"
)

// artifacts is where the browser test leaves its screenshots.
const artifacts = "../../testartifacts/e2e"

// TestBrowserEndToEnd drives Debian's Chromium, headless: a delegate answers
// the French pre-exchange questionnaire, an admin closes the wave, and a
// committee member signs off a goal. It installs nothing; .ci/run installs
// chromium so that CI runs it.
func TestBrowserEndToEnd(t *testing.T) {
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("chromium not installed: apt-get install chromium to run the browser test")
	}
	// E-mail goes to a real SMTP server on 127.0.0.1: the delegate comes
	// to the questionnaire through the link in their invitation.
	smtpd := smtptest.Start(t)
	mailSettings, err := mailing.ParseSettings(smtpd.URL(), "Evaluation <eval@example.org>")
	if err != nil {
		t.Fatal(err)
	}
	s := newSite(t, web.Config{Mail: mailSettings})
	sender := &mailing.Worker{Outbox: s.store, Sender: smtpsend.New(*mailSettings)}
	ctx := context.Background()
	if err := os.MkdirAll(artifacts, 0o755); err != nil {
		t.Fatal(err)
	}
	browser := func(t *testing.T) context.Context { return newBrowser(t, chromium) }
	shot := func(b context.Context, name string) { screenshot(t, b, name) }

	// 1. The admin sends the invitations; a French delegate follows the
	// link in theirs and answers the pre-exchange questionnaire.
	ps, _ := s.store.Participants(ctx, demo.UpcomingID)
	var pid, email string
	for _, p := range ps {
		if p.Language == "fr" {
			pid, email = p.PID, p.Email
			break
		}
	}
	admin := s.login(account(staff.RoleAdmin).Email, account(staff.RoleAdmin).Password)
	adminPage := "/admin/exchanges/" + demo.UpcomingID
	if status, _ := s.postForm(admin, adminPage, adminPage+"/mail", url.Values{"action": {"invite"}, "wave": {"pre"}}); status != http.StatusSeeOther {
		t.Fatalf("sending the invitations: %d", status)
	}
	if res, err := sender.SendDue(ctx); err != nil || res.Sent != len(ps) {
		t.Fatalf("invitations sent: %+v %v", res, err)
	}
	var link string
	for _, r := range smtpd.Received() {
		if r.To[0] == email {
			link = regexp.MustCompile(`https?://\S+/s/[A-Za-z0-9_-]{43}`).FindString(textOf(t, r))
		}
	}
	if !strings.HasPrefix(link, s.srv.URL+"/s/") {
		t.Fatalf("no link to this site in the invitation: %q", link)
	}
	in := s.set.Get(demo.InstrumentID)
	b := browser(t)
	actions := []chromedp.Action{
		chromedp.Navigate(link),
		chromedp.WaitVisible(`form button[type=submit]`, chromedp.ByQuery),
		chromedp.SetValue(`#in-work_city`, "paris", chromedp.ByQuery),
		chromedp.Click(`#org_type-nonprofit`, chromedp.ByQuery),
		chromedp.Click(`#job_role-practitioner`, chromedp.ByQuery),
		chromedp.SendKeys(`#in-years_practice`, "12", chromedp.ByQuery),
	}
	for _, q := range in.QuestionsIn("pre") {
		if q.Type == survey.TypeLikert {
			actions = append(actions, chromedp.Click("#"+q.ID+"-4", chromedp.ByQuery))
		}
	}
	actions = append(actions, chromedp.SendKeys(`#in-expectations`, "Découvrir le pouvoir d'agir des habitants et l'évaluation.", chromedp.ByQuery))
	var heading string
	if err := chromedp.Run(b, actions...); err != nil {
		t.Fatalf("filling the questionnaire: %v", err)
	}
	shot(b, "1-delegate-questionnaire-fr.png")
	// Wait for something only the thank-you page has (its link back to the
	// answers): the questionnaire's own heading would match until the
	// navigation replaces it.
	if err := chromedp.Run(b, chromedp.Click(`form button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`main a[href*="wave=pre"]`, chromedp.ByQuery), chromedp.Text(`main h1`, &heading, chromedp.ByQuery)); err != nil {
		t.Fatalf("submitting: %v", err)
	}
	shot(b, "2-delegate-thanks-fr.png")
	if heading != "Merci" {
		t.Errorf("after submitting: %q", heading)
	}
	r, err := s.store.Response(ctx, demo.UpcomingID, pid, "pre")
	if err != nil || r.Answers["fund_corporate"] != 4 || r.Answers["work_city"] != "paris" || r.Language != "fr" {
		t.Fatalf("stored response: %v %+v", err, r)
	}

	// Reminders now go to everyone but the delegate who answered.
	if status, _ := s.postForm(admin, adminPage, adminPage+"/mail", url.Values{"action": {"remind"}, "wave": {"pre"}}); status != http.StatusSeeOther {
		t.Fatalf("sending the reminders: %d", status)
	}
	if res, err := sender.SendDue(ctx); err != nil || res.Sent != len(ps)-1 || smtpd.To()[email] != 1 {
		t.Fatalf("reminders: %+v %v; the delegate who answered has %d messages", res, err, smtpd.To()[email])
	}

	// 2. An admin signs in and closes the pre wave.
	login := func(b context.Context, a demo.Account) error {
		return chromedp.Run(b, chromedp.Navigate(s.srv.URL+"/login"),
			chromedp.SendKeys(`#email`, a.Email, chromedp.ByQuery), chromedp.SendKeys(`#password`, a.Password, chromedp.ByQuery),
			chromedp.Click(`form[action="/login"] button[type=submit]`, chromedp.ByQuery), chromedp.WaitVisible(`.staffnav`, chromedp.ByQuery))
	}
	b = browser(t)
	if err := login(b, account(staff.RoleAdmin)); err != nil {
		t.Fatalf("admin sign-in: %v", err)
	}
	// On the phone-sized window every wave's button is on screen, not
	// beyond the right edge of a scrolled table.
	var offscreen, sideways int
	if err := chromedp.Run(b, emulation.SetDeviceMetricsOverride(360, 800, 1, true),
		chromedp.Navigate(s.srv.URL+"/admin/exchanges/"+demo.UpcomingID), chromedp.WaitVisible(`#close-pre`, chromedp.ByQuery),
		chromedp.Evaluate(`[...document.querySelectorAll('section[aria-labelledby=h-waves] button')].filter(b => b.getBoundingClientRect().right > document.documentElement.clientWidth).length`, &offscreen),
		chromedp.Evaluate(`document.documentElement.scrollWidth - document.documentElement.clientWidth`, &sideways)); err != nil {
		t.Fatalf("admin page: %v", err)
	}
	if offscreen > 0 || sideways > 0 {
		t.Errorf("at 360 px %d wave buttons are off-screen and the page scrolls %d px sideways", offscreen, sideways)
	}
	// The accounts page with an API token to revoke, on the phone.
	_, tokenHash := staff.NewSecret()
	if err := s.store.CreateToken(ctx, &staff.APIToken{Hash: tokenHash, User: account(staff.RoleEvaluator).Email, Name: "nightly R script",
		CreatedAt: time.Now(), ExpiresAt: time.Now().AddDate(0, 0, 90)}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Run(b, chromedp.Navigate(s.srv.URL+"/admin/users"), chromedp.WaitVisible(`#h-tokens`, chromedp.ByQuery),
		chromedp.Evaluate(`document.documentElement.scrollWidth - document.documentElement.clientWidth`, &sideways)); err != nil {
		t.Fatalf("accounts page: %v", err)
	}
	shot(b, "3c-admin-users-tokens-phone.png")
	if sideways > 0 {
		t.Errorf("at 360 px the accounts page scrolls %d px sideways", sideways)
	}

	if err := chromedp.Run(b, emulation.ClearDeviceMetricsOverride()); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Run(b, chromedp.Navigate(s.srv.URL+"/admin/exchanges/"+demo.UpcomingID),
		chromedp.WaitVisible(`#close-pre`, chromedp.ByQuery), chromedp.Click(`#close-pre`, chromedp.ByQuery),
		chromedp.WaitVisible(`#open-pre`, chromedp.ByQuery)); err != nil {
		t.Fatalf("closing the wave: %v", err)
	}
	shot(b, "3-admin-wave-closed.png")
	if x, _ := s.store.Exchange(ctx, demo.UpcomingID); x.Waves["pre"].Open {
		t.Error("the pre wave is still open")
	}

	// The admin removes someone who has not answered: the button asks
	// first; declining keeps them, accepting removes them and the page
	// says so.
	var silent string
	ps, _ = s.store.Participants(ctx, demo.UpcomingID)
	for _, p := range ps {
		if p.PID != pid {
			silent = p.PID
			break
		}
	}
	var accept atomic.Bool
	var asked atomic.Int32
	chromedp.ListenTarget(b, func(ev any) {
		if _, ok := ev.(*page.EventJavascriptDialogOpening); ok {
			asked.Add(1)
			go func() { _ = chromedp.Run(b, page.HandleJavaScriptDialog(accept.Load())) }()
		}
	})
	remove := `button[aria-label="Remove ` + silent + `"]`
	if err := chromedp.Run(b, chromedp.Navigate(s.srv.URL+"/admin/exchanges/"+demo.UpcomingID+"?lang=en"),
		chromedp.Click(`section[aria-labelledby=h-people] summary`, chromedp.ByQuery), chromedp.WaitVisible(remove, chromedp.ByQuery),
		chromedp.Click(remove, chromedp.ByQuery), chromedp.Sleep(500*time.Millisecond)); err != nil {
		t.Fatalf("declining a removal: %v", err)
	}
	if after, _ := s.store.Participants(ctx, demo.UpcomingID); len(after) != len(ps) || asked.Load() != 1 {
		t.Fatalf("declined removal: %d participants (was %d), asked %d times", len(after), len(ps), asked.Load())
	}
	accept.Store(true)
	var notice string
	if err := chromedp.Run(b, chromedp.Click(remove, chromedp.ByQuery), chromedp.WaitVisible(`p.saved`, chromedp.ByQuery),
		chromedp.Text(`p.saved`, &notice, chromedp.ByQuery)); err != nil {
		t.Fatalf("accepting a removal: %v", err)
	}
	if after, _ := s.store.Participants(ctx, demo.UpcomingID); len(after) != len(ps)-1 || !strings.Contains(notice, silent+" (") {
		t.Errorf("accepted removal: %d participants (was %d), notice %q", len(after), len(ps), notice)
	}
	shot(b, "3b-admin-participant-removed.png")

	// 3. A committee member signs in and signs off a goal.
	b = browser(t)
	if err := login(b, account(staff.RoleCommittee)); err != nil {
		t.Fatalf("committee sign-in: %v", err)
	}
	// The programme, as this member may see it: their exchanges only,
	// forest plots legible on a phone.
	var progText string
	var plots int
	if err := chromedp.Run(b, emulation.SetDeviceMetricsOverride(390, 844, 1, true), chromedp.Navigate(s.srv.URL+"/programmes/"+demo.InstrumentID),
		chromedp.WaitVisible(`svg.forest`, chromedp.ByQuery), chromedp.Text(`main`, &progText, chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelectorAll('svg.forest').length`, &plots)); err != nil {
		t.Fatalf("programme page: %v", err)
	}
	shot(b, "4a-committee-programme-phone.png")
	if plots != 3 || !strings.Contains(progText, "Hamburg") || strings.Contains(progText, "Durban") || strings.Contains(progText, "Birmingham") {
		t.Errorf("the committee member's programme: %d plots, or others' exchanges shown", plots)
	}
	checkForestPlots(t, b, 390)
	if err := chromedp.Run(b, emulation.ClearDeviceMetricsOverride()); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Run(b, emulation.SetDeviceMetricsOverride(1280, 900, 1, false), chromedp.Navigate(s.srv.URL+"/programmes/"+demo.InstrumentID),
		chromedp.WaitVisible(`svg.forest`, chromedp.ByQuery)); err != nil {
		t.Fatalf("programme page: %v", err)
	}
	shot(b, "4b-committee-programme-desktop.png")
	checkForestPlots(t, b, 1280)
	if err := chromedp.Run(b, emulation.ClearDeviceMetricsOverride()); err != nil {
		t.Fatal(err)
	}
	// Disagreeing without a reason is refused: the browser lands back on
	// the dashboard (not the form's address), at the goal, with the error
	// and the choice; a reload then shows the dashboard, not a 405.
	var location, errText string
	var disagreeChecked bool
	if err := chromedp.Run(b, chromedp.Navigate(s.srv.URL+"/exchanges/"+completed),
		chromedp.WaitVisible(`#goal-funding form.signoff`, chromedp.ByQuery),
		chromedp.Click(`#goal-funding input[value=disagree]`, chromedp.ByQuery),
		chromedp.Click(`#goal-funding form.signoff button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`#goal-funding .error`, chromedp.ByQuery),
		chromedp.Location(&location),
		chromedp.Text(`#goal-funding .error`, &errText, chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelector('#goal-funding input[value=disagree]').checked`, &disagreeChecked)); err != nil {
		t.Fatalf("a refused sign-off: %v", err)
	}
	// What the member sees: the viewport, scrolled to the goal's form.
	var view []byte
	if err := chromedp.Run(b, chromedp.CaptureScreenshot(&view)); err == nil {
		_ = os.WriteFile(filepath.Join(artifacts, "4a-committee-signoff-refused.png"), view, 0o644)
	}
	if !strings.HasSuffix(location, "/exchanges/"+completed+"#goal-funding") || !strings.Contains(errText, "disagree") || !disagreeChecked {
		t.Errorf("after a refused sign-off: at %s, error %q, choice kept %v", location, errText, disagreeChecked)
	}
	var title string
	var errorsShown int
	if err := chromedp.Run(b, chromedp.Reload(), chromedp.WaitVisible(`#goal-funding form.signoff`, chromedp.ByQuery), chromedp.Title(&title),
		chromedp.Evaluate(`document.querySelectorAll('#goal-funding .error').length`, &errorsShown)); err != nil {
		t.Fatalf("reload after a refused sign-off: %v", err)
	}
	if errorsShown != 0 || strings.Contains(title, "405") {
		t.Errorf("the reload shows %d errors, title %q", errorsShown, title)
	}
	var decisions string
	if err := chromedp.Run(b, chromedp.Navigate(s.srv.URL+"/exchanges/"+completed),
		chromedp.WaitVisible(`#goal-funding form.signoff`, chromedp.ByQuery),
		chromedp.Click(`#goal-funding input[value=accept]`, chromedp.ByQuery),
		chromedp.SendKeys(`#comment-funding`, "Consistent with the delegation's report.", chromedp.ByQuery),
		chromedp.Click(`#goal-funding form.signoff button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`#goal-funding .decisions li`, chromedp.ByQuery),
		chromedp.Text(`#goal-funding .decisions`, &decisions, chromedp.ByQuery)); err != nil {
		t.Fatalf("signing off: %v", err)
	}
	shot(b, "4-committee-dashboard-signed.png")
	// Quotes and breakdowns fold away on screen and print whole.
	var onScreen, inPrint bool
	visible := `document.querySelector('details.fold blockquote').checkVisibility() && document.querySelector('details.fold table').checkVisibility()`
	if err := chromedp.Run(b, chromedp.Evaluate(visible, &onScreen),
		emulation.SetEmulatedMedia().WithMedia("print"), chromedp.Evaluate(visible, &inPrint),
		emulation.SetEmulatedMedia().WithMedia("")); err != nil {
		t.Fatalf("folded sections: %v", err)
	}
	if onScreen || !inPrint {
		t.Errorf("folded quotes and breakdowns: visible on screen %v, in print %v", onScreen, inPrint)
	}
	if !strings.Contains(decisions, "accept the verdict") {
		t.Errorf("decision not shown: %q", decisions)
	}
	signs, _ := s.store.SignOffs(ctx, completed)
	if len(signs) != 1 || signs[0].Goal != "funding" || signs[0].Decision != staff.Accept {
		t.Errorf("sign-offs %+v", signs)
	}
}

// newBrowser starts headless Chromium for one test; it is closed, and its
// profile removed, when the test ends.
func newBrowser(t *testing.T, chromium string) context.Context {
	ctx := context.Background()
	// The profile is removed by hand: Chromium's helper processes may
	// still be writing to it for a moment after the browser exits, and
	// t.TempDir would fail the test for that.
	profile, err := os.MkdirTemp("", "exchangeeval-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(profile), chromedp.WindowSize(412, 915),
	}
	actx, cancelA := chromedp.NewExecAllocator(ctx, opts...)
	bctx, cancelB := chromedp.NewContext(actx)
	tctx, cancelT := context.WithTimeout(bctx, 90*time.Second)
	t.Cleanup(func() {
		_ = chromedp.Cancel(bctx) // closes the browser and waits for it
		cancelT()
		cancelB()
		cancelA()
		for range 20 {
			if os.RemoveAll(profile) == nil {
				return
			}
			time.Sleep(250 * time.Millisecond)
		}
	})
	return tctx
}

// checkForestPlots fails when a forest plot's text renders under 12 CSS px
// or a reference line (zero, minimum change) crosses a label or a note.
func checkForestPlots(t *testing.T, b context.Context, width int) {
	t.Helper()
	var got struct {
		MinPx    float64  `json:"minPx"`
		Overlaps []string `json:"overlaps"`
	}
	if err := chromedp.Run(b, chromedp.Evaluate(`(() => {
		const out = {minPx: 1e9, overlaps: []};
		for (const svg of document.querySelectorAll('svg.forest')) {
			const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
			for (const t of svg.querySelectorAll('text')) {
				out.minPx = Math.min(out.minPx, parseFloat(getComputedStyle(t).fontSize) * scale);
			}
			const lines = [...svg.querySelectorAll('line.zero, line.target')].map(l => l.getBoundingClientRect());
			for (const t of svg.querySelectorAll('text.tlabel, text.axis-l')) {
				const r = t.getBoundingClientRect();
				for (const l of lines) {
					if (l.left <= r.right && l.right >= r.left && l.top < r.bottom && l.bottom > r.top) out.overlaps.push(t.textContent);
				}
			}
		}
		return out;
	})()`, &got)); err != nil {
		t.Fatal(err)
	}
	if got.MinPx < 12 {
		t.Errorf("at %d px the forest plots' smallest text is %.1f px", width, got.MinPx)
	}
	if len(got.Overlaps) > 0 {
		t.Errorf("at %d px reference lines cross the labels %q", width, got.Overlaps)
	}
}
