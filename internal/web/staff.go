package web

import (
	"cmp"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"github.com/csci/exchangeeval/internal/i18n"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/gorilla/csrf"

	"github.com/csci/exchangeeval/internal/analysis"
	"github.com/csci/exchangeeval/internal/coding"
	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/staff"
	"github.com/csci/exchangeeval/internal/survey"
	"github.com/csci/exchangeeval/internal/workbook"
)

// staffNav is the bar at the top of staff pages.
type staffNav struct {
	Name     string
	CSRF     string
	IsAdmin  bool
	SignedIn bool
}

func (s *Server) staffPage(c *gin.Context, lang, title string) page {
	p := page{Lang: lang, Title: title, Staff: &staffNav{CSRF: csrf.Token(c.Request)}}
	if u := s.staffUser(c); u != nil {
		p.Staff.Name, p.Staff.SignedIn, p.Staff.IsAdmin = u.Name, true, staff.Can(u, staff.Administer, "")
	}
	// The query is kept (a filtered audit trail stays filtered), but not
	// on a form's answer, which is not a page to come back to.
	var query url.Values
	if c.Request.Method == http.MethodGet {
		query = c.Request.URL.Query()
		query.Del("lang")
	}
	p.Languages = languageLinks(interfaceLanguages(), lang, c.Request.URL.Path, query)
	return p
}

func (s *Server) renderMessage(c *gin.Context, status int, lang, heading, body string) {
	p := messagePage{page: s.staffPage(c, lang, heading), Heading: heading, Body: body}
	s.render(c, status, "message", p)
}

// renderMessageTo writes a message page outside Gin (the CSRF error handler).
func (s *Server) renderMessageTo(w http.ResponseWriter, status int, lang, heading, body string) {
	var buf strings.Builder
	p := messagePage{page: page{Lang: lang, Title: heading}, Heading: heading, Body: body}
	if err := s.pages["message"].ExecuteTemplate(&buf, "layout", p); err != nil {
		http.Error(w, "Forbidden", status)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(buf.String()))
}

type exchangeRow struct {
	X                                        *exchange.Exchange
	Name                                     string // in the reader's language
	Dates, OpenWaves                         string
	CanDashboard, CanDownload, CanAdminister bool
	Languages                                []selectOption
}

type exchangesPage struct {
	page
	Rows     []exchangeRow
	CanAdmin bool
	// Programmes are the instruments whose exchanges the reader may
	// compare (see programme.go).
	Programmes []selectOption
}

func (s *Server) handleExchanges(c *gin.Context) {
	if !s.allowed(c, staff.ListExchanges, "", false) {
		return
	}
	u := s.staffUser(c)
	lang := s.staffLanguage(c)
	xs, err := s.store.Exchanges(c.Request.Context())
	if err != nil {
		s.htmlError(c, lang, err)
		return
	}
	p := exchangesPage{page: s.staffPage(c, lang, translate(lang, "exchanges.title")), CanAdmin: staff.Can(u, staff.Administer, "")}
	for _, x := range xs {
		if !staff.SeesExchange(u, x.ID) {
			continue
		}
		row := exchangeRow{X: x, Name: x.NameIn(lang), Dates: formatDays(lang, x.Start, x.End),
			CanDashboard: staff.Can(u, staff.ViewDashboard, x.ID), CanDownload: staff.Can(u, staff.DownloadData, x.ID), CanAdminister: staff.Can(u, staff.Administer, x.ID)}
		if in := s.instrumentOf(c.Request.Context(), x); in != nil {
			var open []string
			for _, w := range x.OpenWaves(in) {
				open = append(open, waveTitle(in, w, lang))
			}
			row.OpenWaves = strings.Join(open, ", ")
			for _, l := range in.Languages {
				row.Languages = append(row.Languages, selectOption{Value: l, Label: translate(lang, "exchanges.labelsin", languageName(lang, l))})
			}
		}
		p.Rows = append(p.Rows, row)
		if in := s.set().Get(x.Instrument); in != nil && row.CanDashboard &&
			!slices.ContainsFunc(p.Programmes, func(o selectOption) bool { return o.Value == in.ID }) {
			p.Programmes = append(p.Programmes, selectOption{Value: in.ID, Label: translate(lang, "prog.title", in.Title.In(lang, in.BaseLanguage()))})
		}
	}
	s.render(c, http.StatusOK, "exchanges", p)
}

