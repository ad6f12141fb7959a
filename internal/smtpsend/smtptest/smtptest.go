// Package smtptest is a real SMTP server for tests, in-process on
// 127.0.0.1 (github.com/emersion/go-smtp): tests read what it received,
// make it refuse, and stop and restart it.
package smtptest

import (
	"bytes"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// Received is one message the server accepted.
type Received struct {
	From string
	To   []string
	Data []byte
}

// Header returns a header of the message.
func (r Received) Header(name string) string {
	m, err := mail.ReadMessage(bytes.NewReader(r.Data))
	if err != nil {
		return ""
	}
	return m.Header.Get(name)
}

// Parts returns the message's parts by content type ("text/plain",
// "text/html"), decoded (quoted-printable by the multipart reader, base64
// here); nil when the message is not multipart.
func (r Received) Parts() map[string]string {
	m, err := mail.ReadMessage(bytes.NewReader(r.Data))
	if err != nil {
		return nil
	}
	mt, params, _ := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if !strings.HasPrefix(mt, "multipart/") {
		return nil
	}
	parts := map[string]string{}
	mr := multipart.NewReader(m.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err != nil {
			return parts
		}
		var body io.Reader = p
		if strings.EqualFold(p.Header.Get("Content-Transfer-Encoding"), "base64") {
			body = base64.NewDecoder(base64.StdEncoding, p)
		}
		b, _ := io.ReadAll(body)
		ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		parts[ct] = string(b)
	}
}

// Server is the test server.
type Server struct {
	tb   testing.TB
	addr string

	mu       sync.Mutex
	received []Received
	srv      *smtp.Server
	ln       net.Listener
	// Refuse, when set, answers a message's DATA (n counts every DATA
	// from 1) with an error instead of accepting it.
	refuse func(n int, to []string) *smtp.SMTPError
	datas  int
}

// Start listens on a free port of 127.0.0.1; the server stops with the test.
func Start(tb testing.TB) *Server {
	s := &Server{tb: tb}
	s.listen("127.0.0.1:0")
	tb.Cleanup(s.Stop)
	return s
}

func (s *Server) listen(addr string) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		s.tb.Fatalf("smtp test server: %v", err)
	}
	srv := smtp.NewServer(backend{s})
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	srv.MaxRecipients = 50
	s.mu.Lock()
	s.srv, s.ln, s.addr = srv, l, l.Addr().String()
	s.mu.Unlock()
	go srv.Serve(l) //nolint:errcheck // ends with Close
}

// URL is what EXCHANGEEVAL_SMTP_URL would say to reach it.
func (s *Server) URL() string { return "smtp://" + s.addr + "?tls=none" }

// Stop closes the server: connections are refused until Restart.
func (s *Server) Stop() {
	s.mu.Lock()
	srv, ln := s.srv, s.ln
	s.srv, s.ln = nil, nil
	s.mu.Unlock()
	if srv != nil {
		// The listener is closed here too: Serve may not have taken it
		// yet, and the server closes only those it has.
		_ = ln.Close()
		_ = srv.Close()
	}
}

// Restart listens again on the same address.
func (s *Server) Restart() { s.listen(s.addr) }

// Refuse sets how DATA is answered (nil: accept everything).
func (s *Server) Refuse(f func(n int, to []string) *smtp.SMTPError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refuse = f
}

// Received returns what was accepted so far.
func (s *Server) Received() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.received...)
}

// To counts the messages accepted for each recipient.
func (s *Server) To() map[string]int {
	out := map[string]int{}
	for _, r := range s.Received() {
		for _, t := range r.To {
			out[strings.ToLower(t)]++
		}
	}
	return out
}

type backend struct{ s *Server }

func (b backend) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{s: b.s}, nil }

type session struct {
	s    *Server
	from string
	to   []string
}

func (x *session) AuthMechanisms() []string { return nil }

func (x *session) Mail(from string, _ *smtp.MailOptions) error {
	x.from = from
	return nil
}

func (x *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	x.to = append(x.to, to)
	return nil
}

func (x *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	x.s.mu.Lock()
	defer x.s.mu.Unlock()
	x.s.datas++
	if x.s.refuse != nil {
		if e := x.s.refuse(x.s.datas, x.to); e != nil {
			return e
		}
	}
	x.s.received = append(x.s.received, Received{From: x.from, To: append([]string(nil), x.to...), Data: data})
	return nil
}

func (x *session) Reset()        { x.from, x.to = "", nil }
func (x *session) Logout() error { return nil }
