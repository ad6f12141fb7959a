package web_test

import (
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/csci/exchangeeval/internal/web"
)

// TestPagesAreCompressedAndAnswerHEAD: a client that takes gzip gets the
// pages, stylesheet, script and JSON gzipped, and a workbook as it is;
// HEAD answers wherever GET does, with its status and headers and no
// body — a staff page's HEAD without a session is sent to sign-in, as
// its GET is.
func TestPagesAreCompressedAndAnswerHEAD(t *testing.T) {
	s := newSite(t, web.Config{})
	srv := httptest.NewServer(s.handler)
	t.Cleanup(srv.Close)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	do := func(method, path string, gz bool) (*http.Response, []byte) {
		req, _ := http.NewRequest(method, srv.URL+path, nil)
		if gz {
			req.Header.Set("Accept-Encoding", "gzip")
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp, body
	}
	for _, path := range []string{"/", "/login", "/static/app.js", "/api/v1/openapi.json"} {
		resp, body := do("GET", path, true)
		if resp.Header.Get("Content-Encoding") != "gzip" || !strings.Contains(resp.Header.Get("Vary"), "Accept-Encoding") {
			t.Errorf("GET %s: Content-Encoding %q, Vary %q", path, resp.Header.Get("Content-Encoding"), resp.Header.Get("Vary"))
			continue
		}
		zr, err := gzip.NewReader(strings.NewReader(string(body)))
		if err != nil {
			t.Errorf("GET %s: %v", path, err)
			continue
		}
		plain, _ := io.ReadAll(zr)
		_, want := do("GET", path, false)
		if string(plain) != string(want) && path != "/login" { // the sign-in form's CSRF token differs
			t.Errorf("GET %s: the gzipped body is not the plain one", path)
		}
		if len(body) >= len(want) {
			t.Errorf("GET %s: %d bytes gzipped, %d plain", path, len(body), len(want))
		}
	}
	// HEAD: GET's status and headers, no body.
	for _, path := range []string{"/", "/static/app.css", "/exchanges", "/s/not-a-link", "/api/v1/questionnaire/not-a-link"} {
		get, _ := do("GET", path, false)
		head, body := do("HEAD", path, false)
		if head.StatusCode != get.StatusCode || head.Header.Get("Content-Type") != get.Header.Get("Content-Type") ||
			head.Header.Get("Location") != get.Header.Get("Location") || len(body) != 0 {
			t.Errorf("HEAD %s: %d %q %q, %d bytes; GET: %d %q %q", path, head.StatusCode, head.Header.Get("Content-Type"), head.Header.Get("Location"), len(body),
				get.StatusCode, get.Header.Get("Content-Type"), get.Header.Get("Location"))
		}
	}
	if head, _ := do("HEAD", "/exchanges", false); head.StatusCode != http.StatusSeeOther {
		t.Errorf("HEAD of a staff page without a session: %d", head.StatusCode)
	}
}