// analyze returns the analysis of an exchange as every page and API shows
// it: made once, and reused until the exchange's data changes.
func (s *Server) analyze(c *gin.Context, x *exchange.Exchange, in *survey.Instrument, minCell int) (*analysis.Report, error) {
	return s.analyses.get(c.Request.Context(), x, in, minCell)
}

// exchangeFor loads the exchange of the route and its instrument.
func (s *Server) exchangeFor(c *gin.Context) (*exchange.Exchange, *survey.Instrument, error) {
	x, err := s.store.Exchange(c.Request.Context(), c.Param("id"))
	if err != nil {
		return nil, nil, err
	}
	in := s.instrumentOf(c.Request.Context(), x)
	if in == nil {
		return nil, nil, exchange.InstrumentMissing(x)
	}
	// The exchange codes with its own codebook once evaluators changed
	// the instrument's.
	cb, err := s.store.Codebook(c.Request.Context(), x.ID)
	if err != nil {
		return nil, nil, err
	}
	return x, coding.Apply(in, cb), nil
}

type dashboardPage struct {
	page
	Name       string // the exchange's, in the reader's language
	CSRF       string
	X          *exchange.Exchange
	Dates      string
	Report     *analysis.Report
	Waves      []waveRow
	Invited    int
	Pairs      []pairRow
	Goals      []goalView
	ThemeChart template.HTML
	Quotes     []quoteView
	// Candidates are words no theme covers that one wave used far more;
	// shown to those who may read the data (evaluators and admins).
	Candidates []candidateView
	// Agreement is how well coders agree (aggregates: shown to everyone
	// who reads the dashboard); Disagreements how many answers are left
	// to reconcile.
	Agreement     []agreementView
	Disagreements int
	Breakdowns    []breakdownView
	Methods       []string
	// MethodsLang is the language Methods are in (see
	// workbook.MethodsLanguage), marked on the page when it is not the
	// page's.
	MethodsLang string
	CanDownload bool
	// StatLabels is the language the statistics exports are labelled in:
	// the page's, when the questionnaire has it and it is not the base.
	StatLabels string
	MinCell    int
	Error      string
	ErrorGoal  string
	// Decision and Comment are what the member had chosen and typed in a
	// sign-off that was refused, shown again in its form.
	Decision, Comment string
	GeneratedWhen     string
}

type waveRow struct {
	Wave      string
	Responded int
	Rate      string
}

type goalView struct {
	ID, Verdict, VerdictClass, Reason string
	// Title is marked where it fell back to the instrument's language.
	Title     template.HTML
	Chart     template.HTML
	Figures   string
	Decisions []decisionView
	CanSign   bool
}

type decisionView struct {
	Name, Decision, Comment, When string
	Changed                       bool
	Then                          string
}

// quoteView is a delegate's words, in the language they wrote in (marked
// when it is not the page's), under the theme's label.
type quoteView struct {
	Theme, Text template.HTML
	Wave        string
}

type breakdownView struct {
	By     string
	Header []string
	Rows   [][]string
	Note   string // how to read a cell
}

func verdictClass(v string) string {
	return map[string]string{analysis.Attained: "v-ok", analysis.PartlyAttained: "v-part", analysis.NotAttained: "v-no"}[v] + " verdict"
}

func (s *Server) handleDashboard(c *gin.Context) {
	id := c.Param("id")
	if !s.allowed(c, staff.ViewDashboard, id, false) {
		return
	}
	x, in, r, err := s.exchangeReport(c)
	if err != nil {
		s.htmlError(c, s.staffLanguage(c), err)
		return
	}
	var flash signOffFlash
	if v, err := c.Cookie(flashCookie); err == nil {
		c.SetCookie(flashCookie, "", -1, "/exchanges/"+id, "", s.cfg.Secure, true)
		if b, err := base64.RawURLEncoding.DecodeString(v); err == nil {
			_ = json.Unmarshal(b, &flash)
		}
	}
	s.renderDashboardWith(c, http.StatusOK, x, in, r, flash)
}

