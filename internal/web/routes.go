package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"
)

// routes lists every route of the service in one place.
func (s *Server) routes(r *gin.Engine) {
	r.Use(s.recoverer(), s.logRequests(), securityHeaders(s.cfg.Secure), s.limitBody())

	r.GET("/healthz", s.handleHealthz)
	r.GET("/readyz", s.handleReadyz)
	r.GET("/metrics", s.handleMetrics)
	r.GET("/static/app.css", s.handleCSS)
	r.GET("/static/app.js", s.handleJS)
	r.GET("/static/favicon.svg", s.handleIconSVG)
	r.GET("/favicon.ico", s.handleIcon)
	r.GET("/", s.handleHome)

	// Delegates: the personal link is the only credential.
	r.GET("/s/:token", s.handleQuestionnaire)
	r.POST("/s/:token", s.handleSubmit)
	r.GET("/s/:token/thanks", s.handleThanks)
	r.GET("/api/v1/openapi.json", s.handleOpenAPI)
	r.GET("/api/v1/questionnaire/:token", s.handleQuestionnaireJSON)
	r.POST("/api/v1/responses/:token", s.handleSubmitJSON)

	// Analytic API: a signed-in browser or an API token (Bearer); the
	// access rule decides per exchange.
	api := r.Group("/api/v1/exchanges", s.requireStaff(true), s.requireEnrolment(true))
	api.GET("/:id/report", s.handleReport)
	api.GET("/:id/workbook.xlsx", s.handleWorkbook)
	api.GET("/:id/export.zip", s.handleStatExport)
	r.GET("/api/v1/programmes/:instrument/report", s.requireStaff(true), s.requireEnrolment(true), s.handleProgrammeReport)
	r.GET("/api/v1/programmes/:instrument/workbook.xlsx", s.requireStaff(true), s.requireEnrolment(true), s.handleProgrammeWorkbook)
	r.GET("/api/v1/programmes/:instrument/export.zip", s.requireStaff(true), s.requireEnrolment(true), s.handleProgrammeStatExport)

	// Staff pages. Every state-changing form carries a CSRF token.
	pages := r.Group("/", s.staffHeaders(), s.csrfProtect())
	pages.GET("/login", s.handleLoginForm)
	pages.POST("/login", s.handleLogin)
	pages.GET("/login/forgot", s.handleForgotForm)
	pages.POST("/login/forgot", s.handleForgot)
	pages.GET("/login/reset/:token", s.handleResetForm)
	pages.POST("/login/reset/:token", s.handleReset)
	pages.GET("/login/code", s.handleCodeForm)
	pages.POST("/login/code", s.handleCode)
	pages.GET("/setup", s.handleSetupForm)
	pages.POST("/setup", s.handleSetup)
	signedIn := pages.Group("/", s.requireStaff(false), s.requireEnrolment(false))
	signedIn.POST("/logout", s.handleLogout)
	signedIn.GET("/account", s.handleAccount)
	signedIn.POST("/account/password", s.handleAccountPassword)
	signedIn.GET("/account/two-factor", s.handleEnrolForm)
	signedIn.POST("/account/two-factor", s.handleEnrol)
	signedIn.POST("/account/two-factor/change", s.handleTwoFactorChange)
	signedIn.POST("/admin/users/two-factor", s.handleTwoFactorPolicy)
	signedIn.GET("/exchanges", s.handleExchanges)
	signedIn.GET("/programmes/:instrument", s.handleProgramme)
	signedIn.GET("/exchanges/:id", s.handleDashboard)
	signedIn.POST("/exchanges/:id/signoff", s.handleSignOff)
	signedIn.GET("/exchanges/:id/coding", s.handleCoding)
	signedIn.POST("/exchanges/:id/coding", s.handleCodeAnswer)
	signedIn.GET("/exchanges/:id/codebook", s.handleCodebook)
	signedIn.POST("/exchanges/:id/codebook", s.handleCodebookChange)
	signedIn.GET("/admin/exchanges/new", s.handleAdminNew)
	signedIn.POST("/admin/exchanges", s.handleAdminCreate)
	signedIn.GET("/admin/exchanges/:id", s.handleAdminExchange)
	signedIn.POST("/admin/exchanges/:id", s.handleAdminEdit)
	signedIn.POST("/admin/exchanges/:id/waves", s.handleAdminWave)
	signedIn.POST("/admin/exchanges/:id/instrument", s.handleAdminMove)
	signedIn.POST(participantsUploadRoute, s.handleAdminParticipants)
	signedIn.GET("/admin/exchanges/:id/links.xlsx", s.handleAdminLinks)
	signedIn.POST("/admin/exchanges/:id/participants/:pid/remove", s.handleAdminRemoveParticipant)
	signedIn.GET("/admin/exchanges/:id/participants/:pid", s.handlePersonalData)
	signedIn.POST("/admin/exchanges/:id/participants/:pid/erase", s.handleErase)
	signedIn.POST("/admin/exchanges/:id/mail", s.handleAdminMail)
	signedIn.POST("/admin/exchanges/:id/schedule", s.handleAdminSchedule)
	signedIn.GET("/admin/audit", s.handleAudit)
	signedIn.GET("/admin/users", s.handleUsers)
	signedIn.GET("/admin/instruments", s.handleInstruments)
	signedIn.POST(instrumentsUploadRoute, s.handleInstrumentUpload)
	signedIn.GET("/admin/instruments/:id/:version/definition.yaml", s.handleInstrumentYAML)
	signedIn.GET("/admin/instruments/:id/:version/form.xlsx", s.handleInstrumentXLSForm)
	signedIn.GET("/admin/instruments/:id/:version/preview", s.handleInstrumentPreview)
	signedIn.POST("/admin/instruments/:id/:version/preview", s.handleInstrumentPreview)
	signedIn.POST("/admin/users", s.handleUserCreate)
	signedIn.POST("/admin/users/change", s.handleUserChange)
	signedIn.POST("/admin/tokens/revoke", s.handleTokenRevoke)
	// A POST-only address reached by GET — a refresh after a form, a
	// bookmark — leads to the page its form is on.
	signedIn.GET("/exchanges/:id/signoff", s.redirectTo("/exchanges/:id"))
	signedIn.GET("/admin/exchanges/:id/waves", s.redirectTo("/admin/exchanges/:id"))
	signedIn.GET("/admin/exchanges/:id/instrument", s.redirectTo("/admin/exchanges/:id"))
	signedIn.GET(participantsUploadRoute, s.redirectTo("/admin/exchanges/:id"))
	signedIn.GET("/admin/exchanges/:id/participants/:pid/remove", s.redirectTo("/admin/exchanges/:id"))
	signedIn.GET("/admin/users/change", s.redirectTo("/admin/users"))
	signedIn.GET("/admin/tokens/revoke", s.redirectTo("/admin/users"))
	signedIn.GET("/admin/exchanges/:id/mail", s.redirectTo("/admin/exchanges/:id"))
	signedIn.GET("/admin/exchanges/:id/schedule", s.redirectTo("/admin/exchanges/:id"))

	r.NoRoute(s.handleNotFound)
	r.NoMethod(func(c *gin.Context) {
		if strings.HasPrefix(c.Request.URL.Path, "/api/") {
			c.AbortWithStatusJSON(http.StatusMethodNotAllowed, errorJSON{Error: "method not allowed"})
			return
		}
		lang := s.staffLanguage(c)
		s.renderMessage(c, http.StatusMethodNotAllowed, lang, translate(lang, "method.title"), translate(lang, "method.body"))
	})
}

// redirectTo answers with a redirect to path, its :id filled in.
func (s *Server) redirectTo(path string) gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Redirect(http.StatusSeeOther, strings.Replace(path, ":id", url.PathEscape(c.Param("id")), 1))
	}
}

func (s *Server) handleNotFound(c *gin.Context) {
	if strings.HasPrefix(c.Request.URL.Path, "/api/") {
		c.AbortWithStatusJSON(http.StatusNotFound, errorJSON{Error: "no such API route"})
		return
	}
	s.htmlError(c, guessLanguage(c), errNotFound)
}
