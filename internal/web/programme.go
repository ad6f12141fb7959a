package web

import (
	"github.com/csci/exchangeeval/internal/i18n"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/csci/exchangeeval/internal/analysis"
	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/staff"
	"github.com/csci/exchangeeval/internal/survey"
	"github.com/csci/exchangeeval/internal/workbook"
)

// The programme: every exchange of an instrument side by side, pooled.
// A reader sees the exchanges whose dashboards they may see (a committee
// member, those assigned to them); an exchange's figures come from its
// cached analysis, so none is read twice.

// programmeFor analyses the exchanges of the route's instrument on which
// the user has perm, narrowed to ?exchange= when given. ok is false when
// the answer has been written (unknown instrument, nothing to see).
func (s *Server) programmeFor(c *gin.Context, perm staff.Action, asJSON bool) (*analysis.ProgrammeReport, *survey.Instrument, []*exchange.Exchange, bool) {
	lang := s.staffLanguage(c)
	in := s.set().Get(c.Param("instrument"))
	fail := func(err error) {
		if asJSON {
			s.jsonError(c, err)
		} else {
			s.htmlError(c, lang, err)
		}
	}
	if in == nil {
		fail(errNotFound)
		return nil, nil, nil, false
	}
	all, err := s.store.Exchanges(c.Request.Context())
	if err != nil {
		fail(err)
		return nil, nil, nil, false
	}
	u := s.staffUser(c)
	only := c.QueryArray("exchange")
	var xs []*exchange.Exchange
	matching := 0
	for _, x := range all {
		if x.Instrument != in.ID || (len(only) > 0 && !slices.Contains(only, x.ID)) {
			continue
		}
		matching++
		if staff.Can(u, perm, x.ID) {
			xs = append(xs, x)
		}
	}
	switch {
	case matching == 0:
		// No exchange of the instrument, or none of those asked for.
		fail(exchange.Errorf(exchange.ENOTFOUND, "no exchange of %s matches", in.ID))
		return nil, nil, nil, false
	case len(xs) == 0 && asJSON:
		s.jsonError(c, exchange.Errorf(exchange.EFORBIDDEN, "your account may not do this"))
		return nil, nil, nil, false
	case len(xs) == 0:
		s.renderMessage(c, http.StatusForbidden, lang, translate(lang, "forbidden.title"), translate(lang, "forbidden.body"))
		return nil, nil, nil, false
	}
	p, err := analysis.ProgrammeOf(xs, s.set(), func(x *exchange.Exchange, in *survey.Instrument) (*analysis.Report, error) {
		return s.analyze(c, x, in, s.cfg.MinCell)
	}, analysis.ProgrammeOptions{MinCell: s.cfg.MinCell, From: c.Query("from"), To: c.Query("to"), GeneratedAt: s.now(), SoftwareVersion: s.cfg.Version})
	if err != nil {
		fail(err)
		return nil, nil, nil, false
	}
	return p, in, xs, true
}

func (s *Server) handleProgrammeReport(c *gin.Context) {
	p, _, _, ok := s.programmeFor(c, staff.ViewAnalytics, true)
	if !ok {
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, p)
}

// handleProgrammeWorkbook writes the programme's workbook: the Programme
// sheet, then the exchanges' sheets, as export --programme does. It holds
// the responses, so it takes the right to download each exchange's data.
func (s *Server) handleProgrammeWorkbook(c *gin.Context) {
	e, ok := s.programmeExport(c, c.Query("labels"))
	if !ok {
		return
	}
	for _, x := range e.Exchanges {
		s.audit(c, staff.AuditExport, x.ID, "programme-workbook", e.Programme.Instrument)
	}
	s.sendWorkbook(c, workbook.ProgrammeFileName(e.Programme.Instrument, s.now()), e)
}

// handleProgrammeStatExport writes the programme's exchanges for SPSS, R
// or Stata (?format=), zipped, as export --programme --format does.
func (s *Server) handleProgrammeStatExport(c *gin.Context) {
	e, ok := s.programmeExport(c, "")
	if !ok {
		return
	}
	var ids []string
	for _, x := range e.Exchanges {
		ids = append(ids, x.ID)
	}
	s.sendStatExport(c, e.Programme.Instrument+"-programme", ids, e)
}

// programmeExport builds the export of the route's programme, for a
// reader who may download every exchange's data (the export holds the
// responses); ok is false when the answer has been written.
func (s *Server) programmeExport(c *gin.Context, labels string) (*workbook.Export, bool) {
	p, _, _, ok := s.programmeFor(c, staff.DownloadData, true)
	if !ok {
		return nil, false
	}
	var ids []string
	for _, x := range p.Exchanges { // in date order
		ids = append(ids, x.ID)
	}
	e, err := workbook.Build(c.Request.Context(), s.store, s.set(), ids, workbook.Options{
		Labels: labels, MinCell: s.cfg.MinCell, Version: s.cfg.Version, GeneratedAt: s.now(), Programme: p})
	if err != nil {
		s.jsonError(c, err)
		return nil, false
	}
	return e, true
}

