package web

import (
	"crypto/subtle"
	"net"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/csci/exchangeeval/internal/metrics"
)

// handleMetrics serves the Prometheus metrics to whoever may read them:
// with Config.MetricsToken set, a client sending it as a bearer token
// (Prometheus' authorization.credentials); without, a client on this
// machine that did not come through a proxy — a reverse proxy on the
// same machine connects from the loopback too, so a request carrying
// forwarding headers is refused.
func (s *Server) handleMetrics(c *gin.Context) {
	if !s.metricsAllowed(c.Request) {
		c.String(http.StatusForbidden, "metrics: forbidden\n")
		return
	}
	metrics.Handler().ServeHTTP(c.Writer, c.Request)
}

func (s *Server) metricsAllowed(r *http.Request) bool {
	if token := s.cfg.MetricsToken; token != "" {
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		return ok && subtle.ConstantTimeCompare([]byte(got), []byte(token)) == 1
	}
	if r.Header.Get("X-Forwarded-For") != "" || r.Header.Get("Forwarded") != "" || r.Header.Get("X-Real-IP") != "" {
		return false
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
