package web

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/gorilla/csrf"

	"github.com/csci/exchangeeval/internal/analysis"
	"github.com/csci/exchangeeval/internal/coding"
	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/staff"
	"github.com/csci/exchangeeval/internal/survey"
)

// The coding workspace: an evaluator codes the open answers of an
// exchange with the codebook's themes, one answer at a time, from the
// keyboard or on a phone — the browser's form of `coding export` and
// `coding import`. Each coder's codes are their own records, so two
// coders at once never overwrite each other.

// codingPageSize is how many answers a page of the workspace shows: a
// coder works down a page, and a phone does not load hundreds.
const codingPageSize = 10

// Filters of the workspace, as the query names them.
var codingFilters = []string{"question", "wave", "theme", "status", "page"}

// Statuses a coder filters by.
const (
	statusTodo     = "todo"     // not coded by me
	statusDone     = "done"     // coded by me
	statusDisagree = "disagree" // coders disagree and nobody reconciled
)

type codingPage struct {
	page
	CSRF string
	X    *exchange.Exchange
	Name string
	// Filter is the query the page was asked with; Query the same
	// encoded, for the answer forms to come back to.
	Filter                   map[string]string
	Query                    string
	Questions, Waves, Themes []selectOption
	Statuses                 []selectOption
	Answers                  []codingAnswerView
	Done, Total              int
	Progress, Showing        string
	PrevPage, NextPage       string
	ReconcileMode            bool
	// LastKey is the digit of the last theme a key toggles (at most 9).
	LastKey string
}

type codingAnswerView struct {
	// Anchor is the answer's place on the page; Next the one after it,
	// where a save without the script comes back to.
	Anchor, Next                    string
	Key                             coding.AnswerKey
	Participant, Wave, LanguageName string
	Question, Text                  template.HTML
	Boxes                           []themeBox
	Status                          string
	Others                          []string
}

type themeBox struct {
	ID, Key          string
	Label            template.HTML
	Checked, Suggest bool
}

// codingContext is what the workspace and its form both need: the
// exchange, its codebook and open answers, and the codes given.
type codingContext struct {
	x       *exchange.Exchange
	in      *survey.Instrument
	lang    string
	coder   string
	answers []coding.Answer
	records []coding.Record
}

// codingContext loads what a coding page needs; the open answers only
// with all (a save reads the one answer it codes).
func (s *Server) codingContext(c *gin.Context, all bool) (*codingContext, bool) {
	lang := s.staffLanguage(c)
	if !s.allowed(c, staff.DownloadData, c.Param("id"), false) {
		return nil, false
	}
	x, in, err := s.exchangeFor(c)
	if err != nil {
		s.htmlError(c, lang, err)
		return nil, false
	}
	ctx := c.Request.Context()
	var answers []coding.Answer
	if all {
		answers, err = analysis.OpenAnswers(s.store.AnalysisInput(ctx, x, in))
	}
	if err == nil {
		var records []coding.Record
		records, err = s.store.Codes(ctx, x.ID)
		if err == nil {
			return &codingContext{x: x, in: in, lang: lang, coder: s.staffUser(c).Email, answers: answers, records: records}, true
		}
	}
	s.htmlError(c, lang, err)
	return nil, false
}

