// Package mailing is the e-mail that brings delegates to their
// questionnaires: invitations, reminders and thanks, worded per wave and
// language, kept in an outbox before they are sent, and sent by a worker
// that retries what can succeed later and never loses a message. It knows
// neither the database nor the mail library: the store and the sender come
// in as interfaces.
package mailing

import (
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"strconv"
	"strings"

	"github.com/csci/exchangeeval/internal/exchange"
)

// TLS modes of an SMTP connection.
const (
	// TLSRequired: STARTTLS, refusing a server that does not offer it.
	TLSRequired = "starttls"
	// TLSImplicit: TLS from the first byte (smtps://, usually port 465).
	TLSImplicit = "implicit"
	// TLSNone: plain text, for a relay on the same host or in tests.
	TLSNone = "none"
)

// Settings say how to reach the SMTP server, read from
// EXCHANGEEVAL_SMTP_URL and EXCHANGEEVAL_MAIL_FROM.
type Settings struct {
	Host     string
	Port     int
	Username string
	Password string
	TLS      string
	// From is the sender, "Name <address>" or an address.
	From string
}

// ParseSettings reads an SMTP URL — smtp://user:pass@host:587 (STARTTLS
// required), smtps://user:pass@host:465 (TLS from the start), or
// smtp://host:25?tls=none (no TLS: a local relay) — and the sender.
func ParseSettings(rawURL, from string) (*Settings, error) {
	bad := func(format string, args ...any) error {
		return exchange.Errorf(exchange.EINVALID, "EXCHANGEEVAL_SMTP_URL: "+format, args...)
	}
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" {
		return nil, bad("%q is not a URL such as smtp://user:password@mail.example.org:587", redact(rawURL))
	}
	s := &Settings{Host: u.Hostname(), From: strings.TrimSpace(from)}
	switch u.Scheme {
	case "smtp":
		s.TLS, s.Port = TLSRequired, 587
	case "smtps":
		s.TLS, s.Port = TLSImplicit, 465
	default:
		return nil, bad("the scheme must be smtp or smtps, not %q", u.Scheme)
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return nil, bad("port %q is not a port number", p)
		}
		s.Port = n
	}
	switch tls := u.Query().Get("tls"); tls {
	case "":
	case TLSNone:
		if u.Scheme == "smtps" {
			return nil, bad("smtps:// is TLS from the start; tls=none contradicts it")
		}
		s.TLS = TLSNone
	case TLSRequired:
	default:
		return nil, bad("tls=%q: use tls=none (no TLS) or leave it out (STARTTLS required)", tls)
	}
	if u.User != nil {
		s.Username = u.User.Username()
		s.Password, _ = u.User.Password()
	}
	if s.From == "" {
		return nil, exchange.Errorf(exchange.EINVALID, "EXCHANGEEVAL_MAIL_FROM is not set: the address invitations come from, e.g. \"Chicago Sister Cities <evaluation@example.org>\"")
	}
	if _, err := mail.ParseAddress(s.From); err != nil {
		return nil, exchange.Errorf(exchange.EINVALID, "EXCHANGEEVAL_MAIL_FROM: %q is not an address such as \"Chicago Sister Cities <evaluation@example.org>\"", s.From)
	}
	return s, nil
}

// Address is where the server listens, for messages and logs.
func (s *Settings) Address() string { return net.JoinHostPort(s.Host, strconv.Itoa(s.Port)) }

// String describes the settings without the password.
func (s *Settings) String() string {
	user := ""
	if s.Username != "" {
		user = s.Username + "@"
	}
	return fmt.Sprintf("%s%s (TLS: %s), from %s", user, s.Address(), s.TLS, s.From)
}

// redact hides a password in a URL that is shown back.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	if _, has := u.User.Password(); has {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// ErrNotConfigured is what sending says without SMTP settings.
var ErrNotConfigured = exchange.Errorf(exchange.EINVALID,
	"e-mail is not configured: set EXCHANGEEVAL_SMTP_URL (e.g. smtp://user:password@mail.example.org:587) and EXCHANGEEVAL_MAIL_FROM; nothing was queued")
