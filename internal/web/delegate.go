package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/mailing"
	"github.com/csci/exchangeeval/internal/metrics"
	"github.com/csci/exchangeeval/internal/survey"
)

var errNotFound = exchange.Errorf(exchange.ENOTFOUND, "This link does not lead to a questionnaire.")

// delegate is the owner of a personal link, with their exchange and
// instrument, and the language the page is shown in.
type delegate struct {
	token string
	p     *exchange.LinkHolder
	x     *exchange.Exchange
	in    *survey.Instrument
	lang  string
}

// resolve finds who a token belongs to. A malformed token is turned away
// before any database look-up.
func (s *Server) resolve(ctx context.Context, token, requestedLang string) (*delegate, error) {
	if !exchange.PlausibleToken(token) {
		return nil, errNotFound
	}
	p, err := s.store.LinkHolder(ctx, token)
	if err != nil {
		if exchange.ErrorCode(err) == exchange.ENOTFOUND {
			return nil, errNotFound
		}
		return nil, err
	}
	x, err := s.store.Exchange(ctx, p.Exchange)
	if err != nil {
		return nil, fmt.Errorf("exchange of participant %s: %w", p.PID, err)
	}
	in := s.instrumentOf(ctx, x)
	if in == nil {
		return nil, exchange.InstrumentMissing(x)
	}
	return &delegate{token: token, p: p, x: x, in: in, lang: pickLanguage(requestedLang, in.Languages, p.Language)}, nil
}

// pickLanguage returns requested when it is available, else preferred when
// it is, else the first available language.
func pickLanguage(requested string, available []string, preferred string) string {
	switch {
	case slices.Contains(available, requested):
		return requested
	case slices.Contains(available, preferred):
		return preferred
	case len(available) > 0:
		return available[0]
	}
	return "en"
}

// guessLanguage is the language of an error page for a link we could not
// resolve: the one asked for, else the browser's first choice.
func guessLanguage(c *gin.Context) string {
	preferred := acceptedLanguage(c.GetHeader("Accept-Language"))
	if l, err := c.Cookie(langCookie); err == nil && interfaceSpeaks(l) {
		// Chosen on a page earlier (a staff member's language).
		preferred = l
	}
	return pickLanguage(c.Query("lang"), interfaceLanguages(), preferred)
}

func (d *delegate) path() string { return "/s/" + d.token }

func (s *Server) handleQuestionnaire(c *gin.Context) {
	d, err := s.resolve(c.Request.Context(), c.Param("token"), c.Query("lang"))
	if err != nil {
		s.htmlError(c, guessLanguage(c), err)
		return
	}
	waves, err := s.wavesOf(c.Request.Context(), d, c.Query("wave"))
	if err != nil {
		s.htmlError(c, d.lang, err)
		return
	}
	wave := waves.shown
	if wave == "" {
		s.renderClosed(c, d, http.StatusOK)
		return
	}
	var values map[string][]string
	savedAt, draftAt := "", ""
	r, err := waves.response(c.Request.Context(), s.store, d, wave)
	switch {
	case err == nil:
		values = answerStrings(r.Answers)
		savedAt = formatTime(d.lang, r.SubmittedAt, d.x.Location())
	case exchange.ErrorCode(err) != exchange.ENOTFOUND:
		s.htmlError(c, d.lang, err)
		return
	}
	// A draft saved after the last answers sent is what the delegate was
	// working on: it fills the form.
	draft, err := s.store.Draft(c.Request.Context(), d.x.ID, d.p.PID, wave)
	if err != nil {
		s.htmlError(c, d.lang, err)
		return
	}
	if draft != nil && (r == nil || draft.SavedAt.After(r.SubmittedAt)) {
		values, savedAt, draftAt = answerStrings(draft.Answers), "", formatTime(d.lang, draft.SavedAt, d.x.Location())
	}
	p := buildQuestionnaire(d.in, d.x, wave, d.lang, values, nil)
	p.Action, p.SavedAt, p.DraftAt = d.path(), savedAt, draftAt
	p.OtherWaves = waves.links(d)
	p.Languages = languageLinks(d.in.Languages, d.lang, d.path(), url.Values{"wave": {wave}})
	s.render(c, http.StatusOK, "questionnaire", p)
}

