package mailing

import (
	"github.com/csci/exchangeeval/internal/i18n"
	"html"
	"strings"
	"time"
	"unicode"

	"github.com/csci/exchangeeval/internal/survey"
)

// Kinds of message, as instruments name them in their messages.
const (
	Invitation = survey.MessageInvitation
	Reminder   = survey.MessageReminder
	ThankYou   = survey.MessageThankYou
)

// Kinds lists them.
var Kinds = survey.MessageKinds

// Template is a message's subject and body, with placeholders.
type Template struct{ Subject, Body string }

// Values fill a template's placeholders. Deadline is "" when the wave has
// none: sentences about it are then dropped (see Render).
type Values struct {
	Name, Link, Wave, Deadline, Exchange string
}

// Composed is a message ready to send: a one-line subject, a plain-text
// body and the same as HTML.
type Composed struct {
	Language, Subject, Text, HTML string
}

// Default is the message of a kind the service ships, in lang (English
// where the interface does not speak lang): the catalogue's
// "email.<kind>.subject" and "email.<kind>.body", whose {placeholders}
// Render fills. A line holding {deadline} is left out when the wave has no
// closing date.
func Default(kind, lang string) Template {
	return Template{Subject: i18n.T(lang, "email."+kind+".subject"), Body: i18n.T(lang, "email."+kind+".body")}
}

// Render fills a template. In the subject every value is one line (a name
// with a line break in it cannot add a header); in the HTML every value
// and the template's own text are escaped, and the link is a link.
func Render(t Template, v Values, lang string) Composed {
	body := t.Body
	if v.Deadline == "" {
		// No closing date: drop the paragraph that would name one.
		var kept []string
		for _, para := range strings.Split(body, "\n\n") {
			if !strings.Contains(para, "{deadline}") {
				kept = append(kept, para)
			}
		}
		body = strings.Join(kept, "\n\n")
	}
	subjectValues := Values{Name: oneLine(v.Name), Link: oneLine(v.Link), Wave: oneLine(v.Wave), Deadline: oneLine(v.Deadline), Exchange: oneLine(v.Exchange)}
	rtl := i18n.Dir(lang) == "rtl"
	c := Composed{Language: lang, Subject: oneLine(fill(t.Subject, subjectValues, nil, rtl))}
	c.Text = fill(body, v, nil, rtl)
	var b strings.Builder
	// Arabic, Hebrew, Persian, Urdu mail reads right to left; a name or
	// link in Latin letters keeps its own order inside it (dir=auto on
	// the values would be lost by mail clients that strip attributes, so
	// the paragraph's direction is what is set).
	dir := map[bool]string{true: "rtl", false: "ltr"}[rtl]
	b.WriteString(`<!doctype html><html lang="` + html.EscapeString(lang) + `" dir="` + dir + `"><head><meta charset="utf-8"></head><body dir="` + dir + `">`)
	for _, para := range strings.Split(body, "\n\n") {
		b.WriteString("<p>")
		b.WriteString(strings.ReplaceAll(fill(para, v, html.EscapeString, rtl), "\n", "<br>\n"))
		b.WriteString("</p>\n")
	}
	b.WriteString("</body></html>\n")
	c.HTML = b.String()
	return c
}

// fill replaces the placeholders of s; with escape, the text around them
// and the values are escaped, and {link} becomes an anchor.
//
// In a right-to-left message (rtl) each value but the link is put between
// Unicode isolates, so a Latin name or a date keeps its own order; the
// link stands on its own line and is left bare, for mail clients that
// turn it into a link by what surrounds it.
func fill(s string, v Values, escape func(string) string, rtl bool) string {
	values := map[string]string{"name": v.Name, "link": v.Link, "wave": v.Wave, "deadline": v.Deadline, "exchange": v.Exchange}
	var out strings.Builder
	last := 0
	for _, m := range survey.Placeholder.FindAllStringSubmatchIndex(s, -1) {
		text, key := s[last:m[0]], s[m[2]:m[3]]
		value, known := values[key]
		if !known {
			value = s[m[0]:m[1]] // left as written; validate reports it
		}
		if escape != nil {
			text = escape(text)
			if key == "link" && known {
				value = `<a href="` + escape(value) + `">` + escape(value) + `</a>`
			} else {
				value = escape(value)
			}
		}
		out.WriteString(text)
		if rtl && known && key != "link" {
			value = "\u2068" + value + "\u2069"
		}
		out.WriteString(value)
		last = m[1]
	}
	rest := s[last:]
	if escape != nil {
		rest = escape(rest)
	}
	out.WriteString(rest)
	return out.String()
}

// oneLine turns line breaks and other control characters into spaces.
func oneLine(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return unicode.IsControl(r) || r == ' ' }), " ")
}

// Date writes a day as a reader of lang writes it: "1 March 2027",
// "1er mars 2027".
func Date(lang string, t time.Time) string { return i18n.Date(lang, t) }
