package web

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"slices"
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
	title := fmt.Sprintf("%s: %s %s, %s %s", translate(lang, "dash.chart.goal"), waveTitle(in, c.From, lang), formatNumber(lang, *p.MeanFrom, 2),
		waveTitle(in, c.To, lang), formatNumber(lang, *p.MeanTo, 2))
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
		fmt.Fprintf(&b, `<text x="%.0f" y="%.1f" class="value">%s</text>`, x+bar/2, y(bar2.mean)-4, formatNumber(lang, bar2.mean, 2))
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
	// Each theme's label stands on its own line above its bars, which take
	// the whole width: at 360 units wide the chart is drawn about 1:1 on a
	// 390 px phone, so 11 px text stays 11 px, and no label, however long
	// in French, runs into a bar. (A label column beside the bars left them
	// a few pixels at that width.)
	const w, row, barH, labelH, valueW = 360.0, 15.0, 11.0, 17.0, 40.0
	group := labelH + float64(len(waves))*row + 8
	legendRows := (len(waves) + 1) / 2
	h := group*float64(len(r.Themes.Codebook)) + 6 + 18*float64(legendRows)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart themes" viewBox="0 0 %.0f %.0f" role="img" aria-label="%s" xmlns="http://www.w3.org/2000/svg">`, w, h, html.EscapeString(translate(lang, "dash.themes")))
	for t, th := range r.Themes.Codebook {
		y0 := float64(t) * group
		fmt.Fprintf(&b, `<text x="0" y="%.1f" class="tlabel">%s</text>`, y0+labelH-5, html.EscapeString(survey.Text(th.Label).In(lang, in.BaseLanguage())))
		for i, wv := range waves {
			share := 0.0
			if s := wv.Themes[t].Share; s != nil {
				share = *s
			}
			y := y0 + labelH + float64(i)*row
			bar := share * (w - valueW)
			fmt.Fprintf(&b, `<rect x="0" y="%.1f" width="%.1f" height="%.0f" class="w%d"/>`, y, bar, barH, i)
			fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" class="value-l">%s %%</text>`, bar+4, y+barH-2, formatNumber(lang, 100*share, 0))
		}
	}
	for i, wv := range waves {
		x, y := float64(i%2)*(w/2), group*float64(len(r.Themes.Codebook))+6+18*float64(i/2)
		fmt.Fprintf(&b, `<rect x="%.0f" y="%.0f" width="12" height="12" class="w%d"/><text x="%.0f" y="%.0f" class="axis-l">%s</text>`, x, y, i, x+16, y+10, html.EscapeString(waveTitle(in, wv.Wave, lang)))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// forestPlot draws a goal's programme: each exchange's change with its
// confidence interval, and the pooled estimate, on one axis. Each row's
// label stands on lines of its own above the row's marks (wrapped, the full
// name in a title), and the zero and minimum-change lines are drawn only
// across the marks' bands, so no line runs through a label. Text is 13
// units in a 360-unit drawing: at least 12 CSS px on a 390 px phone.
func forestPlot(g analysis.ProgrammeGoal, names map[string]string, minCell int, lang string) template.HTML {
	const w, lineH, rowH, valueW, gap = 360.0, 16.0, 16.0, 146.0, 6.0
	// The minimum change is the criterion's: another comparison has none.
	target := 0.0
	if g.Criterion {
		target = g.MinChange
	}
	lo, hi := math.Min(0, target), math.Max(0, target)
	widen := func(a, b float64) { lo, hi = math.Min(lo, a), math.Max(hi, b) }
	for _, e := range g.Exchanges {
		if e.Pooled {
			widen(e.CI[0], e.CI[1])
		}
	}
	if g.Random != nil {
		widen(g.Random.CI[0], g.Random.CI[1])
		if g.Prediction != nil {
			widen(g.Prediction[0], g.Prediction[1])
		}
	}
	pad := (hi - lo) * 0.08
	if pad == 0 {
		pad = 0.5
	}
	lo, hi = lo-pad, hi+pad
	plotW := w - valueW
	x := func(v float64) float64 { return plotW * (v - lo) / (hi - lo) }

	// Lay the rows out first: a label of one or more lines, then the band
	// where the marks go.
	type row struct {
		label, full []string
		top, mid    float64
		marks       bool // the row has marks (not a note)
	}
	var rows []row
	y := 4.0
	add := func(full string, lines []string, marks bool) float64 {
		r := row{label: lines, full: []string{full}, top: y, marks: marks}
		r.mid = y + float64(len(lines))*lineH + rowH/2
		rows = append(rows, r)
		y = r.mid + rowH/2 + gap
		return r.mid
	}
	for _, e := range g.Exchanges {
		suffix := ""
		if e.N > 0 {
			// Kept on one line with the name's last word: "2014 · 18
			// pairs" never parts.
			suffix = "\u00a0·\u00a0" + strings.ReplaceAll(translate(lang, "prog.pairs", e.N), " ", "\u00a0")
		}
		add(names[e.Exchange], wrapLabel(names[e.Exchange]+suffix, forestChars, 2), e.Pooled)
	}
	pooled := translate(lang, "prog.pooled")
	add(pooled, wrapLabel(pooled, forestChars, 2), g.Random != nil)
	bottom := y + 2
	h := bottom + 34 // room for the minimum-change caption's descenders

	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart forest" viewBox="0 0 %.0f %.0f" role="img" aria-label="%s" xmlns="http://www.w3.org/2000/svg">`, w, h,
		html.EscapeString(translate(lang, "prog.forest", survey.Text(g.Title).In(lang, "en"))))
	// Reference lines first, under the marks, and only across the bands.
	for _, r := range rows {
		if !r.marks {
			continue
		}
		fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" class="zero"/>`, x(0), x(0), r.mid-rowH/2, r.mid+rowH/2)
		if target != 0 {
			fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" class="target"/>`, x(target), x(target), r.mid-rowH/2, r.mid+rowH/2)
		}
	}
	label := func(r row) {
		fmt.Fprintf(&b, `<text class="tlabel"><title>%s</title>`, html.EscapeString(r.full[0]))
		for i, l := range r.label {
			fmt.Fprintf(&b, `<tspan x="0" y="%.1f">%s</tspan>`, r.top+float64(i+1)*lineH-4, html.EscapeString(l))
		}
		b.WriteString(`</text>`)
	}
	weightOf := func(e analysis.ExchangeEffect) float64 {
		if e.Weight == nil {
			return 0
		}
		return *e.Weight
	}
	for i, e := range g.Exchanges {
		r := rows[i]
		label(r)
		if e.Pooled {
			side := 4 + 6*math.Sqrt(weightOf(e))
			fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" class="ci"/>`, x(e.CI[0]), x(e.CI[1]), r.mid, r.mid)
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" class="est"/>`, x(*e.MeanDiff)-side/2, r.mid-side/2, side, side)
			fmt.Fprintf(&b, `<text x="%.0f" y="%.1f" class="value-l">%s [%s ; %s]</text>`, plotW+6, r.mid+4, formatSigned(lang, *e.MeanDiff, 2),
				formatNumber(lang, e.CI[0], 2), formatNumber(lang, e.CI[1], 2))
		} else {
			note := translate(lang, "prog.notpooled", minCell)
			if e.N == 0 {
				note = translate(lang, "prog.nopairs")
			}
			fmt.Fprintf(&b, `<text x="0" y="%.1f" class="axis-l">%s</text>`, r.mid+4, html.EscapeString(note))
		}
	}
	r := rows[len(rows)-1]
	label(r)
	if p := g.Random; p != nil {
		if g.Prediction != nil {
			fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" class="pi"/>`, x(g.Prediction[0]), x(g.Prediction[1]), r.mid, r.mid)
		}
		fmt.Fprintf(&b, `<polygon points="%.1f,%.1f %.1f,%.1f %.1f,%.1f %.1f,%.1f" class="diamond"/>`, x(p.CI[0]), r.mid, x(p.Estimate), r.mid-6, x(p.CI[1]), r.mid, x(p.Estimate), r.mid+6)
		fmt.Fprintf(&b, `<text x="%.0f" y="%.1f" class="value-l">%s [%s ; %s]</text>`, plotW+6, r.mid+4, formatSigned(lang, p.Estimate, 2), formatNumber(lang, p.CI[0], 2), formatNumber(lang, p.CI[1], 2))
	} else {
		fmt.Fprintf(&b, `<text x="0" y="%.1f" class="axis-l">%s</text>`, r.mid+4, html.EscapeString(translate(lang, "prog.nopool")))
	}
	// The axis: zero, the goal's minimum change, and the ends.
	fmt.Fprintf(&b, `<line x1="0" x2="%.0f" y1="%.1f" y2="%.1f" class="grid"/>`, plotW, bottom, bottom)
	var ticks []float64
	for _, t := range []float64{0, target, lo + pad, hi - pad} {
		if !slices.ContainsFunc(ticks, func(u float64) bool { return math.Abs(u-t) < 0.16*(hi-lo) }) {
			ticks = append(ticks, t)
		}
	}
	for _, t := range ticks {
		label := formatSigned(lang, t, 1)
		if t == 0 {
			label = "0"
		}
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" class="tick">%s</text>`, x(t), bottom+14, label)
	}
	if target != 0 {
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" class="tick">%s</text>`, x(target), bottom+28, html.EscapeString(translate(lang, "prog.target")))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// forestChars is how many characters of a label fit on one line of the
// forest plot: 360 units at 13 px, about 7.2 units a character.
const forestChars = 48

// wrapLabel breaks a label into at most lines lines of n characters,
// between words where it can; what does not fit ends in an ellipsis (the
// full text is in the label's title and the table beside the chart).
func wrapLabel(s string, n, lines int) []string {
	var out []string
	rest := []rune(s)
	for len(rest) > 0 && len(out) < lines {
		if len(rest) <= n {
			out = append(out, string(rest))
			rest = nil
			break
		}
		cut := n
		for i := n; i > n/2; i-- {
			if rest[i] == ' ' {
				cut = i
				break
			}
		}
		if len(out) == lines-1 {
			out = append(out, fitLabel(string(rest), n))
			rest = nil
			break
		}
		out = append(out, strings.TrimSpace(string(rest[:cut])))
		rest = []rune(strings.TrimSpace(string(rest[cut:])))
	}
	return out
}

// fitLabel shortens a label to n characters, with an ellipsis, so that it
// stays inside a chart 360 units wide at 11 px (about 6 units a
// character); the full name is in the tables beside the chart.
func fitLabel(s string, n int) string {
	r := []rune(s)
	if len(r) <= n || n < 2 {
		return s
	}
	return strings.TrimSpace(string(r[:n-1])) + "…"
}
