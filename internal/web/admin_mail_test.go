package web_test

import (
	"context"
	"io"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/csci/exchangeeval"
	"github.com/csci/exchangeeval/internal/demo"
	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/mailing"
	"github.com/csci/exchangeeval/internal/smtpsend"
	"github.com/csci/exchangeeval/internal/smtpsend/smtptest"
	"github.com/csci/exchangeeval/internal/staff"
	"github.com/csci/exchangeeval/internal/survey"
	"github.com/csci/exchangeeval/internal/web"
)

// mailingSite is a site that sends e-mail to a real SMTP server on
// 127.0.0.1, with a worker that sends the outbox at once when asked.
func mailingSite(t *testing.T) (*smtptest.Server, *site, *mailing.Worker) {
	t.Helper()
	srv := smtptest.Start(t)
	settings, err := mailing.ParseSettings(srv.URL(), "Evaluation <eval@example.org>")
	if err != nil {
		t.Fatal(err)
	}
	s := newSite(t, web.Config{Mail: settings, BaseURL: "https://eval.example.org"})
	return srv, s, &mailing.Worker{Outbox: s.store, Sender: smtpsend.New(*settings), Backoff: func(int) time.Duration { return 0 }}
}

// TestAdminSendsInvitationsAndReminders: from the admin page, with a real
// SMTP server on 127.0.0.1 — a closing day set on the page shows on the
// questionnaire; invitations go to everyone once, in their language;
// reminders only to those who have not answered; a refused message is
// shown with the server's words and can be tried again; without e-mail
// configured the page says how to configure it and sends nothing.
func TestAdminSendsInvitationsAndReminders(t *testing.T) {
	srv, s, worker := mailingSite(t)
	ctx := context.Background()
	c := s.login(account(staff.RoleAdmin).Email, account(staff.RoleAdmin).Password)
	admin := "/admin/exchanges/" + demo.UpcomingID
	ps, _ := s.store.Participants(ctx, demo.UpcomingID)

	// A closing day, set on the page, shows on the French questionnaire.
	closes := time.Now().AddDate(0, 0, 20).UTC().Truncate(24 * time.Hour)
	if status, _ := s.postForm(c, admin, admin+"/schedule", url.Values{"wave": {"pre"}, "closes": {closes.Format("2006-01-02")}, "remind_days": {"3"}}); status != http.StatusSeeOther {
		t.Fatalf("schedule: %d", status)
	}
	var french string
	for _, p := range ps {
		if p.Language == "fr" {
			_, body := s.page(s.client(), "/s/"+p.Token)
			if !strings.Contains(body, "Merci de répondre d'ici le "+mailing.Date("fr", closes)) {
				t.Errorf("the French questionnaire does not show the closing day")
			}
			french = p.Email
			break
		}
	}
	_, page := s.page(c, admin+"?lang=en")
	if !strings.Contains(page, "automatic reminder on "+mailing.Date("en", closes.AddDate(0, 0, -3))) || !strings.Contains(page, "Send invitations ("+strconv.Itoa(len(ps))+")") {
		t.Errorf("the page does not show the schedule or the invitations to send")
	}

	if status, _ := s.postForm(c, admin, admin+"/mail", url.Values{"action": {"invite"}, "wave": {"pre"}}); status != http.StatusSeeOther {
		t.Fatalf("invite: %d", status)
	}
	_, page = s.page(c, admin)
	if !strings.Contains(page, strconv.Itoa(len(ps))+" invitations to “Before the exchange” queued") {
		t.Errorf("no notice of the invitations")
	}
	s.postForm(c, admin, admin+"/mail", url.Values{"action": {"invite"}, "wave": {"pre"}}) // a second click queues nothing
	if res, err := worker.SendDue(ctx); err != nil || res.Sent != len(ps) {
		t.Fatalf("sending: %+v %v", res, err)
	}
	to := srv.To()
	for _, p := range ps {
		if to[p.Email] != 1 {
			t.Errorf("%s received %d invitations", p.PID, to[p.Email])
		}
	}
	dec := new(mime.WordDecoder)
	for _, r := range srv.Received() {
		subject, _ := dec.DecodeHeader(r.Header("Subject"))
		if r.To[0] == french && !strings.Contains(subject, "votre questionnaire « Avant l'échange »") {
			t.Errorf("the French delegate's subject: %q", subject)
		}
		if !regexp.MustCompile(`https://eval\.example\.org/s/[A-Za-z0-9_-]{43}`).Match(r.Data) {
			t.Errorf("no personal link in the message to %s", r.To[0])
		}
	}
	_, page = s.page(c, admin)
	if strings.Count(page, "invitation sent ") != len(ps) {
		t.Errorf("the delivery table does not show %d invitations sent", len(ps))
	}

	// One delegate answers; the reminder goes to the others; the server
	// refuses one of them for good.
	answer := validForm(s.set.Get(demo.InstrumentID), "pre")
	if resp, err := s.client().PostForm(s.srv.URL+"/s/"+ps[0].Token, answer); err != nil || resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("answering: %v %v", err, resp)
	}
	refused := ps[1].Email
	srv.Refuse(func(_ int, rcpt []string) *smtp.SMTPError {
		if rcpt[0] == refused {
			return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "mailbox unavailable"}
		}
		return nil
	})
	s.postForm(c, admin, admin+"/mail", url.Values{"action": {"remind"}, "wave": {"pre"}})
	if res, _ := worker.SendDue(ctx); res.Sent != len(ps)-2 || res.Failed != 1 {
		t.Fatalf("reminders: %+v", res)
	}
	if srv.To()[ps[0].Email] != 1 {
		t.Errorf("the delegate who answered was reminded")
	}
	_, page = s.page(c, admin)
	if !strings.Contains(page, "reminder 1 not delivered: ") || !strings.Contains(page, "mailbox unavailable") || !strings.Contains(page, "Try the failed message again") {
		t.Errorf("the refusal is not shown with the server's words")
	}
	srv.Refuse(nil)
	s.postForm(c, admin, admin+"/mail", url.Values{"action": {"retry"}})
	if res, _ := worker.SendDue(ctx); res.Sent != 1 || srv.To()[refused] != 2 {
		t.Errorf("retry: %+v, %d messages to the refused address", res, srv.To()[refused])
	}

	// A closed wave is not invited to.
	s.postForm(c, admin, admin+"/mail", url.Values{"action": {"invite"}, "wave": {"post"}})
	if _, page = s.page(c, admin); !strings.Contains(page, "is closed: open it before inviting") {
		t.Errorf("inviting to a closed wave is not refused")
	}
	// Only admins write to delegates.
	ev := s.login(account(staff.RoleEvaluator).Email, account(staff.RoleEvaluator).Password)
	if status, _ := s.postForm(ev, "/exchanges", admin+"/mail", url.Values{"action": {"invite"}, "wave": {"pre"}}); status != http.StatusForbidden {
		t.Errorf("an evaluator's invitations: %d", status)
	}

	// Without e-mail configured: the page says how, and nothing is queued.
	bare := newSite(t, web.Config{})
	bc := bare.login(account(staff.RoleAdmin).Email, account(staff.RoleAdmin).Password)
	if _, page := bare.page(bc, admin+"?lang=fr"); !strings.Contains(page, "Les courriels ne sont pas configurés : démarrez le service avec EXCHANGEEVAL_SMTP_URL") || strings.Contains(page, `id="invite-pre"`) {
		t.Errorf("the page without e-mail does not say how to configure it")
	}
	bare.postForm(bc, admin, admin+"/mail", url.Values{"action": {"invite"}, "wave": {"pre"}})
	if all, _ := bare.store.Mail(ctx, demo.UpcomingID); len(all) != 0 {
		t.Errorf("%d messages queued without e-mail configured", len(all))
	}
}

