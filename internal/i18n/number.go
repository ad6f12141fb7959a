package i18n

import (
	"strings"
	"sync"

	"golang.org/x/text/language"
	xmessage "golang.org/x/text/message"
)

// Decimal rewrites a number written with a point ("0.35", "−1.20",
// "< 0.0001") with lang's decimal separator, as CLDR gives it ("0,35" in
// French, German, Spanish and Portuguese; "٫" is not used: the Arabic
// pages write Western digits, as the questionnaires do).
func Decimal(lang, s string) string {
	sep := decimalSeparator(lang)
	if sep == "." || !strings.Contains(s, ".") {
		return s
	}
	return strings.ReplaceAll(s, ".", sep)
}

// separators caches decimalSeparator by language: a dashboard writes
// hundreds of numbers, and a printer is costly to make.
var separators sync.Map

// decimalSeparator is what CLDR puts between a number's whole part and its
// fraction in lang, with Latin digits.
func decimalSeparator(lang string) string {
	if sep, ok := separators.Load(lang); ok {
		return sep.(string)
	}
	sep := cldrSeparator(lang)
	separators.Store(lang, sep)
	return sep
}

func cldrSeparator(lang string) string {
	tag, err := language.Parse(lang)
	if err != nil {
		return "."
	}
	// One and a half, printed by x/text with lang's CLDR symbols; the
	// character between the 1 and the 5 is the separator.
	s := xmessage.NewPrinter(tag).Sprintf("%.1f", 1.5)
	if strings.HasPrefix(s, "1") && strings.HasSuffix(s, "5") && len(s) > 2 {
		return s[1 : len(s)-1]
	}
	return "."
}