// signOffFlash carries a refused sign-off across the redirect after it
// (Post/Redirect/Get): the dashboard then shows, at the goal's form, what
// was wrong and what the member had chosen and typed. A refresh then reloads
// the dashboard, never re-posts or lands on a POST-only address.
type signOffFlash struct {
	Goal     string   `json:"g"`
	Problems []string `json:"p"`
	Decision string   `json:"d"`
	Comment  string   `json:"c"`
}

const flashCookie = "signoff_flash"

// maxFlashComment keeps the cookie under browsers' 4 KB: a comment the
// form's own limit lets through fits.
const maxFlashComment = 2500

// exchangeReport loads the exchange of the route and analyses it.
func (s *Server) exchangeReport(c *gin.Context) (*exchange.Exchange, *survey.Instrument, *analysis.Report, error) {
	x, in, err := s.exchangeFor(c)
	if err != nil {
		return nil, nil, nil, err
	}
	r, err := s.analyze(c, x, in, s.cfg.MinCell)
	if err != nil {
		return nil, nil, nil, err
	}
	return x, in, r, nil
}

func (s *Server) renderDashboardWith(c *gin.Context, status int, x *exchange.Exchange, in *survey.Instrument, r *analysis.Report, flash signOffFlash) {
	lang := s.staffLanguage(c)
	var msgs []string
	for _, k := range flash.Problems {
		if k == "decision" || k == "comment" {
			msgs = append(msgs, translate(lang, "signoff."+k))
		}
	}
	s.renderDashboard(c, status, x, in, r, strings.Join(msgs, " "), flash.Goal, flash.Decision, flash.Comment)
}

func (s *Server) renderDashboard(c *gin.Context, status int, x *exchange.Exchange, in *survey.Instrument, r *analysis.Report, errMsg, errGoal, decision, comment string) {
	ctx := c.Request.Context()
	lang := s.staffLanguage(c)
	u := s.staffUser(c)
	signs, err := s.store.SignOffs(ctx, x.ID)
	if err != nil {
		s.htmlError(c, lang, err)
		return
	}
	base := in.BaseLanguage()
	p := dashboardPage{page: s.staffPage(c, lang, x.NameIn(lang)), Name: x.NameIn(lang), CSRF: csrf.Token(c.Request), X: x, Report: r, Invited: r.Participation.Invited,
		Pairs: pairRows(r.Participation.Pairs, in, lang), CanDownload: staff.Can(u, staff.DownloadData, x.ID), StatLabels: statLabels(in, lang), MinCell: r.MinCell, Error: errMsg, ErrorGoal: errGoal, Decision: decision, Comment: comment,
		Dates: formatDays(lang, x.Start, x.End), GeneratedWhen: formatTime(lang, s.now(), x.Location())}
	for _, w := range r.Participation.Waves {
		row := waveRow{Wave: waveTitle(in, w.Wave, lang), Responded: w.Responded}
		if w.Rate != nil {
			row.Rate = fmt.Sprintf("%.0f %%", 100**w.Rate)
		}
		p.Waves = append(p.Waves, row)
	}
	for _, g := range r.Goals {
		cur := staff.FiguresOf(g)
		gv := goalView{ID: g.ID, Title: inPage(survey.Text(g.Title), lang, base), Verdict: translate(lang, "verdict."+g.Verdict),
			VerdictClass: verdictClass(g.Verdict), Reason: g.ReasonIn(lang), CanSign: staff.Can(u, staff.SignGoal, x.ID)}
		cmp := comparisonOf(g)
		gv.Chart = goalChart(in, g, cmp, lang)
		if !cmp.Paired.Suppressed && cmp.Paired.T != nil {
			pp := cmp.Paired
			n := func(v float64) string { return formatNumber(lang, v, 2) }
			gv.Figures = fmt.Sprintf("%s → %s · %s %s [%s ; %s] · d_z %s · %s %s · %d %s",
				translate(lang, "labelled", translate(lang, "dash.means"), n(*pp.MeanFrom)), n(*pp.MeanTo), translate(lang, "dash.change"), formatSigned(lang, *pp.MeanDiff, 2),
				n(pp.CI[0]), n(pp.CI[1]), n(*pp.DZ), translate(lang, "dash.pholm"), pFormat(lang, pp.PHolm), pp.N, translate(lang, "dash.pairs"))
		}
		latest := map[string]*staff.SignOff{}
		var order []string
		for _, so := range signs {
			if so.Goal != g.ID {
				continue
			}
			if _, seen := latest[so.User]; !seen {
				order = append(order, so.User)
			}
			latest[so.User] = so
		}
		for _, who := range order {
			so := latest[who]
			dv := decisionView{Name: so.Name, Decision: translate(lang, "decision."+so.Decision), Comment: so.Comment, When: formatTime(lang, so.At, x.Location())}
			if !so.Figures.Same(cur) {
				dv.Changed, dv.Then = true, translate(lang, "verdict."+so.Figures.Verdict)+" — "+so.Figures.Reason
			}
			gv.Decisions = append(gv.Decisions, dv)
		}
		p.Goals = append(p.Goals, gv)
	}
	p.ThemeChart = themeChart(in, r, lang)
	labels := map[string]template.HTML{}
	for _, t := range r.Themes.Codebook {
		labels[t.ID] = inPage(survey.Text(t.Label), lang, base)
	}
	for _, q := range r.Themes.Quotes {
		for _, qu := range q.Quotes {
			p.Quotes = append(p.Quotes, quoteView{Theme: labels[q.Theme], Wave: waveTitle(in, q.Wave, lang), Text: marked(qu.Text, cmp.Or(qu.Language, lang), lang)})
		}
	}
	if p.CanDownload {
		p.Candidates = candidateViews(in, r, lang)
	}
	p.Agreement, p.Disagreements = agreementViews(in, r, lang), len(r.Themes.Disagreements)
	p.Breakdowns = breakdownViews(in, r, lang)
	p.MethodsLang = workbook.MethodsLanguage(lang)
	for _, para := range strings.Split(workbook.PlainMethodsIn(lang), "\n\n") {
		if para != "" {
			p.Methods = append(p.Methods, para)
		}
	}
	s.render(c, status, "dashboard", p)
}

