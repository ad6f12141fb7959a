package workbook

import "strings"

// candidates writes the Candidates sheet: the report's candidate themes,
// one row each, with the delegates per wave (withheld below the smallest
// group) and the statistics as numbers, for a reader to sort and filter.
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
	head = append(head, "G2", "p", "Log ratio")
	s.headerRow(head...)
	if len(r.Themes.Candidates) == 0 {
		s.noData("no word stands out in one wave (a wave needs another to compare with)")
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
		row = append(row, styled{c.G2, b.num2}, styled{c.P, b.pval}, styled{c.LogRatio, b.num2})
		s.put(row...)
	}
	s.widths(10, 10, 14, 36, 10)
	return nil
}