// openWaves is what a personal link shows: the wave opened, and every open
// wave with whether the delegate has answered it.
type openWaves struct {
	shown    string
	open     []string
	answered map[string]bool
	// read are the answers read to choose, by wave, so the page does not
	// read the shown wave's again.
	read map[string]*exchange.Response
}

// response is the delegate's answers to wave: as read to choose the wave,
// or else from the store.
func (w *openWaves) response(ctx context.Context, st Store, d *delegate, wave string) (*exchange.Response, error) {
	if r := w.read[wave]; r != nil {
		return r, nil
	}
	return st.Response(ctx, d.x.ID, d.p.PID, wave)
}

// wavesOf decides the wave a personal link opens (exchange.CurrentWave):
// with several waves open, the delegate's answers say which. A store that
// does not answer is an error, not a guess: guessing post for a delegate
// who has not answered pre is how late pre answers were lost.
func (s *Server) wavesOf(ctx context.Context, d *delegate, requested string) (*openWaves, error) {
	w := &openWaves{open: d.x.OpenWaves(d.in), answered: map[string]bool{}, read: map[string]*exchange.Response{}}
	if len(w.open) > 1 {
		for _, wave := range w.open {
			r, err := s.store.Response(ctx, d.x.ID, d.p.PID, wave)
			switch {
			case err == nil:
				w.answered[wave], w.read[wave] = true, r
			case exchange.ErrorCode(err) != exchange.ENOTFOUND:
				return nil, err
			}
		}
	}
	w.shown = d.x.CurrentWave(d.in, requested, func(wave string) bool { return w.answered[wave] })
	return w, nil
}

// waveLink leads to another open wave of the same personal link.
type waveLink struct {
	Title, URL string
	Answered   bool
}

// links are the open waves other than the one shown, in the instrument's
// order, for the page to offer.
func (w *openWaves) links(d *delegate) []waveLink {
	var out []waveLink
	for _, wave := range w.open {
		if wave == w.shown {
			continue
		}
		out = append(out, waveLink{Title: d.in.Wave(wave).Title.In(d.lang, d.in.BaseLanguage()),
			URL: d.path() + "?" + url.Values{"lang": {d.lang}, "wave": {wave}}.Encode(), Answered: w.answered[wave]})
	}
	return out
}

func (s *Server) renderQuestionnaire(c *gin.Context, status int, d *delegate, wave string, values map[string][]string, errs survey.FieldErrors, savedAt string) {
	p := buildQuestionnaire(d.in, d.x, wave, d.lang, values, errs)
	p.Action = d.path()
	p.SavedAt = savedAt
	p.Languages = languageLinks(d.in.Languages, d.lang, d.path(), url.Values{"wave": {wave}})
	s.render(c, status, "questionnaire", p)
}

// renderClosed tells the delegate no questionnaire is open, and when their
// latest answers were received, if they sent any.
func (s *Server) renderClosed(c *gin.Context, d *delegate, status int) {
	p := messagePage{page: page{Lang: d.lang, Fallback: d.in.BaseLanguage(), Title: translate(d.lang, "closed.title")},
		Heading: translate(d.lang, "closed.title"), Body: translate(d.lang, "closed.body")}
	ids := d.in.WaveIDs()
	for i := len(ids) - 1; i >= 0; i-- {
		r, err := s.store.Response(c.Request.Context(), d.x.ID, d.p.PID, ids[i])
		if err == nil {
			title := d.in.Wave(ids[i]).Title.In(d.lang, d.in.BaseLanguage())
			p.Detail = translate(d.lang, "closed.answered", title, formatTime(d.lang, r.SubmittedAt, d.x.Location()))
			break
		}
	}
	p.Languages = languageLinks(d.in.Languages, d.lang, d.path(), nil)
	s.render(c, status, "message", p)
}

