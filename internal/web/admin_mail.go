package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/mailing"
	"github.com/csci/exchangeeval/internal/staff"
	"github.com/csci/exchangeeval/internal/survey"
)

// The admin page's e-mail: invitations, reminders, the delivery of each,
// and each wave's closing day.

// mailWave is a wave's row of the e-mail section.
type mailWave struct {
	ID, Title string
	Open      bool
	// Opens and Closes are the planned opening and the closing day as the
	// date fields hold them; RemindDays
	// the automatic reminder's lead; RemindAt when it goes (or went).
	Closes     string
	Opens      string
	RemindDays int
	RemindAt   string
	Reminded   bool
	// Uninvited have no invitation yet; Unanswered have not answered.
	Uninvited, Unanswered int
}

// delivery is a participant's messages and answers, wave by wave.
type delivery struct {
	PID, Name string
	Waves     []deliveryCell
}

type deliveryCell struct {
	Answered bool
	Messages []string
	Failed   bool
}

// mailSection fills the e-mail part of the admin page.
func (s *Server) mailSection(c *gin.Context, p *adminExchangePage, x *exchange.Exchange, in *survey.Instrument, ps []*exchange.Participant, respondents map[string]map[string]bool, lang string) error {
	p.MailConfigured = s.cfg.Mail != nil
	all, err := s.store.Mail(c.Request.Context(), x.ID)
	if err != nil {
		return err
	}
	byPerson := map[string][]*mailing.Mail{}
	for _, m := range all {
		byPerson[m.Participant] = append(byPerson[m.Participant], m)
		if m.Status == mailing.Failed {
			p.FailedMail++
		}
	}
	for _, w := range in.WaveIDs() {
		st := x.Waves[w]
		mw := mailWave{ID: w, Title: waveTitle(in, w, lang), Open: st.Open, RemindDays: int(st.RemindBefore / (24 * time.Hour)), Reminded: st.RemindedAt != nil}
		if st.Closes != nil {
			mw.Closes = st.Closes.Format(exchange.DateLayout)
		}
		if st.Opens != nil {
			mw.Opens = st.Opens.Format(exchange.DateLayout)
		}
		if at := st.RemindAt(); !at.IsZero() {
			mw.RemindAt = formatTime(lang, at, x.Location())
		}
		for _, pt := range ps {
			invited := false
			for _, m := range byPerson[pt.PID] {
				invited = invited || (m.Wave == w && m.Kind == mailing.Invitation)
			}
			if !invited {
				mw.Uninvited++
			}
			if !respondents[w][pt.PID] {
				mw.Unanswered++
			}
		}
		p.MailWaves = append(p.MailWaves, mw)
	}
	for _, pt := range ps {
		d := delivery{PID: pt.PID, Name: pt.Name}
		for _, w := range in.WaveIDs() {
			cell := deliveryCell{Answered: respondents[w][pt.PID]}
			for _, m := range byPerson[pt.PID] {
				if m.Wave != w {
					continue
				}
				cell.Messages = append(cell.Messages, mailStatus(lang, m, x.Location()))
				cell.Failed = cell.Failed || m.Status == mailing.Failed
			}
			d.Waves = append(d.Waves, cell)
		}
		p.Deliveries = append(p.Deliveries, d)
	}
	return nil
}

// mailStatus words a message's state: "invitation sent 23 November 2026 …".
func mailStatus(lang string, m *mailing.Mail, loc *time.Location) string {
	kind := translate(lang, "mail.kind."+m.Kind)
	if m.Kind == mailing.Reminder {
		kind += " " + strconv.Itoa(m.Seq)
	}
	switch m.Status {
	case mailing.Sent:
		return translate(lang, "mail.sent", kind, formatTime(lang, *m.SentAt, loc))
	case mailing.Failed:
		return translate(lang, "mail.failed", kind, m.LastError)
	}
	if m.LastError != "" {
		return translate(lang, "mail.retrying", kind, m.LastError)
	}
	return translate(lang, "mail.queued", kind)
}

