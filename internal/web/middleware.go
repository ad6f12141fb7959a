package web

import (
	"github.com/csci/exchangeeval/internal/metrics"
	"github.com/csci/exchangeeval/internal/workbook"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
)

// recoverer turns a panic into a logged error and an "Internal error" answer:
// a stack trace is for the operator's log, never for the user.
func (s *Server) recoverer() gin.HandlerFunc {
	return func(c *gin.Context) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("panic in handler", "route", c.FullPath(), "panic", v)
				if !c.Writer.Written() {
					c.AbortWithStatusJSON(http.StatusInternalServerError, errorJSON{Error: "Internal error."})
				}
			}
		}()
		c.Next()
	}
}

// logRequests logs each request by its route pattern, not its path: paths
// carry personal tokens, which must not end up in logs.
func (s *Server) logRequests() gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		route := c.FullPath()
		if route == "" {
			route = "(no route)"
		}
		took := time.Since(start)
		s.log.Info("request", "method", c.Request.Method, "route", route, "status", c.Writer.Status(),
			"duration_ms", took.Milliseconds())
		metrics.Request(route, c.Request.Method, c.Writer.Status(), took)
	}
}

func securityHeaders(secure bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		h := c.Writer.Header()
		if secure {
			// Served over HTTPS: browsers are to use nothing else for a
			// year, so a network cannot downgrade a sign-in to HTTP.
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		// The personal token is in the URL: no Referer may carry it away.
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Content-Security-Policy", "default-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'")
		c.Next()
	}
}

// participantsUploadRoute is the one route that takes a file larger than
// a questionnaire: a participants list.
const participantsUploadRoute = "/admin/exchanges/:id/participants"

// MaxUploadBytes bounds an uploaded participants file: a list of 50 000
// delegates in CSV is about 3 MiB, in XLSX less.
const MaxUploadBytes = 16 << 20

// limitBody caps request bodies: MaxUploadBytes on the participants upload,
// MaxBodyBytes elsewhere. A body announced as larger is turned away at
// once, before anything reads it — a staff form with a message saying the
// limit, not the CSRF failure that reading a cut body would give; reading
// past the cap otherwise fails with *http.MaxBytesError, which statusOf
// maps to 413.
func (s *Server) limitBody() gin.HandlerFunc {
	return func(c *gin.Context) {
		n := int64(MaxBodyBytes)
		upload := c.FullPath() == participantsUploadRoute || c.FullPath() == instrumentsUploadRoute
		switch c.FullPath() {
		case participantsUploadRoute:
			n = MaxUploadBytes
		case instrumentsUploadRoute:
			n = workbook.MaxFormBytes + 64<<10 // the form's wrapping
		}
		if c.Request.ContentLength > n {
			if upload {
				lang := s.staffLanguage(c)
				c.Header("Connection", "close")
				body := translate(lang, "upload.toolarge.body", n>>20)
				if c.FullPath() == instrumentsUploadRoute {
					body = translate(lang, "instruments.toolarge", workbook.MaxFormBytes>>20)
				}
				s.renderMessage(c, http.StatusRequestEntityTooLarge, lang, translate(lang, "upload.toolarge.title"), body)
				c.Abort()
				return
			}
			c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, 0)
		} else if c.Request.Body != nil {
			c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, n)
		}
		c.Next()
	}
}

// staffHeaders relaxes the referrer policy on staff pages: their URLs hold
// no secrets, and the CSRF check over HTTPS needs a same-origin Referer.
func (s *Server) staffHeaders() gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Writer.Header().Set("Referrer-Policy", "same-origin")
		c.Next()
	}
}