// waveFor returns the wave a submission is for: the one the form or body
// names, which must still be open, or else the one the link opens.
func (s *Server) waveFor(ctx context.Context, d *delegate, named string) (string, error) {
	if named != "" {
		if d.in.Wave(named) == nil {
			return "", exchange.Errorf(exchange.EINVALID, "this questionnaire has no wave %q", named)
		}
		if !d.x.Waves[named].Open {
			return "", exchange.Errorf(exchange.ECONFLICT, "The questionnaire “%s” is closed; your answers could not be saved.",
				d.in.Wave(named).Title.In(d.lang, d.in.BaseLanguage()))
		}
		return named, nil
	}
	waves, err := s.wavesOf(ctx, d, "")
	if err != nil {
		return "", err
	}
	if waves.shown != "" {
		return waves.shown, nil
	}
	return "", exchange.Errorf(exchange.ECONFLICT, "No questionnaire is open for this link.")
}

func (s *Server) handleSubmit(c *gin.Context) {
	if err := c.Request.ParseForm(); err != nil {
		var mbe *http.MaxBytesError
		if !errors.As(err, &mbe) {
			err = exchange.Errorf(exchange.EINVALID, "The form could not be read.")
		}
		s.htmlError(c, guessLanguage(c), err)
		return
	}
	form := c.Request.PostForm
	d, err := s.resolve(c.Request.Context(), c.Param("token"), form.Get("lang"))
	if err != nil {
		s.htmlError(c, guessLanguage(c), err)
		return
	}
	wave, err := s.waveFor(c.Request.Context(), d, form.Get("wave"))
	if err != nil {
		if exchange.ErrorCode(err) == exchange.ECONFLICT {
			s.renderClosed(c, d, http.StatusConflict)
			return
		}
		s.htmlError(c, d.lang, err)
		return
	}
	answers, errs := d.in.FromStrings(wave, form)
	if form.Get("action") == "draft" {
		s.saveDraft(c, d, wave, form, answers, errs)
		return
	}
	if len(errs) > 0 {
		s.renderQuestionnaire(c, http.StatusUnprocessableEntity, d, wave, form, errs, "")
		return
	}
	if _, err := s.save(c.Request.Context(), d, wave, answers, exchange.SourceWeb); err != nil {
		s.formNotSaved(c, d, wave, form, err)
		return
	}
	// Sent: a draft has served its purpose. Failing to drop it loses
	// nothing (the answers sent are newer than it, so it no longer shows).
	if err := s.store.DeleteDraft(c.Request.Context(), d.x.ID, d.p.PID, wave); err != nil {
		s.log.Warn("drop a sent draft", "exchange", d.x.ID, "participant", d.p.PID, "wave", wave, "err", err)
	}
	// Post/Redirect/Get: reloading the thank-you page sends nothing again.
	c.Redirect(http.StatusSeeOther, d.path()+"/thanks?"+url.Values{"lang": {d.lang}, "wave": {wave}}.Encode())
}

// formNotSaved answers a form whose answers could not be stored. With the
// store out of reach the delegate keeps what they typed: the form comes back
// filled in, saying to send it again shortly; anything else is an error page.
func (s *Server) formNotSaved(c *gin.Context, d *delegate, wave string, form url.Values, err error) {
	if statusOf(err) != http.StatusServiceUnavailable {
		s.htmlError(c, d.lang, err)
		return
	}
	s.logIfInternal(c, err)
	c.Header("Retry-After", retryAfter)
	p := buildQuestionnaire(d.in, d.x, wave, d.lang, form, nil)
	p.Action, p.Unavailable = d.path(), true
	p.Languages = languageLinks(d.in.Languages, d.lang, d.path(), url.Values{"wave": {wave}})
	s.render(c, http.StatusServiceUnavailable, "questionnaire", p)
}

