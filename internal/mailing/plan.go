package mailing

import (
	"fmt"
	"net/mail"

	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/survey"
)

// Skipped is a participant a message is not written to, and why.
type Skipped struct {
	PID, Reason string
}

// Request is what to write: a kind of message for a wave of an exchange,
// to its participants.
type Request struct {
	Instrument *survey.Instrument
	Exchange   *exchange.Exchange
	Wave, Kind string
	// BaseURL is where the personal links point.
	BaseURL string
	// Answered are the participants who have answered the wave: a
	// reminder is not written to them.
	Answered map[string]bool
}

// Plan writes the message for each participant: in their language, from
// the instrument's wording for the wave (in their language, else its base
// language) or else the service's own. Participants without a usable
// address are skipped, with the reason.
func Plan(r Request, people []*exchange.Participant) (mails []*Mail, skipped []Skipped, err error) {
	w := r.Instrument.Wave(r.Wave)
	if w == nil {
		return nil, nil, exchange.Errorf(exchange.EINVALID, "wave %q is not one of %s (%v)", r.Wave, r.Instrument.ID, r.Instrument.WaveIDs())
	}
	known := false
	for _, k := range Kinds {
		known = known || k == r.Kind
	}
	if !known {
		return nil, nil, exchange.Errorf(exchange.EINVALID, "unknown kind of message %q (kinds: %v)", r.Kind, Kinds)
	}
	deadline := r.Exchange.Waves[r.Wave].Closes
	for _, p := range people {
		if r.Kind == Reminder && r.Answered[p.PID] {
			continue
		}
		if a, err := mail.ParseAddress(p.Email); p.Email == "" || err != nil || a.Address != p.Email {
			reason := "no e-mail address"
			if p.Email != "" {
				reason = fmt.Sprintf("%q is not an e-mail address", p.Email)
			}
			skipped = append(skipped, Skipped{PID: p.PID, Reason: reason})
			continue
		}
		lang := p.Language
		if !r.Instrument.HasLanguage(lang) {
			lang = r.Instrument.BaseLanguage()
		}
		v := Values{Name: p.Name, Link: exchange.WaveLinkURL(r.BaseURL, p.Token, r.Wave), Wave: w.Title.In(lang, r.Instrument.BaseLanguage()), Exchange: r.Exchange.NameIn(lang)}
		if deadline != nil {
			v.Deadline = Date(lang, *deadline)
		}
		c := Render(template(r.Instrument, w, r.Kind, lang), v, lang)
		mails = append(mails, &Mail{Exchange: r.Exchange.ID, Participant: p.PID, Wave: r.Wave, Kind: r.Kind, Language: lang,
			To: p.Email, Name: p.Name, Subject: c.Subject, Text: c.Text, HTML: c.HTML})
	}
	return mails, skipped, nil
}

// template is the wording of a kind of message for a wave in lang: the
// instrument's, in lang or else its base language, as questionnaires
// fall back; the service's own when the instrument has none for the kind.
func template(in *survey.Instrument, w *survey.Wave, kind, lang string) Template {
	if m := w.Messages[kind]; m != nil {
		base := in.BaseLanguage()
		if m.Subject[lang] == "" || m.Body[lang] == "" {
			lang = base
		}
		return Template{Subject: m.Subject.In(lang, base), Body: m.Body.In(lang, base)}
	}
	return Default(kind, lang)
}
