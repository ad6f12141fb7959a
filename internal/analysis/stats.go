package analysis

import (
	"cmp"
	"math"
	"slices"
	"sort"

	"gonum.org/v1/gonum/stat/distuv"
)

// Describe gives the descriptive statistics of a sample: n, mean, SD (n−1),
// median, min, max. The median is R's median(): the middle value, or the mean
// of the two middle values.
func Describe(xs []float64) Descriptive {
	return describeSorting(append([]float64(nil), xs...))
}

// meanVariance is the mean and the unbiased variance (NaN for one value) of
// xs, summed in order with gonum's corrected two-pass formula. It is not
// gonum's stat.MeanVariance because that sums in assembly starting at the
// first 16-byte-aligned element: the same numbers at another address add up
// in another order and can differ in the last bit. A report must not depend
// on where its numbers lie in memory: the same data gives the same figures,
// and a sign-off compares figures exactly.
func meanVariance(xs []float64) (mean, variance float64) {
	n := float64(len(xs))
	var sum float64
	for _, x := range xs {
		sum += x
	}
	mean = sum / n
	var squares, compensation float64
	for _, x := range xs {
		d := x - mean
		squares += d * d
		compensation += d
	}
	return mean, (squares - compensation*compensation/n) / (n - 1)
}

// describeSorting is Describe of a sample it may reorder (sort): the
// analysis's own copies, which need not be copied again.
func describeSorting(s []float64) Descriptive {
	d := Descriptive{N: len(s)}
	if len(s) == 0 {
		return d
	}
	sort.Float64s(s)
	// Copies, not pointers into s: a pointer would keep the whole sorted
	// sample alive as long as the report (68 MB at 100 000 participants).
	mean, variance := meanVariance(s)
	lo, hi := s[0], s[len(s)-1]
	d.Mean, d.Min, d.Max = &mean, &lo, &hi
	med := s[len(s)/2]
	if len(s)%2 == 0 {
		med = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	d.Median = &med
	if len(s) > 1 {
		sd := math.Sqrt(variance)
		d.SD = &sd
	}
	return d
}

// PairedT is R's t.test(later, earlier, paired = TRUE), with effect sizes
// and the direction of each pair. diffs are later − earlier.
func PairedT(earlier, later []float64) Paired {
	n := len(later)
	p := Paired{N: n}
	if n == 0 {
		p.NotComputable = "no pairs"
		return p
	}
	diffs := make([]float64, n)
	for i := range later {
		diffs[i] = later[i] - earlier[i]
		switch {
		case diffs[i] > 0:
			p.Improved++
		case diffs[i] < 0:
			p.Declined++
		default:
			p.Unchanged++
		}
	}
	p.Improved /= float64(n)
	p.Declined /= float64(n)
	p.Unchanged /= float64(n)
	mf, _ := meanVariance(earlier)
	mt, _ := meanVariance(later)
	md, vd := meanVariance(diffs)
	p.MeanFrom, p.MeanTo, p.MeanDiff = &mf, &mt, &md
	if n < 2 {
		p.NotComputable = "fewer than 2 pairs"
		return p
	}
	sd := math.Sqrt(vd)
	p.SDDiff = &sd
	df := float64(n - 1)
	p.DF = &df
	if sd == 0 {
		p.NotComputable = "every pair changed by the same amount (SD of differences is 0)"
		return p
	}
	se := sd / math.Sqrt(float64(n))
	t := md / se
	dist := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}
	pv := 2 * dist.CDF(-math.Abs(t))
	q := dist.Quantile(0.975)
	dz := md / sd
	gz := dz * (1 - 3/(4*df-1))
	p.SE, p.T, p.P = &se, &t, &pv
	p.CI = &[2]float64{md - q*se, md + q*se}
	p.DZ, p.GZ = &dz, &gz
	return p
}