// saveDraft keeps what a delegate has answered so far ("save and finish
// later"): unanswered required questions are no obstacle, but an answer
// that is wrong (a 7 on a 1–5 scale) is shown to be fixed, as on sending.
// The delegate comes back to the questionnaire, filled in, through the
// same link, until the questionnaire closes.
func (s *Server) saveDraft(c *gin.Context, d *delegate, wave string, form url.Values, answers survey.Answers, errs survey.FieldErrors) {
	for id, e := range errs {
		if e.Code == survey.ErrRequired {
			delete(errs, id)
		}
	}
	if len(errs) > 0 {
		s.renderQuestionnaire(c, http.StatusUnprocessableEntity, d, wave, form, errs, "")
		return
	}
	if err := s.store.SaveDraft(c.Request.Context(), d.x.ID, d.p.PID, wave, d.lang, answers, s.now()); err != nil {
		s.formNotSaved(c, d, wave, form, err)
		return
	}
	c.Redirect(http.StatusSeeOther, d.path()+"?"+url.Values{"lang": {d.lang}, "wave": {wave}}.Encode()+"#progress")
}

func (s *Server) save(ctx context.Context, d *delegate, wave string, answers survey.Answers, source string) (*exchange.Response, error) {
	r, err := s.store.SaveResponse(ctx, &exchange.Response{
		Exchange: d.x.ID, Participant: d.p.PID, Wave: wave, Instrument: d.in.ID, InstrumentVersion: d.in.Version,
		Language: d.lang, Answers: answers, Source: source, PrivacyNotice: noticeVersion(d.in), SubmittedAt: s.now(),
	})
	if err == nil {
		metrics.Submission(source)
	}
	if err == nil && r.Seq == 1 {
		s.thank(context.WithoutCancel(ctx), d, wave)
	}
	return r, err
}

// thank queues the wave's thank-you message after a first answer, when the
// instrument words one (it is optional) and e-mail is configured. A
// failure is logged: the answers are stored, and that is what counts.
func (s *Server) thank(ctx context.Context, d *delegate, wave string) {
	w := d.in.Wave(wave)
	if s.cfg.Mail == nil || w == nil || w.Messages[mailing.ThankYou] == nil {
		return
	}
	p, err := s.store.ParticipantByToken(ctx, d.token)
	if err == nil {
		var mails []*mailing.Mail
		mails, _, err = mailing.Plan(mailing.Request{Instrument: d.in, Exchange: d.x, Wave: wave, Kind: mailing.ThankYou, BaseURL: s.cfg.BaseURL}, []*exchange.Participant{p})
		if err == nil && len(mails) > 0 {
			_, _, err = s.store.QueueMail(ctx, d.x.ID, mails, s.now())
		}
	}
	if err != nil {
		s.log.Warn("could not queue a thank-you message", "exchange", d.x.ID, "participant", d.p.PID, "wave", wave, "err", err)
	}
}

func (s *Server) handleThanks(c *gin.Context) {
	d, err := s.resolve(c.Request.Context(), c.Param("token"), c.Query("lang"))
	if err != nil {
		s.htmlError(c, guessLanguage(c), err)
		return
	}
	title := d.in.Title.In(d.lang, d.in.BaseLanguage())
	if w := d.in.Wave(c.Query("wave")); w != nil {
		title = w.Title.In(d.lang, d.in.BaseLanguage())
	}
	wave := c.Query("wave")
	p := messagePage{page: page{Lang: d.lang, Fallback: d.in.BaseLanguage(), Title: translate(d.lang, "thanks.title")},
		Heading: translate(d.lang, "thanks.title"), Body: translate(d.lang, "thanks.body", title)}
	waves, err := s.wavesOf(c.Request.Context(), d, wave)
	if err != nil {
		s.htmlError(c, d.lang, err)
		return
	}
	p.Detail, p.NextURL, p.NextText = nextStep(d, wave, waves.answered)
	if d.in.Wave(wave) != nil && d.x.Waves[wave].Open {
		p.LinkURL = d.path() + "?" + url.Values{"lang": {d.lang}, "wave": {wave}}.Encode()
		p.LinkText = translate(d.lang, "thanks.change")
	}
	p.Languages = languageLinks(d.in.Languages, d.lang, d.path()+"/thanks", url.Values{"wave": {wave}})
	s.render(c, http.StatusOK, "message", p)
}

