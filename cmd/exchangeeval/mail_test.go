package main

import (
	"context"
	"fmt"
	"mime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/csci/exchangeeval/internal/mongostore"
	"github.com/csci/exchangeeval/internal/mongostore/storetest"
	"github.com/csci/exchangeeval/internal/smtpsend/smtptest"
	"github.com/csci/exchangeeval/internal/staff"
)

// TestInvitationsAndReminders runs the e-mail commands against a real SMTP
// server on 127.0.0.1: nothing is queued without SMTP settings or to a
// closed wave; a dry run queues nothing; each participant gets one
// invitation in their language, with their link and the closing day,
// however often invite runs; reminders go only to those who have not
// answered, one at a time; refusals are recorded with the server's words
// and can be queued again.
func TestInvitationsAndReminders(t *testing.T) {
	c := newCLI(t)
	srv := smtptest.Start(t)
	c.mustRun("exchange", "create", "--id", "x1", "--instrument", "csci-social-services", "--name", "Chicago–Paris 2027", "--name-in", "fr=Chicago–Paris 2027 (fr)",
		"--host-city", "Paris", "--visiting-city", "Chicago", "--start", "2027-04-11", "--end", "2027-04-17")
	people := "name,email,city,role,language,side\nAna Ruiz,ana@example.org,Chicago,practitioner,en,visiting\nLéa Petit,lea@example.org,Paris,supervisor,fr,host\nBo Chen,bo@example.org,Chicago,lawyer,en,visiting\n"
	c.mustRun("participants", "import", "--exchange", "x1", writeFile(t, "people.csv", people))

	if _, _, err := c.run("invite", "--exchange", "x1", "--wave", "pre"); exitCode(err) != 2 || !strings.Contains(err.Error(), "e-mail is not configured") {
		t.Fatalf("invite without SMTP: %v", err)
	}
	c.env["EXCHANGEEVAL_SMTP_URL"] = srv.URL()
	c.env["EXCHANGEEVAL_MAIL_FROM"] = "Evaluation <eval@example.org>"
	c.env["EXCHANGEEVAL_BASE_URL"] = "https://eval.example.org"
	if _, _, err := c.run("invite", "--exchange", "x1", "--wave", "pre"); exitCode(err) != 4 || !strings.Contains(err.Error(), "closed") {
		t.Fatalf("invite to a closed wave: %v", err)
	}
	closes := time.Now().AddDate(0, 1, 0).Format("2006-01-02")
	if out := c.mustRun("exchange", "open-wave", "--exchange", "x1", "pre", "--closes", closes, "--remind-before", "3d"); !strings.Contains(out, "answer by "+closes) {
		t.Errorf("open-wave: %s", out)
	}
	for _, bad := range [][]string{{"--closes", "2020-01-01"}, {"--closes", "01/03/2027"}, {"--remind-before", "3d"}, {"--closes", closes, "--remind-before", "three days"}} {
		if _, _, err := c.run(append([]string{"exchange", "open-wave", "--exchange", "x1", "post"}, bad...)...); exitCode(err) != 2 {
			t.Errorf("open-wave %v: %v", bad, err)
		}
	}

	out, errOut, err := c.run("invite", "--exchange", "x1", "--wave", "pre", "--dry-run")
	if err != nil || !strings.Contains(out, "P0002  fr") || !strings.Contains(errOut, "3 message(s) would be queued") {
		t.Fatalf("dry run: %v\n%s\n%s", err, out, errOut)
	}
	if list := c.mustRun("mail", "list", "--exchange", "x1"); strings.Count(list, "\n") != 1 {
		t.Fatalf("a dry run queued:\n%s", list)
	}
	if out := c.mustRun("invite", "--exchange", "x1", "--wave", "pre"); !strings.Contains(out, "queued 3 invitation(s)") {
		t.Fatalf("invite: %s", out)
	}
	if out := c.mustRun("invite", "--exchange", "x1", "--wave", "pre"); !strings.Contains(out, "queued 0 invitation(s)") || !strings.Contains(out, "3 participant(s) already had one") {
		t.Fatalf("invite again: %s", out)
	}
	if out := c.mustRun("mail", "send", "--rate", "0"); !strings.Contains(out, "sent 3;") {
		t.Fatalf("send: %s", out)
	}
	got := srv.Received()
	if len(got) != 3 {
		t.Fatalf("%d messages received", len(got))
	}
	dec := new(mime.WordDecoder)
	for _, r := range got {
		subject, _ := dec.DecodeHeader(r.Header("Subject"))
		body := string(r.Data)
		switch r.To[0] {
		case "lea@example.org":
			if !strings.Contains(subject, "Chicago–Paris 2027 (fr) : votre questionnaire « Avant l'échange »") || r.Header("Content-Language") != "fr" {
				t.Errorf("Léa's subject %q", subject)
			}
		case "ana@example.org", "bo@example.org":
			if !strings.Contains(subject, "Chicago–Paris 2027: your questionnaire “Before the exchange”") {
				t.Errorf("%s's subject %q", r.To[0], subject)
			}
		}
		if !strings.Contains(body, "https://eval.example.org/s/") {
			t.Errorf("no link in the message to %s", r.To[0])
		}
	}

	// Ana answers; the reminder goes to Léa and Bo only, once even if asked twice before it is sent.
	c.mustRun("responses", "import", "--exchange", "x1", writeFile(t, "a.csv", "participant,wave,fund_corporate\nP0001,pre,4\n"))
	if out := c.mustRun("remind", "--exchange", "x1", "--wave", "pre"); !strings.Contains(out, "queued 2 reminder(s)") {
		t.Fatalf("remind: %s", out)
	}
	if out := c.mustRun("remind", "--exchange", "x1", "--wave", "pre"); !strings.Contains(out, "queued 0 reminder(s)") {
		t.Fatalf("remind again before sending: %s", out)
	}
	// The server refuses Bo's (550) and is busy for Léa's (421).
	srv.Refuse(func(_ int, to []string) *smtp.SMTPError {
		if to[0] == "bo@example.org" {
			return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "mailbox unavailable"}
		}
		return &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "busy"}
	})
	if out := c.mustRun("mail", "send", "--rate", "0"); !strings.Contains(out, "sent 0; 1 to try again later; 1 failed") {
		t.Fatalf("send with refusals: %s", out)
	}
	failed := c.mustRun("mail", "list", "--exchange", "x1", "--status", "failed")
	if !strings.Contains(failed, "P0003") || !strings.Contains(failed, "mailbox unavailable") || strings.Contains(failed, "P0002") {
		t.Errorf("failed messages:\n%s", failed)
	}
	queued := c.mustRun("mail", "list", "--exchange", "x1", "--status", "queued")
	if !strings.Contains(queued, "P0002") || !strings.Contains(queued, "busy") {
		t.Errorf("queued messages:\n%s", queued)
	}
	srv.Refuse(nil)
	if out := c.mustRun("mail", "retry", "--exchange", "x1"); !strings.Contains(out, "queued 1 failed message(s)") {
		t.Errorf("retry: %s", out)
	}
	if out := c.mustRun("mail", "send", "--rate", "0"); !strings.Contains(out, "sent 1;") {
		t.Errorf("send after retry (Léa's waits for its backoff): %s", out)
	}
	if n := srv.To()["bo@example.org"]; n != 2 {
		t.Errorf("Bo received %d messages, want the invitation and the reminder", n)
	}
	if n := srv.To()["ana@example.org"]; n != 1 {
		t.Errorf("Ana, who answered, received %d messages, want the invitation only", n)
	}
	if _, _, err := c.run("mail", "list", "--exchange", "x1", "--status", "lost"); exitCode(err) != 2 {
		t.Errorf("an unknown status: %v", err)
	}
	c.env["EXCHANGEEVAL_MAIL_RATE"] = "fast"
	if _, _, err := c.run("mail", "send"); exitCode(err) != 2 || !strings.Contains(err.Error(), `EXCHANGEEVAL_MAIL_RATE="fast"`) {
		t.Errorf("a rate that is not a number: %v", err)
	}
	delete(c.env, "EXCHANGEEVAL_MAIL_RATE")
}

