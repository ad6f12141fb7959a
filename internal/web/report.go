package web

import (
	"crypto/subtle"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/csci/exchangeeval/internal/analysis"
	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/workbook"
)

// requireAPIToken admits requests bearing the configured token. With no
// token configured the analytic API does not exist (404): it is never open
// by default.
func (s *Server) requireAPIToken() gin.HandlerFunc {
	return func(c *gin.Context) {
		if s.cfg.APIToken == "" {
			c.AbortWithStatusJSON(http.StatusNotFound, gin.H{"error": "no such API route"})
			return
		}
		auth := c.GetHeader("Authorization")
		token, ok := strings.CutPrefix(auth, "Bearer ")
		if !ok || subtle.ConstantTimeCompare([]byte(token), []byte(s.cfg.APIToken)) != 1 {
			c.Header("WWW-Authenticate", `Bearer realm="exchangeeval"`)
			s.jsonError(c, exchange.Errorf(exchange.EUNAUTHORIZED, "send the API token as Authorization: Bearer <token>"))
			return
		}
		c.Next()
	}
}

func (s *Server) handleReport(c *gin.Context) {
	ctx := c.Request.Context()
	x, err := s.store.Exchange(ctx, c.Param("id"))
	if err != nil {
		s.jsonError(c, err)
		return
	}
	in := s.instruments.Get(x.Instrument)
	if in == nil {
		s.jsonError(c, exchange.Errorf(exchange.EUNAVAILABLE, "instrument %s of exchange %s is not loaded", x.Instrument, x.ID))
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
	report, err := analysis.Analyze(ctx, s.store.AnalysisInput(ctx, x, in),
		analysis.Options{MinCell: minCell, GeneratedAt: s.now(), SoftwareVersion: s.cfg.Version})
	if err != nil {
		s.jsonError(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, report)
}

// handleWorkbook streams the evaluator workbook: the analysis runs first,
// then the file is written straight to the response.
func (s *Server) handleWorkbook(c *gin.Context) {
	ctx := c.Request.Context()
	labels := c.Query("labels")
	e, err := workbook.Build(ctx, s.store, s.instruments, []string{c.Param("id")}, workbook.Options{
		Labels: labels, MinCell: s.cfg.MinCell, Version: s.cfg.Version, Methods: s.cfg.Methods, GeneratedAt: s.now()})
	if err != nil {
		s.jsonError(c, err)
		return
	}
	name := workbook.FileName([]string{c.Param("id")}, s.now())
	c.Header("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	c.Header("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	c.Header("Cache-Control", "no-store")
	c.Status(http.StatusOK)
	if err := workbook.Write(c.Writer, *e); err != nil {
		// The status is sent; all that is left is to log and cut the
		// response short, so the client sees a broken download, not a
		// workbook that looks whole.
		s.log.Error("write workbook", "exchange", c.Param("id"), "err", err)
		panic(http.ErrAbortHandler)
	}
}