func (s *Server) handleCoding(c *gin.Context) {
	cc, ok := s.codingContext(c, true)
	if !ok {
		return
	}
	lang, in := cc.lang, cc.in
	base := in.BaseLanguage()
	filter := map[string]string{}
	for _, f := range codingFilters {
		filter[f] = c.Query(f)
	}
	mine := map[coding.AnswerKey]coding.Record{}
	others := map[coding.AnswerKey][]coding.Record{}
	for _, r := range cc.records {
		if r.Coder == cc.coder {
			mine[r.Key()] = r
		} else if r.Coder != coding.Reconciled {
			others[r.Key()] = append(others[r.Key()], r)
		}
	}
	disagree := map[coding.AnswerKey]bool{}
	for _, k := range coding.Disagreements(cc.records) {
		disagree[k] = true
	}
	p := codingPage{page: s.staffPage(c, lang, translate(lang, "coding.title", cc.x.NameIn(lang))), CSRF: csrf.Token(c.Request), X: cc.x, Name: cc.x.NameIn(lang),
		Filter: filter, Total: len(cc.answers), ReconcileMode: filter["status"] == statusDisagree}
	labels := map[string]template.HTML{}
	for i, t := range in.Themes {
		labels[t.ID] = inPage(t.Label, lang, base)
		p.Themes = append(p.Themes, selectOption{Value: t.ID, Label: t.Label.In(lang, base), Selected: filter["theme"] == t.ID})
		if i < 9 {
			p.LastKey = strconv.Itoa(i + 1)
		}
	}
	for _, q := range in.Questions() {
		if q.Type == survey.TypeText {
			p.Questions = append(p.Questions, selectOption{Value: q.ID, Label: q.Text.In(lang, base), Selected: filter["question"] == q.ID})
		}
	}
	for _, w := range in.WaveIDs() {
		p.Waves = append(p.Waves, selectOption{Value: w, Label: waveTitle(in, w, lang), Selected: filter["wave"] == w})
	}
	for _, st := range []string{statusTodo, statusDone, statusDisagree} {
		p.Statuses = append(p.Statuses, selectOption{Value: st, Label: translate(lang, "coding.status."+st), Selected: filter["status"] == st})
	}
	var shown []coding.Answer
	for _, a := range cc.answers {
		_, coded := mine[a.AnswerKey]
		themes := a.Suggested
		if coded {
			themes = mine[a.AnswerKey].Themes
		}
		if coded {
			p.Done++
		}
		switch {
		case filter["question"] != "" && a.Question != filter["question"],
			filter["wave"] != "" && a.Wave != filter["wave"],
			filter["theme"] != "" && !slices.Contains(themes, filter["theme"]),
			filter["status"] == statusTodo && coded,
			filter["status"] == statusDone && !coded,
			filter["status"] == statusDisagree && !disagree[a.AnswerKey]:
			continue
		}
		shown = append(shown, a)
	}
	p.Progress = progressText(lang, p.Done, p.Total)
	pageNo, _ := strconv.Atoi(filter["page"])
	pages := max(1, (len(shown)+codingPageSize-1)/codingPageSize)
	pageNo = min(max(pageNo, 1), pages)
	from, to := (pageNo-1)*codingPageSize, min(pageNo*codingPageSize, len(shown))
	p.Showing = translate(lang, "coding.showing", formatNumber(lang, float64(len(shown)), 0), formatNumber(lang, float64(pageNo), 0), formatNumber(lang, float64(pages), 0))
	query := codingQuery(filter)
	if pageNo > 1 {
		p.PrevPage = withPage(query, pageNo-1)
	}
	if pageNo < pages {
		p.NextPage = withPage(query, pageNo+1)
	}
	query.Set("page", strconv.Itoa(pageNo))
	p.Query = query.Encode()
	loc := cc.x.Location()
	for i, a := range shown[from:to] {
		v := codingAnswerView{Anchor: "a" + strconv.Itoa(from+i+1), Next: "a" + strconv.Itoa(from+i+2), Key: a.AnswerKey, Participant: a.Participant, Wave: waveTitle(in, a.Wave, lang),
			LanguageName: languageName(lang, a.Language), Text: marked(a.Text, a.Language, lang)}
		if q := in.Question(a.Question); q != nil {
			v.Question = inPage(q.Text, lang, base)
		}
		r, coded := mine[a.AnswerKey]
		checked := a.Suggested
		v.Status = translate(lang, "coding.notyet")
		if coded {
			checked, v.Status = r.Themes, translate(lang, "coding.coded", formatTime(lang, r.At, loc))
		}
		for j, t := range in.Themes {
			b := themeBox{ID: t.ID, Label: labels[t.ID], Checked: slices.Contains(checked, t.ID), Suggest: slices.Contains(a.Suggested, t.ID)}
			if j < 9 {
				b.Key = strconv.Itoa(j + 1)
			}
			v.Boxes = append(v.Boxes, b)
		}
		if p.ReconcileMode {
			for _, o := range others[a.AnswerKey] {
				v.Others = append(v.Others, translate(lang, "labelled", o.Coder, themeList(o.Themes, in, lang)))
			}
		}
		p.Answers = append(p.Answers, v)
	}
	s.render(c, http.StatusOK, "coding", p)
}

// progressText is "Coded by you: 3 / 58", the figures isolated (Unicode
// LRI … PDI) so a right-to-left page does not read them 58 / 3; plain
// text, as the script sets it too.
func progressText(lang string, done, total int) string {
	return translate(lang, "labelled", translate(lang, "coding.progress"), "\u2066"+formatNumber(lang, float64(done), 0)+" / "+formatNumber(lang, float64(total), 0)+"\u2069")
}

// themeList words theme ids by their labels, or says none.
func themeList(ids []string, in *survey.Instrument, lang string) string {
	var out []string
	for _, id := range ids {
		for _, t := range in.Themes {
			if t.ID == id {
				out = append(out, t.Label.In(lang, in.BaseLanguage()))
			}
		}
	}
	if len(out) == 0 {
		return translate(lang, "coding.nothemes")
	}
	return strings.Join(out, ", ")
}

