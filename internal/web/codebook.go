package web

import (
	"cmp"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/gorilla/csrf"

	"github.com/csci/exchangeeval/internal/coding"
	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/i18n"
	"github.com/csci/exchangeeval/internal/staff"
	"github.com/csci/exchangeeval/internal/stemming"
	"github.com/csci/exchangeeval/internal/survey"
)

// The exchange's codebook: its themes, the candidate themes the analysis
// proposes — each to promote into a theme, merge into one, or reject —
// and every version with who made it and why. Evaluators and admins
// decide; each decision is a new version, audited, and the figures say
// which version they counted with.

type codebookPage struct {
	page
	CSRF string
	X    *exchange.Exchange
	Name string
	// Version is the codebook's, Changed who changed it last and when.
	Version        int
	Changed, Saved string
	Themes         []codebookThemeView
	Candidates     []candidateForm
	History        []string
	ThemeOptions   []selectOption
	LangFields     []languageField
	Problems       []string
	MinCell        int
}

type codebookThemeView struct {
	ID       string
	Label    template.HTML
	Patterns []string // "language: p1; p2"
}

// languageField is a field of a form per instrument language.
type languageField struct {
	Code, Name, Dir string
}

// candidateForm is a candidate theme with the forms deciding it,
// prefilled from its words (or with what was sent, when refused).
type candidateForm struct {
	candidateView
	Key, Anchor string
	ID          string
	Labels      map[string]string
	Patterns    map[string]string // one per line
	MergeInto   string
	// JoinLanguages are the languages a word may be joined from; JoinWord
	// what was typed when a join was refused.
	JoinLanguages []selectOption
	JoinWord      string
	Quotes        []template.HTML
	Failed        bool
}

func (s *Server) handleCodebook(c *gin.Context) {
	s.renderCodebook(c, http.StatusOK, nil, "", nil)
}

// renderCodebook shows the codebook page; problems, with the candidate
// they concern and the form as sent, when a decision was refused.
func (s *Server) renderCodebook(c *gin.Context, status int, problems []string, failed string, sent url.Values) {
	x, in, cb, lang, ok := s.codebookFor(c)
	if !ok {
		return
	}
	r, err := s.analyze(c, x, in, s.cfg.MinCell)
	if err != nil {
		s.htmlError(c, lang, err)
		return
	}
	history, err := s.store.CodebookHistory(c.Request.Context(), x.ID)
	if err != nil {
		s.htmlError(c, lang, err)
		return
	}
	base := in.BaseLanguage()
	p := codebookPage{page: s.staffPage(c, lang, translate(lang, "codebook.title", x.NameIn(lang))), CSRF: csrf.Token(c.Request), X: x, Name: x.NameIn(lang),
		Version: cb.Version, Problems: problems, MinCell: r.MinCell}
	loc := x.Location()
	if cb.Version > 0 {
		p.Changed = translate(lang, "codebook.changed", cb.By, formatTime(lang, cb.At, loc))
	}
	if v, err := strconv.Atoi(c.Query("saved")); err == nil && v == cb.Version && v > 0 {
		p.Saved = translate(lang, "codebook.saved", v)
	}
	for _, l := range in.Languages {
		p.LangFields = append(p.LangFields, languageField{Code: l, Name: languageName(lang, l), Dir: i18n.Dir(l)})
	}
	for _, t := range in.Themes {
		v := codebookThemeView{ID: t.ID, Label: inPage(t.Label, lang, base)}
		for _, l := range in.Languages {
			if ps := t.Patterns[l]; len(ps) > 0 {
				v.Patterns = append(v.Patterns, translate(lang, "labelled", languageName(lang, l), strings.Join(ps, "; ")))
			}
		}
		p.Themes = append(p.Themes, v)
		p.ThemeOptions = append(p.ThemeOptions, selectOption{Value: t.ID, Label: t.Label.In(lang, base)})
	}
	views := candidateViews(in, r, lang)
	for i, cand := range r.Themes.Candidates {
		key := coding.CandidateKey(cand.Language, cand.Stem)
		f := candidateForm{candidateView: views[i], Key: key, Anchor: "c" + strconv.Itoa(i+1), ID: coding.SuggestedID(cand.Terms),
			Labels: map[string]string{}, Patterns: map[string]string{}}
		own := cand.Language
		if !in.HasLanguage(own) {
			own = base
		}
		f.Labels[own] = capitalised(cand.Terms[0])
		f.Patterns[own] = strings.Join(coding.SuggestedPatterns(cand.Terms), "\n")
		for _, js := range cand.Joined {
			if in.HasLanguage(js.Language) && len(js.Terms) > 0 {
				f.Labels[js.Language] = capitalised(js.Terms[0])
				f.Patterns[js.Language] = strings.Join(coding.SuggestedPatterns(js.Terms), "\n")
			}
		}
		for _, l := range in.Languages {
			if l != cand.Language {
				f.JoinLanguages = append(f.JoinLanguages, selectOption{Value: l, Label: languageName(lang, l), Selected: sent != nil && key == failed && sent.Get("with_lang") == l})
			}
		}
		for _, q := range cand.Quotes {
			f.Quotes = append(f.Quotes, marked(q.Text, cmp.Or(q.Language, lang), lang))
		}
		if key == failed && sent != nil {
			f.Failed, f.ID, f.MergeInto, f.JoinWord = true, sent.Get("id"), sent.Get("theme"), truncateUTF8(sent.Get("with_word"), maxJoinWord)
			for _, l := range in.Languages {
				f.Labels[l], f.Patterns[l] = sent.Get("label_"+l), cmp.Or(sent.Get("patterns_"+l), sent.Get("merge_"+l))
			}
		}
		p.Candidates = append(p.Candidates, f)
	}
	for _, v := range history {
		when := formatTime(lang, v.At, loc)
		if v.Change.Kind == coding.ChangeJoin {
			p.History = append(p.History, translate(lang, "codebook.history.join", v.Version, v.Change.Candidate, v.Change.With, v.By, when))
		} else if v.Change.Kind == coding.ChangeReject {
			p.History = append(p.History, translate(lang, "codebook.history.reject", v.Version, v.Change.Candidate, v.By, when))
		} else {
			p.History = append(p.History, translate(lang, "codebook.history."+v.Change.Kind, v.Version, v.Change.Theme, v.Change.Candidate, v.By, when))
		}
	}
	s.render(c, status, "codebook", p)
}

