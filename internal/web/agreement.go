package web

import (
	"html/template"
	"strings"

	"github.com/csci/exchangeeval/internal/analysis"
	"github.com/csci/exchangeeval/internal/coding"
	"github.com/csci/exchangeeval/internal/survey"
)

// agreementView is a row of the dashboard's agreement between coders:
// the coders compared, the theme (or all), and the figures, worded.
type agreementView struct {
	Theme                            template.HTML
	Coders, N, Percent, Kappa, Alpha string
}

// agreementViews words the report's agreement for the dashboard: the
// automatic coding named as such, κ with its interval, "—" where a figure
// is undefined.
func agreementViews(in *survey.Instrument, r *analysis.Report, lang string) []agreementView {
	labels := map[string]template.HTML{analysis.AllThemes: template.HTML(template.HTMLEscapeString(translate(lang, "dash.agreement.all")))}
	for _, t := range r.Themes.Codebook {
		labels[t.ID] = inPage(survey.Text(t.Label), lang, in.BaseLanguage())
	}
	var out []agreementView
	for _, a := range r.Themes.Agreement {
		var coders []string
		for _, c := range a.Coders {
			if c == coding.Automatic {
				c = translate(lang, "dash.agreement.automatic")
			}
			coders = append(coders, c)
		}
		v := agreementView{Theme: labels[a.Theme], Coders: strings.Join(coders, " · "), N: formatNumber(lang, float64(a.N), 0),
			Percent: formatNumber(lang, a.Percent, 1) + " %", Kappa: "—", Alpha: "—"}
		if a.Kappa.Kappa != nil {
			v.Kappa = formatNumber(lang, *a.Kappa.Kappa, 2)
			if a.CI != nil {
				v.Kappa += " [" + formatNumber(lang, a.CI[0], 2) + " ; " + formatNumber(lang, a.CI[1], 2) + "]"
			}
		}
		if a.Alpha != nil {
			v.Alpha = formatNumber(lang, *a.Alpha, 2)
		}
		out = append(out, v)
	}
	return out
}
