package workbook

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/csci/exchangeeval/internal/analysis"
	"github.com/csci/exchangeeval/internal/exchange"
)

// SheetProgramme is the first sheet of a programme's workbook: the
// exchanges side by side, each goal pooled across them, with a chart of
// each exchange's change and its confidence interval.
const SheetProgramme = "Programme"

// programme writes the Programme sheet. Each goal's table lists the
// exchanges in date order, then the two pooled estimates; its chart plots
// the exchanges and the random-effects pool with their 95 % confidence
// intervals as error bars (see errorBars: excelize cannot write them).
func (b *book) programme() error {
	p, in := b.e.Programme, b.e.Instrument
	s := b.sheet(SheetProgramme)
	labels := b.exchangeLabels()
	s.put(styled{b.t("prog.title", b.text(in.Title)), b.title})
	s.put(styled{b.t("prog.intro", len(p.Exchanges)), b.muted})
	if len(p.Versions) > 1 {
		s.put(styled{b.t("prog.versions", p.VersionList()), b.muted})
	}
	s.put(styled{b.t("mincell"), b.bold}, styled{p.MinCell, b.integer}, styled{b.t("prog.mincell", b.suppressed()), b.muted})
	s.blank()

	// The exchanges: the name last, where a long one can run on into the
	// empty cells to its right.
	s.put(styled{b.t("exchanges"), b.bold})
	head := []string{b.t("exchange"), b.t("start"), b.t("end"), b.t("version"), b.t("invited.head")}
	for _, w := range in.WaveIDs() {
		head = append(head, b.waveTitle(w))
	}
	s.tallRow(3)
	s.headerRow(append(head, b.t("name"))...)
	for _, x := range p.Exchanges {
		row := []any{labels[x.ID], x.Start, x.End, styled{x.InstrumentVersion, b.integer}, styled{x.Invited, b.integer}}
		for _, w := range in.WaveIDs() {
			row = append(row, styled{x.Responded[w], b.integer})
		}
		s.put(append(row, x.ID+" — "+b.exchangeNameOf(x.ID, x.Name))...)
	}
	for _, g := range p.Goals {
		s.blank()
		if err := b.programmeGoal(s, g, labels); err != nil {
			return err
		}
	}
	if len(p.Themes) > 0 {
		s.blank()
		s.put(styled{b.t("prog.themes"), b.bold})
		s.headerRow(b.t("theme"), b.t("exchange"), b.t("wave"), b.t("respondents"), b.t("share"))
		for _, t := range p.Themes {
			for _, sh := range t.Shares {
				s.put(b.text(t.Label), labels[sh.Exchange], b.waveTitle(sh.Wave), styled{sh.Respondents, b.integer}, b.num(sh.Share, sh.Suppressed, b.pct))
			}
		}
	}
	if len(p.NotComparable) > 0 {
		s.blank()
		s.put(styled{b.t("prog.notcomparable"), b.bold})
		s.headerRow(b.t("prog.part"), b.t("reason"))
		for _, d := range p.NotComparable {
			reason := d.In(b.lang, nil, b.waveTitle)
			s.fitRow(s.row, reason, 100)
			s.put(d.ID, styled{reason, b.wrap})
		}
	}
	s.widths(30, 11, 11, 11, 11, 11, 11, 20, 12, 34, 8, 9, 6, 11, 11)
	return s.err
}

