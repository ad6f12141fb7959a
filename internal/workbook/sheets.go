package workbook

import (
	"fmt"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/csci/exchangeeval/internal/analysis"
	"github.com/csci/exchangeeval/internal/survey"
)

func (b *book) summary() error {
	r, in := b.e.Report, b.e.Instrument
	s := b.sheet(SheetSummary)
	x := r.Exchange
	s.put(styled{b.t("evaluation", b.exchangeName()), b.title})
	s.blank()
	s.put(styled{b.t("exchange"), b.bold}, x.ID)
	s.put(styled{b.t("delegation"), b.bold}, fmt.Sprintf("%s → %s", x.VisitingCity, x.HostCity))
	s.put(styled{b.t("dates"), b.bold}, b.t("dates.range", x.Start, x.End))
	s.put(styled{b.t("instrument"), b.bold}, b.t("instrument.version", in.ID, in.Version))
	s.put(styled{b.t("generated"), b.bold}, styled{b.e.GeneratedAt.UTC(), b.date})
	s.put(styled{b.t("mincell"), b.bold}, styled{r.MinCell, b.integer}, styled{b.t("mincell.note", b.suppressed()), b.muted})
	s.blank()

	s.put(styled{b.t("participation"), b.bold})
	s.headerRow(b.t("wave"), b.t("responded"), b.t("imported"), b.t("rate"))
	s.put(b.t("invited"), styled{r.Participation.Invited, b.integer})
	for _, w := range r.Participation.Waves {
		s.put(b.waveTitle(w.Wave), styled{w.Responded, b.integer}, styled{w.Imported, b.integer}, b.num(w.Rate, false, b.pct))
	}
	for _, p := range r.Participation.Pairs {
		s.put(b.t("pairs.of", b.waveTitle(p.From), b.waveTitle(p.To)), styled{p.N, b.integer})
	}
	s.blank()

	s.put(styled{b.t("attainment"), b.bold})
	s.headerRow(b.t("goal"), b.t("from"), b.t("to"), b.t("mean.before"), b.t("mean.after"), b.t("change"), b.t("ci.low"), b.t("ci.high"), "d_z", "p (Holm)", b.t("pairs"), b.t("verdict"), b.t("reason"))
	first := s.row
	if len(r.Goals) == 0 {
		s.noData(b.t("nogoals"))
	}
	for _, g := range r.Goals {
		c := comparison(g.Comparisons, g.Criterion.From, g.Criterion.To)
		p := c.Paired
		var lo, hi *float64
		if p.CI != nil {
			lo, hi = &p.CI[0], &p.CI[1]
		}
		s.fitRow(s.row, b.text(g.Title), 44)
		s.put(styled{b.text(g.Title), b.wrap}, b.waveTitle(g.Criterion.From), b.waveTitle(g.Criterion.To),
			b.num(p.MeanFrom, p.Suppressed, b.num2), b.num(p.MeanTo, p.Suppressed, b.num2), b.num(p.MeanDiff, p.Suppressed, b.num2),
			b.num(lo, p.Suppressed, b.num2), b.num(hi, p.Suppressed, b.num2), b.num(p.DZ, p.Suppressed, b.num2),
			b.num(p.PHolm, p.Suppressed, b.pval), styled{p.N, b.integer}, styled{b.t("verdict." + g.Verdict), b.verdict[g.Verdict]}, styled{g.ReasonIn(b.lang), b.wrap})
	}
	last := s.row - 1
	s.widths(44, 24, 24, 12, 12, 10, 11, 11, 8, 10, 8, 16, 60)
	if s.err != nil {
		return s.err
	}
	if len(r.Goals) > 0 {
		chart := &excelize.Chart{
			Type: excelize.Col,
			Series: []excelize.ChartSeries{
				{Name: fmt.Sprintf("%s!$D$%d", SheetSummary, first-1), Categories: fmt.Sprintf("%s!$A$%d:$A$%d", SheetSummary, first, last), Values: fmt.Sprintf("%s!$D$%d:$D$%d", SheetSummary, first, last)},
				{Name: fmt.Sprintf("%s!$E$%d", SheetSummary, first-1), Categories: fmt.Sprintf("%s!$A$%d:$A$%d", SheetSummary, first, last), Values: fmt.Sprintf("%s!$E$%d:$E$%d", SheetSummary, first, last)},
			},
			Title:     excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: b.t("chart.goals")}}},
			Legend:    excelize.ChartLegend{Position: "bottom"},
			Dimension: excelize.ChartDimension{Width: 720, Height: 320},
			// The axis spans the answer scale (1 to 5), not 0 to 5.
			YAxis: excelize.ChartAxis{MajorGridLines: true, Minimum: ptr(1.0), Maximum: ptr(float64(b.scalePoints()))},
		}
		cell, _ := excelize.CoordinatesToCellName(1, last+3)
		if err := b.f.AddChart(SheetSummary, cell, chart); err != nil {
			return err
		}
	}
	return nil
}

