package web

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/gorilla/csrf"

	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/staff"
	"github.com/csci/exchangeeval/internal/survey"
	"github.com/csci/exchangeeval/internal/workbook"
)

// instrumentsUploadRoute takes uploads: its bodies may be bigger than a
// form's (an XLSForm), up to MaxFormBytes and the multipart wrapping.
const instrumentsUploadRoute = "/admin/instruments"

type instrumentsPage struct {
	page
	CSRF        string
	Notice      string
	Error       string
	Problems    []string
	Instruments []instrumentRow
	MaxMB       int
}

type instrumentRow struct {
	ID, Title string
	Versions  []versionRow
}

type versionRow struct {
	Version            int
	Hash, Source       string
	Questions          int
	Conditional        int
	Waves              []string
	Languages          []string
	Exchanges          []string
	Path               string // /admin/instruments/ID/VERSION
	UploadedBy, AtText string
}

func (s *Server) handleInstruments(c *gin.Context) {
	if !s.allowed(c, staff.Administer, "", false) {
		return
	}
	notice, errMsg := s.takeNotice(c)
	s.renderInstruments(c, http.StatusOK, notice, errMsg, nil)
}

func (s *Server) renderInstruments(c *gin.Context, status int, notice, errMsg string, problems []string) {
	ctx := c.Request.Context()
	lang := s.staffLanguage(c)
	set, err := s.instruments.Reload(ctx)
	if err != nil {
		s.htmlError(c, lang, err)
		return
	}
	xs, err := s.store.Exchanges(ctx)
	if err != nil {
		s.htmlError(c, lang, err)
		return
	}
	uses := exchange.ExchangesByVersion(xs, set)
	p := instrumentsPage{page: s.staffPage(c, lang, translate(lang, "instruments.title")), CSRF: csrf.Token(c.Request),
		Notice: notice, Error: errMsg, Problems: problems, MaxMB: workbook.MaxFormBytes >> 20}
	for _, id := range set.IDs() {
		newest := set.Get(id)
		row := instrumentRow{ID: id, Title: newest.Title.In(lang, newest.BaseLanguage())}
		versions := set.Versions(id)
		for i := len(versions) - 1; i >= 0; i-- {
			in := versions[i]
			v := versionRow{Version: in.Version, Hash: in.Hash[:12], Source: in.Source, Questions: len(in.Questions()),
				Waves: in.WaveIDs(), Languages: in.Languages, Exchanges: uses[in.Key()],
				Path: fmt.Sprintf("/admin/instruments/%s/%d", url.PathEscape(in.ID), in.Version)}
			for _, q := range in.Questions() {
				if q.Conditional() {
					v.Conditional++
				}
			}
			if u := in.Uploaded; u != nil {
				v.Source, v.UploadedBy, v.AtText = u.Filename, u.By, formatTime(lang, u.At, time.UTC)
			}
			row.Versions = append(row.Versions, v)
		}
		p.Instruments = append(p.Instruments, row)
	}
	s.render(c, status, "instruments", p)
}

// handleInstrumentUpload stores an uploaded YAML definition or XLSForm as
// the next version of its instrument. Every problem is listed, by line or
// sheet and cell, and nothing is stored while there is one.
func (s *Server) handleInstrumentUpload(c *gin.Context) {
	if !s.allowed(c, staff.Administer, "", false) {
		return
	}
	lang := s.staffLanguage(c)
	file, header, err := c.Request.FormFile("file")
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			s.renderInstruments(c, http.StatusRequestEntityTooLarge, "", translate(lang, "instruments.toolarge", workbook.MaxFormBytes>>20), nil)
			return
		}
		s.renderInstruments(c, http.StatusBadRequest, "", translate(lang, "admin.nofile"), nil)
		return
	}
	defer file.Close()
	data, err := io.ReadAll(io.LimitReader(file, workbook.MaxFormBytes+1))
	if err != nil {
		s.htmlError(c, lang, err)
		return
	}
	name := header.Filename
	if len(data) > workbook.MaxFormBytes {
		s.renderInstruments(c, http.StatusRequestEntityTooLarge, "", translate(lang, "instruments.toolarge", workbook.MaxFormBytes>>20), nil)
		return
	}
	in, format, probs := workbook.ParseDefinition(c.Request.Context(), name, data)
	if probs != nil {
		list := make([]string, len(probs))
		for i, p := range probs {
			list[i] = p.String()
		}
		s.renderInstruments(c, http.StatusUnprocessableEntity, "", translate(lang, "instruments.problems", name, len(probs)), list)
		return
	}
	up := survey.Upload{At: s.now(), Format: format, Filename: name}
	if u := s.staffUser(c); u != nil {
		up.By = u.Email
	}
	stored, unchanged, err := s.instruments.Add(c.Request.Context(), in, up)
	if err != nil {
		s.htmlError(c, lang, err)
		return
	}
	notice := translate(lang, "instruments.stored", name, stored.ID, stored.Version)
	if unchanged {
		notice = translate(lang, "instruments.unchanged", name, stored.ID, stored.Version)
	} else {
		s.audit(c, staff.AuditAdminister, "", "instrument-uploaded", stored.ID, strconv.Itoa(stored.Version), name)
	}
	var passed, columns []string
	for _, p := range in.PassedOver {
		if p.Type == survey.ColumnPassedOver {
			columns = append(columns, fmt.Sprintf("%s (%s)", p.Name, p.Cell))
		} else {
			passed = append(passed, fmt.Sprintf("%s (%s, %s)", p.Name, p.Type, p.Cell))
		}
	}
	if len(passed) > 0 {
		notice += " " + translate(lang, "instruments.passedover", strings.Join(passed, ", "))
	}
	if len(columns) > 0 {
		notice += " " + translate(lang, "instruments.passedcolumns", strings.Join(columns, ", "))
	}
	s.setNotice(c, notice, false)
	c.Redirect(http.StatusSeeOther, "/admin/instruments")
}