type programmePage struct {
	page
	// Restricted: the reader sees (and the pool holds) only the exchanges
	// assigned to them.
	Restricted bool
	Instrument string
	Exchanges  []programmeExchangeView
	Goals      []programmeGoalView
	// Themes are the theme shares as a table: a column per theme, a row
	// per exchange and wave.
	Themes    []string
	ThemeRows []programmeThemeRow
	// Versions says which instrument versions the exchanges were run
	// with, when more than one; NotComparable what they do not share.
	Versions      string
	NotComparable []string
	// Workbook is the programme workbook's address, when the reader may
	// download every exchange's data; StatExport the statistics
	// packages' zip's, without its format.
	Workbook, StatExport string
	// Compare offers the comparisons that may be pooled instead of the
	// goals' criteria; Compared says which one is, when one is.
	Compare  []comparisonLink
	Compared string
	Waves    []string
	MinCell  int
	// Candidates are each exchange's words against the other exchanges';
	// shown to a reader who may download every exchange's data.
	Candidates []programmeCandidateView
}

type programmeCandidateView struct {
	Exchange, Wave, Language, Terms, Delegates, Others, G2 string
}

type programmeExchangeView struct {
	ID, Name, Dates, Cities string
	Invited                 int
	Responded               []int
	Verdicts                []verdictCell
}

type comparisonLink struct {
	Label, Href string
	Current     bool
}

type verdictCell struct{ Verdict, Class, Label string }

type programmeGoalView struct {
	ID, Title, Figures, Heterogeneity, Trend string
	Chart                                    template.HTML
}

type programmeThemeRow struct {
	Exchange, Wave string
	Shares         []string
}

