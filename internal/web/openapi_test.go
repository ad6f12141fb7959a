package web_test

import (
	"bytes"
	"compress/gzip"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/csci/exchangeeval/internal/web"
	"github.com/csci/exchangeeval/internal/web/apitest"
)

// Every /api/v1 response the web tests produce goes through
// validateAPI, which checks it against the OpenAPI document with
// libopenapi-validator (OpenAPI 3.1, JSON Schema 2020-12): a field the
// code sends and the document does not know, or the reverse, fails the
// test that made the response. TestMain then checks that every documented
// operation was seen answering 200 at least once.

var (
	apiMu   sync.Mutex
	apiSeen = map[string]bool{}
)

var updateOpenAPI = flag.Bool("update-openapi", false, "rewrite docs/openapi.json from the code")

func validateAPI(t testing.TB, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, "/api/v1/") || r.Method == http.MethodHead {
			h.ServeHTTP(w, r)
			return
		}
		rec := &teeWriter{ResponseWriter: w, status: http.StatusOK}
		h.ServeHTTP(rec, r)
		body, header := rec.body.Bytes(), w.Header().Clone()
		if header.Get("Content-Encoding") == "gzip" {
			// As the client reads it: the service gzips JSON for clients
			// that take it.
			zr, err := gzip.NewReader(bytes.NewReader(body))
			if err == nil {
				body, err = io.ReadAll(zr)
			}
			if err != nil {
				t.Errorf("%s %s: a gzipped body that does not decompress: %v", r.Method, r.URL.Path, err)
				return
			}
			header.Del("Content-Encoding")
		}
		switch err := apitest.Check(r, rec.status, header, body); {
		case errors.Is(err, apitest.ErrUndocumented):
			// An unknown address or method answers with the API's error
			// body; only a documented route is checked.
		case err != nil:
			t.Errorf("%v", err)
		case rec.status == http.StatusOK:
			if _, probe := t.(*recordingTB); !probe {
				apiMu.Lock()
				apiSeen[r.Method+" "+route(r.URL.Path)] = true
				apiMu.Unlock()
			}
		}
	})
}

// route is a path's documented pattern.
func route(path string) string {
	parts := strings.Split(path, "/")
	if len(parts) >= 5 {
		switch parts[3] {
		case "questionnaire", "responses":
			parts[4] = "{token}"
		case "exchanges":
			parts[4] = "{id}"
		case "programmes":
			parts[4] = "{instrument}"
		}
	}
	return strings.Join(parts, "/")
}

// teeWriter keeps a copy of a JSON response's body for the validator; a
// workbook's bytes are not kept (its schema is the media type only).
type teeWriter struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
	wrote  bool
}

