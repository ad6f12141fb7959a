package web

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/gorilla/csrf"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"

	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/staff"
	"github.com/csci/exchangeeval/internal/survey"
	"github.com/csci/exchangeeval/internal/workbook"
)

type adminExchangePage struct {
	page
	CSRF string
	X    *exchange.Exchange
	New  bool
	Form exchange.NewExchange
	// Retention says when the exchange's identifying data is erased, or
	// that it was.
	Retention string
	// TimeZones are offered for the time zone field.
	TimeZones   []string
	Instruments []string
	Waves       []adminWave
	Invited     int
	Problems    []string
	Notice      string
	Error       string
	Missing     []missingRow
	// People is every participant, with what they have answered and their
	// personal link, for the admin who must resend one.
	People []personRow
	// The e-mail section: whether e-mail is configured, each wave's
	// invitations and schedule, each participant's messages.
	MailConfigured bool
	MailWaves      []mailWave
	Deliveries     []delivery
	FailedMail     int
	// NameFields are the exchange name's translations the form asks for:
	// one per language of the questionnaire(s) other than its base one.
	NameFields []nameField
	// Version is the instrument version the exchange is on; Newer lists
	// the versions it could move to.
	Version int
	Newer   []int
}

type nameField struct{ Lang, Label, Value string }

type personRow struct {
	PID, Name, Email, Language, Side, City, Role, Answered, Link string
	// Removable: nothing answered, so the participant may be taken out.
	Removable bool
}

// nameFields lists the name translations a form asks for: the other
// languages of the exchange's instrument, or of any instrument for a new
// exchange, with what the form holds.
func (s *Server) nameFields(lang, instrument string, names map[string]string) []nameField {
	langs := s.translationLanguages(instrument)
	out := make([]nameField, len(langs))
	for i, l := range langs {
		out[i] = nameField{Lang: l, Label: nameInLabel(lang, l), Value: names[l]}
	}
	return out
}

// translationLanguages are the languages an exchange's name may be given
// in besides its instrument's base one: those of instrument, or of any
// instrument when it is "".
func (s *Server) translationLanguages(instrument string) []string {
	var langs []string
	for _, id := range s.set().IDs() {
		if instrument != "" && id != instrument {
			continue
		}
		in := s.set().Get(id)
		for _, l := range in.Languages {
			if l != in.BaseLanguage() && !slices.Contains(langs, l) {
				langs = append(langs, l)
			}
		}
	}
	return langs
}

// nameInLabel labels the field of the exchange's name in language l.
func nameInLabel(lang, l string) string {
	return translate(lang, "admin.namein", languageName(lang, l))
}

// postedNames reads the name translations a form sent.
func (s *Server) postedNames(c *gin.Context) map[string]string {
	names := map[string]string{}
	for _, l := range s.translationLanguages("") {
		if v := c.PostForm("name_" + l); v != "" {
			names[l] = v
		}
	}
	return names
}

type adminWave struct {
	ID, Title, Opened, Closed string
	Open                      bool
	Responded                 int
}

type missingRow struct{ Wave, PID, Name, Email, Language string }

func (s *Server) handleAdminNew(c *gin.Context) {
	if !s.allowed(c, staff.Administer, "", false) {
		return
	}
	lang := s.staffLanguage(c)
	s.render(c, http.StatusOK, "admin_exchange", adminExchangePage{page: s.staffPage(c, lang, translate(lang, "admin.new")),
		CSRF: csrf.Token(c.Request), New: true, TimeZones: exchange.SisterCityZones, Instruments: s.set().IDs(), NameFields: s.nameFields(lang, "", nil)})
}

func (s *Server) handleAdminCreate(c *gin.Context) {
	if !s.allowed(c, staff.Administer, "", false) {
		return
	}
	lang := s.staffLanguage(c)
	n := exchange.NewExchange{ID: strings.TrimSpace(c.PostForm("id")), Instrument: c.PostForm("instrument"), Name: c.PostForm("name"),
		HostCity: c.PostForm("host_city"), VisitingCity: c.PostForm("visiting_city"), Start: c.PostForm("start"), End: c.PostForm("end"), Names: s.postedNames(c),
		TimeZone: c.PostForm("time_zone"), RetentionMonths: c.PostForm("retention_months")}
	x, err := n.Build(s.set(), s.now())
	if err == nil {
		// The instrument version is kept before the exchange exists, so
		// no exchange ever depends on a file the next start may lack.
		err = s.instruments.Keep(c.Request.Context(), x.InstrumentIn(s.set()), s.now())
	}
	if err == nil {
		err = s.store.CreateExchange(c.Request.Context(), x)
	}
	if err != nil {
		if statusOf(err) >= 500 {
			s.htmlError(c, lang, err)
			return
		}
		msg, problems := formProblems(lang, err)
		s.render(c, statusOf(err), "admin_exchange", adminExchangePage{page: s.staffPage(c, lang, translate(lang, "admin.new")), CSRF: csrf.Token(c.Request),
			New: true, Form: n, TimeZones: exchange.SisterCityZones, Instruments: s.set().IDs(), Error: msg, Problems: problems, NameFields: s.nameFields(lang, "", n.Names)})
		return
	}
	s.audit(c, staff.AuditAdminister, x.ID, "created")
	c.Redirect(http.StatusSeeOther, "/admin/exchanges/"+x.ID)
}

