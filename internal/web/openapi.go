package web

import (
	"bytes"
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/csci/exchangeeval/internal/analysis"
)

// The API's description, OpenAPI 3.1. Its schemas are made from the Go
// types the handlers encode, field by field (a field without omitempty is
// required, a pointer may be null, a nil slice or map is null), so the
// document says what the code sends; the tests validate every /api/v1
// response they produce against it, and keep docs/openapi.json equal to
// it.

// savedJSON answers a submission.
type savedJSON struct {
	Status      string `json:"status"`
	Wave        string `json:"wave"`
	Versions    int    `json:"versions"`
	SubmittedAt string `json:"submitted_at"`
	// NotApplicable lists the questions of the wave whose condition was
	// false for these answers: whatever was sent for them was not kept.
	NotApplicable []string `json:"not_applicable"`
}

// errorJSON is every API error: a sentence, and the fields at fault.
type errorJSON struct {
	Error  string            `json:"error"`
	Fields map[string]string `json:"fields,omitempty"`
}

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// OpenAPI is the API's description, as JSON, indented.
func OpenAPI() []byte {
	g := &schemaGen{defs: map[string]any{}}
	ref := func(v any) map[string]any { return g.ref(reflect.TypeOf(v)) }
	errs := map[string]any{"description": "an error: the sentence says what is wrong and where; fields name the fields at fault",
		"content": map[string]any{"application/json": map[string]any{"schema": ref(errorJSON{})}}}
	jsonOK := func(what string, schema map[string]any) map[string]any {
		return map[string]any{"200": map[string]any{"description": what, "content": map[string]any{"application/json": map[string]any{"schema": schema}}}, "default": errs}
	}
	xlsxOK := func(what string) map[string]any {
		return map[string]any{"200": map[string]any{"description": what, "content": map[string]any{xlsxType: map[string]any{"schema": map[string]any{"type": "string", "contentMediaType": xlsxType}}}}, "default": errs}
	}
	param := func(name, in, what string, required bool) map[string]any {
		return map[string]any{"name": name, "in": in, "description": what, "required": required, "schema": map[string]any{"type": "string"}}
	}
	token := param("token", "path", "the delegate's personal link token", true)
	exchangeID := param("id", "path", "the exchange's id", true)
	instrument := param("instrument", "path", "the instrument's id: its exchanges form the programme", true)
	narrow := map[string]any{"name": "exchange", "in": "query", "description": "narrows the programme to these exchanges", "required": false,
		"schema": map[string]any{"type": "array", "items": map[string]any{"type": "string"}}, "style": "form", "explode": true}
	from, to := param("from", "query", "with to: pool this comparison for every goal instead of each goal's criterion", false),
		param("to", "query", "with from: the later wave of the comparison", false)
	labels := param("labels", "query", "answer labels (and the sheets' texts) in this language instead of codes", false)
	lang := param("lang", "query", "the questionnaire's language", false)
	wave := param("wave", "query", "the wave, when several are open", false)
	format := map[string]any{"name": "format", "in": "query", "required": true, "description": "the statistics package",
		"schema": map[string]any{"type": "string", "enum": []any{"spss", "r", "stata"}}}
	zipOK := map[string]any{"200": map[string]any{"description": "a zip of one folder: the CSV files, the syntax, README.txt",
		"content": map[string]any{"application/zip": map[string]any{"schema": map[string]any{"type": "string", "contentMediaType": "application/zip"}}}}, "default": errs}
	staffOnly := []any{map[string]any{"session": []any{}}, map[string]any{"token": []any{}}}
	op := func(id, summary string, params []any, responses map[string]any, security []any) map[string]any {
		o := map[string]any{"operationId": id, "summary": summary, "responses": responses}
		if len(params) > 0 {
			o["parameters"] = params
		}
		if security != nil {
			o["security"] = security
		}
		return o
	}
	doc := map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{"title": "exchangeeval API", "version": "1",
			"description": "Delegates answer through their personal link; staff read reports and workbooks with a signed-in session or an API token (exchangeeval tokens create). Field names are stable; the README documents their meaning."},
		"paths": map[string]any{
			"/api/v1/questionnaire/{token}": map[string]any{"get": op("getQuestionnaire", "The open questionnaire of a delegate's link, with the answers already given",
				[]any{token, lang, wave}, jsonOK("the questionnaire", ref(questionnaireJSON{})), []any{})},
			"/api/v1/responses/{token}": map[string]any{"post": func() map[string]any {
				o := op("submitResponse", "Save a delegate's answers to the open wave (merged into those already given)",
					[]any{token}, jsonOK("saved", ref(savedJSON{})), []any{})
				o["requestBody"] = map[string]any{"required": true, "content": map[string]any{"application/json": map[string]any{"schema": ref(submission{})}}}
				return o
			}()},
			"/api/v1/exchanges/{id}/report": map[string]any{"get": op("getReport", "An exchange's analysis",
				[]any{exchangeID}, jsonOK("the report", ref(analysis.Report{})), staffOnly)},
			"/api/v1/exchanges/{id}/workbook.xlsx": map[string]any{"get": op("getWorkbook", "An exchange's evaluator workbook",
				[]any{exchangeID, labels}, xlsxOK("the workbook"), staffOnly)},
			"/api/v1/exchanges/{id}/export.zip": map[string]any{"get": op("getStatExport", "An exchange's data as CSV with SPSS, R or Stata syntax that labels it, zipped",
				[]any{exchangeID, format, labels}, zipOK, staffOnly)},
			"/api/v1/programmes/{instrument}/export.zip": map[string]any{"get": op("getProgrammeStatExport", "The programme's exchanges' data as CSV with SPSS, R or Stata syntax, zipped",
				[]any{instrument, narrow, format, labels}, zipOK, staffOnly)},
			"/api/v1/programmes/{instrument}/report": map[string]any{"get": op("getProgrammeReport", "Every exchange of an instrument, pooled goal by goal",
				[]any{instrument, narrow, from, to}, jsonOK("the programme", ref(analysis.ProgrammeReport{})), staffOnly)},
			"/api/v1/programmes/{instrument}/workbook.xlsx": map[string]any{"get": op("getProgrammeWorkbook", "The programme's workbook: the Programme sheet, then its exchanges'",
				[]any{instrument, narrow, from, to, labels}, xlsxOK("the workbook"), staffOnly)},
			"/api/v1/openapi.json": map[string]any{"get": op("getOpenAPI", "This description",
				nil, map[string]any{"200": map[string]any{"description": "the OpenAPI document", "content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"type": "object"}}}}}, []any{})},
		},
		"components": map[string]any{
			"schemas": g.defs,
			"securitySchemes": map[string]any{
				"session": map[string]any{"type": "apiKey", "in": "cookie", "name": sessionCookie, "description": "a signed-in staff session"},
				"token":   map[string]any{"type": "http", "scheme": "bearer", "description": "an API token (exchangeeval tokens create)"},
			},
		},
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	_ = enc.Encode(doc) // maps of plain values: nothing to fail
	return buf.Bytes()
}

func (s *Server) handleOpenAPI(c *gin.Context) {
	c.Header("Cache-Control", "public, max-age=3600")
	c.Data(http.StatusOK, "application/json; charset=utf-8", s.openAPI)
}

// schemaGen makes JSON Schemas of Go types, named types once each under
// components/schemas.
type schemaGen struct{ defs map[string]any }

var timeType = reflect.TypeOf(time.Time{})

// ref is the schema of t: a reference for a named struct, inline otherwise.
func (g *schemaGen) ref(t reflect.Type) map[string]any {
	switch {
	case t == timeType:
		return map[string]any{"type": "string", "format": "date-time"}
	case t.Kind() == reflect.Pointer:
		return nullable(g.ref(t.Elem()))
	case t.Kind() == reflect.Struct && t.Name() != "":
		name := schemaName(t)
		if _, done := g.defs[name]; !done {
			g.defs[name] = nil // being made: a type that holds itself refers to it
			g.defs[name] = g.object(t)
		}
		return map[string]any{"$ref": "#/components/schemas/" + name}
	}
	return g.inline(t)
}

func (g *schemaGen) inline(t reflect.Type) map[string]any {
	switch t.Kind() {
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return map[string]any{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.Slice:
		return map[string]any{"type": []any{"array", "null"}, "items": g.ref(t.Elem())}
	case reflect.Array:
		return map[string]any{"type": "array", "items": g.ref(t.Elem()), "minItems": t.Len(), "maxItems": t.Len()}
	case reflect.Map:
		return map[string]any{"type": []any{"object", "null"}, "additionalProperties": g.ref(t.Elem())}
	case reflect.Struct:
		return g.object(t)
	}
	return map[string]any{} // any value
}

// object is a struct's schema: its JSON fields, embedded structs' fields
// inline, those without omitempty required.
func (g *schemaGen) object(t reflect.Type) map[string]any {
	props, required := map[string]any{}, []string{}
	var add func(t reflect.Type)
	add = func(t reflect.Type) {
		for i := range t.NumField() {
			f := t.Field(i)
			tag, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
			if tag == "-" || !f.IsExported() {
				continue
			}
			if f.Anonymous && tag == "" && f.Type.Kind() == reflect.Struct {
				add(f.Type)
				continue
			}
			name := tag
			if name == "" {
				name = f.Name
			}
			props[name] = g.ref(f.Type)
			if !strings.Contains(opts, "omitempty") {
				required = append(required, name)
			}
		}
	}
	add(t)
	return map[string]any{"type": "object", "properties": props, "required": required, "additionalProperties": false}
}

// nullable lets a schema be null too.
func nullable(s map[string]any) map[string]any {
	if ty, ok := s["type"].(string); ok {
		out := map[string]any{}
		for k, v := range s {
			out[k] = v
		}
		out["type"] = []any{ty, "null"}
		return out
	}
	return map[string]any{"anyOf": []any{s, map[string]any{"type": "null"}}}
}

// schemaName names a type's schema after its package and name:
// analysis.Report is analysis.Report; the web's own types keep their name.
func schemaName(t reflect.Type) string {
	pkg := t.PkgPath()
	if i := strings.LastIndex(pkg, "/"); i >= 0 {
		pkg = pkg[i+1:]
	}
	if pkg == "web" {
		return t.Name()
	}
	return pkg + "." + t.Name()
}