func (w *teeWriter) WriteHeader(code int) {
	if !w.wrote {
		w.status, w.wrote = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *teeWriter) Write(b []byte) (int, error) {
	w.wrote = true
	if strings.HasPrefix(w.Header().Get("Content-Type"), "application/json") {
		w.body.Write(b)
	}
	return w.ResponseWriter.Write(b)
}

func (w *teeWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// checkEveryOperationSeen fails when a documented operation never answered
// 200 in the tests that ran (all of them: a -run selection checks
// nothing).
func checkEveryOperationSeen() error {
	if f := flag.Lookup("test.run"); f != nil && f.Value.String() != "" {
		return nil
	}
	var missing []string
	for _, op := range []string{"GET /api/v1/questionnaire/{token}", "POST /api/v1/responses/{token}", "GET /api/v1/exchanges/{id}/report",
		"GET /api/v1/exchanges/{id}/workbook.xlsx", "GET /api/v1/exchanges/{id}/export.zip", "GET /api/v1/programmes/{instrument}/report", "GET /api/v1/programmes/{instrument}/workbook.xlsx", "GET /api/v1/programmes/{instrument}/export.zip",
		"GET /api/v1/openapi.json"} {
		if !apiSeen[op] {
			missing = append(missing, op)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("no test saw these API operations answer 200 through the OpenAPI validator: %s", strings.Join(missing, ", "))
	}
	return nil
}

// TestOpenAPIDocument: the document is served, equals docs/openapi.json
// (go test ./internal/web -run TestOpenAPIDocument -update-openapi rewrites
// it), and describes every /api/v1 route the server has.
func TestOpenAPIDocument(t *testing.T) {
	s := newSite(t, web.Config{})
	resp, err := s.client().Get(s.srv.URL + "/api/v1/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	served, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !bytes.Equal(served, web.OpenAPI()) {
		t.Fatalf("GET /api/v1/openapi.json: %d, or not the document", resp.StatusCode)
	}
	const kept = "../../docs/openapi.json"
	if *updateOpenAPI {
		if err := os.WriteFile(kept, served, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if onDisk, err := os.ReadFile(kept); err != nil || !bytes.Equal(onDisk, served) {
		t.Errorf("docs/openapi.json is not the document the code makes (%v): run go test ./internal/web -run TestOpenAPIDocument -update-openapi", err)
	}
	engine, ok := s.handler.(interface{ Routes() gin.RoutesInfo })
	if !ok {
		t.Fatalf("the handler is a %T, not Gin's engine: its routes cannot be listed", s.handler)
	}
	param := regexp.MustCompile(`:(\w+)`)
	described := 0
	for _, r := range engine.Routes() {
		if !strings.HasPrefix(r.Path, "/api/v1/") {
			continue
		}
		path := param.ReplaceAllString(r.Path, "{$1}")
		if !strings.Contains(string(served), `"`+path+`": {`) || !strings.Contains(string(served), `"`+strings.ToLower(r.Method)+`": {`) {
			t.Errorf("the server has %s %s, which the document does not describe", r.Method, path)
		}
		described++
	}
	if described < 9 {
		t.Errorf("%d API routes found", described)
	}
}

// recordingTB keeps the errors reported to it instead of failing.
type recordingTB struct {
	testing.TB
	errors []string
}

func (r *recordingTB) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

// TestOpenAPIValidatorCatchesDrift: the validator the suite relies on
// does fail a response that lacks a documented field, has one the
// document does not know, or has the wrong type — it is not a check that
// passes everything.
func TestOpenAPIValidatorCatchesDrift(t *testing.T) {
	for name, body := range map[string]string{
		"missing submitted_at": `{"status":"saved","wave":"pre","versions":1,"not_applicable":[]}`,
		"unknown field":        `{"status":"saved","wave":"pre","versions":1,"submitted_at":"2014-03-09T10:00:00Z","not_applicable":[],"extra":true}`,
		"versions as text":     `{"status":"saved","wave":"pre","versions":"1","submitted_at":"2014-03-09T10:00:00Z","not_applicable":[]}`,
	} {
		rec := &recordingTB{TB: t}
		h := validateAPI(rec, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			io.WriteString(w, body)
		}))
		req, _ := http.NewRequest(http.MethodPost, "/api/v1/responses/abc", strings.NewReader(`{"wave":"pre","answers":{}}`))
		req.Header.Set("Content-Type", "application/json")
		h.ServeHTTP(httptest.NewRecorder(), req)
		if len(rec.errors) == 0 {
			t.Errorf("%s: the validator let it through", name)
		}
	}
	rec := &recordingTB{TB: t}
	h := validateAPI(rec, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		io.WriteString(w, `{"status":"saved","wave":"pre","versions":1,"submitted_at":"2014-03-09T10:00:00Z","not_applicable":[]}`)
	}))
	req, _ := http.NewRequest(http.MethodPost, "/api/v1/responses/abc", strings.NewReader(`{}`))
	h.ServeHTTP(httptest.NewRecorder(), req)
	if len(rec.errors) != 0 {
		t.Errorf("a response as documented fails: %v", rec.errors)
	}
}