func (s *Server) handleAdminExchange(c *gin.Context) {
	if !s.allowed(c, staff.Administer, c.Param("id"), false) {
		return
	}
	notice, errMsg := s.takeNotice(c)
	s.renderAdminExchange(c, http.StatusOK, notice, errMsg, nil)
}

func (s *Server) renderAdminExchange(c *gin.Context, status int, notice, errMsg string, problems []string) {
	ctx := c.Request.Context()
	lang := s.staffLanguage(c)
	x, in, err := s.exchangeFor(c)
	if err != nil {
		s.htmlError(c, lang, err)
		return
	}
	ps, err := s.store.Participants(ctx, x.ID)
	if err != nil {
		s.htmlError(c, lang, err)
		return
	}
	p := adminExchangePage{page: s.staffPage(c, lang, x.NameIn(lang)), CSRF: csrf.Token(c.Request), X: x, Invited: len(ps),
		Notice: notice, Error: errMsg, Problems: problems, Instruments: s.set().IDs(),
		Form: exchange.NewExchange{ID: x.ID, Instrument: x.Instrument, Name: x.Name, HostCity: x.HostCity, VisitingCity: x.VisitingCity, TimeZone: x.TimeZone,
			Start: x.Start.Format(exchange.DateLayout), End: x.End.Format(exchange.DateLayout), RetentionMonths: strconv.Itoa(x.Retention())}, TimeZones: exchange.SisterCityZones,
		NameFields: s.nameFields(lang, x.Instrument, x.Names), Version: in.Version, Retention: retentionState(lang, x, in)}
	for _, v := range s.set().Versions(in.ID) {
		if v.Version > in.Version {
			p.Newer = append(p.Newer, v.Version)
		}
	}
	respondents, err := s.store.Respondents(ctx, x.ID)
	if err != nil {
		s.htmlError(c, lang, err)
		return
	}
	base := s.baseURL(c)
	for _, pt := range ps {
		var waves []string
		for _, w := range in.WaveIDs() {
			if respondents[w][pt.PID] {
				waves = append(waves, waveTitle(in, w, lang))
			}
		}
		answered := strings.Join(waves, ", ")
		if answered == "" {
			answered = translate(lang, "admin.nothingyet")
		}
		p.People = append(p.People, personRow{PID: pt.PID, Name: pt.Name, Email: pt.Email, Language: languageName(lang, pt.Language),
			Side: groupLabel(in, "side", pt.Side, lang), City: pt.City, Role: groupLabel(in, "role", pt.Role, lang), Answered: answered,
			Link: exchange.LinkURL(base, pt.Token), Removable: len(waves) == 0})
	}
	for _, w := range in.WaveIDs() {
		st := x.Waves[w]
		answered := respondents[w]
		p.Waves = append(p.Waves, adminWave{ID: w, Title: waveTitle(in, w, lang), Open: st.Open, Opened: timeText(lang, st.OpenedAt, x.Location()), Closed: timeText(lang, st.ClosedAt, x.Location()), Responded: len(answered)})
		if st.Open {
			for _, pt := range ps {
				if !answered[pt.PID] {
					p.Missing = append(p.Missing, missingRow{Wave: waveTitle(in, w, lang), PID: pt.PID, Name: pt.Name, Email: pt.Email, Language: languageName(lang, pt.Language)})
				}
			}
		}
	}
	if err := s.mailSection(c, &p, x, in, ps, respondents, lang); err != nil {
		s.htmlError(c, lang, err)
		return
	}
	s.render(c, status, "admin_exchange", p)
}

// adminFailed shows an admin what went wrong, with every problem listed
// (the rows of a file, the fields of a form), on the exchange's page.
func (s *Server) adminFailed(c *gin.Context, prefix string, err error) {
	if statusOf(err) >= 500 {
		s.htmlError(c, s.staffLanguage(c), err)
		return
	}
	msg, problems := formProblems(s.staffLanguage(c), err)
	s.renderAdminExchange(c, statusOf(err), "", prefix+msg, problems)
}