// waveTitle is a wave's title in the workbook's language.
func (b *book) waveTitle(id string) string {
	if w := b.e.Instrument.Wave(id); w != nil {
		return b.text(w.Title)
	}
	return id
}

// scalePoints is the most points of the goals' answer scales: the top of
// a goal score's range.
func (b *book) scalePoints() int {
	points := 0
	for _, q := range b.e.Instrument.Questions() {
		// Goal items are Likert; an open question may name a goal too.
		if sc := b.e.Instrument.Scales[q.Scale]; q.Goal != "" && q.Type == survey.TypeLikert && sc != nil {
			points = max(points, sc.Points)
		}
	}
	return max(points, 2)
}

// comparison finds the comparison from → to; an empty one when absent.
func comparison(cs []analysis.Comparison, from, to string) analysis.Comparison {
	for _, c := range cs {
		if c.From == from && c.To == to {
			return c
		}
	}
	return analysis.Comparison{From: from, To: to, Paired: analysis.Paired{NotComputable: "not compared"}}
}

func (b *book) goals() error {
	r := b.e.Report
	s := b.sheet(SheetGoals)
	waves := b.e.Instrument.WaveIDs()
	head := []string{"Goal", "Title", "From", "To", "Pairs", "Mean from", "Mean to", "Mean change", "SD change", "SE", "t", "df", "p", "p (Holm)",
		"95% CI low", "95% CI high", "d_z", "g_z", "Improved", "Unchanged", "Declined", "Wilcoxon V", "Wilcoxon p", "Wilcoxon method",
		"Welch n from", "Welch n to", "Welch t", "Welch df", "Welch p"}
	for _, w := range waves {
		head = append(head, "Alpha "+w)
	}
	head = append(head, "Verdict", "Note")
	s.headerRow(head...)
	rows := 0
	for _, g := range r.Goals {
		alpha := map[string]analysis.Alpha{}
		for _, a := range g.Alpha {
			alpha[a.Wave] = a
		}
		for _, c := range g.Comparisons {
			p, w, sup := c.Paired, c.Welch, c.Paired.Suppressed
			var lo, hi *float64
			if p.CI != nil {
				lo, hi = &p.CI[0], &p.CI[1]
			}
			share := func(v float64) any {
				if sup {
					return b.withheld()
				}
				return styled{v, b.pct}
			}
			vals := []any{g.ID, b.text(g.Title), c.From, c.To, styled{p.N, b.integer},
				b.num(p.MeanFrom, sup, b.num2), b.num(p.MeanTo, sup, b.num2), b.num(p.MeanDiff, sup, b.num2), b.num(p.SDDiff, sup, b.num2),
				b.num(p.SE, sup, b.num3), b.num(p.T, sup, b.num3), b.num(p.DF, sup, b.integer), b.num(p.P, sup, b.pval), b.num(p.PHolm, sup, b.pval),
				b.num(lo, sup, b.num2), b.num(hi, sup, b.num2), b.num(p.DZ, sup, b.num2), b.num(p.GZ, sup, b.num2),
				share(p.Improved), share(p.Unchanged), share(p.Declined),
				b.num(p.Wilcoxon.V, sup, b.num2), b.num(p.Wilcoxon.P, sup, b.pval), orSuppressed(b, sup, p.Wilcoxon.Method),
				welchN(b, w.NFrom, w.Suppressed), welchN(b, w.NTo, w.Suppressed), b.num(w.T, w.Suppressed, b.num3), b.num(w.DF, w.Suppressed, b.num2), b.num(w.P, w.Suppressed, b.pval)}
			for _, wv := range waves {
				a, ok := alpha[wv]
				if !ok {
					vals = append(vals, nil)
					continue
				}
				vals = append(vals, b.num(a.Alpha, a.Suppressed, b.num2))
			}
			// The verdict is the criterion comparison's: other rows
			// (post → follow-up, say) have none of their own.
			verdict := any(styled{"— (not the goal's criterion)", b.muted})
			if c.From == g.Criterion.From && c.To == g.Criterion.To {
				verdict = styled{g.Verdict, b.verdict[g.Verdict]}
			}
			vals = append(vals, verdict, joinNotes(p.NotComputable, p.Wilcoxon.NotComputable, w.NotComputable))
			s.put(vals...)
			rows++
		}
	}
	if rows == 0 {
		s.noData("no goal is measured in two waves")
	}
	s.freeze(1)
	s.widths(14, 36, 9, 9, 7)
	return s.err
}