// TestKill9WhileSendingLosesNoMessage queues 500 invitations, kills the
// sending process with SIGKILL partway, and sends again: every delegate
// has their invitation, and at most one has it twice — the message the
// server had accepted when the process died, before it was marked sent.
func TestKill9WhileSendingLosesNoMessage(t *testing.T) {
	srv := smtptest.Start(t)
	dir := t.TempDir()
	c := &cli{t: t, env: map[string]string{"EXCHANGEEVAL_SMTP_URL": srv.URL(), "EXCHANGEEVAL_MAIL_FROM": "eval@example.org", "EXCHANGEEVAL_BASE_URL": "https://eval.example.org"}, dataDir: dir}
	c.mustRun("exchange", "create", "--id", "load", "--instrument", "csci-social-services", "--name", "Load", "--host-city", "Paris",
		"--visiting-city", "Chicago", "--start", "2027-04-11", "--end", "2027-04-17")
	const n = 500
	var b strings.Builder
	b.WriteString("name,email,city,role,language,side\n")
	for i := range n {
		fmt.Fprintf(&b, "Person %d,p%d@example.org,Paris,lawyer,%s,host\n", i, i, []string{"en", "fr"}[i%2])
	}
	c.mustRun("participants", "import", "--exchange", "load", writeFile(t, "people.csv", b.String()))
	c.mustRun("exchange", "open-wave", "--exchange", "load", "pre")
	if out := c.mustRun("invite", "--exchange", "load", "--wave", "pre"); !strings.Contains(out, fmt.Sprintf("queued %d invitation(s)", n)) {
		t.Fatalf("invite: %s", out)
	}

	child := startChild(t, "mail", "send", "--rate", "0", "--data-dir", dir, "--smtp-url", srv.URL(), "--mail-from", "eval@example.org")
	deadline := time.Now().Add(2 * time.Minute)
	for len(srv.Received()) < n/4 {
		select {
		case err := <-child.done:
			child.done <- err
			t.Fatalf("mail send ended before it was killed: %v\n%s", err, child.stderr)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("mail send sent %d in two minutes", len(srv.Received()))
		}
		time.Sleep(2 * time.Millisecond)
	}
	child.kill(t)
	before := len(srv.Received())

	out := c.mustRun("mail", "send", "--rate", "0")
	to := srv.To()
	missing, twice := 0, 0
	for i := range n {
		switch to[fmt.Sprintf("p%d@example.org", i)] {
		case 0:
			missing++
		case 1:
		case 2:
			twice++
		default:
			t.Errorf("p%d received %d invitations", i, to[fmt.Sprintf("p%d@example.org", i)])
		}
	}
	t.Logf("killed after %d messages; the restart: %s", before, strings.TrimSpace(out))
	if missing != 0 || twice > 1 {
		t.Fatalf("%d delegates without their invitation, %d with it twice (at most 1 allowed)", missing, twice)
	}
	if queued := c.mustRun("mail", "list", "--exchange", "load", "--status", "queued"); strings.Count(queued, "\n") != 1 {
		t.Errorf("messages still queued:\n%s", queued)
	}
}

