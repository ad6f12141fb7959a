package web_test

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	verrors "github.com/pb33f/libopenapi-validator/errors"
	"github.com/pb33f/libopenapi-validator/helpers"

	"github.com/csci/exchangeeval/internal/web"
)

// Every /api/v1 response the web tests produce goes through
// validateAPI, which checks it against the OpenAPI document with
// libopenapi-validator (OpenAPI 3.1, JSON Schema 2020-12): a field the
// code sends and the document does not know, or the reverse, fails the
// test that made the response. TestMain then checks that every documented
// operation was seen answering 200 at least once.

var (
	apiOnce      sync.Once
	apiValidator validator.Validator
	apiErr       error
	apiMu        sync.Mutex // the validator is not known to be safe for concurrent use
	apiSeen      = map[string]bool{}
)

var updateOpenAPI = flag.Bool("update-openapi", false, "rewrite docs/openapi.json from the code")

func validateAPI(t testing.TB, h http.Handler) http.Handler {
	apiOnce.Do(func() {
		doc, err := libopenapi.NewDocument(web.OpenAPI())
		if err != nil {
			apiErr = err
			return
		}
		v, errs := validator.NewValidator(doc)
		if len(errs) > 0 {
			apiErr = fmt.Errorf("%v", errs)
			return
		}
		apiValidator = v
	})
	if apiErr != nil {
		t.Fatalf("the OpenAPI document does not load: %v", apiErr)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, "/api/v1/") || r.Method == http.MethodHead {
			h.ServeHTTP(w, r)
			return
		}
		rec := &teeWriter{ResponseWriter: w, status: http.StatusOK}
		h.ServeHTTP(rec, r)
		resp := &http.Response{StatusCode: rec.status, Header: w.Header().Clone(), Body: io.NopCloser(bytes.NewReader(rec.body.Bytes())), Request: r}
		apiMu.Lock()
		defer apiMu.Unlock()
		ok, errs := apiValidator.ValidateHttpResponse(r, resp)
		if !ok {
			// A route the document does not have (an unknown address, a
			// method it does not take) answers with the API's error body,
			// which only a documented route is checked for.
			if slices.ContainsFunc(errs, func(e *verrors.ValidationError) bool {
				return e.ValidationType == helpers.PathValidation || e.ValidationSubType == helpers.ValidationMissingOperation
			}) {
				return
			}
			for _, e := range errs {
				detail := e.Reason
				for _, se := range e.SchemaValidationErrors {
					detail += "; " + se.FieldPath + ": " + se.Reason
				}
				t.Errorf("%s %s → %d does not match the OpenAPI document: %s: %s", r.Method, r.URL.Path, rec.status, e.Message, detail)
			}
			return
		}
		if _, probe := t.(*recordingTB); rec.status == http.StatusOK && !probe {
			apiSeen[r.Method+" "+route(r.URL.Path)] = true
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
	engine, ok := s.handler.(*gin.Engine)
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
		"missing submitted_at": `{"status":"saved","wave":"pre","versions":1}`,
		"unknown field":        `{"status":"saved","wave":"pre","versions":1,"submitted_at":"2014-03-09T10:00:00Z","extra":true}`,
		"versions as text":     `{"status":"saved","wave":"pre","versions":"1","submitted_at":"2014-03-09T10:00:00Z"}`,
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
		io.WriteString(w, `{"status":"saved","wave":"pre","versions":1,"submitted_at":"2014-03-09T10:00:00Z"}`)
	}))
	req, _ := http.NewRequest(http.MethodPost, "/api/v1/responses/abc", strings.NewReader(`{}`))
	h.ServeHTTP(httptest.NewRecorder(), req)
	if len(rec.errors) != 0 {
		t.Errorf("a response as documented fails: %v", rec.errors)
	}
}
