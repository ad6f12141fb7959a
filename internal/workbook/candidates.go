package workbook

import "strings"

// candidates writes the Candidates sheet: the report's candidate themes,
// one row each, with the delegates per wave (withheld below the smallest
// group), the statistics as numbers, what it was compared with (the
// other waves, or everyday language) and the words of other languages
// joined to it, for a reader to sort and filter.
func (b *book) candidates() error {
	r := b.e.Report
	s := b.sheet(SheetCandidates)
	var waves []string
	for _, w := range r.Participation.Waves {
		waves = append(waves, w.Wave)
	}
	head := []string{"Wave", "Language", "Stem", "Words", "Mentions"}
	for _, w := range waves {
		head = append(head, "Delegates ("+w+")")
	}
	head = append(head, "G2", "p", "Log ratio", "Against", "Joined words")
	s.headerRow(head...)
	if len(r.Themes.Candidates) == 0 {
		s.noData("no word stands out in a wave, against the other waves or everyday language")
	}
	for _, c := range r.Themes.Candidates {
		row := []any{c.Wave, c.Language, c.Stem, strings.Join(c.Terms, ", "), styled{c.Mentions, b.integer}}
		for _, w := range waves {
			var cell any = b.withheld()
			for _, d := range c.Delegates {
				if d.Wave == w && d.Delegates != nil {
					cell = styled{*d.Delegates, b.integer}
				}
			}
			row = append(row, cell)
		}
		var joined []string
		for _, j := range c.Joined {
			joined = append(joined, j.Language+": "+strings.Join(j.Terms, ", "))
		}
		row = append(row, styled{c.G2, b.num2}, styled{c.P, b.pval}, styled{c.LogRatio, b.num2}, c.Reference, strings.Join(joined, "; "))
		s.put(row...)
	}
	s.widths(10, 10, 14, 36, 10)
	return nil
}

// agreement adds to the Themes sheet how well the coders agree, theme by
// theme and over all, and the answers on which they disagree and nobody
// has reconciled, to reconcile.
func (b *book) agreement(s *sheet, label map[string]string) {
	t := b.e.Report.Themes
	s.blank()
	s.put(styled{b.t("themes.agreement"), b.bold})
	s.headerRow("Theme", "Coders", "n", "Percent agreement", "Kappa", "Kappa CI lower", "Kappa CI upper", "Alpha")
	if len(t.Agreement) == 0 {
		s.noData("no open answer was coded by a person (exchangeeval coding import)")
	}
	for _, a := range t.Agreement {
		name := a.Theme
		if l, ok := label[a.Theme]; ok {
			name = l
		}
		row := []any{name, strings.Join(a.Coders, " · "), styled{a.N, b.integer}, styled{a.Percent / 100, b.pct}, b.num(a.Kappa.Kappa, false, b.num3)}
		if a.CI != nil {
			row = append(row, styled{a.CI[0], b.num3}, styled{a.CI[1], b.num3})
		} else {
			row = append(row, nil, nil)
		}
		row = append(row, b.num(a.Alpha, false, b.num3))
		s.put(row...)
	}
	s.blank()
	s.put(styled{b.t("themes.disagreements"), b.bold})
	s.headerRow("Participant", "Wave", "Question")
	if len(t.Disagreements) == 0 {
		s.noData("no disagreement left to reconcile")
	}
	for _, d := range t.Disagreements {
		s.put(d.Participant, d.Wave, d.Question)
	}
}