// TestAThankYouFollowsAFirstAnswer: an instrument that words a thank-you
// for a wave has it sent after a delegate's first answer, in their
// language — once, not again when they change their answers.
func TestAThankYouFollowsAFirstAnswer(t *testing.T) {
	src, err := exchangeeval.Surveys.ReadFile("surveys/csci-social-services.yaml")
	if err != nil {
		t.Fatal(err)
	}
	const after = "    title: {en: Before the exchange, fr: Avant l'échange, es: Antes del intercambio, de: Vor dem Austausch}\n"
	if !strings.Contains(string(src), after) {
		t.Fatal("test setup: the pre wave's title moved")
	}
	withThanks := strings.Replace(string(src), after, after+`    messages:
      thank_you:
        subject: {en: "Thank you, {name}", fr: "Merci, {name}"}
        body: {en: "We received your answers to {wave}.", fr: "Nous avons bien reçu vos réponses à « {wave} »."}
`, 1)
	in, probs := survey.Parse("csci-social-services.yaml", []byte(withThanks))
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	srv := smtptest.Start(t)
	settings, _ := mailing.ParseSettings(srv.URL(), "eval@example.org")
	s := newSiteWith(t, web.Config{Mail: settings}, survey.NewSet(in))
	ctx := context.Background()
	ps, _ := s.store.Participants(ctx, demo.UpcomingID)
	var lea *exchange.Participant
	for _, p := range ps {
		if p.Language == "fr" {
			lea = p
			break
		}
	}
	form := validForm(in, "pre")
	for range 2 {
		resp, err := s.client().PostForm(s.srv.URL+"/s/"+lea.Token, form)
		if err != nil || resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("answering: %v %v", err, resp)
		}
		resp.Body.Close()
	}
	w := &mailing.Worker{Outbox: s.store, Sender: smtpsend.New(*settings)}
	if res, err := w.SendDue(ctx); err != nil || res.Sent != 1 {
		t.Fatalf("thank-you messages sent: %+v %v", res, err)
	}
	r := srv.Received()[0]
	subject, _ := new(mime.WordDecoder).DecodeHeader(r.Header("Subject"))
	if r.To[0] != lea.Email || subject != "Merci, "+lea.Name || r.Header("Content-Language") != "fr" {
		t.Errorf("thank-you to %v: %q", r.To, subject)
	}
}

