package web

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/csci/exchangeeval/internal/exchange"
)

// handleHealthz says the process is alive.
func (s *Server) handleHealthz(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}

// handleReadyz says whether the service can do its work: the store answers
// and can write. While the disk is full it says so, and each call tries a
// write, so readiness returns by itself when there is room again.
func (s *Server) handleReadyz(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
	defer cancel()
	if err := s.store.Ready(ctx); err != nil {
		state := "not answering"
		if exchange.IsStoreFull(err) {
			state = "disk full"
		} else {
			s.log.Warn("not ready: store does not answer", "err", err)
		}
		c.Header("Retry-After", retryAfter)
		c.JSON(http.StatusServiceUnavailable, gin.H{"status": "unavailable", "store": state})
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ready"})
}

func (s *Server) handleCSS(c *gin.Context) {
	c.Header("Cache-Control", "public, max-age=31536000, immutable")
	c.Data(http.StatusOK, "text/css; charset=utf-8", s.css)
}

// handleIcon answers /favicon.ico, which browsers ask for on every site:
// without it each page logged a 404 in the console.
func (s *Server) handleIcon(c *gin.Context) {
	c.Header("Cache-Control", "public, max-age=86400")
	c.Data(http.StatusOK, "image/x-icon", s.icon)
}

func (s *Server) handleIconSVG(c *gin.Context) {
	c.Header("Cache-Control", "public, max-age=86400")
	c.Data(http.StatusOK, "image/svg+xml", s.iconSVG)
}

func (s *Server) handleJS(c *gin.Context) {
	c.Header("Cache-Control", "public, max-age=31536000, immutable")
	c.Data(http.StatusOK, "text/javascript; charset=utf-8", s.js)
}

func (s *Server) handleHome(c *gin.Context) {
	lang := guessLanguage(c)
	p := messagePage{page: page{Lang: lang, Title: translate(lang, "about.title")},
		Heading: translate(lang, "about.title"), Body: translate(lang, "about.body"), LinkURL: "/login", LinkText: translate(lang, "login.title")}
	p.Languages = languageLinks(interfaceLanguages(), lang, "/", nil)
	s.render(c, http.StatusOK, "home", p)
}