// languageName names a language code in the reader's language ("French",
// "français"); the code itself when the catalogue has no name for it.
func languageName(lang, code string) string {
	if name := translate(lang, "language."+code); name != "language."+code {
		return name
	}
	// Any other language is named by CLDR, in the reader's language.
	if tag, err := language.Parse(code); err == nil {
		// x/text names languages in the languages it has CLDR's names
		// for; in any other (one added by a catalogue file) in English.
		namer := display.Tags(language.Make(lang))
		if namer == nil {
			namer = display.Tags(language.English)
		}
		if name := namer.Name(tag); name != "" {
			return name
		}
	}
	return code
}

// exchangeFields are the exchange form's fields, in the form's order, with
// the catalogue key of their label.
var exchangeFields = []formField{
	{"id", "admin.idshort"}, {"instrument", "admin.instrument"}, {"name", "admin.name"}, {"visiting-city", "admin.visiting"},
	{"host-city", "admin.host"}, {"time-zone", "admin.timezone"}, {"start", "admin.start"}, {"end", "admin.end"}, {"retention-months", "admin.retention"},
}

// formProblems words an error for the exchange form in the reader's
// language: problems with its fields by the form's own labels — never a
// command-line flag — and anything else as its message and details.
func formProblems(lang string, err error) (string, []string) {
	msg, out := fieldProblems(lang, err, exchangeFields, "admin.notsaved")
	var e *exchange.Error
	if !errors.As(err, &e) || len(e.Problems) == 0 {
		return msg, out
	}
	var translations []string
	for k := range e.Problems {
		if strings.HasPrefix(k, "name-") {
			translations = append(translations, k)
		}
	}
	slices.Sort(translations)
	for _, k := range translations {
		p := e.Problems[k]
		label := nameInLabel(lang, strings.TrimPrefix(k, "name-"))
		out = append(out, translate(lang, "field.problem", label, translate(lang, "problem."+p.Code, p.Args...)))
	}
	return msg, out
}

// administered checks that the user administers the route's exchange and
// loads it with its instrument; when not, it has answered (403, 404) and
// ok is false.
func (s *Server) administered(c *gin.Context) (x *exchange.Exchange, in *survey.Instrument, lang string, ok bool) {
	if !s.allowed(c, staff.Administer, c.Param("id"), false) {
		return nil, nil, "", false
	}
	lang = s.staffLanguage(c)
	x, in, err := s.exchangeFor(c)
	if err != nil {
		s.htmlError(c, lang, err)
		return nil, nil, lang, false
	}
	return x, in, lang, true
}

func (s *Server) handleAdminEdit(c *gin.Context) {
	x, _, _, ok := s.administered(c)
	if !ok {
		return
	}
	id := c.Param("id")
	n := exchange.NewExchange{ID: x.ID, Instrument: x.Instrument, Name: c.PostForm("name"), HostCity: c.PostForm("host_city"),
		VisitingCity: c.PostForm("visiting_city"), Start: c.PostForm("start"), End: c.PostForm("end"), Names: s.postedNames(c),
		TimeZone: c.PostForm("time_zone"), RetentionMonths: c.PostForm("retention_months")}
	edited, err := n.Build(s.set(), x.CreatedAt)
	if err == nil {
		err = s.store.UpdateExchangeDetails(c.Request.Context(), edited)
	}
	if err != nil {
		s.adminFailed(c, "", err)
		return
	}
	s.audit(c, staff.AuditAdminister, id, "edited")
	c.Redirect(http.StatusSeeOther, "/admin/exchanges/"+id)
}

func (s *Server) handleAdminWave(c *gin.Context) {
	_, in, lang, ok := s.administered(c)
	if !ok {
		return
	}
	id := c.Param("id")
	wave, action := c.PostForm("wave"), c.PostForm("action")
	if err := exchange.CheckWave(in, wave); err != nil || (action != "open" && action != "close") {
		s.renderAdminExchange(c, http.StatusBadRequest, "", translate(lang, "admin.badwave"), nil)
		return
	}
	if _, err := s.store.SetWave(c.Request.Context(), id, wave, action == "open", s.now()); err != nil {
		s.htmlError(c, lang, err)
		return
	}
	s.audit(c, staff.AuditAdminister, id, "wave-"+action, wave)
	c.Redirect(http.StatusSeeOther, "/admin/exchanges/"+id)
}