// TestResendMendsInvitationsWithAWrongLink: invitations that went out with
// links to localhost (allowed, by mistake) are written again with the
// right address by mail resend, delivered as new messages through a real
// SMTP server; the first ones stay in the outbox; the audit trail says so.
func TestResendMendsInvitationsWithAWrongLink(t *testing.T) {
	c := newCLI(t)
	srv := smtptest.Start(t)
	c.env["EXCHANGEEVAL_SMTP_URL"] = srv.URL()
	c.env["EXCHANGEEVAL_MAIL_FROM"] = "Evaluation <eval@example.org>"
	c.mustRun("exchange", "create", "--id", "x1", "--instrument", "csci-social-services", "--name", "X", "--host-city", "Paris",
		"--visiting-city", "Chicago", "--start", "2027-04-11", "--end", "2027-04-17")
	c.mustRun("participants", "import", "--exchange", "x1", writeFile(t, "people.csv",
		"name,email,city,role,language,side\nAna Ruiz,ana@example.org,Chicago,practitioner,en,visiting\nLéa Petit,lea@example.org,Paris,supervisor,fr,host\n"))
	c.mustRun("exchange", "open-wave", "--exchange", "x1", "pre")
	c.mustRun("invite", "--exchange", "x1", "--wave", "pre", "--base-url", "http://localhost:8080", "--allow-localhost")
	c.mustRun("mail", "send")
	if out := c.mustRun("mail", "resend", "--exchange", "x1", "--wave", "pre", "--base-url", "https://eval.example.org", "--dry-run"); !strings.Contains(out, "would send 2 invitation(s)") {
		t.Errorf("dry run: %s", out)
	}
	if _, _, err := c.run("mail", "resend", "--exchange", "x1", "--wave", "pre", "--base-url", "http://127.0.0.1:8080"); exitCode(err) != 2 {
		t.Errorf("a resend to localhost again: %v", err)
	}
	if out := c.mustRun("mail", "resend", "--exchange", "x1", "--wave", "pre", "--base-url", "https://eval.example.org"); !strings.Contains(out, "queued 2 invitation(s) to “pre” again") {
		t.Fatalf("resend: %s", out)
	}
	c.mustRun("mail", "send")
	for _, to := range []string{"ana@example.org", "lea@example.org"} {
		if srv.To()[to] != 2 {
			t.Errorf("%s received %d messages, want the first and the mended one", to, srv.To()[to])
		}
	}
	var good int
	for _, r := range srv.Received() {
		if strings.Contains(string(r.Data), "https://eval.example.org/s/") {
			good++
		}
	}
	if good != 2 {
		t.Errorf("%d mended invitations carry the right link", good)
	}
	if list := c.mustRun("mail", "list", "--exchange", "x1"); strings.Count(list, "invitation") != 4 {
		t.Errorf("the outbox does not keep both rounds:\n%s", list)
	}
	ctx := context.Background()
	st, err := mongostore.Open(ctx, mongostore.Config{URI: c.env["MONGODB_URI"], Database: c.env["EXCHANGEEVAL_DATABASE"], Secret: storetest.Secret})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close(ctx)
	trail, _, err := st.AuditTrail(ctx, staff.AuditQuery{Exchange: "x1"})
	if err != nil || !slices.ContainsFunc(trail, func(e *staff.Event) bool { return e.Note == "mail-resend" && e.Args[1] == "https://eval.example.org" }) {
		t.Errorf("the resend is not in the audit trail: %v", err)
	}
}