// WelchT is R's t.test(later, earlier, var.equal = FALSE): the unmatched
// comparison of two waves' scores, for waves answered anonymously.
func WelchT(earlier, later []float64) Welch {
	w := Welch{NFrom: len(earlier), NTo: len(later)}
	if len(earlier) < 2 || len(later) < 2 {
		w.NotComputable = "fewer than 2 scores in a wave"
		return w
	}
	m1, v1 := meanVariance(later)
	m2, v2 := meanVariance(earlier)
	n1, n2 := float64(len(later)), float64(len(earlier))
	diff := m1 - m2
	w.MeanDiff = &diff
	s1, s2 := v1/n1, v2/n2
	se := math.Sqrt(s1 + s2)
	if se == 0 {
		w.NotComputable = "no variation in either wave"
		return w
	}
	df := (s1 + s2) * (s1 + s2) / (s1*s1/(n1-1) + s2*s2/(n2-1))
	t := diff / se
	dist := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}
	p := 2 * dist.CDF(-math.Abs(t))
	q := dist.Quantile(0.975)
	w.T, w.DF, w.P = &t, &df, &p
	w.CI = &[2]float64{diff - q*se, diff + q*se}
	return w
}

// Wilcoxon methods, as R names them.
const (
	WilcoxonExact  = "exact"
	WilcoxonNormal = "normal approximation with continuity correction"
)

// SignedRank is R's wilcox.test(later, earlier, paired = TRUE) with its
// defaults: zero differences dropped, average ranks for ties, V the sum of
// positive ranks; the exact p when there are fewer than 50 non-zero
// differences and neither ties nor zeros, otherwise the normal approximation
// with tie and continuity correction.
//
// Differences are rounded to 9 decimals first. Goal scores are means of a
// few integers, and floating point makes true ties differ in the last bit
// (4 − 7/3 ≠ 3 − 4/3), which would hide them from the tie rule; R users
// reproduce this with wilcox.test(round(later - earlier, 9)).
func SignedRank(earlier, later []float64) Wilcoxon {
	diffs := make([]float64, 0, len(later))
	zeros := false
	for i := range later {
		d := math.Round((later[i]-earlier[i])*1e9) / 1e9
		if d == 0 {
			zeros = true
			continue
		}
		diffs = append(diffs, d)
	}
	w := Wilcoxon{NNonZero: len(diffs)}
	n := len(diffs)
	if n == 0 {
		if len(later) == 0 {
			w.NotComputable = "no pairs"
		} else {
			w.NotComputable = "all differences are zero"
		}
		return w
	}
	v, tieGroups := positiveRankSum(diffs)
	w.V = &v
	nf := float64(n)
	if n < 50 && len(tieGroups) == 0 && !zeros {
		// psignrank(V - 1, n, lower.tail = FALSE) or psignrank(V, n).
		var p float64
		if v > nf*(nf+1)/4 {
			p = 1 - signRankCDF(int(v)-1, n)
		} else {
			p = signRankCDF(int(v), n)
		}
		p = math.Min(2*p, 1)
		w.P, w.Method = &p, WilcoxonExact
		return w
	}
	z := v - nf*(nf+1)/4
	ties := 0.0
	for _, t := range tieGroups {
		tf := float64(t)
		ties += tf*tf*tf - tf
	}
	sigma := math.Sqrt(nf*(nf+1)*(2*nf+1)/24 - ties/48)
	correction := 0.0
	if z > 0 {
		correction = 0.5
	} else if z < 0 {
		correction = -0.5
	}
	z = (z - correction) / sigma
	norm := distuv.UnitNormal
	p := 2 * math.Min(norm.CDF(z), 1-norm.CDF(z))
	w.P, w.Method = &p, WilcoxonNormal
	return w
}

// positiveRankSum is V, the sum of the ranks of |d| (tied values sharing
// the mean of their ranks) over the positive differences, and the sizes of
// the groups of tied |d|. It sorts diffs by absolute value, in place, and
// needs no other memory: ranks are walked, not stored. Ranks are multiples
// of ½ well below 2⁵³, so V is exact whatever order it is summed in.
func positiveRankSum(diffs []float64) (v float64, ties []int) {
	slices.SortFunc(diffs, func(x, y float64) int { return cmp.Compare(math.Abs(x), math.Abs(y)) })
	for i := 0; i < len(diffs); {
		j := i
		for j+1 < len(diffs) && math.Abs(diffs[j+1]) == math.Abs(diffs[i]) {
			j++
		}
		rank := float64(i+j)/2 + 1
		for k := i; k <= j; k++ {
			if diffs[k] > 0 {
				v += rank
			}
		}
		if j > i {
			ties = append(ties, j-i+1)
		}
		i = j + 1
	}
	return v, ties
}