func (s *Server) handleAdminParticipants(c *gin.Context) {
	_, in, lang, ok := s.administered(c)
	if !ok {
		return
	}
	id := c.Param("id")
	file, header, err := c.Request.FormFile("file")
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			s.htmlError(c, lang, err)
			return
		}
		s.renderAdminExchange(c, http.StatusBadRequest, "", translate(lang, "admin.nofile"), nil)
		return
	}
	defer file.Close()
	// Reading errors name the file themselves; the table's problems are
	// prefixed with it.
	table, err := workbook.ReadTable(header.Filename, file, workbook.ReadOptions{MaxRows: s.cfg.MaxImportRows, Context: c.Request.Context()})
	if err != nil {
		s.adminFailed(c, "", err)
		return
	}
	rows, err := exchange.ParseParticipants(table.Rows, in)
	if err != nil {
		s.adminFailed(c, translate(lang, "labelled", header.Filename, ""), err)
		return
	}
	res, err := s.store.ImportParticipants(c.Request.Context(), id, rows, s.now())
	if err != nil {
		s.adminFailed(c, "", err)
		return
	}
	s.audit(c, staff.AuditAdminister, id, "imported", header.Filename, strconv.Itoa(res.New), strconv.Itoa(res.Kept))
	notice := translate(lang, "admin.imported", res.New, res.Kept)
	if table.Encoding != "" {
		notice += " " + translate(lang, "admin.cp1252", header.Filename, table.FirstNotUTF8)
	}
	s.renderAdminExchange(c, http.StatusOK, notice, "", nil)
}

func (s *Server) handleAdminLinks(c *gin.Context) {
	id := c.Param("id")
	if !s.allowed(c, staff.Administer, id, false) {
		return
	}
	lang := s.staffLanguage(c)
	ps, err := s.store.Participants(c.Request.Context(), id)
	if err != nil {
		s.htmlError(c, lang, err)
		return
	}
	if _, err := s.store.Exchange(c.Request.Context(), id); err != nil {
		s.htmlError(c, lang, err)
		return
	}
	links := make([]exchange.Link, len(ps))
	for i, p := range ps {
		links[i] = exchange.Link{PID: p.PID, Name: p.Name, Email: p.Email, Language: p.Language, Side: p.Side, URL: exchange.LinkURL(s.baseURL(c), p.Token)}
	}
	var buf bytes.Buffer
	if err := workbook.WriteLinks(&buf, id, links); err != nil {
		s.htmlError(c, lang, err)
		return
	}
	s.audit(c, staff.AuditExport, id, "links")
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-links.xlsx"`, id))
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", buf.Bytes())
}

// baseURL is where delegates' links point: the configured public address,
// else the address this request came to.
func (s *Server) baseURL(c *gin.Context) string {
	if s.cfg.BaseURL != "" {
		return s.cfg.BaseURL
	}
	scheme := "http"
	if c.Request.TLS != nil || s.cfg.Secure {
		scheme = "https"
	}
	return scheme + "://" + c.Request.Host
}

// handleAdminMove moves an exchange to a newer version of its instrument:
// at once while nobody has answered, otherwise only when every answered
// question keeps its id, type, scale and options — each difference that
// stands in the way is listed.
func (s *Server) handleAdminMove(c *gin.Context) {
	x, in, lang, ok := s.administered(c)
	if !ok {
		return
	}
	v, err := strconv.Atoi(c.PostForm("version"))
	to := s.set().Version(in.ID, v)
	if err != nil || to == nil || v <= in.Version {
		s.renderAdminExchange(c, http.StatusBadRequest, "", translate(lang, "admin.move.badversion", c.PostForm("version")), nil)
		return
	}
	answered, waves, err := s.store.AnsweredQuestions(c.Request.Context(), x.ID)
	if err != nil {
		s.htmlError(c, lang, err)
		return
	}
	if problems := survey.MoveProblems(in, to, waves, answered, lang); len(problems) > 0 {
		s.renderAdminExchange(c, http.StatusConflict, "", translate(lang, "admin.move.refused", in.ID, to.Version), problems)
		return
	}
	if err := s.store.SetInstrumentVersion(c.Request.Context(), x.ID, to.Version); err != nil {
		s.htmlError(c, lang, err)
		return
	}
	s.audit(c, staff.AuditAdminister, x.ID, "moved", strconv.Itoa(in.Version), strconv.Itoa(to.Version))
	s.setNotice(c, translate(lang, "admin.move.done", in.ID, in.Version, to.Version), false)
	c.Redirect(http.StatusSeeOther, "/admin/exchanges/"+x.ID)
}

// retentionState words when the exchange's identifying data is erased:
// done, on a day, or after the last wave closes.
func retentionState(lang string, x *exchange.Exchange, in *survey.Instrument) string {
	switch due := x.IdentitiesDue(in); {
	case x.IdentitiesErasedAt != nil:
		return translate(lang, "admin.retention.done", formatDate(lang, x.IdentitiesErasedAt.In(x.Location())))
	case due.IsZero():
		return translate(lang, "admin.retention.pending")
	default:
		return translate(lang, "admin.retention.due", formatDate(lang, due.In(x.Location())))
	}
}
