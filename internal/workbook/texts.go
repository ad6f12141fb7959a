package workbook

import "github.com/csci/exchangeeval/internal/i18n"

// The words a reader meets in the workbook — the Summary and About sheets,
// chart and section titles, verdicts — are the catalogue's "workbook.*"
// messages, in the language of its labels (Export.Labels) when the
// interface speaks it, English otherwise. The data sheets' column headers
// stay English whatever the labels: scripts read them by name.

// textLanguage is the language of a workbook's texts: that of its labels
// when a catalogue has it, else English.
func textLanguage(labels string) string {
	if i18n.Active().Has(labels) {
		return labels
	}
	return i18n.Source
}

// t words a text of the workbook in its language.
func (b *book) t(key string, args ...any) string { return i18n.T(b.lang, "workbook."+key, args...) }

// exchangeName is the exchange's name in the workbook's language; that of
// the combined analysis when the workbook holds several.
func (b *book) exchangeName() string {
	if len(b.e.Exchanges) == 1 {
		return b.e.Exchanges[0].NameIn(b.lang)
	}
	return b.e.Report.Exchange.Name
}