// pairRow is a count of pairs, its waves named by their titles.
type pairRow struct {
	From, To string
	N        int
}

func pairRows(pairs []analysis.PairCount, in *survey.Instrument, lang string) []pairRow {
	out := make([]pairRow, len(pairs))
	for i, p := range pairs {
		out[i] = pairRow{From: waveTitle(in, p.From, lang), To: waveTitle(in, p.To, lang), N: p.N}
	}
	return out
}

func waveTitle(in *survey.Instrument, wave, lang string) string {
	if w := in.Wave(wave); w != nil {
		return w.Title.In(lang, in.BaseLanguage())
	}
	return wave
}

func comparisonOf(g analysis.GoalReport) analysis.Comparison {
	for _, c := range g.Comparisons {
		if c.From == g.Criterion.From && c.To == g.Criterion.To {
			return c
		}
	}
	return analysis.Comparison{Paired: analysis.Paired{Suppressed: true}}
}

func pFormat(lang string, p *float64) string {
	switch {
	case p == nil:
		return "—"
	case *p < 0.001:
		return "< " + formatNumber(lang, 0.001, 3)
	}
	return formatNumber(lang, *p, 3)
}

// formatNumber writes v with the given decimals as the reader writes
// numbers: 0,72 in French, 0.72 in English (CLDR's decimal separator).
func formatNumber(lang string, v float64, decimals int) string {
	return i18n.Decimal(lang, strconv.FormatFloat(v, 'f', decimals, 64))
}

// formatSigned is formatNumber with a sign: +0,72, −0,10.
func formatSigned(lang string, v float64, decimals int) string {
	if v >= 0 {
		return "+" + formatNumber(lang, v, decimals)
	}
	return "−" + formatNumber(lang, -v, decimals)
}

