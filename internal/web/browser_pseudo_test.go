package web_test

import (
	"context"
	"net/url"
	"os/exec"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/csci/exchangeeval/internal/demo"
	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/i18n"
	"github.com/csci/exchangeeval/internal/staff"
	"github.com/csci/exchangeeval/internal/survey"
)

// pseudoLang is the pseudo-language: a code of ISO 639's range for local
// use, which no real language will ever take.
const pseudoLang = "qps"

// TestBrowserPseudoLanguage walks every delegate page and the staff pages
// in a pseudo-language whose every message is marked, accented and 40 %
// longer, at 390 px: a word on a page that is neither inside the marks
// nor data (a name, an e-mail, a number, a date, an id) skipped the
// catalogue; a page wider than the screen does not survive longer text.
func TestBrowserPseudoLanguage(t *testing.T) {
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("chromium not installed: apt-get install chromium to run the browser test")
	}
	i18n.Use(i18n.Builtin().WithPseudo(pseudoLang))
	t.Cleanup(func() { i18n.Use(i18n.Builtin()) })
	s, _ := siteWithInstrument(t, "visit-pseudo.yaml", readTestdata(t, "visit-pseudo.yaml"))
	set := s.set
	x, res := openQuestionnaire(t, s, set, exchange.NewExchange{ID: "pseudo-2027", Name: "Chicago–Osaka 2027",
		Names: map[string]string{pseudoLang: "⟦Chícágó–Ósáká 2027⟧"}, Instrument: "pseudo", HostCity: "Osaka", VisitingCity: "Chicago",
		Start: "2027-04-11", End: "2027-04-17", TimeZone: "Asia/Tokyo"},
		exchange.ParticipantRow{Name: "Kenji Sato", Email: "kenji@example.org", City: "Osaka", Role: "practitioner", Language: pseudoLang, Side: exchange.SideHost})
	link := s.srv.URL + "/s/" + res.Participants[0].Token
	data := pageData(t, s, set)
	admin := s.login(account(staff.RoleAdmin).Email, account(staff.RoleAdmin).Password)
	siteURL, _ := url.Parse(s.srv.URL)
	adminCookies := admin.Jar.Cookies(siteURL)
	if len(adminCookies) == 0 {
		t.Fatal("no session cookie after signing in")
	}
	b := newBrowser(t, chromium)
	check := func(name string) {
		t.Helper()
		var text string
		var overflow float64
		// Words marked as being in another language (a fallback, the
		// methods in English) are what the rules ask for; <code> holds
		// a file format's own names (the columns name, email, …).
		const visible = `(() => { const c = document.body.cloneNode(true);
			c.querySelectorAll('[lang]:not([lang="` + pseudoLang + `"]), code, script, style').forEach(e => e.remove()); c.querySelectorAll('tspan').forEach(e => e.append(' '));
			document.body.after(c); c.style.position = 'absolute'; const t = c.innerText; c.remove(); return t; })()`
		if err := chromedp.Run(b, chromedp.Evaluate(visible, &text),
			chromedp.Evaluate(`document.documentElement.scrollWidth - document.documentElement.clientWidth`, &overflow)); err != nil {
			t.Errorf("%s: %v", name, err)
			return
		}
		if overflow > 0 {
			t.Errorf("%s scrolls %.0f px sideways at 390 px with 40 %% longer text", name, overflow)
		}
		if stray := outsideCatalogue(text, data); len(stray) > 0 {
			t.Errorf("%s: text outside the catalogue: %q", name, stray)
		}
	}
	if err := chromedp.Run(b, emulation.SetDeviceMetricsOverride(390, 900, 1, true)); err != nil {
		t.Fatal(err)
	}

	// The delegate: the questionnaire, its errors, its thank-you page.
	steps := []struct {
		name    string
		actions []chromedp.Action
	}{
		{"the questionnaire", []chromedp.Action{chromedp.Navigate(link), chromedp.WaitVisible(`form button[type=submit]`, chromedp.ByQuery)}},
		{"the questionnaire's errors", []chromedp.Action{chromedp.SendKeys(`#in-years`, "99", chromedp.ByQuery),
			chromedp.Click(`form button[type=submit]`, chromedp.ByQuery), chromedp.WaitVisible(`#errors`, chromedp.ByQuery)}},
		{"the thank-you page", []chromedp.Action{chromedp.Click(`#confident-4`, chromedp.ByQuery), chromedp.Click(`#sector-public`, chromedp.ByQuery),
			chromedp.SetValue(`#in-years`, "12", chromedp.ByQuery),
			chromedp.Click(`form button[type=submit]`, chromedp.ByQuery), chromedp.WaitVisible(`main a[href*="wave=pre"]`, chromedp.ByQuery)}},
		{"the answered questionnaire", []chromedp.Action{chromedp.Navigate(link + "?wave=pre"), chromedp.WaitVisible(`form button[type=submit]`, chromedp.ByQuery)}},
		{"an unknown link", []chromedp.Action{chromedp.Navigate(s.srv.URL + "/s/" + strings.Repeat("x", 43) + "?lang=" + pseudoLang), chromedp.WaitVisible(`main h1`, chromedp.ByQuery)}},
		{"the home page", []chromedp.Action{chromedp.Navigate(s.srv.URL + "/?lang=" + pseudoLang), chromedp.WaitVisible(`main h1`, chromedp.ByQuery)}},
		{"the sign-in page", []chromedp.Action{chromedp.Navigate(s.srv.URL + "/login?lang=" + pseudoLang), chromedp.WaitVisible(`form button[type=submit]`, chromedp.ByQuery)}},
		{"a refused sign-in", []chromedp.Action{chromedp.SendKeys(`#email`, account(staff.RoleAdmin).Email, chromedp.ByQuery),
			chromedp.SendKeys(`#password`, "wrong password", chromedp.ByQuery), chromedp.Click(`form button[type=submit]`, chromedp.ByQuery),
			chromedp.WaitVisible(`p[role=alert]`, chromedp.ByQuery)}},
		{"the exchanges", []chromedp.Action{chromedp.ActionFunc(func(ctx context.Context) error {
			// Signed in as the admin: the session of a sign-in through
			// the form, handed to the browser.
			for _, c := range adminCookies {
				if err := network.SetCookie(c.Name, c.Value).WithURL(s.srv.URL).Do(ctx); err != nil {
					return err
				}
			}
			return nil
		}), chromedp.Navigate(s.srv.URL + "/exchanges?lang=" + pseudoLang), chromedp.WaitReady(`main`, chromedp.ByQuery)}},
	}
	for _, path := range []string{"/exchanges/" + x.ID, "/exchanges/" + demo.CompletedID, "/admin/exchanges/" + x.ID, "/admin/exchanges/" + demo.UpcomingID,
		"/admin/exchanges/new", "/admin/users", "/admin/instruments", "/admin/audit", "/programmes/" + demo.InstrumentID, "/no/such/page"} {
		steps = append(steps, struct {
			name    string
			actions []chromedp.Action
		}{path, []chromedp.Action{chromedp.Navigate(s.srv.URL + path), chromedp.WaitVisible(`main`, chromedp.ByQuery)}})
	}
	staffBrowser := newBrowser(t, chromium)
	if err := chromedp.Run(staffBrowser, emulation.SetDeviceMetricsOverride(390, 900, 1, true)); err != nil {
		t.Fatal(err)
	}
	for _, step := range steps {
		if step.name == "the exchanges" {
			b = staffBrowser
		}
		sctx, cancel := context.WithTimeout(b, 20*time.Second)
		for i, a := range step.actions {
			if err := chromedp.Run(sctx, a); err != nil {
				cancel()
				t.Fatalf("%s, step %d: %v", step.name, i, err)
			}
		}
		cancel()
		check(step.name)
	}
}