// nextStep tells a delegate who has just answered wave what comes next:
// the next questionnaire and when it opens — now, with a link to it unless
// they have answered it already (late for this one); on its
// planned day; or, when no day is set, in its own introduction's words —
// and that it comes to the same personal link; or that this was the last.
func nextStep(d *delegate, wave string, answered map[string]bool) (detail, linkURL, linkText string) {
	ids := d.in.WaveIDs()
	i := slices.Index(ids, wave)
	if i < 0 {
		return "", "", ""
	}
	base := d.in.BaseLanguage()
	if i == len(ids)-1 {
		return translate(d.lang, "thanks.last"), "", ""
	}
	next := d.in.Wave(ids[i+1])
	title := next.Title.In(d.lang, base)
	st := d.x.Waves[next.ID]
	switch {
	case st.Open && !answered[next.ID]:
		return translate(d.lang, "thanks.next.open", title),
			d.path() + "?" + url.Values{"lang": {d.lang}, "wave": {next.ID}}.Encode(), translate(d.lang, "thanks.next.answer", title)
	case st.Opens != nil:
		return translate(d.lang, "thanks.next.opens", title, formatDate(d.lang, *st.Opens)), "", ""
	}
	return translate(d.lang, "thanks.next", title, next.Intro.In(d.lang, base)), "", ""
}

func (s *Server) handleQuestionnaireJSON(c *gin.Context) {
	d, err := s.resolve(c.Request.Context(), c.Param("token"), c.Query("lang"))
	if err != nil {
		s.jsonError(c, err)
		return
	}
	waves, err := s.wavesOf(c.Request.Context(), d, c.Query("wave"))
	if err != nil {
		s.jsonError(c, err)
		return
	}
	wave := waves.shown
	if wave == "" {
		s.jsonError(c, exchange.Errorf(exchange.ECONFLICT, "no questionnaire is open for this link"))
		return
	}
	out := buildQuestionnaireJSON(d.in, d.x, wave, d.lang)
	out.OpenWaves = waves.open
	r, err := s.store.Response(c.Request.Context(), d.x.ID, d.p.PID, wave)
	switch {
	case err == nil:
		out.Answers = r.Answers
		at := r.SubmittedAt.UTC().Format("2006-01-02T15:04:05Z")
		out.SubmittedAt, out.Versions = &at, r.Seq
	case exchange.ErrorCode(err) != exchange.ENOTFOUND:
		s.jsonError(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, out)
}

// submission is the body of POST /api/v1/responses/{token}.
type submission struct {
	Wave     string         `json:"wave"`
	Language string         `json:"language"`
	Answers  map[string]any `json:"answers"`
}

// decodeSubmission reads the body strictly: unknown fields, trailing data and
// wrong types are errors that say where.
func decodeSubmission(body io.Reader) (*submission, error) {
	// Read whole (the body is bounded) to check it is UTF-8 first: the
	// JSON decoder would silently turn invalid bytes into U+FFFD.
	data, err := io.ReadAll(body)
	if err != nil {
		return nil, err
	}
	if !utf8.Valid(data) {
		at := 0
		for at < len(data) {
			r, size := utf8.DecodeRune(data[at:])
			if r == utf8.RuneError && size <= 1 {
				break
			}
			at += size
		}
		return nil, exchange.Errorf(exchange.EINVALID, "request body is not UTF-8 text (at byte %d); send JSON in UTF-8", at)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	dec.DisallowUnknownFields()
	var sub submission
	if err := dec.Decode(&sub); err != nil {
		var mbe *http.MaxBytesError
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &mbe):
			return nil, err
		case errors.As(err, &syn):
			return nil, exchange.Errorf(exchange.EINVALID, "request body is not valid JSON (at byte %d): %v", syn.Offset, err)
		case errors.As(err, &typ) && typ.Field == "":
			return nil, exchange.Errorf(exchange.EINVALID, `request body must be a JSON object such as {"wave": "pre", "answers": {...}}, not %s`, jsonKind(typ.Value))
		case errors.As(err, &typ):
			return nil, exchange.Errorf(exchange.EINVALID, "request body: %s must be %s, not %s", typ.Field, jsonKindOf(typ.Type.Kind()), jsonKind(typ.Value))
		case errors.Is(err, io.EOF):
			return nil, exchange.Errorf(exchange.EINVALID, `request body is empty: expected {"answers": {...}}`)
		case strings.HasPrefix(err.Error(), "json: unknown field"):
			return nil, exchange.Errorf(exchange.EINVALID, "request body: %s; expected wave, language and answers", strings.TrimPrefix(err.Error(), "json: "))
		default:
			return nil, exchange.Errorf(exchange.EINVALID, "request body is not valid JSON: %v", err)
		}
	}
	if dec.More() {
		return nil, exchange.Errorf(exchange.EINVALID, "request body has data after the JSON object")
	}
	if sub.Answers == nil {
		return nil, &exchange.Error{Code: exchange.EINVALID, Message: "request body: answers is required",
			Fields: map[string]string{"answers": "an object of answers by question id"}}
	}
	return &sub, nil
}