// codebookFor loads, for a reader who may decide the codebook, the
// route's exchange, its instrument as the exchange codes with it, and
// its current codebook: the latest version, or version 0, the
// instrument's. ok is false when the answer (a refusal, an error) has
// been written.
func (s *Server) codebookFor(c *gin.Context) (x *exchange.Exchange, in *survey.Instrument, cb coding.Codebook, lang string, ok bool) {
	lang = s.staffLanguage(c)
	if !s.allowed(c, staff.DownloadData, c.Param("id"), false) {
		return nil, nil, cb, lang, false
	}
	x, in, err := s.exchangeFor(c)
	var latest *coding.Codebook
	if err == nil {
		latest, err = s.store.Codebook(c.Request.Context(), x.ID)
	}
	if err != nil {
		s.htmlError(c, lang, err)
		return nil, nil, cb, lang, false
	}
	if latest == nil {
		return x, in, coding.Initial(x.ID, in), lang, true
	}
	return x, in, *latest, lang, true
}

// maxJoinWord bounds the word or two joined to a candidate (the form's
// field takes 80 characters).
const maxJoinWord = 200

func capitalised(s string) string {
	for i, r := range s {
		return strings.ToUpper(string(r)) + s[i+len(string(r)):]
	}
	return s
}

// handleCodebookChange promotes, merges or rejects a candidate: a new
// version of the codebook, made from the version the form was shown with
// (a form made from an older version is refused, not applied over
// someone else's change).
func (s *Server) handleCodebookChange(c *gin.Context) {
	x, in, cb, lang, ok := s.codebookFor(c)
	if !ok {
		return
	}
	if strconv.Itoa(cb.Version) != c.PostForm("version") {
		s.renderCodebook(c, http.StatusConflict, []string{translate(lang, "codebook.conflict", cb.Version)}, "", nil)
		return
	}
	candidate := strings.TrimSpace(c.PostForm("candidate"))
	if candidate == "" || len(candidate) > 200 {
		s.renderCodebook(c, http.StatusBadRequest, []string{translate(lang, "codebook.fault.candidate")}, "", nil)
		return
	}
	by, now := s.staffUser(c).Email, s.now()
	var next coding.Codebook
	var faults []coding.Fault
	switch c.PostForm("action") {
	case coding.ChangePromote:
		labels, patterns := map[string]string{}, map[string][]string{}
		for _, l := range in.Languages {
			labels[l] = c.PostForm("label_" + l)
			patterns[l] = strings.Split(c.PostForm("patterns_"+l), "\n")
		}
		next, faults = cb.Promote(in.BaseLanguage(), strings.TrimSpace(c.PostForm("id")), labels, patterns, candidate, by, now)
	case coding.ChangeMerge:
		patterns := map[string][]string{}
		for _, l := range in.Languages {
			patterns[l] = strings.Split(c.PostForm("merge_"+l), "\n")
		}
		next, faults = cb.Merge(c.PostForm("theme"), patterns, candidate, by, now)
	case coding.ChangeJoin:
		// The word typed is stemmed as the answers are: "résilience" and
		// "résilient" are one stem; two words are a phrase.
		wl, word := c.PostForm("with_lang"), c.PostForm("with_word")
		var stems []string
		if len(word) <= maxJoinWord { // two words; a page of them is not stemmed
			for _, tok := range stemming.Tokens(wl, word) {
				stems = append(stems, tok.Stem)
			}
		}
		if !in.HasLanguage(wl) || len(stems) == 0 || len(stems) > 2 {
			faults = []coding.Fault{{Field: "with_word", Key: "codebook.fault.word"}}
			break
		}
		next, faults = cb.Join(candidate, coding.CandidateKey(wl, strings.Join(stems, " ")), by, now)
	case coding.ChangeReject:
		next = cb.Reject(candidate, by, now)
	default:
		s.renderCodebook(c, http.StatusBadRequest, []string{translate(lang, "codebook.fault.action")}, "", nil)
		return
	}
	if len(faults) > 0 {
		var msgs []string
		for _, f := range faults {
			msgs = append(msgs, translate(lang, f.Key, languageName(lang, f.Lang)))
		}
		s.renderCodebook(c, http.StatusUnprocessableEntity, msgs, candidate, c.Request.PostForm)
		return
	}
	if err := s.store.SaveCodebook(c.Request.Context(), next); err != nil {
		if exchange.ErrorCode(err) == exchange.ECONFLICT {
			s.renderCodebook(c, http.StatusConflict, []string{translate(lang, "codebook.conflict", next.Version)}, "", nil)
			return
		}
		s.htmlError(c, lang, err)
		return
	}
	s.audit(c, staff.AuditAdminister, x.ID, "codebook-"+next.Change.Kind, strconv.Itoa(next.Version), next.Change.Candidate, cmp.Or(next.Change.Theme, next.Change.With))
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/exchanges/%s/codebook?saved=%d", url.PathEscape(x.ID), next.Version))
}
