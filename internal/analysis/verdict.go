package analysis

import (
	"fmt"
	"github.com/csci/exchangeeval/internal/i18n"

	"github.com/csci/exchangeeval/internal/survey"
)

// reasonFacts are what a verdict rests on, kept so the reason can be
// written in any language.
type reasonFacts struct {
	kind                   string // "missing", "few", "suppressed", "untestable", "tested"
	from, to               string
	n, minPairs, minCell   int
	change, minChange      float64
	pHolm, alpha           float64
	bigEnough, significant bool
	partly                 bool
	notComputable          string
}

// verdict applies a goal's criterion to its comparison; the facts say why.
func verdict(c survey.Criterion, comps []Comparison, minCell int) (string, reasonFacts) {
	f := reasonFacts{from: c.From, to: c.To, minPairs: c.MinPairs, minCell: minCell, minChange: c.MinChange, alpha: c.Alpha}
	var cmp *Comparison
	for i := range comps {
		if comps[i].From == c.From && comps[i].To == c.To {
			cmp = &comps[i]
		}
	}
	if cmp == nil {
		f.kind = "missing"
		return InsufficientData, f
	}
	p := cmp.Paired
	f.n = p.N
	switch {
	case p.N < c.MinPairs:
		f.kind = "few"
		return InsufficientData, f
	case p.Suppressed:
		f.kind = "suppressed"
		return InsufficientData, f
	case p.PHolm == nil:
		f.kind, f.notComputable = "untestable", p.NotComputable
		return InsufficientData, f
	}
	f.kind, f.change, f.pHolm = "tested", *p.MeanDiff, *p.PHolm
	f.bigEnough, f.significant = f.change >= c.MinChange, f.pHolm < c.Alpha
	switch {
	case f.change > 0 && f.bigEnough && f.significant:
		return Attained, f
	case f.change > 0 && (f.bigEnough || f.significant):
		f.partly = true
		return PartlyAttained, f
	default:
		return NotAttained, f
	}
}

// text writes the reason in lang (the catalogue's "verdict.*"), its
// numbers with the language's decimal separator.
func (f reasonFacts) text(lang string) string {
	num := func(s string) string { return i18n.Decimal(lang, s) }
	switch f.kind {
	case "missing":
		return i18n.T(lang, "verdict.missing", f.from, f.to)
	case "few":
		return i18n.T(lang, "verdict.few", f.n, f.minPairs)
	case "suppressed":
		return i18n.T(lang, "verdict.suppressed", f.n, f.minCell)
	case "untestable":
		return i18n.T(lang, "verdict.untestable", f.n, f.notComputable)
	}
	ge := map[bool]string{true: "≥", false: "<"}[f.bigEnough]
	lt := map[bool]string{true: "<", false: "≥"}[f.significant]
	key := "verdict.tested.and"
	if f.partly {
		key = "verdict.tested.but"
	}
	return i18n.T(lang, key, num(signed(f.change)), ge, num(fmt.Sprintf("%.2f", f.minChange)), num(pValue(f.pHolm)), lt, num(fmt.Sprintf("%.2g", f.alpha)), f.n)
}

func signed(x float64) string {
	if x < 0 {
		return fmt.Sprintf("−%.2f", -x)
	}
	return fmt.Sprintf("+%.2f", x)
}

// pValue writes a p-value as reports do: "= 0.003", "= 0.0004", "< 0.0001".
func pValue(p float64) string {
	switch {
	case p < 0.0001:
		return "< 0.0001"
	case p < 0.001:
		return fmt.Sprintf("= %.4f", p)
	}
	return fmt.Sprintf("= %.3f", p)
}
