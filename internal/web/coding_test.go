package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/csci/exchangeeval/internal/analysis"
	"github.com/csci/exchangeeval/internal/coding"
	"github.com/csci/exchangeeval/internal/demo"
	"github.com/csci/exchangeeval/internal/staff"
	"github.com/csci/exchangeeval/internal/web"
)

const codingPath = "/exchanges/" + demo.CompletedID + "/coding"

// TestBrowserCoderCodesFiveAnswersWithTheKeyboard: an evaluator on a
// phone (390 px) opens the coding workspace, moves to the first answer
// with J, ticks or unticks theme 1 with the key 1 and saves with S —
// five times, without touching the screen. The store then holds exactly
// those five answers' codes under the evaluator's name (the suggestions
// with theme 1 toggled), the progress says 5, and the page is no wider
// than the phone.
func TestBrowserCoderCodesFiveAnswersWithTheKeyboard(t *testing.T) {
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("chromium not installed: apt-get install chromium to run the browser test")
	}
	s := newSite(t, web.Config{})
	b := newBrowser(t, chromium)
	ev := account(staff.RoleEvaluator)
	if err := chromedp.Run(b, emulation.SetDeviceMetricsOverride(390, 844, 2, true), chromedp.Navigate(s.srv.URL+"/login"),
		chromedp.SendKeys(`#email`, ev.Email, chromedp.ByQuery), chromedp.SendKeys(`#password`, ev.Password, chromedp.ByQuery),
		chromedp.Click(`form[action="/login"] button[type=submit]`, chromedp.ByQuery), chromedp.WaitVisible(`.staffnav`, chromedp.ByQuery),
		chromedp.Navigate(s.srv.URL+codingPath), chromedp.WaitVisible(`#a1`, chromedp.ByQuery)); err != nil {
		t.Fatal(err)
	}
	// What the page shows for each of the first five answers: its key,
	// the suggested themes, and the theme the key 1 toggles.
	type shown struct {
		Participant, Wave, Question string
		Suggested                   []string
		First                       string
	}
	var answers []shown
	if err := chromedp.Run(b, chromedp.Evaluate(`Array.from(document.querySelectorAll("article.code-answer")).slice(0, 5).map(a => ({
		Participant: a.querySelector("[name=participant]").value, Wave: a.querySelector("[name=wave]").value, Question: a.querySelector("[name=question]").value,
		Suggested: Array.from(a.querySelectorAll("input[name=theme][data-suggested]")).map(b => b.value),
		First: a.querySelector("input[name=theme]").value}))`, &answers)); err != nil || len(answers) != 5 {
		t.Fatalf("the workspace's first answers: %v %v", answers, err)
	}
	if err := chromedp.Run(b, chromedp.KeyEvent("j")); err != nil {
		t.Fatal(err)
	}
	for i := range answers {
		if err := chromedp.Run(b, chromedp.KeyEvent("1"), chromedp.KeyEvent("s"), chromedp.WaitVisible(fmt.Sprintf("#a%d.coded", i+1), chromedp.ByQuery)); err != nil {
			t.Fatalf("answer %d: %v", i+1, err)
		}
	}
	var progress string
	var bar, scrollWidth, width int
	var focused string
	if err := chromedp.Run(b, chromedp.Text("#coding-done", &progress, chromedp.ByQuery), chromedp.Evaluate(`document.getElementById("coding-bar").value`, &bar),
		chromedp.Evaluate(`document.documentElement.scrollWidth`, &scrollWidth), chromedp.Evaluate(`document.documentElement.clientWidth`, &width),
		chromedp.Evaluate(`document.activeElement.id`, &focused)); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(progress, "Coded by you: \u20665 / ") || bar != 5 {
		t.Errorf("progress after five answers: %q, bar %d", progress, bar)
	}
	if focused != "a6" {
		t.Errorf("after the fifth save the focus is on %q, not the sixth answer", focused)
	}
	if scrollWidth > width {
		t.Errorf("the workspace is %d px wide on a %d px phone", scrollWidth, width)
	}
	records, err := s.store.Codes(context.Background(), demo.CompletedID)
	if err != nil {
		t.Fatal(err)
	}
	if len(records) != 5 {
		t.Fatalf("%d records stored, want the 5 coded: %+v", len(records), records)
	}
	for i, a := range answers {
		want := slices.Clone(a.Suggested)
		if k := slices.Index(want, a.First); k >= 0 {
			want = slices.Delete(want, k, k+1)
		} else {
			want = append(want, a.First)
		}
		k := coding.AnswerKey{Participant: a.Participant, Wave: a.Wave, Question: a.Question}
		j := slices.IndexFunc(records, func(r coding.Record) bool { return r.Key() == k })
		if j < 0 || records[j].Coder != ev.Email || !sameSet(records[j].Themes, want) {
			t.Errorf("answer %d (%v): stored %+v, want %v by %s", i+1, k, records, want, ev.Email)
		}
	}
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// TestTwoCodersAtOnceLoseNothing: an evaluator and an admin code every
// open answer of the 2014 exchange at the same time through the
// workspace's form (no script), each in four parallel streams; every code
// of both is stored, under its coder. The reconciliation of an answer they
// disagree on counts in the figures and the audit trail names who
// reconciled; a save naming an unknown theme or answer, or by a committee
// member, writes nothing.
func TestTwoCodersAtOnceLoseNothing(t *testing.T) {
	s := newSite(t, web.Config{})
	ctx := context.Background()
	x, err := s.store.Exchange(ctx, demo.CompletedID)
	if err != nil {
		t.Fatal(err)
	}
	in := x.InstrumentIn(s.set)
	answers, err := analysis.OpenAnswers(s.store.AnalysisInput(ctx, x, in))
	if err != nil || len(answers) < 20 {
		t.Fatalf("%d open answers: %v", len(answers), err)
	}
	first, second := in.Themes[0].ID, in.Themes[1].ID
	coders := []struct {
		account demo.Account
		theme   func(i int) string // the theme coded on answer i
	}{
		{account(staff.RoleEvaluator), func(int) string { return first }},
		{account(staff.RoleAdmin), func(i int) string { return []string{first, second}[i%2] }},
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var failures []string
	for _, cd := range coders {
		c := s.login(cd.account.Email, cd.account.Password)
		token := s.csrf(c, codingPath)
		for stream := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := stream; i < len(answers); i += 4 {
					a := answers[i]
					form := url.Values{"csrf_token": {token}, "participant": {a.Participant}, "wave": {a.Wave}, "question": {a.Question}, "theme": {cd.theme(i)}}
					req, _ := http.NewRequest(http.MethodPost, s.srv.URL+codingPath, strings.NewReader(form.Encode()))
					req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
					req.Header.Set("Origin", s.srv.URL)
					resp, err := c.Do(req)
					if err == nil {
						resp.Body.Close()
					}
					if err != nil || resp.StatusCode != http.StatusSeeOther {
						mu.Lock()
						failures = append(failures, fmt.Sprintf("%s answer %d: %v %v", cd.account.Email, i, err, resp))
						mu.Unlock()
					}
				}
			}()
		}
	}
	wg.Wait()
	if len(failures) > 0 {
		t.Fatalf("saves refused: %v", failures[:min(3, len(failures))])
	}
	records, err := s.store.Codes(ctx, demo.CompletedID)
	if err != nil {
		t.Fatal(err)
	}
	if len(records) != 2*len(answers) {
		t.Fatalf("%d records stored, want %d (two coders × %d answers)", len(records), 2*len(answers), len(answers))
	}
	for i, a := range answers {
		for _, cd := range coders {
			j := slices.IndexFunc(records, func(r coding.Record) bool { return r.Key() == a.AnswerKey && r.Coder == cd.account.Email })
			if j < 0 || !slices.Equal(records[j].Themes, []string{cd.theme(i)}) {
				t.Fatalf("answer %d by %s: %+v", i, cd.account.Email, records)
			}
		}
	}

	// The odd answers are disagreements; the evaluator reconciles one.
	ev := s.login(coders[0].account.Email, coders[0].account.Password)
	if body := s.get(ev, codingPath+"?status=disagree"); !strings.Contains(body, `name="reconcile"`) || !strings.Contains(body, coders[1].account.Email) {
		t.Fatalf("the disagreements to reconcile: no reconcile button or other coder shown")
	}
	before := s.report(ev, demo.CompletedID)
	a := answers[1]
	status, _ := s.postForm(ev, codingPath, codingPath, url.Values{"participant": {a.Participant}, "wave": {a.Wave}, "question": {a.Question}, "theme": {second}, "reconcile": {"1"}})
	if status != http.StatusSeeOther {
		t.Fatalf("reconcile: %d", status)
	}
	after := s.report(ev, demo.CompletedID)
	if coded(after) != coded(before)+1 {
		t.Errorf("answers coded by people: %d before the reconciliation, %d after", coded(before), coded(after))
	}
	s.auditHas(staff.AuditQuery{Exchange: demo.CompletedID}, "codes-reconciled")
	// The dashboard shows the two coders' agreement over all themes as
	// the report gives it, and what is left to reconcile.
	dash := s.get(ev, "/exchanges/"+demo.CompletedID)
	i := slices.IndexFunc(after.Themes.Agreement, func(a analysis.ThemeAgreement) bool {
		return a.Theme == analysis.AllThemes && len(a.Coders) == 2 && a.Coders[1] == coders[0].account.Email
	})
	if i < 0 {
		t.Fatalf("no agreement of the two coders in the report: %+v", after.Themes.Agreement)
	}
	a2 := after.Themes.Agreement[i]
	row := fmt.Sprintf(`<td data-label="Agreement">%.1f %%</td><td data-label="κ [95 %%]">%.2f [%.2f ; %.2f]</td>`, a2.Percent, *a2.Kappa.Kappa, a2.CI[0], a2.CI[1])
	if !strings.Contains(dash, "Agreement between coders") || !strings.Contains(dash, row) ||
		!strings.Contains(dash, fmt.Sprintf("Answers to reconcile: %d.", len(after.Themes.Disagreements))) {
		j := strings.Index(dash, "h-agreement")
		t.Errorf("the dashboard's agreement, want %s: %s", row, dash[max(j, 0):min(max(j, 0)+2500, len(dash))])
	}

	// Refused saves write nothing.
	n := len(records) + 1
	for name, form := range map[string]url.Values{
		"an unknown theme":  {"participant": {a.Participant}, "wave": {a.Wave}, "question": {a.Question}, "theme": {"no-such-theme"}},
		"an unknown answer": {"participant": {"P9999"}, "wave": {a.Wave}, "question": {a.Question}, "theme": {first}},
	} {
		status, body := s.submit(ev, codingPath, codingPath, form)
		if status != http.StatusBadRequest || !strings.Contains(body, "nothing was saved") {
			t.Errorf("%s: %d %q", name, status, body[:min(200, len(body))])
		}
	}
	cm := s.login(account(staff.RoleCommittee).Email, account(staff.RoleCommittee).Password)
	if status, _ := s.page(cm, codingPath); status != http.StatusForbidden {
		t.Errorf("a committee member opens the coding workspace: %d", status)
	}
	if records, _ := s.store.Codes(ctx, demo.CompletedID); len(records) != n {
		t.Errorf("%d records after refused saves, want %d", len(records), n)
	}
}

// coded counts the open answers people coded in a report.
func coded(r *analysis.Report) int {
	n := 0
	for _, w := range r.Themes.Waves {
		n += w.CodedByPeople
	}
	return n
}

// report reads an exchange's report JSON as c.
func (s *site) report(c *http.Client, id string) *analysis.Report {
	s.t.Helper()
	var r analysis.Report
	if err := json.Unmarshal([]byte(s.get(c, "/api/v1/exchanges/"+id+"/report")), &r); err != nil {
		s.t.Fatal(err)
	}
	return &r
}
