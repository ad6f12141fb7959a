package web

import (
	"bytes"
	"cmp"
	"fmt"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/csci/exchangeeval/internal/analysis"
	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/qdpx"
	"github.com/csci/exchangeeval/internal/staff"
	"github.com/csci/exchangeeval/internal/statfiles"
	"github.com/csci/exchangeeval/internal/workbook"
)

func (s *Server) handleReport(c *gin.Context) {
	if !s.allowed(c, staff.ViewAnalytics, c.Param("id"), true) {
		return
	}
	x, in, err := s.exchangeFor(c)
	if err != nil {
		s.jsonError(c, err)
		return
	}
	minCell := s.cfg.MinCell
	if v := c.Query("min_cell"); v != "" {
		n, err := strconv.Atoi(v)
		// A caller may ask for more suppression, never for less.
		if err != nil || n < minCell {
			s.jsonError(c, &exchange.Error{Code: exchange.EINVALID, Message: "bad min_cell",
				Fields: map[string]string{"min_cell": "a whole number ≥ " + strconv.Itoa(minCell)}})
			return
		}
		minCell = n
	}
	report, err := s.analyze(c, x, in, minCell)
	if err != nil {
		s.jsonError(c, err)
		return
	}
	s.audit(c, staff.AuditExport, x.ID, "report")
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, report)
}

// handleWorkbook streams the evaluator workbook: the analysis runs first,
// then the file is written straight to the response.
func (s *Server) handleWorkbook(c *gin.Context) {
	labels := c.Query("labels")
	e, ok := s.exchangeExport(c, labels)
	if !ok {
		return
	}
	if labels != "" {
		s.audit(c, staff.AuditExport, c.Param("id"), "workbook-labels", labels)
	} else {
		s.audit(c, staff.AuditExport, c.Param("id"), "workbook")
	}
	s.sendWorkbook(c, workbook.FileName([]string{c.Param("id")}, s.now()), e)
}

// sendWorkbook writes a workbook as a download.
func (s *Server) sendWorkbook(c *gin.Context, name string, e *workbook.Export) {
	c.Header("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	c.Header("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	c.Header("Cache-Control", "no-store")
	c.Status(http.StatusOK)
	if err := workbook.Write(c.Writer, *e); err != nil {
		// The status is sent; all that is left is to log and cut the
		// response short, so the client sees a broken download, not a
		// workbook that looks whole.
		s.log.Error("write workbook", "file", name, "err", err)
		panic(http.ErrAbortHandler)
	}
}

// handleStatExport writes an exchange's data for SPSS, R or Stata
// (?format=), as export --format does, zipped into one folder.
func (s *Server) handleStatExport(c *gin.Context) {
	e, ok := s.exchangeExport(c, "")
	if !ok {
		return
	}
	s.sendStatExport(c, e.Exchanges[0].ID, []string{e.Exchanges[0].ID}, e)
}

// exchangeExport builds the export of the route's exchange for a reader
// who may download its data, from its cached analysis; ok is false when
// the answer (a refusal, an error) has been written.
func (s *Server) exchangeExport(c *gin.Context, labels string) (*workbook.Export, bool) {
	if !s.allowed(c, staff.DownloadData, c.Param("id"), true) {
		return nil, false
	}
	x, in, err := s.exchangeFor(c)
	if err != nil {
		s.jsonError(c, err)
		return nil, false
	}
	report, err := s.analyze(c, x, in, s.cfg.MinCell)
	if err != nil {
		s.jsonError(c, err)
		return nil, false
	}
	e, err := workbook.Build(c.Request.Context(), s.store, s.set(), []string{x.ID}, workbook.Options{
		Labels: labels, MinCell: s.cfg.MinCell, Version: s.cfg.Version, GeneratedAt: s.now(), Report: report})
	if err != nil {
		s.jsonError(c, err)
		return nil, false
	}
	return e, true
}

// qdpxProject is the exchange's REFI-QDA project, as export --format qdpx
// writes it: the open answers, the codebook, and everyone's codes.
func (s *Server) qdpxProject(c *gin.Context, id, lang string, e *workbook.Export) ([]byte, error) {
	people, err := s.store.Codes(c.Request.Context(), id)
	if err != nil {
		return nil, err
	}
	p, err := qdpx.Build(e.Instrument, id, lang, e.GeneratedAt, e.Responses(), analysis.AutoCoder(e.Instrument), people)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := qdpx.Write(&buf, p); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// sendStatExport zips the statistics packages' files of a built export.
func (s *Server) sendStatExport(c *gin.Context, name string, ids []string, e *workbook.Export) {
	format, labels := c.Query("format"), c.Query("labels")
	if !slices.Contains(statfiles.Formats, format) {
		s.jsonError(c, &exchange.Error{Code: exchange.EINVALID, Message: "format: choose one of " + strings.Join(statfiles.Formats, ", "),
			Fields: map[string]string{"format": "one of " + strings.Join(statfiles.Formats, ", ")}})
		return
	}
	if labels != "" && !e.Instrument.HasLanguage(labels) {
		s.jsonError(c, &exchange.Error{Code: exchange.EINVALID, Message: "labels: not a language of the questionnaire",
			Fields: map[string]string{"labels": "one of " + strings.Join(e.Instrument.Languages, ", ")}})
		return
	}
	folder := fmt.Sprintf("%s-%s-%s", name, format, s.now().UTC().Format("2006-01-02"))
	var attach []statfiles.Attachment
	if len(ids) == 1 {
		project, err := s.qdpxProject(c, ids[0], cmp.Or(labels, e.Instrument.BaseLanguage()), e)
		if err != nil {
			s.jsonError(c, err)
			return
		}
		attach = append(attach, statfiles.Attachment{Name: ids[0] + ".qdpx", Data: project})
	}
	var buf bytes.Buffer
	err := statfiles.WriteZip(&buf, folder, format, statfiles.Input{Instrument: e.Instrument, Report: e.Report, Responses: e.Responses,
		Exchanges: ids, Labels: labels, Version: s.cfg.Version, GeneratedAt: s.now().UTC().Format("2006-01-02"), Attachments: attach})
	if err != nil {
		s.jsonError(c, err)
		return
	}
	for _, id := range ids {
		s.audit(c, staff.AuditExport, id, "stat-export", format)
	}
	c.Header("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": folder + ".zip"}))
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, "application/zip", buf.Bytes())
}