// textOf is the plain-text part of a received message, decoded.
func textOf(t *testing.T, r smtptest.Received) string {
	t.Helper()
	text, ok := r.Parts()["text/plain"]
	if !ok {
		t.Fatalf("no text part in the message to %v", r.To)
	}
	return text
}

// TestAPreReminderOpensPreWhilePostIsOpen: with pre and post both open, a
// delegate who answered post but not pre follows the pre reminder, as
// delivered by a real SMTP server, and lands on pre; the page offers post
// too; the answers are kept as pre; the plain link opens the earliest wave
// not answered, and the JSON questionnaire follows the same rule and says
// which waves are open.
func TestAPreReminderOpensPreWhilePostIsOpen(t *testing.T) {
	srv, s, worker := mailingSite(t)
	ctx := context.Background()
	c := s.login(account(staff.RoleAdmin).Email, account(staff.RoleAdmin).Password)
	admin := "/admin/exchanges/" + demo.UpcomingID
	if _, err := s.store.SetWave(ctx, demo.UpcomingID, "post", true, time.Now()); err != nil {
		t.Fatal(err)
	}
	ps, _ := s.store.Participants(ctx, demo.UpcomingID)
	late := ps[0]
	in := s.set.Get(demo.InstrumentID)

	// Before answering anything, the plain link opens pre, and names post.
	_, body := s.page(s.client(), "/s/"+late.Token+"?lang=en")
	if !strings.Contains(body, `name="wave" value="pre"`) || !strings.Contains(body, "Also open to you:") || !strings.Contains(body, "?lang=en&wave=post") {
		t.Fatalf("the plain link does not open pre and offer post:\n%s", body)
	}
	// The delegate answers post only (through its link from the page).
	if resp, err := s.client().PostForm(s.srv.URL+"/s/"+late.Token, validForm(in, "post")); err != nil || resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("answering post: %v %v", err, resp)
	}
	// The JSON questionnaire follows the same rule: pre, not answered.
	resp, err := s.client().Get(s.srv.URL + "/api/v1/questionnaire/" + late.Token)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(raw), `"wave":"pre"`) || !strings.Contains(string(raw), `"open_waves":["pre","post"]`) {
		t.Errorf("the JSON questionnaire: %s", raw)
	}

	// The pre reminder goes out and is delivered.
	if status, _ := s.postForm(c, admin, admin+"/mail", url.Values{"action": {"remind"}, "wave": {"pre"}}); status != http.StatusSeeOther {
		t.Fatalf("remind: %d", status)
	}
	if res, err := worker.SendDue(ctx); err != nil || res.Sent != len(ps) {
		t.Fatalf("sending: %+v %v", res, err)
	}
	var link string
	for _, r := range srv.Received() {
		if r.To[0] != late.Email {
			continue
		}
		if m := regexp.MustCompile(`https://eval\.example\.org(/s/[A-Za-z0-9_-]{43}\?wave=pre)`).FindStringSubmatch(textOf(t, r)); m != nil {
			link = m[1]
		}
	}
	if link == "" {
		t.Fatal("no pre link in the reminder")
	}
	_, body = s.page(s.client(), link)
	if !strings.Contains(body, `name="wave" value="pre"`) || !strings.Contains(body, "(answered)") {
		t.Fatalf("the reminder's link does not open pre, naming post as answered:\n%s", body)
	}
	// Sent from that page, the answers are pre's.
	if resp, err := s.client().PostForm(s.srv.URL+"/s/"+late.Token, validForm(in, "pre")); err != nil || resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("answering pre: %v %v", err, resp)
	}
	for _, w := range []string{"pre", "post"} {
		if _, err := s.store.Response(ctx, demo.UpcomingID, late.PID, w); err != nil {
			t.Errorf("no %s answer: %v", w, err)
		}
	}
	// Both answered: the plain link opens the latest open wave.
	if _, body = s.page(s.client(), "/s/"+late.Token); !strings.Contains(body, `name="wave" value="post"`) {
		t.Errorf("with both answered the link does not open post")
	}

	// Another delegate answers pre: the thank-you page leads on to post,
	// open now; after post, it names the day follow-up is planned to open,
	// as set on the admin page.
	opens := time.Now().AddDate(0, 5, 0).UTC().Truncate(24 * time.Hour)
	if status, _ := s.postForm(c, admin, admin+"/schedule", url.Values{"wave": {"follow-up"}, "opens": {opens.Format("2006-01-02")}}); status != http.StatusSeeOther {
		t.Fatalf("schedule: %d", status)
	}
	other := s.client()
	resp, err = other.PostForm(s.srv.URL+"/s/"+ps[1].Token, validForm(in, "pre"))
	if err != nil || resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("answering pre: %v %v", err, resp)
	}
	_, body = s.page(other, resp.Header.Get("Location"))
	if !strings.Contains(body, "is open now") || !strings.Contains(body, "wave=post") {
		t.Errorf("the thank-you page after pre does not lead on to post:\n%s", body)
	}
	resp, err = other.PostForm(s.srv.URL+"/s/"+ps[1].Token, validForm(in, "post"))
	if err != nil || resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("answering post: %v %v", err, resp)
	}
	_, body = s.page(other, resp.Header.Get("Location"))
	if !strings.Contains(body, "which opens on "+mailing.Date(ps[1].Language, opens)) && !strings.Contains(body, "qui ouvre le "+mailing.Date(ps[1].Language, opens)) {
		t.Errorf("the thank-you page after post does not say when follow-up opens:\n%s", body)
	}
}