func welchN(b *book, n int, suppressed bool) any {
	if suppressed {
		return b.withheld()
	}
	return styled{n, b.integer}
}

func orSuppressed(b *book, sup bool, v string) any {
	if sup {
		return b.withheld()
	}
	return v
}

func joinNotes(notes ...string) string {
	var out []string
	for _, n := range notes {
		if n != "" && !contains(out, n) {
			out = append(out, n)
		}
	}
	return strings.Join(out, "; ")
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

func (b *book) items() error {
	r := b.e.Report
	s := b.sheet(SheetItems)
	maxPoints := 0
	for _, it := range r.Items {
		maxPoints = max(maxPoints, it.Points)
	}
	head := []string{"Item", "Goal", "Reverse-coded", "Wave", "n", "No answer", "Not applicable", "Mean", "SD", "Median", "Min", "Max"}
	for p := 1; p <= maxPoints; p++ {
		head = append(head, fmt.Sprintf("Scored %d", p))
	}
	head = append(head, "Top two box", "Compared with", "Pairs", "Mean change", "t", "p", "d_z", "Wilcoxon p")
	s.headerRow(head...)
	if len(r.Items) == 0 {
		s.noData("the instrument has no Likert items")
	}
	for _, it := range r.Items {
		into := map[string]analysis.Comparison{}
		for _, c := range it.Comparisons {
			into[c.To] = c
		}
		for _, w := range it.Waves {
			sup := w.Suppressed
			vals := []any{it.ID, it.Goal, map[bool]string{true: "yes", false: "no"}[it.Reverse], w.Wave, nOrSuppressed(b, w.N, sup),
				count(b, w.NoAnswer, sup), count(b, w.NotApplicable, sup), b.num(w.Mean, sup, b.num2), b.num(w.SD, sup, b.num2), b.num(w.Median, sup, b.num2), b.num(w.Min, sup, b.integer), b.num(w.Max, sup, b.integer)}
			for p := 1; p <= maxPoints; p++ {
				switch {
				case p > it.Points:
					vals = append(vals, nil)
				case sup:
					vals = append(vals, b.withheld())
				default:
					vals = append(vals, styled{w.Distribution[p-1], b.integer})
				}
			}
			vals = append(vals, b.num(w.TopTwoBox, sup, b.pct))
			if c, ok := into[w.Wave]; ok {
				p, ps := c.Paired, c.Paired.Suppressed
				vals = append(vals, c.From, styled{p.N, b.integer}, b.num(p.MeanDiff, ps, b.num2), b.num(p.T, ps, b.num3), b.num(p.P, ps, b.pval),
					b.num(p.DZ, ps, b.num2), b.num(p.Wilcoxon.P, ps, b.pval))
			}
			s.put(vals...)
		}
	}
	s.freeze(1)
	s.widths(22, 14, 9, 10)
	return s.err
}

// count is a count the report may leave out (null when suppressed).
func count(b *book, n *int, sup bool) any {
	if n == nil {
		return nOrSuppressed(b, 0, true)
	}
	return nOrSuppressed(b, *n, sup)
}

func nOrSuppressed(b *book, n int, sup bool) any {
	if sup {
		return b.withheld()
	}
	return styled{n, b.integer}
}

func (b *book) themes() error {
	t := b.e.Report.Themes
	s := b.sheet(SheetThemes)
	label := map[string]string{}
	for _, th := range t.Codebook {
		label[th.ID] = b.text(th.Label)
	}
	waves := t.Waves

	// Share per theme and wave: the chart's data.
	s.put(styled{b.t("themes.share"), b.bold})
	head := []string{"Theme"}
	for _, w := range waves {
		head = append(head, b.waveTitle(w.Wave))
	}
	s.headerRow(head...)
	first := s.row
	for i, th := range t.Codebook {
		vals := []any{label[th.ID]}
		for _, w := range waves {
			if w.Suppressed {
				vals = append(vals, b.withheld())
				continue
			}
			vals = append(vals, b.num(w.Themes[i].Share, false, b.pct))
		}
		s.put(vals...)
	}
	last := s.row - 1
	if len(t.Codebook) == 0 {
		s.noData("the instrument has no theme codebook")
	}
	// The chart (360 px high) takes 18 rows of 20 px, and a row apart
	// from what follows.
	chartRow := s.row + 1
	s.row += 21

	s.put(styled{b.t("themes.bywave"), b.bold})
	s.headerRow("Theme", "Label", "Wave", "Respondents (wave)", "Mentioning", "Share", "Mentions")
	for _, w := range waves {
		for _, tc := range w.Themes {
			s.put(tc.Theme, label[tc.Theme], w.Wave, styled{w.Respondents, b.integer}, styled{tc.Respondents, b.integer}, b.num(tc.Share, false, b.pct), styled{tc.Mentions, b.integer})
		}
		if w.Suppressed {
			s.put(styled{"all themes", b.muted}, nil, w.Wave, b.withheld())
		}
	}
	s.blank()
	s.put(styled{b.t("themes.byquestion"), b.bold})
	s.headerRow("Question", "Goal", "Wave", "Respondents", "Theme", "Mentioning", "Share", "Mentions")
	for _, q := range t.ByQuestion {
		if q.Suppressed {
			s.put(q.Question, q.Goal, q.Wave, b.withheld())
			continue
		}
		for _, tc := range q.Themes {
			s.put(q.Question, q.Goal, q.Wave, styled{q.Respondents, b.integer}, label[tc.Theme], styled{tc.Respondents, b.integer}, b.num(tc.Share, false, b.pct), styled{tc.Mentions, b.integer})
		}
	}
	for _, co := range t.Cooccurrence {
		s.blank()
		s.put(styled{b.t("themes.both", b.waveTitle(co.Wave)), b.bold})
		if co.Suppressed {
			s.put(styled{b.suppressed(), b.muted})
			continue
		}
		head := []string{""}
		for _, th := range t.Codebook {
			head = append(head, label[th.ID])
		}
		s.headerRow(head...)
		for i, th := range t.Codebook {
			vals := []any{styled{label[th.ID], b.bold}}
			for _, n := range co.Matrix[i] {
				vals = append(vals, styled{n, b.integer})
			}
			s.put(vals...)
		}
	}
	s.blank()
	s.put(styled{b.t("quotes"), b.bold})
	s.headerRow("Theme", "Wave", "Question", "Language", "Quote")
	quotes := 0
	for _, q := range t.Quotes {
		if q.Suppressed {
			continue
		}
		for _, qu := range q.Quotes {
			s.put(label[q.Theme], q.Wave, qu.Question, qu.Language, styled{qu.Text, b.wrap})
			quotes++
		}
	}
	if quotes == 0 {
		s.noData("no quotable answers in groups large enough to show")
	}
	b.agreement(s, label)
	s.widths(40, 16, 14, 14, 80, 12, 12, 12)
	if s.err != nil {
		return s.err
	}
	if len(t.Codebook) > 0 && len(waves) > 0 {
		// Columns, not horizontal bars: spreadsheet programs list a bar
		// chart's legend from its last series while drawing its first on
		// top, so no order of the waves read the same in both; columns
		// and their legend both go left to right, first wave first.
		series := []excelize.ChartSeries{}
		for i, w := range waves {
			if w.Suppressed || w.Respondents == 0 {
				continue // a wave nobody has answered yet is no bar
			}
			col, _ := excelize.ColumnNumberToName(i + 2)
			series = append(series, excelize.ChartSeries{
				Name:       fmt.Sprintf("%s!$%s$%d", SheetThemes, col, first-1),
				Categories: fmt.Sprintf("%s!$A$%d:$A$%d", SheetThemes, first, last),
				Values:     fmt.Sprintf("%s!$%s$%d:$%s$%d", SheetThemes, col, first, col, last),
			})
		}
		if len(series) == 0 {
			return nil
		}
		chart := &excelize.Chart{Type: excelize.Col, Series: series,
			Title:     excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: b.t("chart.themes")}}},
			Legend:    excelize.ChartLegend{Position: "bottom"},
			Dimension: excelize.ChartDimension{Width: 720, Height: 360},
			YAxis:     excelize.ChartAxis{NumFmt: excelize.ChartNumFmt{CustomNumFmt: "0%"}, MajorGridLines: true},
		}
		cell, _ := excelize.CoordinatesToCellName(1, chartRow)
		return b.f.AddChart(SheetThemes, cell, chart)
	}
	return nil
}

