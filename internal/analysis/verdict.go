package analysis

import (
	"fmt"
	"strings"

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

// text writes the reason in lang (English, or French).
func (f reasonFacts) text(lang string) string {
	fr := lang == "fr"
	num := func(format string, x float64) string {
		s := fmt.Sprintf(format, x)
		if fr {
			s = strings.ReplaceAll(s, ".", ",")
		}
		return s
	}
	switch f.kind {
	case "missing":
		if fr {
			return fmt.Sprintf("les items de l'objectif ne sont pas posés à la fois en %s et en %s", f.from, f.to)
		}
		return fmt.Sprintf("the goal's items are not asked in both %s and %s", f.from, f.to)
	case "few":
		if fr {
			return fmt.Sprintf("%d paires ; le critère en demande au moins %d", f.n, f.minPairs)
		}
		return fmt.Sprintf("%d pairs; the criterion needs at least %d", f.n, f.minPairs)
	case "suppressed":
		if fr {
			return fmt.Sprintf("%d paires, moins que la taille minimale de groupe %d : chiffres masqués", f.n, f.minCell)
		}
		return fmt.Sprintf("%d pairs, fewer than the minimum cell size %d: figures suppressed", f.n, f.minCell)
	case "untestable":
		if fr {
			return fmt.Sprintf("aucun test possible sur %d paires : %s", f.n, f.notComputable)
		}
		return fmt.Sprintf("no test possible over %d pairs: %s", f.n, f.notComputable)
	}
	ge := map[bool]string{true: "≥", false: "<"}[f.bigEnough]
	lt := map[bool]string{true: "<", false: "≥"}[f.significant]
	join := "and"
	if f.partly {
		join = "but"
	}
	if fr {
		join = map[string]string{"and": "et", "but": "mais"}[join]
		return fmt.Sprintf("évolution moyenne %s %s %s %s p de Holm %s %s %s sur %d paires",
			strings.ReplaceAll(signed(f.change), ".", ","), ge, num("%.2f", f.minChange), join,
			strings.ReplaceAll(pValue(f.pHolm), ".", ","), lt, num("%.2g", f.alpha), f.n)
	}
	return fmt.Sprintf("mean change %s %s %.2f %s Holm p %s %s %.2g over %d pairs", signed(f.change), ge, f.minChange, join, pValue(f.pHolm), lt, f.alpha, f.n)
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