// jsonKind names a JSON value kind as encoding/json reports it ("number",
// "string", "array", "object", "bool") for people who read JSON.
func jsonKind(value string) string {
	switch {
	case strings.HasPrefix(value, "number"):
		return "a number"
	case value == "string":
		return "a string"
	case value == "array":
		return "an array"
	case value == "object":
		return "an object"
	case value == "bool":
		return "true or false"
	}
	return value
}

// jsonKindOf names what a Go field of kind k takes, in JSON's terms.
func jsonKindOf(k reflect.Kind) string {
	switch k {
	case reflect.String:
		return "a string"
	case reflect.Map, reflect.Struct:
		return "an object"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Bool:
		return "true or false"
	}
	return "a number"
}

func (s *Server) handleSubmitJSON(c *gin.Context) {
	sub, err := decodeSubmission(c.Request.Body)
	if err != nil {
		s.jsonError(c, err)
		return
	}
	d, err := s.resolve(c.Request.Context(), c.Param("token"), sub.Language)
	if err != nil {
		s.jsonError(c, err)
		return
	}
	if sub.Language != "" && !d.in.HasLanguage(sub.Language) {
		s.jsonError(c, &exchange.Error{Code: exchange.EINVALID, Message: "unknown language",
			Fields: map[string]string{"language": fmt.Sprintf("one of %s", strings.Join(d.in.Languages, ", "))}})
		return
	}
	wave, err := s.waveFor(c.Request.Context(), d, sub.Wave)
	if err != nil {
		s.jsonError(c, err)
		return
	}
	answers, errs := d.in.FromValues(wave, sub.Answers)
	if len(errs) > 0 {
		c.AbortWithStatusJSON(http.StatusUnprocessableEntity, errorJSON{
			Error:  fmt.Sprintf("%d answer(s) are not valid; nothing was saved", len(errs)),
			Fields: errs.Messages(d.lang),
		})
		return
	}
	r, err := s.save(c.Request.Context(), d, wave, answers, exchange.SourceAPI)
	if err != nil {
		s.jsonError(c, err)
		return
	}
	notApplicable := d.in.NotApplicable(wave, answers)
	if notApplicable == nil {
		notApplicable = []string{}
	}
	c.JSON(http.StatusOK, savedJSON{Status: "saved", Wave: wave, Versions: r.Seq, SubmittedAt: r.SubmittedAt.UTC().Format("2006-01-02T15:04:05Z"),
		NotApplicable: notApplicable})
}