func (b *book) breakdowns() error {
	r := b.e.Report
	s := b.sheet(SheetBreakdowns)
	s.headerRow("By", "Group", "Kind", "Goal or theme", "Wave", "n", "Mean", "SD", "Median", "Mentioning", "Share")
	rows := 0
	for _, br := range r.Breakdowns {
		for _, g := range br.Groups {
			for _, gs := range g.Goals {
				sup := gs.Suppressed
				s.put(br.By, g.Value, "goal score", gs.Goal, gs.Wave, nOrSuppressed(b, gs.N, sup), b.num(gs.Mean, sup, b.num2), b.num(gs.SD, sup, b.num2), b.num(gs.Median, sup, b.num2))
				rows++
			}
			for _, th := range g.Themes {
				sup := th.Suppressed
				var mentioning any = b.withheld()
				if !sup && th.Mentioning != nil {
					mentioning = styled{*th.Mentioning, b.integer}
				}
				s.put(br.By, g.Value, "theme share", th.Theme, th.Wave, nOrSuppressed(b, th.Respondents, sup), nil, nil, nil, mentioning, b.num(th.Share, sup, b.pct))
				rows++
			}
		}
	}
	if rows == 0 {
		s.noData("no participants yet")
	}
	s.freeze(1)
	s.widths(10, 18, 12, 22, 10)
	return s.err
}
