package analysis

import (
	"math"
	"slices"

	"gonum.org/v1/gonum/stat/distuv"
)

// Agreement between coders of open answers: how often they agree, and how
// far beyond chance — Cohen's κ for two coders, with the confidence interval
// psych::cohen.kappa gives, and Krippendorff's α (nominal) for any number
// of coders and answers some coders left uncoded.

// Kappa is Cohen's κ of two coders over the same units.
type Kappa struct {
	// N is the units both coded.
	N int `json:"n"`
	// Percent is the share of them on which they agree, 0–100.
	Percent float64 `json:"percent"`
	// Kappa is nil when chance agreement is complete (every unit given
	// the same code by both): κ is then undefined.
	Kappa *float64 `json:"kappa"`
	// CI is the 95 % interval, clipped to [-1, 1] as psych does; nil with
	// Kappa.
	CI *[2]float64 `json:"kappa_ci"`
}

// CohenKappa compares two coders' codes, unit by unit ("" where a coder
// did not code the unit: such units are left out). The variance is Fleiss,
// Cohen & Everitt's (1969) large-sample one, as psych::cohen.kappa
// computes it.
func CohenKappa(a, b []string) Kappa {
	var pairs [][2]string
	for i := range min(len(a), len(b)) {
		if a[i] != "" && b[i] != "" {
			pairs = append(pairs, [2]string{a[i], b[i]})
		}
	}
	out := Kappa{N: len(pairs)}
	if out.N == 0 {
		return out
	}
	var labels []string
	for _, p := range pairs {
		for _, v := range p {
			if !slices.Contains(labels, v) {
				labels = append(labels, v)
			}
		}
	}
	slices.Sort(labels)
	k := len(labels)
	idx := func(v string) int { i, _ := slices.BinarySearch(labels, v); return i }
	// x: the proportions of the agreement table; rs, cs its margins.
	x := make([][]float64, k)
	for i := range x {
		x[i] = make([]float64, k)
	}
	n := float64(out.N)
	for _, p := range pairs {
		x[idx(p[0])][idx(p[1])] += 1 / n
	}
	rs, cs := make([]float64, k), make([]float64, k)
	po, pc := 0.0, 0.0
	for i := range k {
		for j := range k {
			rs[i] += x[i][j]
			cs[j] += x[i][j]
		}
		po += x[i][i]
	}
	for i := range k {
		pc += rs[i] * cs[i]
	}
	out.Percent = 100 * po
	if k == 1 || pc >= 1 {
		return out
	}
	kappa := (po - pc) / (1 - pc)
	var diag, off float64
	for i := range k {
		for j := range k {
			if i == j {
				d := (1 - pc) - (rs[i]+cs[i])*(1-po)
				diag += x[i][i] * d * d
			} else {
				s := cs[i] + rs[j]
				off += x[i][j] * s * s
			}
		}
	}
	v := (diag + (1-po)*(1-po)*off - math.Pow(po*pc-2*pc+po, 2)) / (n * math.Pow(1-pc, 4))
	if math.IsNaN(v) || v < 0 {
		v = 0
	}
	z := distuv.UnitNormal.Quantile(0.975) * math.Sqrt(v)
	ci := [2]float64{math.Max(kappa-z, -1), math.Min(kappa+z, 1)}
	out.Kappa, out.CI = &kappa, &ci
	return out
}

// KrippendorffAlpha is Krippendorff's α for nominal codes: units[u] holds
// the codes the coders gave unit u ("" for none). Units coded by fewer
// than two coders count for nothing. nil when it is undefined: fewer than
// two codes paired, or one code only.
func KrippendorffAlpha(units [][]string) *float64 {
	// o: the coincidence matrix; each unit with m codes adds 1/(m-1) for
	// every ordered pair of its codes from different coders.
	o := map[[2]string]float64{}
	for _, u := range units {
		var vals []string
		for _, v := range u {
			if v != "" {
				vals = append(vals, v)
			}
		}
		m := float64(len(vals))
		if m < 2 {
			continue
		}
		for i, c := range vals {
			for j, k := range vals {
				if i != j {
					o[[2]string{c, k}] += 1 / (m - 1)
				}
			}
		}
	}
	nc := map[string]float64{}
	var observed float64
	for ck, v := range o {
		nc[ck[0]] += v
		if ck[0] != ck[1] {
			observed += v
		}
	}
	var n, sumSq float64
	for _, v := range nc {
		n += v
		sumSq += v * v
	}
	expected := n*n - sumSq // Σ_{c≠k} n_c n_k
	if n < 2 || expected == 0 {
		return nil
	}
	alpha := 1 - (n-1)*observed/expected
	return &alpha
}
