package web

import (
	"fmt"
	"html"
	"html/template"
	"strings"

	"github.com/csci/exchangeeval/internal/analysis"
	"github.com/csci/exchangeeval/internal/survey"
)

// Charts are drawn on the server as SVG: no script, no external library,
// and they print. Every text in them is escaped.

// goalChart draws the mean goal score before and after (paired participants)
// on the scale's range.
func goalChart(in *survey.Instrument, g analysis.GoalReport, c analysis.Comparison, lang string) template.HTML {
	p := c.Paired
	if p.Suppressed || p.MeanFrom == nil || p.MeanTo == nil {
		return ""
	}
	points := 5
	for _, q := range in.Questions() {
		if q.Goal == g.ID && q.Type == survey.TypeLikert {
			points = in.Scales[q.Scale].Points
			break
		}
	}
	const w, h, left, top, bar = 420.0, 150.0, 34.0, 12.0, 90.0
	plotH := h - top - 28
	y := func(v float64) float64 { return top + plotH*(1-(v-1)/float64(points-1)) }
	var b strings.Builder
	title := fmt.Sprintf("%s: %s %.2f, %s %.2f", translate(lang, "dash.chart.goal"), waveTitle(in, c.From, lang), *p.MeanFrom, waveTitle(in, c.To, lang), *p.MeanTo)
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %.0f %.0f" role="img" aria-label="%s" xmlns="http://www.w3.org/2000/svg">`, w, h, html.EscapeString(title))
	for v := 1; v <= points; v++ {
		fmt.Fprintf(&b, `<line x1="%.0f" x2="%.0f" y1="%.1f" y2="%.1f" class="grid"/><text x="%.0f" y="%.1f" class="axis">%d</text>`, left, w-8, y(float64(v)), y(float64(v)), left-8, y(float64(v))+4, v)
	}
	for i, bar2 := range []struct {
		label string
		mean  float64
		class string
	}{{waveTitle(in, c.From, lang), *p.MeanFrom, "before"}, {waveTitle(in, c.To, lang), *p.MeanTo, "after"}} {
		// Bars centred in each half, so long wave names do not overlap.
		x := left + (w-left)/4 - bar/2 + float64(i)*(w-left)/2
		fmt.Fprintf(&b, `<rect x="%.0f" y="%.1f" width="%.0f" height="%.1f" class="%s"/>`, x, y(bar2.mean), bar, y(1)-y(bar2.mean)+0.5, bar2.class)
		fmt.Fprintf(&b, `<text x="%.0f" y="%.1f" class="value">%.2f</text>`, x+bar/2, y(bar2.mean)-4, bar2.mean)
		fmt.Fprintf(&b, `<text x="%.0f" y="%.0f" class="label">%s</text>`, x+bar/2, h-8, html.EscapeString(bar2.label))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// themeChart draws the share of respondents mentioning each theme, one bar
// per wave.
func themeChart(in *survey.Instrument, r *analysis.Report, lang string) template.HTML {
	var waves []analysis.ThemeWave
	for _, w := range r.Themes.Waves {
		if !w.Suppressed && w.Respondents > 0 {
			waves = append(waves, w)
		}
	}
	if len(waves) == 0 || len(r.Themes.Codebook) == 0 {
		return ""
	}
	const w, labelW, row, barH = 560.0, 210.0, 16.0, 12.0
	group := float64(len(waves))*row + 10
	h := group*float64(len(r.Themes.Codebook)) + 30
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %.0f %.0f" role="img" aria-label="%s" xmlns="http://www.w3.org/2000/svg">`, w, h, html.EscapeString(translate(lang, "dash.themes")))
	for t, th := range r.Themes.Codebook {
		y0 := float64(t)*group + 4
		fmt.Fprintf(&b, `<text x="0" y="%.1f" class="tlabel">%s</text>`, y0+row-3, html.EscapeString(survey.Text(th.Label).In(lang, in.BaseLanguage())))
		for i, wv := range waves {
			share := 0.0
			if s := wv.Themes[t].Share; s != nil {
				share = *s
			}
			y := y0 + float64(i)*row
			fmt.Fprintf(&b, `<rect x="%.0f" y="%.1f" width="%.1f" height="%.0f" class="w%d"/>`, labelW, y, share*(w-labelW-50), barH, i)
			fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" class="value-l">%.0f %%</text>`, labelW+share*(w-labelW-50)+4, y+barH-2, 100*share)
		}
	}
	for i, wv := range waves {
		x := labelW + float64(i)*140
		fmt.Fprintf(&b, `<rect x="%.0f" y="%.0f" width="12" height="12" class="w%d"/><text x="%.0f" y="%.0f" class="axis-l">%s</text>`, x, h-16, i, x+16, h-6, html.EscapeString(waveTitle(in, wv.Wave, lang)))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}
