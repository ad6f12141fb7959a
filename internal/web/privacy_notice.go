package web

import (
	"html/template"

	"github.com/csci/exchangeeval/internal/survey"
)

// The privacy notice on the questionnaire's first page: the instrument's
// own (survey.PrivacyNotice), or the service's, in the delegate's language.
// Each response records the version shown.

// defaultNoticeVersion names the wording of the catalogue entry
// "privacy.notice.default". Change it with that wording, so the responses
// given under each are told apart.
const defaultNoticeVersion = "exchangeeval-2026-12"

// noticeText is the notice delegates of in read in lang, as text.
func noticeText(in *survey.Instrument, lang string) string {
	if in.Privacy != nil {
		return in.Privacy.Text.In(lang, in.BaseLanguage())
	}
	return translate(lang, "privacy.notice.default")
}

// noticeOnPage is the same on the questionnaire, marked where the
// instrument lacks lang and shows its base language instead.
func noticeOnPage(in *survey.Instrument, lang string) template.HTML {
	if in.Privacy != nil {
		return inPage(in.Privacy.Text, lang, in.BaseLanguage())
	}
	return template.HTML(template.HTMLEscapeString(noticeText(in, lang)))
}

// noticeVersion is the version of the notice shown with in.
func noticeVersion(in *survey.Instrument) string {
	if in.Privacy != nil {
		return in.Privacy.Version
	}
	return defaultNoticeVersion
}