// pageData is what a page may show that is not the interface's words: the
// store's names, e-mails, cities and ids, and the instruments' texts.
func pageData(t *testing.T, s *site, set *survey.Set) []string {
	ctx := context.Background()
	data := []string{"Chicago Sister Cities International", "UTC", "SHA-256", "JSON", "SPSS", "Stata", "R", "XLSForm", "YAML", "Excel", "CSV", "XLSX"}
	for _, l := range i18n.Builtin().Languages() {
		data = append(data, survey.LanguageName(l))
	}
	data = append(data, "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December")
	xs, err := s.store.Exchanges(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range xs {
		data = append(data, x.ID, x.Name, x.HostCity, x.VisitingCity, x.Instrument, x.TimeZone)
		for _, n := range x.Names {
			data = append(data, n)
		}
		for w := range x.Waves {
			data = append(data, w)
		}
		ps, _ := s.store.Participants(ctx, x.ID)
		for _, p := range ps {
			data = append(data, p.Name, p.Email, p.City, p.Role, p.PID, p.Language)
		}
	}
	users, _ := s.store.Users(ctx)
	for _, u := range users {
		data = append(data, u.Email, u.Name)
	}
	for _, in := range set.Every() {
		data = append(data, in.ID, in.Source)
		data = append(data, textsOf(reflect.ValueOf(in), 0)...)
	}
	// Longest first: a name is removed before a word of it.
	slices.SortFunc(data, func(a, b string) int { return len(b) - len(a) })
	return data
}

var (
	marked = regexp.MustCompile(`⟦[^⟦⟧]*⟧`)
	word   = regexp.MustCompile(`\p{L}{2,}`)
	// An id, a file name, an address or a version: no words in them.
	token = regexp.MustCompile(`\b[\p{L}0-9_.+-]+@[\p{L}0-9.-]+|https?://\S+|\b[a-z0-9]+(?:[-_.][a-z0-9]+)+\b|\bP[0-9]{4}\b|\b[0-9a-f]{7,}\b`)
)

// outsideCatalogue is the words of text that are neither inside the marks
// nor data.
func outsideCatalogue(text string, data []string) []string {
	// Innermost first: a marked message holds a marked instrument text.
	for next := marked.ReplaceAllString(text, " "); next != text; next = marked.ReplaceAllString(text, " ") {
		text = next
	}
	for _, d := range data {
		if strings.TrimSpace(d) != "" {
			text = strings.ReplaceAll(text, d, " ")
		}
	}
	text = token.ReplaceAllString(text, " ")
	// A name split over lines (a chart's label) is data word by word.
	dataWords := map[string]bool{}
	for _, d := range data {
		for _, w := range word.FindAllString(d, -1) {
			dataWords[w] = true
		}
	}
	var out []string
	for _, w := range word.FindAllString(text, -1) {
		if !dataWords[w] && !slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	return out
}

// textsOf gathers every string an instrument holds (its texts in every
// language, labels, codes) by walking its structure.
func textsOf(v reflect.Value, depth int) []string {
	if depth > 12 {
		return nil
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return textsOf(v.Elem(), depth+1)
	case reflect.String:
		return []string{v.String()}
	case reflect.Slice, reflect.Array:
		var out []string
		for i := range v.Len() {
			out = append(out, textsOf(v.Index(i), depth+1)...)
		}
		return out
	case reflect.Map:
		var out []string
		for _, k := range v.MapKeys() {
			out = append(out, textsOf(v.MapIndex(k), depth+1)...)
		}
		return out
	case reflect.Struct:
		var out []string
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				out = append(out, textsOf(v.Field(i), depth+1)...)
			}
		}
		return out
	}
	return nil
}