// versionAsked finds the instrument version of the path.
func (s *Server) versionAsked(c *gin.Context) (*survey.Instrument, bool) {
	if !s.allowed(c, staff.Administer, "", false) {
		return nil, false
	}
	lang := s.staffLanguage(c)
	v, err := strconv.Atoi(c.Param("version"))
	in := s.set().Version(c.Param("id"), v)
	if err != nil || v < 1 || in == nil {
		s.htmlError(c, lang, exchange.Errorf(exchange.ENOTFOUND, "%s", translate(lang, "instruments.notfound", c.Param("id"), c.Param("version"))))
		return nil, false
	}
	return in, true
}

func (s *Server) handleInstrumentYAML(c *gin.Context) {
	in, ok := s.versionAsked(c)
	if !ok {
		return
	}
	data, err := in.Canonical()
	if err != nil {
		s.htmlError(c, s.staffLanguage(c), err)
		return
	}
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-v%d.yaml"`, in.ID, in.Version))
	c.Data(http.StatusOK, "application/yaml; charset=utf-8", data)
}

func (s *Server) handleInstrumentXLSForm(c *gin.Context) {
	in, ok := s.versionAsked(c)
	if !ok {
		return
	}
	var buf bytes.Buffer
	if err := workbook.WriteXLSForm(&buf, survey.ToXLSForm(in)); err != nil {
		s.htmlError(c, s.staffLanguage(c), err)
		return
	}
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-v%d.xlsx"`, in.ID, in.Version))
	c.Data(http.StatusOK, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", buf.Bytes())
}

// previewInfo is what the preview banner shows: which version, and links
// to each wave and language.
type previewInfo struct {
	Instrument string
	Version    int
	Back       string
	Waves      []languageLink
	CSRF       string // the preview is sent on a staff page
}

// handleInstrumentPreview shows a wave of a version exactly as a delegate
// sees it, conditions working; sending it checks the answers as the
// server would and saves nothing.
func (s *Server) handleInstrumentPreview(c *gin.Context) {
	in, ok := s.versionAsked(c)
	if !ok {
		return
	}
	lang := c.Query("lang")
	var values url.Values
	wave := c.Query("wave")
	if c.Request.Method == http.MethodPost {
		if err := c.Request.ParseForm(); err != nil {
			s.htmlError(c, s.staffLanguage(c), exchange.Errorf(exchange.EINVALID, "The form could not be read."))
			return
		}
		values = c.Request.PostForm
		wave, lang = values.Get("wave"), values.Get("lang")
	}
	if in.Wave(wave) == nil {
		wave = in.Waves[0].ID
	}
	lang = pickLanguage(lang, in.Languages, s.staffLanguage(c))
	x := &exchange.Exchange{ID: "preview", Name: translate(lang, "preview.exchange")}
	var errs survey.FieldErrors
	accepted := false
	if values != nil {
		_, errs = in.FromStrings(wave, values)
		accepted = len(errs) == 0
	}
	p := buildQuestionnaire(in, x, wave, lang, values, errs)
	path := fmt.Sprintf("/admin/instruments/%s/%d/preview", url.PathEscape(in.ID), in.Version)
	p.Action, p.Accepted = path, accepted
	p.Languages = languageLinks(in.Languages, lang, path, url.Values{"wave": {wave}})
	// A staff page (the admin's navigation, the staff referrer policy that
	// lets the browser say where the form was sent from), with the
	// questionnaire's language.
	p.Staff = s.staffPage(c, lang, p.Title).Staff
	p.Preview = &previewInfo{Instrument: in.ID, Version: in.Version, Back: "/admin/instruments", CSRF: csrf.Token(c.Request)}
	for _, w := range in.Waves {
		p.Preview.Waves = append(p.Preview.Waves, languageLink{Code: w.ID, Name: w.Title.In(lang, in.BaseLanguage()),
			URL: path + "?" + url.Values{"wave": {w.ID}, "lang": {lang}}.Encode(), Current: w.ID == wave})
	}
	status := http.StatusOK
	if len(errs) > 0 {
		status = http.StatusUnprocessableEntity
	}
	s.render(c, status, "questionnaire", p)
}