func (s *Server) handleProgramme(c *gin.Context) {
	p, in, xs, ok := s.programmeFor(c, staff.ViewDashboard, false)
	if !ok {
		return
	}
	lang := s.staffLanguage(c)
	title := translate(lang, "prog.title", in.Title.In(lang, in.BaseLanguage()))
	v := programmePage{page: s.staffPage(c, lang, title), Instrument: in.ID, MinCell: p.MinCell}
	u := s.staffUser(c)
	if !staff.Can(u, staff.ViewAnalytics, "") {
		v.Restricted = true
	}
	if !slices.ContainsFunc(xs, func(x *exchange.Exchange) bool { return !staff.Can(u, staff.DownloadData, x.ID) }) {
		q := url.Values{"exchange": c.QueryArray("exchange")}
		if lang != in.BaseLanguage() && in.HasLanguage(lang) {
			q.Set("labels", lang)
		}
		v.Workbook = "/api/v1/programmes/" + url.PathEscape(in.ID) + "/workbook.xlsx"
		if len(q.Encode()) > 0 {
			v.Workbook += "?" + q.Encode()
		}
		v.StatExport = "/api/v1/programmes/" + url.PathEscape(in.ID) + "/export.zip?" + q.Encode()
	}
	names := map[string]string{}
	for _, x := range xs {
		names[x.ID] = x.NameIn(lang)
	}
	for _, w := range in.WaveIDs() {
		v.Waves = append(v.Waves, waveTitle(in, w, lang))
	}
	for i, x := range p.Exchanges {
		ev := programmeExchangeView{ID: x.ID, Name: names[x.ID], Dates: formatDays(lang, xs[indexOf(xs, x.ID)].Start, xs[indexOf(xs, x.ID)].End),
			Cities: x.VisitingCity + " → " + x.HostCity, Invited: x.Invited}
		for _, w := range in.WaveIDs() {
			ev.Responded = append(ev.Responded, x.Responded[w])
		}
		for _, g := range p.Goals {
			e := g.Exchanges[i]
			ev.Verdicts = append(ev.Verdicts, verdictCell{Verdict: e.Verdict, Class: verdictClass(e.Verdict), Label: translate(lang, "verdict."+e.Verdict)})
		}
		v.Exchanges = append(v.Exchanges, ev)
	}
	for _, g := range p.Goals {
		gv := programmeGoalView{ID: g.ID, Title: survey.Text(g.Title).In(lang, in.BaseLanguage()), Chart: forestPlot(g, names, p.MinCell, lang)}
		if r := g.Random; r != nil {
			gv.Figures = translate(lang, "prog.figures", formatSigned(lang, r.Estimate, 2), formatNumber(lang, r.CI[0], 2), formatNumber(lang, r.CI[1], 2),
				pFormat(lang, &r.P), r.K, formatSigned(lang, g.Fixed.Estimate, 2))
		}
		if h := g.Heterogeneity; h != nil {
			gv.Heterogeneity = translate(lang, "prog.heterogeneity", formatNumber(lang, h.I2, 0), formatNumber(lang, h.Tau2, 3), formatNumber(lang, h.Q, 2), h.DF,
				pFormat(lang, &h.P), formatSigned(lang, g.Prediction[0], 2), formatSigned(lang, g.Prediction[1], 2))
		} else if g.Random == nil {
			gv.Heterogeneity = translate(lang, "prog.nopool.note")
		} else {
			gv.Heterogeneity = translate(lang, "prog.onlyone")
		}
		if t := g.Trend; t != nil {
			gv.Trend = translate(lang, "prog.trend", names[t.Latest], formatSigned(lang, t.Change, 2), formatSigned(lang, t.Earlier.Estimate, 2),
				formatSigned(lang, t.Difference, 2), pFormat(lang, &t.P))
		}
		v.Goals = append(v.Goals, gv)
	}
	row := map[[2]string]int{}
	for ti, t := range p.Themes {
		v.Themes = append(v.Themes, survey.Text(t.Label).In(lang, in.BaseLanguage()))
		for _, sh := range t.Shares {
			val := "n<" + strconv.Itoa(p.MinCell)
			if !sh.Suppressed && sh.Share != nil {
				val = formatNumber(lang, 100**sh.Share, 0) + " %"
			}
			k := [2]string{sh.Exchange, sh.Wave}
			i, ok := row[k]
			if !ok {
				i, row[k] = len(v.ThemeRows), len(v.ThemeRows)
				v.ThemeRows = append(v.ThemeRows, programmeThemeRow{Exchange: names[sh.Exchange], Wave: waveTitle(in, sh.Wave, lang), Shares: make([]string, len(p.Themes))})
			}
			v.ThemeRows[i].Shares[ti] = val
		}
	}
	if v.Workbook != "" {
		for _, pc := range p.Candidates {
			others := translate(lang, "dash.candidates.fewer", p.MinCell)
			if pc.Others != nil {
				others = formatNumber(lang, float64(*pc.Others), 0)
			}
			v.Candidates = append(v.Candidates, programmeCandidateView{Exchange: names[pc.Exchange], Wave: waveTitle(in, pc.Wave, lang), Language: pc.Language,
				Terms: strings.Join(pc.Terms, ", "), Delegates: formatNumber(lang, float64(pc.Delegates), 0), Others: others, G2: formatNumber(lang, pc.G2, 1)})
		}
	}
	if len(p.Versions) > 1 {
		v.Versions = translate(lang, "prog.versions", p.VersionList())
	}
	// The comparisons: each goal's criterion, or one pair of waves for all.
	link := func(from, to string) string {
		q := url.Values{"exchange": c.QueryArray("exchange"), "lang": {c.Query("lang")}}
		if from != "" {
			q.Set("from", from)
			q.Set("to", to)
		}
		for k, v := range q {
			if len(v) == 0 || v[0] == "" {
				delete(q, k)
			}
		}
		if len(q) == 0 {
			return c.Request.URL.Path
		}
		return c.Request.URL.Path + "?" + q.Encode()
	}
	v.Compare = append(v.Compare, comparisonLink{Label: translate(lang, "prog.criteria"), Href: link("", ""), Current: p.Comparison == nil})
	for _, wp := range p.Comparisons {
		if everyCriterionIs(in, wp) {
			continue // the same as the criteria, shown already
		}
		label := waveTitle(in, wp.From, lang) + " → " + waveTitle(in, wp.To, lang)
		current := p.Comparison != nil && *p.Comparison == wp
		if current {
			v.Compared = translate(lang, "prog.compared", label)
		}
		v.Compare = append(v.Compare, comparisonLink{Label: label, Href: link(wp.From, wp.To), Current: current})
	}
	name := partName(s.set().Versions(in.ID), lang)
	for _, d := range p.NotComparable {
		v.NotComparable = append(v.NotComparable, d.In(lang, name, func(w string) string { return waveTitle(in, w, lang) }))
	}
	s.render(c, http.StatusOK, "programme", v)
}

// partName names a goal by its title and a theme by its label, in lang,
// from the newest version that has it; a question keeps its id.
func partName(versions []*survey.Instrument, lang string) func(kind, id string) string {
	return func(kind, id string) string {
		for _, in := range slices.Backward(versions) {
			switch kind {
			case "goal":
				if g := in.Goal(id); g != nil {
					return quoted(lang, g.Title.In(lang, in.BaseLanguage()))
				}
			case "theme":
				for _, t := range in.Themes {
					if t.ID == id {
						return quoted(lang, t.Label.In(lang, in.BaseLanguage()))
					}
				}
			}
		}
		return id
	}
}

// everyCriterionIs says whether every goal's criterion compares wp.
func everyCriterionIs(in *survey.Instrument, wp analysis.WavePair) bool {
	return len(in.Goals) > 0 && !slices.ContainsFunc(in.Goals, func(g *survey.Goal) bool {
		c := g.Criterion.Effective()
		return c.From != wp.From || c.To != wp.To
	})
}

func indexOf(xs []*exchange.Exchange, id string) int {
	return slices.IndexFunc(xs, func(x *exchange.Exchange) bool { return x.ID == id })
}

// quoted puts a title in the quotation marks of lang.
func quoted(lang, s string) string { return i18n.T(lang, "condition.quote", s) }
