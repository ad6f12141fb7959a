// Package apitest checks API responses against the service's OpenAPI
// document (web.OpenAPI) with libopenapi-validator, for tests: the web
// package's test servers and the command's tests against a running
// service pass every /api/v1 response through Check, so the document
// cannot drift from what the code sends. Only tests import it.
package apitest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	verrors "github.com/pb33f/libopenapi-validator/errors"
	"github.com/pb33f/libopenapi-validator/helpers"

	"github.com/csci/exchangeeval/internal/web"
)

var (
	once  sync.Once
	check validator.Validator
	bad   error
	// The validator is not documented as safe for concurrent use.
	mu sync.Mutex
)

// ErrUndocumented is returned for a route the document does not have (an
// unknown address, a method a route does not take): its error body is
// the API's, but there is no operation to check it against.
var ErrUndocumented = errors.New("not a documented operation")

// Check validates a response to r (status, headers, body) against the
// document. It returns ErrUndocumented for an undocumented route, and an
// error naming each difference for a response the document does not
// allow.
func Check(r *http.Request, status int, header http.Header, body []byte) error {
	once.Do(func() {
		doc, err := libopenapi.NewDocument(web.OpenAPI())
		if err != nil {
			bad = err
			return
		}
		v, errs := validator.NewValidator(doc)
		if len(errs) > 0 {
			bad = fmt.Errorf("%v", errs)
			return
		}
		check = v
	})
	if bad != nil {
		return fmt.Errorf("the OpenAPI document does not load: %w", bad)
	}
	resp := &http.Response{StatusCode: status, Header: header, Body: io.NopCloser(bytes.NewReader(body)), Request: r}
	mu.Lock()
	ok, errs := check.ValidateHttpResponse(r, resp)
	mu.Unlock()
	if ok {
		return nil
	}
	if slices.ContainsFunc(errs, func(e *verrors.ValidationError) bool {
		return e.ValidationType == helpers.PathValidation || e.ValidationSubType == helpers.ValidationMissingOperation
	}) {
		return ErrUndocumented
	}
	var msgs []string
	for _, e := range errs {
		detail := e.Reason
		for _, se := range e.SchemaValidationErrors {
			detail += "; " + se.FieldPath + ": " + se.Reason
		}
		msgs = append(msgs, e.Message+": "+detail)
	}
	return fmt.Errorf("%s %s → %d does not match the OpenAPI document: %s", r.Method, r.URL.Path, status, strings.Join(msgs, " | "))
}
