package main

import (
	"mime"
	"path/filepath"
	"strings"
	"testing"

	"github.com/csci/exchangeeval/internal/smtpsend/smtptest"
)

// TestMailInSpanishAndArabic: a Spanish and an Arabic delegate get their
// invitation and reminder through a real SMTP server in their language —
// subject, body, closing day in CLDR's words — and the Arabic one is
// marked right to left.
func TestMailInSpanishAndArabic(t *testing.T) {
	c := newCLI(t)
	srv := smtptest.Start(t)
	dir := filepath.Dir(writeFile(t, "visit.yaml", "id: visit\nversion: 1\nlanguages: [en, es, ar]\ntitle: {en: Visit, es: Visita, ar: الزيارة}\n"+
		"waves: [{id: pre, title: {en: Before the exchange, es: Antes del intercambio, ar: قبل التبادل}}]\nsections:\n  - id: s\n    heading: {en: S, es: S, ar: S}\n    questions:\n"+
		"      - {id: q, type: text, waves: [pre], text: {en: What do you expect?, es: ¿Qué espera?, ar: ماذا تتوقع؟}}\n"))
	c.env["EXCHANGEEVAL_SURVEYS"] = dir
	c.mustRun("exchange", "create", "--id", "amman", "--instrument", "visit", "--name", "Chicago–Amman 2027", "--name-in", "ar=شيكاغو–عمّان 2027",
		"--name-in", "es=Chicago–Amán 2027", "--host-city", "Amman", "--time-zone", "Asia/Amman", "--visiting-city", "Chicago", "--start", "2027-04-11", "--end", "2027-04-17")
	c.mustRun("participants", "import", "--exchange", "amman", writeFile(t, "people.csv",
		"name,email,city,role,language,side\nLucía Gómez,lucia@example.org,Chicago,practitioner,es,visiting\nليلى حداد,layla@example.org,Amman,supervisor,ar,host\n"))
	c.env["EXCHANGEEVAL_SMTP_URL"] = srv.URL()
	c.env["EXCHANGEEVAL_MAIL_FROM"] = "Evaluation <eval@example.org>"
	c.env["EXCHANGEEVAL_BASE_URL"] = "https://eval.example.org"
	c.mustRun("exchange", "open-wave", "--exchange", "amman", "pre", "--closes", "2099-05-09")
	c.mustRun("invite", "--exchange", "amman", "--wave", "pre")
	c.mustRun("remind", "--exchange", "amman", "--wave", "pre")
	c.mustRun("mail", "send", "--rate", "0")
	got := srv.Received()
	if len(got) != 4 {
		t.Fatalf("%d messages received, want an invitation and a reminder each", len(got))
	}
	dec := new(mime.WordDecoder)
	seen := map[string]bool{}
	for _, r := range got {
		subject, _ := dec.DecodeHeader(r.Header("Subject"))
		parts := r.Parts()
		text, html := parts["text/plain"], parts["text/html"]
		kind := "invitation"
		if strings.Contains(subject, "Recordatorio") || strings.Contains(subject, "تذكير") {
			kind = "reminder"
		}
		seen[r.To[0]+" "+kind] = true
		switch r.To[0] {
		case "lucia@example.org":
			for _, want := range []string{"Chicago–Amán 2027", "«Antes del intercambio»"} {
				if !strings.Contains(subject, want) {
					t.Errorf("Lucía's %s subject %q lacks %q", kind, subject, want)
				}
			}
			if !strings.Contains(text, "Estimado/a Lucía Gómez") || !strings.Contains(text, "9 de mayo de 2099") || r.Header("Content-Language") != "es" ||
				!strings.Contains(html, `dir="ltr"`) {
				t.Errorf("Lucía's %s:\n%s", kind, text)
			}
		case "layla@example.org":
			for _, want := range []string{"\u2068شيكاغو–عمّان 2027\u2069", "«\u2068قبل التبادل\u2069»"} {
				if !strings.Contains(subject, want) {
					t.Errorf("Layla's %s subject %q lacks %q", kind, subject, want)
				}
			}
			// Each value is isolated (U+2068 … U+2069): a Latin name or a
			// date keeps its order inside the Arabic; the link is bare.
			if !strings.Contains(text, "\u2068ليلى حداد\u2069 المحترم/المحترمة") || !strings.Contains(text, "\u20689 مايو 2099\u2069") ||
				!strings.Contains(text, "\nhttps://eval.example.org/s/") || r.Header("Content-Language") != "ar" ||
				!strings.Contains(html, `<html lang="ar" dir="rtl">`) || !strings.Contains(html, `<body dir="rtl">`) {
				t.Errorf("Layla's %s:\n%s\n%s", kind, text, html)
			}
		}
		if !strings.Contains(text, "https://eval.example.org/s/") {
			t.Errorf("no link in the message to %s", r.To[0])
		}
	}
	if len(seen) != 4 {
		t.Errorf("messages: %v", seen)
	}
}
