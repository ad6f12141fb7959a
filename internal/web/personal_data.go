package web

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/gorilla/csrf"

	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/privacy"
	"github.com/csci/exchangeeval/internal/staff"
	"github.com/csci/exchangeeval/internal/survey"
)

// A delegate's personal data on the admin page: everything stored about
// them, to read and print (or as JSON) for an access request, and the
// erasure of them on request — the browser's form of `participants export`
// and `participants erase`.

type personalDataPage struct {
	page
	CSRF string
	X    *exchange.Exchange
	Data *privacy.PersonalData
	// Waves are the answers, wave by wave, as the page shows them.
	Waves []personalWave
	// Messages and Erasures, worded.
	Messages []personalMessage
	Erasures []string
	Invited  string
	Exported string
}

type personalWave struct {
	Title    string
	Answers  []personalAnswer
	Versions []string // when each version was sent, oldest first
	Draft    bool
}

type personalAnswer struct{ Question, Value string }

type personalMessage struct{ Wave, Subject, Status string }

func (s *Server) handlePersonalData(c *gin.Context) {
	x, in, lang, ok := s.administered(c)
	if !ok {
		return
	}
	pid := c.Param("pid")
	d, err := s.store.PersonalDataOf(c.Request.Context(), x.ID, pid, in.WaveIDs(), s.now())
	if err != nil {
		s.htmlError(c, lang, err)
		return
	}
	s.audit(c, staff.AuditAdminister, x.ID, "personal-data-exported", pid)
	c.Header("Cache-Control", "no-store")
	if c.Query("format") == "json" {
		b, err := json.MarshalIndent(d, "", "  ")
		if err != nil {
			s.htmlError(c, lang, err)
			return
		}
		c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-%s.json"`, x.ID, pid))
		c.Data(http.StatusOK, "application/json; charset=utf-8", append(b, '\n'))
		return
	}
	loc := x.Location()
	p := personalDataPage{page: s.staffPage(c, lang, translate(lang, "privacy.title", pid)), CSRF: csrf.Token(c.Request), X: x, Data: d,
		Invited: formatTime(lang, d.Invited, loc), Exported: formatTime(lang, d.ExportedAt, loc)}
	for _, w := range in.WaveIDs() {
		pw := personalWave{Title: waveTitle(in, w, lang)}
		for _, r := range d.Responses {
			if r.Wave != w {
				continue
			}
			pw.Answers = answersWorded(in, r.Current, lang)
			for _, v := range r.History {
				sent := formatTime(lang, v.SubmittedAt, loc)
				if v.PrivacyNotice != "" {
					sent = translate(lang, "privacy.sentnotice", sent, v.PrivacyNotice)
				}
				pw.Versions = append(pw.Versions, sent)
			}
		}
		for _, dr := range d.Drafts {
			pw.Draft = pw.Draft || dr.Wave == w
		}
		if pw.Answers != nil || pw.Draft {
			p.Waves = append(p.Waves, pw)
		}
	}
	for _, m := range d.Messages {
		p.Messages = append(p.Messages, personalMessage{Wave: waveTitle(in, m.Wave, lang), Subject: m.Subject, Status: mailStatus(lang, m, loc)})
	}
	for _, e := range d.Erasures {
		key := "privacy.erased.identity"
		if e.Answers {
			key = "privacy.erased.answers"
		}
		p.Erasures = append(p.Erasures, translate(lang, key, formatTime(lang, e.At, loc), e.By))
	}
	s.render(c, http.StatusOK, "personal_data", p)
}

// answersWorded gives a wave's answers in the instrument's order, each
// question by its text in lang and each answer as stored.
func answersWorded(in *survey.Instrument, answers survey.Answers, lang string) []personalAnswer {
	out := []personalAnswer{}
	for _, q := range in.Questions() {
		v, ok := answers[q.ID]
		if !ok {
			continue
		}
		out = append(out, personalAnswer{Question: q.Text.In(lang, in.BaseLanguage()), Value: q.AnswerIn(v, lang, in.BaseLanguage())})
	}
	return out
}

// handleErase erases a delegate on request: their identity, or with
// answers=yes everything they answered too.
func (s *Server) handleErase(c *gin.Context) {
	x, _, lang, ok := s.administered(c)
	if !ok {
		return
	}
	pid := c.Param("pid")
	answers := c.PostForm("answers") == "yes"
	by := s.staffUser(c).Email
	if _, err := s.store.EraseParticipant(c.Request.Context(), x.ID, pid, answers, by, s.now()); err != nil {
		s.htmlError(c, lang, err)
		return
	}
	s.audit(c, staff.AuditAdminister, x.ID, "erased", pid)
	key := "privacy.done.identity"
	if answers {
		key = "privacy.done.answers"
	}
	s.setNotice(c, translate(lang, key, pid), false)
	c.Redirect(http.StatusSeeOther, "/admin/exchanges/"+x.ID)
}
