package web

import (
	"fmt"
	"github.com/csci/exchangeeval/internal/i18n"
	"golang.org/x/text/language"
	"strconv"
	"time"

	"github.com/csci/exchangeeval/internal/mailing"
)

// translate is the message key in lang (English where lang has none),
// its placeholders filled with args (see package i18n).
func translate(lang, key string, args ...any) string { return i18n.T(lang, key, args...) }

// formatDate writes a day the way a reader of lang expects it.
func formatDate(lang string, t time.Time) string { return mailing.Date(lang, t) }

// formatDays writes the days from start to end ("11–17 April 2027"),
// naming the month and year once when they are shared.
func formatDays(lang string, start, end time.Time) string {
	switch {
	case start.Equal(end):
		return formatDate(lang, start)
	case start.Year() == end.Year() && start.Month() == end.Month():
		d := strconv.Itoa(start.Day())
		if lang == "fr" && start.Day() == 1 {
			d = "1er"
		}
		return d + "–" + formatDate(lang, end)
	}
	return formatDate(lang, start) + " – " + formatDate(lang, end)
}

// formatTime writes a moment the way a reader of lang expects it.
func formatTime(lang string, t time.Time) string {
	t = t.UTC()
	if lang == "fr" {
		return fmt.Sprintf("%s à %d h %02d (UTC)", mailing.Date(lang, t), t.Hour(), t.Minute())
	}
	return mailing.Date(lang, t) + t.Format(" at 15:04 UTC")
}

// interfaceLanguages are the languages with a catalogue: those a staff
// member may choose, and a page with no questionnaire is offered in.
func interfaceLanguages() []string { return i18n.Active().Languages() }

// acceptedLanguage is the browser's first choice (Accept-Language) among
// the interface's languages; "" when it names none of them.
func acceptedLanguage(header string) string {
	if header == "" {
		return ""
	}
	tags, _, err := language.ParseAcceptLanguage(header)
	if err != nil {
		return ""
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
	return ""
}