// codingQuery keeps the workspace's own filters of a query, and nothing
// else: the form's way back can lead nowhere but the workspace.
func codingQuery(filter map[string]string) url.Values {
	q := url.Values{}
	for _, f := range codingFilters {
		if v := filter[f]; v != "" && f != "page" {
			q.Set(f, v)
		}
	}
	return q
}

// anchorName is an answer's anchor on the page (a1, a2 …): the only
// fragment a save leads back to.
var anchorName = regexp.MustCompile(`^a[0-9]{1,7}$`)

func withPage(q url.Values, n int) string {
	out := url.Values{}
	for k, v := range q {
		out[k] = v
	}
	out.Set("page", strconv.Itoa(n))
	return "?" + out.Encode()
}

// isOpenAnswer reports whether key names an open answer of the exchange
// as stored now: a text question's answer, not empty.
func (s *Server) isOpenAnswer(c *gin.Context, cc *codingContext, key coding.AnswerKey) (bool, error) {
	q := cc.in.Question(key.Question)
	if q == nil || q.Type != survey.TypeText || cc.in.Wave(key.Wave) == nil {
		return false, nil
	}
	r, err := s.store.Response(c.Request.Context(), cc.x.ID, key.Participant, key.Wave)
	if exchange.ErrorCode(err) == exchange.ENOTFOUND {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	text, _ := r.Answers[key.Question].(string)
	return strings.TrimSpace(text) != "", nil
}

// codeSaved is the answer to a save made by the page's script.
type codeSaved struct {
	Status   string `json:"status"`
	Progress string `json:"progress"`
	Done     int    `json:"done"`
}

// handleCodeAnswer saves one coder's themes for one answer (or, with reconcile,
// the settled themes of an answer coders disagree on).
func (s *Server) handleCodeAnswer(c *gin.Context) {
	cc, ok := s.codingContext(c, false)
	if !ok {
		return
	}
	lang := cc.lang
	key := coding.AnswerKey{Participant: c.PostForm("participant"), Wave: c.PostForm("wave"), Question: c.PostForm("question")}
	if ok, err := s.isOpenAnswer(c, cc, key); err != nil {
		s.htmlError(c, lang, err)
		return
	} else if !ok {
		s.renderMessage(c, http.StatusBadRequest, lang, translate(lang, "staff.notdone.title"), translate(lang, "coding.noanswer", key.Participant, key.Question, waveTitle(cc.in, key.Wave, lang)))
		return
	}
	themes := []string{}
	for _, t := range c.PostFormArray("theme") {
		if !slices.ContainsFunc(cc.in.Themes, func(th *survey.Theme) bool { return th.ID == t }) {
			s.renderMessage(c, http.StatusBadRequest, lang, translate(lang, "staff.notdone.title"), translate(lang, "coding.notheme", t))
			return
		}
		if !slices.Contains(themes, t) {
			themes = append(themes, t)
		}
	}
	rec := coding.Record{Exchange: cc.x.ID, Participant: key.Participant, Wave: key.Wave, Question: key.Question, Coder: cc.coder, Themes: themes, At: s.now().UTC()}
	reconcile := c.PostForm("reconcile") != ""
	if reconcile {
		rec.Coder, rec.By = coding.Reconciled, cc.coder
	}
	if err := s.store.SaveCodes(c.Request.Context(), []coding.Record{rec}); err != nil {
		s.htmlError(c, lang, err)
		return
	}
	if reconcile {
		s.audit(c, staff.AuditAdminister, cc.x.ID, "codes-reconciled", "1", cc.coder)
	}
	if strings.Contains(c.GetHeader("Accept"), "application/json") {
		// The total is the page's (counting the answers again would read
		// every response on each save); it only words the progress.
		total, _ := strconv.Atoi(c.PostForm("total"))
		done := 0
		for _, r := range cc.records {
			if r.Coder == cc.coder && r.Key() != key {
				done++
			}
		}
		if !reconcile {
			done++
		}
		total = max(total, done)
		c.JSON(http.StatusOK, codeSaved{Status: translate(lang, "coding.coded", formatTime(lang, rec.At, cc.x.Location())),
			Progress: progressText(lang, done, total), Done: done})
		return
	}
	back, _ := url.ParseQuery(c.PostForm("back"))
	filter := map[string]string{}
	for _, f := range codingFilters {
		filter[f] = back.Get(f)
	}
	q := codingQuery(filter)
	if n, err := strconv.Atoi(filter["page"]); err == nil && n > 1 {
		q.Set("page", strconv.Itoa(n))
	}
	target := fmt.Sprintf("/exchanges/%s/coding?%s", url.PathEscape(cc.x.ID), q.Encode())
	if a := c.PostForm("next"); anchorName.MatchString(a) {
		target += "#" + a
	}
	c.Redirect(http.StatusSeeOther, target)
}
