package web_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/survey"
	"github.com/csci/exchangeeval/internal/web"
)

// TestBrowserSpanishAndArabic: at 390 and 1280 px, an Arabic delegate's
// page is right to left (the scale's first point to the right of its last,
// the page no wider than the screen), its progress and error summary in
// Arabic; a Spanish delegate completes the questionnaire and gets the
// Spanish thank-you page. Screenshots are left in testartifacts/e2e.
func TestBrowserSpanishAndArabic(t *testing.T) {
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("chromium not installed: apt-get install chromium to run the browser test")
	}
	s, _ := siteWithInstrument(t, "visit-es-ar.yaml", readTestdata(t, "visit-es-ar.yaml"))
	set := s.set
	ctx := context.Background()
	x, res := openQuestionnaire(t, s, set, exchange.NewExchange{ID: "chicago-amman-2027", Name: "Chicago–Amman 2027",
		Names: map[string]string{"ar": "شيكاغو–عمّان 2027", "es": "Chicago–Amán 2027"}, Instrument: "visit", HostCity: "Amman", VisitingCity: "Chicago",
		Start: "2027-04-11", End: "2027-04-17", TimeZone: "Asia/Amman"},
		exchange.ParticipantRow{Name: "Lucía Gómez", Email: "lucia@example.org", City: "Chicago", Role: "practitioner", Language: "es", Side: exchange.SideVisiting},
		exchange.ParticipantRow{Name: "ليلى حداد", Email: "layla@example.org", City: "Amman", Role: "supervisor", Language: "ar", Side: exchange.SideHost})
	link := map[string]string{}
	for _, p := range res.Participants {
		link[p.Language] = s.srv.URL + "/s/" + p.Token
	}
	b := newBrowser(t, chromium)
	shot := func(name string) { screenshot(t, b, name) }

	for _, width := range []int64{390, 1280} {
		var dir, progress, first, last string
		var firstX, lastX, overflow float64
		if err := chromedp.Run(b, emulation.SetDeviceMetricsOverride(width, 900, 1, width < 600), chromedp.Navigate(link["ar"]),
			chromedp.WaitVisible(`form button[type=submit]`, chromedp.ByQuery),
			chromedp.Evaluate(`document.documentElement.dir`, &dir),
			chromedp.Text(`#progress label`, &progress, chromedp.ByQuery),
			chromedp.Evaluate(`document.querySelector('#confident-1').getBoundingClientRect().left`, &firstX),
			chromedp.Evaluate(`document.querySelector('#confident-5').getBoundingClientRect().left`, &lastX),
			chromedp.Evaluate(`document.documentElement.scrollWidth - document.documentElement.clientWidth`, &overflow),
			chromedp.Text(`label[for="confident-1"]`, &first, chromedp.ByQuery),
			chromedp.Text(`label[for="confident-5"]`, &last, chromedp.ByQuery),
		); err != nil {
			t.Fatalf("the Arabic page at %d px: %v", width, err)
		}
		shot("lang-ar-questionnaire-" + itoa(width) + ".png")
		if dir != "rtl" {
			t.Errorf("at %d px the Arabic page's dir is %q", width, dir)
		}
		if !strings.Contains(progress, "أقسام مُجاب عنها") && !strings.Contains(progress, "قسمان مُجاب عنهما") {
			t.Errorf("at %d px the progress is not in Arabic: %q", width, progress)
		}
		if width >= 600 && !(firstX > lastX) {
			// On a phone the points stack; on a wide screen they make a
			// row, which right to left starts on the right.
			t.Errorf("at %d px the scale's first point (%q, x=%.0f) is not to the right of its last (%q, x=%.0f)", width, first, firstX, last, lastX)
		}
		if overflow > 0 {
			t.Errorf("at %d px the Arabic page scrolls %.0f px sideways", width, overflow)
		}
		// Sending nothing: the summary and each field's error in Arabic.
		var summary, fieldError string
		if err := chromedp.Run(b, chromedp.Click(`form button[type=submit]`, chromedp.ByQuery),
			chromedp.WaitVisible(`#errors`, chromedp.ByQuery),
			chromedp.Text(`#errors h2`, &summary, chromedp.ByQuery),
			chromedp.Text(`#errors li`, &fieldError, chromedp.ByQuery)); err != nil {
			t.Fatalf("sending an empty Arabic questionnaire at %d px: %v", width, err)
		}
		shot("lang-ar-errors-" + itoa(width) + ".png")
		if summary != "بعض الإجابات تحتاج إلى انتباهك" || !strings.Contains(fieldError, "هذا السؤال يحتاج إلى إجابة.") {
			t.Errorf("at %d px the errors are not in Arabic: %q / %q", width, summary, fieldError)
		}
	}

	// The Spanish delegate answers and is thanked in Spanish.
	var heading, body, deadline string
	if err := chromedp.Run(b, emulation.SetDeviceMetricsOverride(390, 900, 1, true), chromedp.Navigate(link["es"]),
		chromedp.WaitVisible(`form button[type=submit]`, chromedp.ByQuery),
		chromedp.Text(`p.deadline`, &deadline, chromedp.ByQuery),
		chromedp.Click(`#confident-4`, chromedp.ByQuery), chromedp.Click(`#sector-nonprofit`, chromedp.ByQuery),
		chromedp.SendKeys(`#in-expect`, "Aprender cómo trabajan con las familias refugiadas.", chromedp.ByQuery),
	); err != nil {
		t.Fatalf("filling the Spanish questionnaire: %v", err)
	}
	shot("lang-es-questionnaire-390.png")
	if deadline != "Por favor, responda antes del 9 de mayo de 2099." {
		t.Errorf("the Spanish deadline: %q", deadline)
	}
	if err := chromedp.Run(b, chromedp.Click(`form button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`main a[href*="wave=pre"]`, chromedp.ByQuery),
		chromedp.Text(`main h1`, &heading, chromedp.ByQuery), chromedp.Text(`main`, &body, chromedp.ByQuery)); err != nil {
		t.Fatalf("sending the Spanish questionnaire: %v", err)
	}
	shot("lang-es-thanks-390.png")
	if heading != "Gracias" || !strings.Contains(body, "Hemos recibido sus respuestas a «Antes del intercambio»") {
		t.Errorf("the Spanish thank-you page: %q\n%s", heading, body)
	}
	ps, _ := s.store.Participants(ctx, x.ID)
	for _, p := range ps {
		if p.Language != "es" {
			continue
		}
		r, err := s.store.Response(ctx, x.ID, p.PID, "pre")
		if err != nil || r.Answers["confident"] != 4 || r.Answers["sector"] != "nonprofit" || r.Language != "es" {
			t.Errorf("the Spanish answers stored: %v %+v", err, r)
		}
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// siteWithInstrument is the demo site with one more instrument, defined
// by def (named name), beside the shipped ones.
func siteWithInstrument(t *testing.T, name string, def []byte) (*site, *survey.Instrument) {
	t.Helper()
	in, probs := survey.Parse(name, def)
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	return newSiteWith(t, web.Config{}, survey.NewSet(append(instruments(t).All(), in)...)), in
}

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	def, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return def
}

// openQuestionnaire creates the exchange n describes, opens its pre wave
// (answer by 9 May 2099) and imports rows as its participants.
func openQuestionnaire(t *testing.T, s *site, set *survey.Set, n exchange.NewExchange, rows ...exchange.ParticipantRow) (*exchange.Exchange, *exchange.ImportResult) {
	t.Helper()
	ctx := context.Background()
	x, err := n.Build(set, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := s.store.CreateExchange(ctx, x); err != nil {
		t.Fatal(err)
	}
	closes := time.Date(2099, 5, 9, 0, 0, 0, 0, time.UTC)
	if _, err := s.store.SetWave(ctx, x.ID, "pre", true, time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := s.store.SetWaveSchedule(ctx, x.ID, "pre", nil, &closes, 0); err != nil {
		t.Fatal(err)
	}
	res, err := s.store.ImportParticipants(ctx, x.ID, rows, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return x, res
}

// screenshot leaves the browser's whole page in testartifacts/e2e/name.
func screenshot(t *testing.T, b context.Context, name string) {
	t.Helper()
	if err := os.MkdirAll(artifacts, 0o755); err != nil {
		t.Fatal(err)
	}
	var png []byte
	if err := chromedp.Run(b, chromedp.FullScreenshot(&png, 100)); err != nil {
		t.Errorf("screenshot %s: %v", name, err)
		return
	}
	if err := os.WriteFile(filepath.Join(artifacts, name), png, 0o644); err != nil {
		t.Error(err)
	}
}