// signRankCDF is P(V ≤ q) for the signed-rank statistic of n untied
// differences, as R's psignrank: the number of subsets of {1…n} with sum ≤ q
// over 2ⁿ. No kept Go library has it; the counts come from the standard
// dynamic programme over subset sums.
func signRankCDF(q, n int) float64 {
	if q < 0 {
		return 0
	}
	maxSum := n * (n + 1) / 2
	if q >= maxSum {
		return 1
	}
	counts := make([]float64, maxSum+1)
	counts[0] = 1
	for k := 1; k <= n; k++ {
		for s := maxSum; s >= k; s-- {
			counts[s] += counts[s-k]
		}
	}
	total := math.Ldexp(1, n)
	cum := 0.0
	for s := 0; s <= q; s++ {
		cum += counts[s]
	}
	return cum / total
}

// Holm adjusts p-values for multiple comparisons as R's
// p.adjust(p, method = "holm"). NaN entries (tests not computed) are left
// out of the family and stay NaN.
func Holm(ps []float64) []float64 {
	type entry struct {
		p float64
		i int
	}
	var es []entry
	for i, p := range ps {
		if !math.IsNaN(p) {
			es = append(es, entry{p, i})
		}
	}
	sort.SliceStable(es, func(a, b int) bool { return es[a].p < es[b].p })
	out := make([]float64, len(ps))
	for i := range out {
		out[i] = math.NaN()
	}
	m := float64(len(es))
	running := 0.0
	for k, e := range es {
		adj := math.Min(1, (m-float64(k))*e.p)
		running = math.Max(running, adj)
		out[e.i] = running
	}
	return out
}

// CronbachAlpha is psych::alpha's raw_alpha over complete cases: rows are
// participants, columns items (already reverse-coded).
// alpha = k/(k−1) · (1 − Σ var(item) / var(total)).
func CronbachAlpha(rows [][]float64) Alpha {
	var acc alphaAccumulator
	for _, r := range rows {
		acc.add(r)
	}
	return acc.alpha()
}

// alphaAccumulator gathers Cronbach's alpha over complete rows one at a
// time, so that the analysis need not hold every row: each item's variance
// and the total's are kept by Welford's method.
type alphaAccumulator struct {
	n     int
	items []welford
	total welford
}

func (acc *alphaAccumulator) add(row []float64) {
	if acc.items == nil {
		acc.items = make([]welford, len(row))
	}
	acc.n++
	sum := 0.0
	for j, x := range row {
		acc.items[j].add(x)
		sum += x
	}
	acc.total.add(sum)
}

func (acc *alphaAccumulator) alpha() Alpha {
	a := Alpha{N: acc.n}
	if acc.n == 0 {
		a.NotComputable = "no participant answered every item"
		return a
	}
	k := len(acc.items)
	a.Items = k
	if k < 2 {
		a.NotComputable = "fewer than 2 items"
		return a
	}
	if acc.n < 2 {
		a.NotComputable = "fewer than 2 complete cases"
		return a
	}
	sumVar := 0.0
	for _, it := range acc.items {
		sumVar += it.variance()
	}
	vt := acc.total.variance()
	if vt == 0 {
		a.NotComputable = "total scores do not vary"
		return a
	}
	alpha := float64(k) / float64(k-1) * (1 - sumVar/vt)
	a.Alpha = &alpha
	return a
}

// welford keeps a sample's running mean and sum of squared deviations.
type welford struct {
	n        int
	mean, m2 float64
}

func (w *welford) add(x float64) {
	w.n++
	d := x - w.mean
	w.mean += d / float64(w.n)
	w.m2 += d * (x - w.mean)
}

// variance is the sample variance (n − 1 in the denominator), as R's var.
func (w *welford) variance() float64 { return w.m2 / float64(w.n-1) }
