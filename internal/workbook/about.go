package workbook

import (
	"fmt"
	"strings"

	"github.com/csci/exchangeeval/internal/survey"
)

func (b *book) codebook() error {
	in := b.e.Instrument
	s := b.sheet(SheetCodebook)
	s.put(styled{b.t("codebook", in.ID, in.Version), b.title})
	s.blank()
	head := []string{"Question", "Section", "Type", "Waves", "Required", "Asked only if", "Goal", "Reverse-coded", "Scale or range"}
	for _, l := range in.Languages {
		head = append(head, "Text ("+l+")")
	}
	for _, l := range in.Languages {
		head = append(head, "Codes ("+l+")")
	}
	s.headerRow(head...)
	yes := map[bool]string{true: "yes", false: "no"}
	for _, sec := range in.Sections {
		for _, q := range sec.Questions {
			scale := q.Scale
			switch q.Type {
			case survey.TypeNumber:
				scale = numberRange(q)
			case survey.TypeText:
				scale = fmt.Sprintf("up to %d characters", q.Limit())
			}
			vals := []any{q.ID, sec.ID, q.Type, strings.Join(q.Waves, ", "), yes[q.Required], q.RelevantAll(), q.Goal, yes[q.Reverse], scale}
			for _, l := range in.Languages {
				vals = append(vals, styled{q.Text.In(l, b.base), b.wrap})
			}
			for _, l := range in.Languages {
				vals = append(vals, styled{codes(in, q, l, b.base), b.wrap})
			}
			s.put(vals...)
		}
	}
	s.blank()
	s.put(styled{b.t("criteria"), b.bold})
	s.headerRow("Goal", "Title", "From", "To", "Minimum change", "Significance level", "Minimum pairs")
	for _, g := range in.Goals {
		c := g.Criterion.Effective()
		s.put(g.ID, b.text(g.Title), c.From, c.To, c.MinChange, c.Alpha, c.MinPairs)
	}
	s.blank()
	s.put(styled{b.t("themes.codebook"), b.bold})
	s.put(b.t("themes.codebookversion", b.e.Report.Themes.CodebookVersion))
	head = []string{"Theme"}
	for _, l := range in.Languages {
		head = append(head, "Label ("+l+")")
	}
	for _, l := range in.Languages {
		head = append(head, "Patterns ("+l+")")
	}
	s.headerRow(head...)
	for _, t := range in.Themes {
		vals := []any{t.ID}
		for _, l := range in.Languages {
			vals = append(vals, t.Label.In(l, b.base))
		}
		for _, l := range in.Languages {
			vals = append(vals, styled{strings.Join(t.Patterns[l], "; "), b.wrap})
		}
		s.put(vals...)
	}
	s.widths(20, 14, 8, 18, 9, 13, 9, 16, 50, 50, 40, 40)
	s.freeze(3)
	return s.err
}

func numberRange(q *survey.Question) string {
	lo, hi := "", ""
	if q.Min != nil {
		lo = fmt.Sprint(*q.Min)
	}
	if q.Max != nil {
		hi = fmt.Sprint(*q.Max)
	}
	s := fmt.Sprintf("%s to %s", lo, hi)
	if q.Integer {
		s += ", whole numbers"
	}
	return strings.TrimSpace(s)
}

// codes lists a question's codes with their labels in lang: "1 = Strongly
// disagree; 2 = Disagree; …".
func codes(in *survey.Instrument, q *survey.Question, lang, base string) string {
	var parts []string
	switch q.Type {
	case survey.TypeLikert:
		sc := in.Scales[q.Scale]
		for v := 1; v <= sc.Points; v++ {
			parts = append(parts, fmt.Sprintf("%d = %s", v, sc.Label(v, lang, base)))
		}
	case survey.TypeSingle, survey.TypeMulti:
		for _, o := range q.Options {
			parts = append(parts, fmt.Sprintf("%s = %s", o.Code, o.Label.In(lang, base)))
		}
		if q.Type == survey.TypeMulti {
			parts = append(parts, "(several codes separated by ;)")
		}
	}
	return strings.Join(parts, "; ")
}

func (b *book) about() error {
	e, r := b.e, b.e.Report
	s := b.sheet(SheetAbout)
	s.put(styled{b.t("about"), b.title})
	s.blank()
	var ids []string
	for _, x := range e.Exchanges {
		ids = append(ids, x.ID)
	}
	labels := b.t("responses.codes")
	if e.Labels != "" {
		labels = b.t("responses.labels", e.Labels)
	}
	rows := [][2]any{
		{b.t("generated"), styled{e.GeneratedAt.UTC(), b.date}},
		{b.t("software"), "exchangeeval " + e.Version},
		{b.t("exchanges"), strings.Join(ids, ", ")},
		{b.t("instrument"), b.t("instrument.version", e.Instrument.ID, e.Instrument.Version)},
		{b.t("hash"), e.Instrument.Hash},
		{b.t("mincell"), r.MinCell},
		{b.t("responses.sheet"), labels},
		{b.t("pairs.sheet"), b.t("pairs.note")},
		{b.t("identifiers"), b.t("identifiers.note")},
		{b.t("headers.note"), b.t("headers.english")},
	}
	if e.Programme != nil {
		rows = append(rows, [2]any{b.t("prog.sheet"), b.t("prog.sheet.note")})
	}
	if len(e.Differences) > 0 {
		// Exchanges run with different versions are analysed together on
		// what the versions share; what they do not is named here.
		var left []string
		for _, d := range e.Differences {
			left = append(left, d.In(b.lang, nil, b.waveTitle))
		}
		rows = append(rows, [2]any{b.t("versions.left"), strings.Join(left, "\n")})
	}
	for _, row := range rows {
		v := row[1]
		if _, ok := v.(styled); !ok {
			s.fitRow(s.row, fmt.Sprint(v), 80)
			v = styled{v, b.wrap}
		}
		s.put(styled{row[0], b.bold}, v)
	}
	s.blank()
	s.put(styled{b.t("cite"), b.bold})
	x := r.Exchange
	cite := b.t("cite.text",
		b.exchangeName(), x.Start, x.End, e.Version, e.GeneratedAt.UTC().Format("2006-01-02"), e.Instrument.ID, e.Instrument.Version, short(e.Instrument.Hash))
	s.fitRow(s.row, cite, 110)
	s.put(styled{cite, b.wrap})
	s.blank()
	s.put(styled{b.t("methods"), b.bold})
	for _, para := range strings.Split(e.Methods, "\n\n") {
		if para = strings.TrimSpace(para); para != "" {
			s.fitRow(s.row, para, 110)
			s.put(styled{para, b.wrap})
		}
	}
	s.widths(110, 80)
	return s.err
}

func short(hash string) string {
	if len(hash) > 12 {
		return hash[:12]
	}
	return hash
}
