// Package smtpsend hands the outbox's messages to an SMTP server, through
// github.com/wneessen/go-mail: the one package that knows the mail library.
package smtpsend

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/csci/exchangeeval/internal/mailing"
)

// Sender sends one message per SMTP conversation: a reconnect costs little
// at a few messages a second, and a broken connection never holds back
// the messages after it.
type Sender struct {
	settings mailing.Settings
	domain   string
}

// New returns a sender for the settings.
func New(s mailing.Settings) *Sender {
	domain := "exchangeeval.invalid"
	if _, host, ok := strings.Cut(addressOf(s.From), "@"); ok {
		domain = host
	}
	return &Sender{settings: s, domain: domain}
}

func addressOf(from string) string {
	if i := strings.LastIndex(from, "<"); i >= 0 {
		return strings.TrimSuffix(strings.TrimSpace(from[i+1:]), ">")
	}
	return strings.TrimSpace(from)
}

func (s *Sender) client() (*gomail.Client, error) {
	opts := []gomail.Option{gomail.WithPort(s.settings.Port), gomail.WithTimeout(30 * time.Second)}
	switch s.settings.TLS {
	case mailing.TLSImplicit:
		opts = append(opts, gomail.WithSSL())
	case mailing.TLSNone:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	if s.settings.Username != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover), gomail.WithUsername(s.settings.Username), gomail.WithPassword(s.settings.Password))
	}
	return gomail.NewClient(s.settings.Host, opts...)
}

// Message builds the e-mail of m: plain text with an HTML alternative,
// the headers a mail client and a spam filter expect, and the same
// Message-ID on every attempt.
func (s *Sender) Message(m *mailing.Mail) (*gomail.Msg, error) {
	msg := gomail.NewMsg()
	if err := msg.From(s.settings.From); err != nil {
		return nil, &mailing.SendError{Reason: fmt.Sprintf("sender %q: %v", s.settings.From, err)}
	}
	// The name goes in as data, never as header text: a line break in it
	// cannot start another header.
	if err := msg.AddToFormat(strings.Join(strings.Fields(m.Name), " "), m.To); err != nil {
		return nil, &mailing.SendError{Reason: fmt.Sprintf("%q is not an e-mail address", m.To)}
	}
	msg.Subject(m.Subject)
	msg.SetMessageIDWithValue(strings.Trim(m.MessageID(s.domain), "<>"))
	msg.SetDate()
	msg.SetGenHeader(gomail.Header("Auto-Submitted"), "auto-generated")
	msg.SetGenHeader(gomail.HeaderContentLang, m.Language)
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	return msg, nil
}

// Send delivers m, and says whether a failure is worth trying again.
func (s *Sender) Send(ctx context.Context, m *mailing.Mail) error {
	msg, err := s.Message(m)
	if err != nil {
		return err
	}
	c, err := s.client()
	if err != nil {
		return &mailing.SendError{Reason: err.Error()}
	}
	if err := c.DialWithContext(ctx); err != nil {
		return classify(err, "cannot reach the mail server "+s.settings.Address())
	}
	defer c.Close()
	if err := c.Send(msg); err != nil {
		return classify(err, "the mail server refused the message")
	}
	return nil
}

// classify turns the library's errors into the outbox's: the server's
// reply when there is one (4xx temporary, 5xx permanent), and a network
// failure as temporary.
func classify(err error, what string) error {
	var se *gomail.SendError
	if errors.As(err, &se) {
		code := se.ErrorCode()
		reason := fmt.Sprintf("%s: %v", what, err)
		switch {
		case code >= 500:
			return &mailing.SendError{Reason: reason}
		case code >= 400:
			return &mailing.SendError{Temporary: true, Reason: reason}
		}
		return &mailing.SendError{Temporary: se.IsTemp() || code == 0, Reason: reason}
	}
	var ne net.Error
	var oe *net.OpError
	if errors.As(err, &ne) || errors.As(err, &oe) || errors.Is(err, context.DeadlineExceeded) {
		return &mailing.SendError{Temporary: true, Reason: fmt.Sprintf("%s: %v", what, err)}
	}
	// A reply code in the text (a refusal at the greeting or at MAIL).
	text := err.Error()
	for _, f := range strings.Fields(text) {
		if len(f) == 3 && f[0] >= '4' && f[0] <= '5' && f[1] >= '0' && f[1] <= '9' && f[2] >= '0' && f[2] <= '9' {
			return &mailing.SendError{Temporary: f[0] == '4', Reason: fmt.Sprintf("%s: %v", what, err)}
		}
	}
	return &mailing.SendError{Temporary: true, Reason: fmt.Sprintf("%s: %v", what, err)}
}
