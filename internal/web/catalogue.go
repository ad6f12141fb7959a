package web

import (
	"github.com/csci/exchangeeval/internal/i18n"
	"golang.org/x/text/language"
	"strconv"
	"strings"
	"time"
)

// translate is the message key in lang (English where lang has none),
// its placeholders filled with args (see package i18n).
func translate(lang, key string, args ...any) string { return i18n.T(lang, key, args...) }

// formatDate writes a day the way a reader of lang expects it (CLDR).
func formatDate(lang string, t time.Time) string { return i18n.Date(lang, t) }

// formatDays writes the days from start to end ("11–17 April 2027"),
// naming the month and year once when they are shared and the language
// writes the day first; otherwise both days in full ("2027年4月11日 –
// 2027年4月17日").
func formatDays(lang string, start, end time.Time) string {
	first, last := formatDate(lang, start), formatDate(lang, end)
	switch {
	case start.Equal(end):
		return first
	case start.Year() == end.Year() && start.Month() == end.Month():
		startDay, endDay := strconv.Itoa(start.Day()), strconv.Itoa(end.Day())
		if rest, ok := strings.CutPrefix(last, endDay); ok && strings.HasPrefix(first, startDay) {
			day := strings.TrimSuffix(first, strings.TrimPrefix(first, startDay))
			if lang == "fr" && start.Day() == 1 {
				day = "1er"
			}
			if strings.HasPrefix(rest, ".") { // German: "11.–17. April"
				day += "."
			}
			return day + "–" + endDay + rest
		}
	}
	return first + " – " + last
}

// formatTime writes a moment the way a reader of lang expects it, in the
// time zone loc (an exchange's), saying which: "9 May 2027 at 14:30
// (Paris, UTC+02:00)".
func formatTime(lang string, t time.Time, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	t = t.In(loc)
	return translate(lang, "datetime", i18n.Date(lang, t), i18n.Time(lang, t), zoneLabel(t))
}

// zoneLabel names t's time zone by its city and its offset from UTC at
// that moment; "UTC" for UTC.
func zoneLabel(t time.Time) string {
	name := t.Location().String()
	if name == "UTC" || name == "" {
		return "UTC"
	}
	city := name[strings.LastIndexByte(name, '/')+1:]
	return strings.ReplaceAll(city, "_", " ") + ", UTC" + t.Format("-07:00")
}

// interfaceLanguages are the languages with a catalogue: those a staff
// member may choose, and a page with no questionnaire is offered in.
func interfaceLanguages() []string { return i18n.Active().Languages() }

// interfaceSpeaks reports whether lang has a catalogue.
func interfaceSpeaks(lang string) bool { return i18n.Active().Has(lang) }

// acceptedLanguage is the browser's first choice (Accept-Language) among
// the interface's languages; English when it names none of them.
func acceptedLanguage(header string) string {
	if header == "" {
		return i18n.Source
	}
	tags, _, err := language.ParseAcceptLanguage(header)
	if err != nil {
		return i18n.Source
	}
	have := interfaceLanguages()
	for _, t := range tags {
		base, _ := t.Base()
		for _, l := range have {
			if l == t.String() || l == base.String() {
				return l
			}
		}
	}
	return i18n.Source
}