// TestAMissingInstrumentIsSaidSo: an exchange whose instrument version is
// nowhere (neither stored nor in a file) gives its delegates and staff a
// page that says so — 503 without Retry-After, since no retry mends it —
// never a 500 or "briefly unavailable"; the JSON API says the same.
func TestAMissingInstrumentIsSaidSo(t *testing.T) {
	s := newSite(t, web.Config{})
	ctx := context.Background()
	ps, _ := s.store.Participants(ctx, demo.UpcomingID)
	if err := s.store.SetInstrumentVersion(ctx, demo.UpcomingID, 99); err != nil {
		t.Fatal(err)
	}
	resp, err := s.client().Get(s.srv.URL + "/s/" + ps[0].Token + "?lang=en")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") != "" || !strings.Contains(string(body), "This questionnaire cannot be shown") {
		t.Errorf("the delegate's page: %d, Retry-After %q\n%s", resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}
	resp, err = s.client().Get(s.srv.URL + "/api/v1/questionnaire/" + ps[0].Token)
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(body), "csci-social-services version 99, which is neither in the store nor in a definition file") {
		t.Errorf("the JSON questionnaire: %d %s", resp.StatusCode, body)
	}
	c := s.login(account(staff.RoleAdmin).Email, account(staff.RoleAdmin).Password)
	status, page := s.page(c, "/exchanges/"+demo.UpcomingID+"?lang=en")
	if status != http.StatusServiceUnavailable || !strings.Contains(page, "csci-social-services version 99, which is neither in the store nor in a definition file") {
		t.Errorf("the dashboard: %d\n%s", status, page)
	}
}
