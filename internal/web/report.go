package web

import (
	"crypto/subtle"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/csci/exchangeeval/internal/analysis"
	"github.com/csci/exchangeeval/internal/exchange"
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