func breakdownViews(in *survey.Instrument, r *analysis.Report, lang string) []breakdownView {
	if len(r.Goals) == 0 {
		return nil
	}
	base := in.BaseLanguage()
	var out []breakdownView
	for _, b := range r.Breakdowns {
		// One column per goal, its two criterion waves in one cell: three
		// goals fit a phone's width and an A4 page, where a column per
		// goal and wave (six) was cut at the right edge.
		bv := breakdownView{By: translate(lang, "by."+b.By), Header: []string{translate(lang, "dash.group")}}
		for _, g := range r.Goals {
			bv.Header = append(bv.Header, survey.Text(g.Title).In(lang, base))
		}
		for _, grp := range b.Groups {
			row := []string{groupLabel(in, b.By, grp.Value, lang)}
			for _, g := range r.Goals {
				var parts []string
				for _, w := range []string{g.Criterion.From, g.Criterion.To} {
					cell := "—"
					for _, bg := range grp.Goals {
						if bg.Goal == g.ID && bg.Wave == w {
							switch {
							case bg.Suppressed:
								cell = fmt.Sprintf("n<%d", r.MinCell)
							case bg.Mean != nil:
								cell = fmt.Sprintf("%s (n %d)", formatNumber(lang, *bg.Mean, 2), bg.N)
							}
						}
					}
					parts = append(parts, cell)
				}
				row = append(row, strings.Join(parts, " → "))
			}
			bv.Rows = append(bv.Rows, row)
		}
		bv.Note = translate(lang, "dash.breakdown.note", waveTitle(in, r.Goals[0].Criterion.From, lang), waveTitle(in, r.Goals[0].Criterion.To, lang))
		out = append(out, bv)
	}
	return out
}

// groupLabel names a breakdown group as its reader knows it: a role by its
// label in the questionnaire ("Future leader", not future-leader), a
// language and a side in words, "not given" translated.
func groupLabel(in *survey.Instrument, by, value, lang string) string {
	base := in.BaseLanguage()
	switch {
	case value == analysis.NotGiven:
		return translate(lang, "group.notgiven")
	case by == "language":
		return languageName(lang, value)
	case by == "side":
		if t := translate(lang, "side."+value); t != "side."+value {
			return t
		}
	case by == "role":
		for _, q := range in.Questions() {
			if o := q.Option(value); o != nil && q.Type == survey.TypeSingle {
				return survey.Text(o.Label).In(lang, base)
			}
		}
	}
	return value
}

func (s *Server) handleSignOff(c *gin.Context) {
	id := c.Param("id")
	if !s.allowed(c, staff.SignGoal, id, false) {
		return
	}
	ctx := c.Request.Context()
	lang := s.staffLanguage(c)
	x, _, r, err := s.exchangeReport(c)
	if err != nil {
		s.htmlError(c, lang, err)
		return
	}
	goalID := c.PostForm("goal")
	i := slices.IndexFunc(r.Goals, func(g analysis.GoalReport) bool { return g.ID == goalID })
	if i < 0 {
		s.htmlError(c, lang, exchange.Errorf(exchange.EINVALID, "no goal %q in this exchange", goalID))
		return
	}
	so, err := staff.NewSignOff(s.staffUser(c), x.ID, r.Goals[i], c.PostForm("decision"), c.PostForm("comment"), s.now())
	if err != nil {
		flash := signOffFlash{Goal: goalID, Decision: c.PostForm("decision"), Comment: truncateUTF8(c.PostForm("comment"), maxFlashComment)}
		if e, ok := err.(*exchange.Error); ok {
			for _, k := range []string{"decision", "comment"} {
				if e.Fields[k] != "" {
					flash.Problems = append(flash.Problems, k)
				}
			}
		}
		b, _ := json.Marshal(flash)
		c.SetCookie(flashCookie, base64.RawURLEncoding.EncodeToString(b), 120, "/exchanges/"+x.ID, "", s.cfg.Secure, true)
		c.Redirect(http.StatusSeeOther, "/exchanges/"+x.ID+"#goal-"+goalID)
		return
	}
	if err := s.store.AddSignOff(ctx, so); err != nil {
		s.htmlError(c, lang, err)
		return
	}
	s.audit(c, staff.AuditSignOff, x.ID, "signoff", goalID, so.Decision, so.Figures.Verdict)
	c.Redirect(http.StatusSeeOther, "/exchanges/"+x.ID+"#goal-"+goalID)
}

// timeText is a moment for an admin table, "" when there is none.
func timeText(lang string, t *time.Time, loc *time.Location) string {
	if t == nil {
		return ""
	}
	return formatTime(lang, *t, loc)
}

// statLabels is lang when it is a language of the questionnaire other
// than its base one.
func statLabels(in *survey.Instrument, lang string) string {
	if lang == in.BaseLanguage() || !in.HasLanguage(lang) {
		return ""
	}
	return lang
}