// programmeGoal writes one goal's table, its heterogeneity and trend, and
// its chart.
func (b *book) programmeGoal(s *sheet, g analysis.ProgrammeGoal, labels map[string]string) error {
	heading := b.t("prog.goal.other", b.text(g.Title), b.waveTitle(g.From), b.waveTitle(g.To))
	if g.Criterion {
		heading = b.t("prog.goal", b.text(g.Title), b.waveTitle(g.From), b.waveTitle(g.To), strconv.FormatFloat(g.MinChange, 'f', -1, 64))
	}
	s.put(styled{heading, b.bold})
	s.tallRow(3)
	s.headerRow(b.t("exchange"), b.t("pairs"), b.t("change"), b.t("se"), b.t("ci.low"), b.t("ci.high"), "d_z", b.t("verdict"), b.t("weight"),
		b.t("pooled"), "z", "p", "k", b.t("bar.below"), b.t("bar.above"))
	first := s.row
	for _, e := range g.Exchanges {
		row := []any{labels[e.Exchange], styled{e.N, b.integer}}
		if e.Pooled {
			row = append(row, b.num(e.MeanDiff, false, b.num2), b.num(e.SE, false, b.num3), styled{e.CI[0], b.num2}, styled{e.CI[1], b.num2},
				b.num(e.DZ, false, b.num2), styled{b.t("verdict." + e.Verdict), b.verdict[e.Verdict]}, b.num(e.Weight, false, b.pct), b.t("yes"),
				nil, nil, nil, styled{*e.MeanDiff - e.CI[0], b.num3}, styled{e.CI[1] - *e.MeanDiff, b.num3})
		} else {
			// Nothing in the change columns: the chart leaves a gap, where
			// a text such as n<5 would be drawn as a zero.
			row = append(row, nil, nil, nil, nil, nil, styled{b.t("verdict." + e.Verdict), b.verdict[e.Verdict]}, nil,
				styled{b.excluded(e.Excluded), b.muted})
		}
		s.put(row...)
	}
	chartLast := s.row
	for _, pl := range []struct {
		key string
		v   *analysis.Pooled
	}{{"pool.random", g.Random}, {"pool.fixed", g.Fixed}} {
		if pl.v == nil {
			s.put(styled{b.t(pl.key), b.bold}, nil, nil, nil, nil, nil, nil, nil, nil, styled{b.t("prog.nopool"), b.muted})
			continue
		}
		v := pl.v
		s.put(styled{b.t(pl.key), b.bold}, nil, styled{v.Estimate, b.num2}, styled{v.SE, b.num3}, styled{v.CI[0], b.num2}, styled{v.CI[1], b.num2},
			nil, nil, styled{1.0, b.pct}, nil, styled{v.Z, b.num2}, styled{v.P, b.pval}, styled{v.K, b.integer},
			styled{v.Estimate - v.CI[0], b.num3}, styled{v.CI[1] - v.Estimate, b.num3})
	}
	if h := g.Heterogeneity; h != nil {
		s.tallRow(3)
		s.headerRow(b.t("heterogeneity"), "Q", "df", "p (Q)", "I²", "τ²", b.t("pi.low"), b.t("pi.high"))
		s.put(nil, styled{h.Q, b.num2}, styled{h.DF, b.integer}, styled{h.P, b.pval}, styled{h.I2 / 100, b.pct}, styled{h.Tau2, b.num3},
			styled{g.Prediction[0], b.num2}, styled{g.Prediction[1], b.num2})
	} else {
		note := b.t("prog.onlyone")
		if g.Random == nil {
			note = b.t("prog.nopool")
		}
		s.put(styled{b.t("heterogeneity"), b.bold}, styled{note, b.muted})
	}
	if t := g.Trend; t != nil {
		s.tallRow(3)
		s.headerRow(b.t("trend"), b.t("change"), b.t("earlier"), b.t("difference"), b.t("se"), "p")
		s.put(labels[t.Latest], styled{t.Change, b.num2}, styled{t.Earlier.Estimate, b.num2}, styled{t.Difference, b.num2}, styled{t.SE, b.num3}, styled{t.P, b.pval})
	}
	if s.err != nil || g.Random == nil {
		return s.err
	}
	ref := func(col string) string {
		return fmt.Sprintf("%s!$%s$%d:$%s$%d", SheetProgramme, col, first, col, chartLast)
	}
	low, high := axisRange(g)
	values := ref("C")
	b.errorBars = append(b.errorBars, errorBar{values: values, minus: ref("N"), plus: ref("O")})
	chart := &excelize.Chart{Type: excelize.Line,
		Series: []excelize.ChartSeries{{Name: b.t("change"), Categories: ref("A"), Values: values,
			Line:   excelize.LineOptions{Type: excelize.LineNone},
			Marker: excelize.ChartMarker{Symbol: "square", Size: 7, Fill: excelize.Fill{Type: "pattern", Color: []string{"1F4E79"}, Pattern: 1}}}},
		Title:        excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: b.t("prog.chart", b.text(g.Title))}}},
		Legend:       excelize.ChartLegend{Position: "none"},
		ShowBlanksAs: "gap",
		Dimension:    excelize.ChartDimension{Width: 720, Height: 300},
		// The axis holds every interval, and zero (no change).
		YAxis: excelize.ChartAxis{MajorGridLines: true, NumFmt: excelize.ChartNumFmt{CustomNumFmt: "0.0"}, Minimum: ptr(low), Maximum: ptr(high)},
		XAxis: excelize.ChartAxis{TickLabelPosition: excelize.ChartTickLabelLow},
	}
	s.blank()
	cell, _ := excelize.CoordinatesToCellName(1, s.row)
	if err := b.f.AddChart(SheetProgramme, cell, chart); err != nil {
		return err
	}
	// The chart (300 px) takes 20 rows of 15 px and more, in LibreOffice
	// as in Excel.
	s.row += 19
	return nil
}

// axisRange is the span of a goal's chart: zero and every interval, to
// the next half point.
func axisRange(g analysis.ProgrammeGoal) (float64, float64) {
	low, high := min(0, g.Random.CI[0]), max(0, g.Random.CI[1])
	for _, e := range g.Exchanges {
		if e.Pooled {
			low, high = min(low, e.CI[0]), max(high, e.CI[1])
		}
	}
	return math.Floor(low*2) / 2, math.Ceil(high*2) / 2
}

// tallRow makes the next row tall enough for lines of wrapped text (a
// header such as "Weight (random effects)" in a narrow column).
func (s *sheet) tallRow(lines int) {
	if s.err == nil {
		s.err = s.b.f.SetRowHeight(s.name, s.row, float64(lines)*15+2)
	}
}

// excluded says why an exchange is left out of a goal's pool.
func (b *book) excluded(why string) string {
	if why == "suppressed" {
		return b.t("excluded.suppressed", b.k)
	}
	return b.t("excluded.nospread")
}

// exchangeLabels names each exchange of the programme shortly, for the
// tables' first column and the charts' axis: "Chicago → Paris 2014".
func (b *book) exchangeLabels() map[string]string {
	labels := map[string]string{}
	seen := map[string]int{}
	for _, x := range b.e.Programme.Exchanges {
		l := fmt.Sprintf("%s → %s %s", x.VisitingCity, x.HostCity, strings.SplitN(x.Start, "-", 2)[0])
		labels[x.ID] = l
		seen[l]++
	}
	for id, l := range labels {
		if seen[l] > 1 {
			labels[id] = l + " (" + id + ")"
		}
	}
	return labels
}

// exchangeNameOf is an exchange's name in the workbook's language.
func (b *book) exchangeNameOf(id, name string) string {
	if i := slices.IndexFunc(b.e.Exchanges, func(x *exchange.Exchange) bool { return x.ID == id }); i >= 0 {
		return b.e.Exchanges[i].NameIn(b.lang)
	}
	return name
}
