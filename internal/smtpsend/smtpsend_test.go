package smtpsend_test

import (
	"context"
	"mime"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/csci/exchangeeval/internal/mailing"
	"github.com/csci/exchangeeval/internal/smtpsend"
	"github.com/csci/exchangeeval/internal/smtpsend/smtptest"
)

func message() *mailing.Mail {
	v := mailing.Values{Name: "Léa Petit\r\nBcc: everyone@example.org", Link: "http://127.0.0.1:8080/s/abc", Wave: "Avant l'échange",
		Deadline: mailing.Date("fr", time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)), Exchange: "Chicago–Paris 2027"}
	c := mailing.Render(mailing.Default(mailing.Invitation, "fr"), v, "fr")
	return &mailing.Mail{Exchange: "chicago-paris-2027", Participant: "P0006", Wave: "pre", Kind: mailing.Invitation, Seq: 1, Language: "fr",
		To: "lea@example.org", Name: v.Name, Subject: c.Subject, Text: c.Text, HTML: c.HTML}
}

// TestSendsWhatAMailClientExpects: a real SMTP conversation with the test
// server; the message has both parts with the link, the headers a client
// and a spam filter expect, and a name's line break adds no header.
func TestSendsWhatAMailClientExpects(t *testing.T) {
	srv := smtptest.Start(t)
	settings, err := mailing.ParseSettings(srv.URL(), "Chicago Sister Cities <evaluation@example.org>")
	if err != nil {
		t.Fatal(err)
	}
	if err := smtpsend.New(*settings).Send(context.Background(), message()); err != nil {
		t.Fatal(err)
	}
	got := srv.Received()
	if len(got) != 1 || len(got[0].To) != 1 || got[0].To[0] != "lea@example.org" || got[0].From != "evaluation@example.org" {
		t.Fatalf("received %+v", got)
	}
	r := got[0]
	// A name's line break added no header, and no recipient.
	if r.Header("Bcc") != "" {
		t.Errorf("Bcc header: %q", r.Header("Bcc"))
	}
	dec := new(mime.WordDecoder)
	subject, _ := dec.DecodeHeader(r.Header("Subject"))
	if subject != "Chicago–Paris 2027 : votre questionnaire « Avant l'échange »" {
		t.Errorf("subject %q", subject)
	}
	for h, want := range map[string]string{"Auto-Submitted": "auto-generated", "Message-Id": "<chicago-paris-2027.P0006.pre.invitation.1@example.org>", "Content-Language": "fr"} {
		if got := r.Header(h); got != want {
			t.Errorf("%s: %q, want %q", h, got, want)
		}
	}
	if r.Header("Date") == "" {
		t.Errorf("no Date")
	}
	if mt, _, _ := mime.ParseMediaType(r.Header("Content-Type")); mt != "multipart/alternative" {
		t.Fatalf("content type %q", mt)
	}
	parts := r.Parts()
	for ct, want := range map[string]string{"text/plain": "http://127.0.0.1:8080/s/abc", "text/html": `<a href="http://127.0.0.1:8080/s/abc">`} {
		if !strings.Contains(parts[ct], want) {
			t.Errorf("%s part lacks %q:\n%s", ct, want, parts[ct])
		}
	}
	if !strings.Contains(parts["text/plain"], "1er mars 2027") {
		t.Errorf("the deadline is not in the text")
	}
}

// TestRefusalsAreClassified: 4xx and a server that is down are worth
// trying again; 5xx is not.
func TestRefusalsAreClassified(t *testing.T) {
	srv := smtptest.Start(t)
	settings, _ := mailing.ParseSettings(srv.URL(), "evaluation@example.org")
	s := smtpsend.New(*settings)
	srv.Refuse(func(n int, _ []string) *smtp.SMTPError {
		if n == 1 {
			return &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "busy, try later"}
		}
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such mailbox"}
	})
	err := s.Send(context.Background(), message())
	if err == nil || !mailing.Temporary(err) || !strings.Contains(err.Error(), "busy") {
		t.Errorf("421: %v (temporary %v)", err, mailing.Temporary(err))
	}
	err = s.Send(context.Background(), message())
	if err == nil || mailing.Temporary(err) || !strings.Contains(err.Error(), "no such mailbox") {
		t.Errorf("550: %v (temporary %v)", err, mailing.Temporary(err))
	}
	srv.Stop()
	err = s.Send(context.Background(), message())
	if err == nil || !mailing.Temporary(err) {
		t.Errorf("server down: %v", err)
	}
	bad := message()
	bad.To = "not an address"
	if err := s.Send(context.Background(), bad); err == nil || mailing.Temporary(err) {
		t.Errorf("an invalid address: %v", err)
	}
}

// TestStartTLSIsRequiredByDefault: smtp:// without tls=none refuses a
// server that offers no STARTTLS, rather than sending in the clear.
func TestStartTLSIsRequiredByDefault(t *testing.T) {
	srv := smtptest.Start(t)
	settings, err := mailing.ParseSettings(strings.TrimSuffix(srv.URL(), "?tls=none"), "evaluation@example.org")
	if err != nil || settings.TLS != mailing.TLSRequired {
		t.Fatalf("%+v %v", settings, err)
	}
	err = smtpsend.New(*settings).Send(context.Background(), message())
	if err == nil || !strings.Contains(strings.ToLower(err.Error()), "tls") {
		t.Fatalf("sent without STARTTLS: %v", err)
	}
	if len(srv.Received()) != 0 {
		t.Errorf("a message went in the clear")
	}
}