// handleAdminMail queues invitations or reminders for a wave, or the
// failed messages again, and comes back to the page with what it did.
func (s *Server) handleAdminMail(c *gin.Context) {
	x, in, lang, ok := s.administered(c)
	if !ok {
		return
	}
	id := c.Param("id")
	ctx := c.Request.Context()
	back := "/admin/exchanges/" + id
	if s.cfg.Mail == nil {
		s.setNotice(c, translate(lang, "mail.notconfigured"), true)
		c.Redirect(http.StatusSeeOther, back)
		return
	}
	action, wave := c.PostForm("action"), c.PostForm("wave")
	if action == "retry" {
		n, err := s.store.RetryFailedMail(ctx, id, s.now())
		if err != nil {
			s.htmlError(c, lang, err)
			return
		}
		s.audit(c, staff.AuditAdminister, id, "mail-retry", strconv.Itoa(n))
		s.setNotice(c, translate(lang, "mail.retried", n), false)
		c.Redirect(http.StatusSeeOther, back)
		return
	}
	kind := map[string]string{"invite": mailing.Invitation, "remind": mailing.Reminder}[action]
	if kind == "" || exchange.CheckWave(in, wave) != nil {
		s.setNotice(c, translate(lang, "admin.badwave"), true)
		c.Redirect(http.StatusSeeOther, back)
		return
	}
	out, err := mailing.Queue(ctx, s.store, mailing.Request{Instrument: in, Exchange: x, Wave: wave, Kind: kind, BaseURL: s.baseURL(c)}, false, s.now())
	switch {
	case exchange.ErrorCode(err) == exchange.ECONFLICT:
		s.setNotice(c, translate(lang, "mail.closed", waveTitle(in, wave, lang)), true)
	case err != nil:
		s.htmlError(c, lang, err)
		return
	default:
		var skipped []string
		for _, sk := range out.Skipped {
			skipped = append(skipped, sk.PID)
		}
		s.audit(c, staff.AuditAdminister, id, "mail-"+kind, wave, strconv.Itoa(len(out.Queued)), strconv.Itoa(out.Already), strconv.Itoa(len(out.Skipped)))
		notice := translate(lang, "mail.queued."+kind, len(out.Queued), waveTitle(in, wave, lang), out.Already)
		if len(skipped) > 0 {
			notice += " " + translate(lang, "mail.skipped", strings.Join(skipped, ", "))
		}
		s.setNotice(c, notice, false)
	}
	c.Redirect(http.StatusSeeOther, back)
}

// scheduleDay reads a date field of the schedule form (empty: none); a
// date that does not parse sends the admin back with the field named.
func (s *Server) scheduleDay(c *gin.Context, lang, field, back string) (*time.Time, bool) {
	v := strings.TrimSpace(c.PostForm(field))
	if v == "" {
		return nil, true
	}
	t, err := time.Parse(exchange.DateLayout, v)
	if err != nil {
		s.setNotice(c, translate(lang, "field.problem", translate(lang, "mail."+field), translate(lang, "problem.date")), true)
		c.Redirect(http.StatusSeeOther, back)
		return nil, false
	}
	return &t, true
}

// handleAdminSchedule sets a wave's planned opening day, closing day and
// automatic reminder.
func (s *Server) handleAdminSchedule(c *gin.Context) {
	_, in, lang, ok := s.administered(c)
	if !ok {
		return
	}
	id := c.Param("id")
	back := "/admin/exchanges/" + id
	wave := c.PostForm("wave")
	if exchange.CheckWave(in, wave) != nil {
		s.setNotice(c, translate(lang, "admin.badwave"), true)
		c.Redirect(http.StatusSeeOther, back)
		return
	}
	opens, ok := s.scheduleDay(c, lang, "opens", back)
	if !ok {
		return
	}
	closes, ok := s.scheduleDay(c, lang, "closes", back)
	if !ok {
		return
	}
	days, err := strconv.Atoi(c.DefaultPostForm("remind_days", "0"))
	if err != nil || days < 0 || days > 60 || (days > 0 && closes == nil) {
		s.setNotice(c, translate(lang, "mail.badremind"), true)
		c.Redirect(http.StatusSeeOther, back)
		return
	}
	if _, err := s.store.SetWaveSchedule(c.Request.Context(), id, wave, opens, closes, time.Duration(days)*24*time.Hour); err != nil {
		s.htmlError(c, lang, err)
		return
	}
	closing := "—"
	if closes != nil {
		closing = closes.Format(exchange.DateLayout)
	}
	s.audit(c, staff.AuditAdminister, id, "schedule", wave, closing, strconv.Itoa(days))
	s.setNotice(c, translate(lang, "mail.scheduled", waveTitle(in, wave, lang)), false)
	c.Redirect(http.StatusSeeOther, back+"#h-mail")
}
