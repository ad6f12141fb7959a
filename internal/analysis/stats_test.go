package analysis

import (
	"math"
	"testing"
)

// Reference values below were produced with R 4.2.2 (Debian's r-base-core)
// and psych 2.2.9 (r-cran-psych), printed with options(digits = 15); the
// R call is given beside each. Wilcoxon references use
// wilcox.test(round(later - earlier, 9)), which is wilcox.test(later,
// earlier, paired = TRUE) with true ties kept (see SignedRank).

// Student's sleep data (R's datasets::sleep): extra hours of sleep of ten
// patients with drug 1 and with drug 2.
var (
	sleep1 = []float64{0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0}
	sleep2 = []float64{1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4}
)

func near(t *testing.T, name string, got *float64, want float64) {
	t.Helper()
	if got == nil {
		t.Errorf("%s: nil, want %.15g", name, want)
		return
	}
	if rel := math.Abs(*got-want) / math.Max(math.Abs(want), 1e-300); rel > 1e-6 {
		t.Errorf("%s = %.15g, want %.15g (relative error %.2g)", name, *got, want, rel)
	}
}

func TestPairedTSleep(t *testing.T) {
	// t.test(sleep2, sleep1, paired = TRUE)
	p := PairedT(sleep1, sleep2)
	near(t, "t", p.T, 4.06212768338203656)
	near(t, "df", p.DF, 9)
	near(t, "p", p.P, 0.00283289019738427)
	near(t, "ci low", &p.CI[0], 0.70011423672301754)
	near(t, "ci high", &p.CI[1], 2.45988576327698238)
	near(t, "mean diff", p.MeanDiff, 1.58)
	// d_z = mean(d) / sd(d) with d <- sleep2 - sleep1: 1.28455756259105;
	// g_z = d_z * (1 - 3 / (4 * 9 - 1)).
	near(t, "d_z", p.DZ, 1.28455756259105)
	near(t, "g_z", p.GZ, 1.28455756259105*(1-3.0/(4*9-1)))
	if p.Improved != 0.9 || p.Unchanged != 0.1 || p.Declined != 0 {
		t.Errorf("shares: %v %v %v", p.Improved, p.Unchanged, p.Declined)
	}
}

func TestWelchSleep(t *testing.T) {
	// t.test(sleep2, sleep1) — Welch, var.equal = FALSE
	w := WelchT(sleep1, sleep2)
	near(t, "t", w.T, 1.8608134674868531)
	near(t, "df", w.DF, 17.7764735161784984)
	near(t, "p", w.P, 0.0793941401873582)
	near(t, "ci low", &w.CI[0], -0.2054832307117102)
	near(t, "ci high", &w.CI[1], 3.3654832307117104)
}

func TestSignedRank(t *testing.T) {
	tests := []struct {
		name           string
		earlier, later []float64
		v, p           float64
		method         string
	}{
		// wilcox.test(sleep2, sleep1, paired = TRUE): one zero difference
		// and tied differences, so the normal approximation.
		{"sleep: ties and a zero", sleep1, sleep2, 45, 0.00909069801592506, WilcoxonNormal},
		// Hollander & Wolfe's depression data, R's ?wilcox.test example:
		// wilcox.test(x, y, paired = TRUE), exact.
		{"depression: exact", []float64{0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29},
			[]float64{1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30}, 40, 0.0390625, WilcoxonExact},
		// Swapped: V = 5, same two-sided p.
		{"depression: swapped", []float64{1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30},
			[]float64{0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29}, 5, 0.0390625, WilcoxonExact},
		// e <- 1:7; l <- e + c(0, 1.5, -0.5, 2.2, 3.1, 0.7, 1.9)
		// A zero but no ties: R still leaves the exact test.
		{"zero without ties", []float64{1, 2, 3, 4, 5, 6, 7}, []float64{1, 3.5, 2.5, 6.2, 8.1, 6.7, 8.9}, 20, 0.0591720678258594, WilcoxonNormal},
		// d1 <- c(2.1, 3.4, 1.9, 5.0, 2.2, 3.8, 4.1, 2.6, 3.3, 1.7, 4.4, 2.9)
		// d2 <- c(3.05, 3.2, 3.15, 6.4, 2.05, 4.55, 4.0, 3.9, 4.65, 2.8, 4.1, 4.7)
		// wilcox.test(round(d2 - d1, 9))
		{"twelve untied", []float64{2.1, 3.4, 1.9, 5.0, 2.2, 3.8, 4.1, 2.6, 3.3, 1.7, 4.4, 2.9},
			[]float64{3.05, 3.2, 3.15, 6.4, 2.05, 4.55, 4.0, 3.9, 4.65, 2.8, 4.1, 4.7}, 68, 0.02099609375, WilcoxonExact},
		// The same with d2[5] <- 2.0: 3.2 − 3.4 and 2.0 − 2.2 are both −0.2,
		// a true tie that floating point splits; plain wilcox.test(d2, d1,
		// paired = TRUE) misses it and runs the exact test (p 0.0210).
		{"ties floating point would hide", []float64{2.1, 3.4, 1.9, 5.0, 2.2, 3.8, 4.1, 2.6, 3.3, 1.7, 4.4, 2.9},
			[]float64{3.05, 3.2, 3.15, 6.4, 2.0, 4.55, 4.0, 3.9, 4.65, 2.8, 4.1, 4.7}, 68, 0.0253135199687666, WilcoxonNormal},
		// wilcox.test(round(b - a, 9))
		{"sixty untied: n ≥ 50", wilcoxA, wilcoxB, 1372, 7.77781142659306e-04, WilcoxonNormal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := SignedRank(tt.earlier, tt.later)
			near(t, "V", w.V, tt.v)
			near(t, "p", w.P, tt.p)
			if w.Method != tt.method {
				t.Errorf("method %q, want %q", w.Method, tt.method)
			}
		})
	}
}

// Drawn with set.seed(1); a <- round(runif(60, 1, 5), 3); b <- a + round(rnorm(60, 0.3, 1), 3).
var (
	wilcoxA = []float64{2.062, 2.488, 3.291, 4.633, 1.807, 4.594, 4.779, 3.643, 3.516, 1.247, 1.824, 1.706, 3.748, 2.536, 4.079, 2.991, 3.87, 4.968, 2.52, 4.11, 4.739, 1.849, 3.607, 1.502, 2.069, 2.544, 1.054, 2.53, 4.479, 2.361, 2.928, 3.398, 2.974, 1.745, 4.309, 3.674, 4.177, 1.432, 3.895, 2.645, 4.284, 3.588, 4.132, 3.212, 3.119, 4.157, 1.093, 2.909, 3.929, 3.771, 2.91, 4.445, 2.752, 1.979, 1.283, 1.398, 2.265, 3.075, 3.648, 2.627}
	wilcoxB = []float64{3.721, 2.685, 3.979, 4.879, 0.73, 4.479, 4.685, 3.884, 4.916, 2.31, 1.959, 1.753, 4.745, 3.393, 3.69, 2.584, 4.535, 6.037, 2.708, 5.291, 5.437, 1.537, 4.248, 0.673, 3.802, 4.824, 0.987, 1.786, 5.349, 2.526, 5.63, 3.659, 3.964, 2.073, 3.866, 4.163, 2.672, 3.198, 4.348, 5.118, 5.06, 3.178, 5.043, 2.578, 2.165, 4.748, 0.95, 3.21, 4.303, 3.481, 2.641, 4.61, 4.23, 0.755, 2.177, 2.031, 3.628, 3.071, 4.318, 3.194}
)

func TestHolm(t *testing.T) {
	// p.adjust(c(0.01, 0.04, 0.03, 0.005), "holm") = 0.03 0.06 0.06 0.02
	got := Holm([]float64{0.01, 0.04, math.NaN(), 0.03, 0.005})
	want := []float64{0.03, 0.06, math.NaN(), 0.06, 0.02}
	for i := range want {
		if math.IsNaN(want[i]) != math.IsNaN(got[i]) || (!math.IsNaN(want[i]) && math.Abs(got[i]-want[i]) > 1e-12) {
			t.Errorf("Holm = %v, want %v", got, want)
			break
		}
	}
}

func TestCronbachAlpha(t *testing.T) {
	// m <- matrix(c(4,3,5,4, 2,2,3,2, 5,4,5,5, 3,3,2,3, 4,5,4,4, 1,2,2,1, 3,4,3,3), ncol = 4, byrow = TRUE)
	// psych::alpha(m)$total$raw_alpha = 0.934798534798535
	rows := [][]float64{{4, 3, 5, 4}, {2, 2, 3, 2}, {5, 4, 5, 5}, {3, 3, 2, 3}, {4, 5, 4, 4}, {1, 2, 2, 1}, {3, 4, 3, 3}}
	a := CronbachAlpha(rows)
	near(t, "alpha", a.Alpha, 0.934798534798535)
	if a.N != 7 || a.Items != 4 {
		t.Errorf("n %d, items %d", a.N, a.Items)
	}
}

func TestDescribe(t *testing.T) {
	d := Describe([]float64{2, 4, 4, 4, 5, 5, 7, 9})
	near(t, "sd", d.SD, 2.1380899352994) // sd(c(2,4,4,4,5,5,7,9))
	near(t, "mean", d.Mean, 5)
	near(t, "median", d.Median, 4.5)
	if *d.Min != 2 || *d.Max != 9 || d.N != 8 {
		t.Errorf("%+v", d)
	}
	near(t, "even median", Describe([]float64{3, 1, 2, 8}).Median, 2.5) // median(c(3,1,2,8))
}

// Degenerate cases say why, never NaN or a panic.
func TestNotComputable(t *testing.T) {
	for name, c := range map[string]struct{ e, l []float64 }{
		"no pairs":       {nil, nil},
		"one pair":       {[]float64{1}, []float64{2}},
		"constant diffs": {[]float64{1, 2, 3}, []float64{2, 3, 4}},
		"all zero":       {[]float64{1, 2, 3}, []float64{1, 2, 3}},
	} {
		p := PairedT(c.e, c.l)
		if p.NotComputable == "" || p.T != nil || p.P != nil {
			t.Errorf("%s: paired %+v", name, p)
		}
		w := SignedRank(c.e, c.l)
		if name != "one pair" && name != "constant diffs" && (w.NotComputable == "" || w.P != nil) {
			t.Errorf("%s: wilcoxon %+v", name, w)
		}
		if w.P != nil && (math.IsNaN(*w.P) || *w.P < 0 || *w.P > 1) {
			t.Errorf("%s: wilcoxon p %v", name, *w.P)
		}
	}
	if w := WelchT([]float64{1}, []float64{2, 3}); w.NotComputable == "" {
		t.Errorf("welch with one value: %+v", w)
	}
	if w := WelchT([]float64{2, 2}, []float64{3, 3}); w.NotComputable == "" || w.T != nil {
		t.Errorf("welch without variance: %+v", w)
	}
	for name, rows := range map[string][][]float64{"none": nil, "one item": {{1}, {2}}, "one case": {{1, 2}}, "constant": {{3, 3}, {3, 3}}} {
		if a := CronbachAlpha(rows); a.NotComputable == "" || a.Alpha != nil {
			t.Errorf("alpha %s: %+v", name, a)
		}
	}
}

// Properties: swapping waves flips the sign of everything directional and
// keeps the p-values; reverse-coding twice is the identity.
func TestProperties(t *testing.T) {
	a, b := PairedT(sleep1, sleep2), PairedT(sleep2, sleep1)
	if math.Abs(*a.T+*b.T) > 1e-12 || math.Abs(*a.P-*b.P) > 1e-12 || math.Abs(*a.DZ+*b.DZ) > 1e-12 || math.Abs(a.CI[0]+b.CI[1]) > 1e-12 {
		t.Errorf("swap: %+v vs %+v", a, b)
	}
	wa, wb := SignedRank(wilcoxA, wilcoxB), SignedRank(wilcoxB, wilcoxA)
	if math.Abs(*wa.P-*wb.P) > 1e-12 || *wa.V+*wb.V != 60*61/2 {
		t.Errorf("wilcoxon swap: %v+%v, p %v vs %v", *wa.V, *wb.V, *wa.P, *wb.P)
	}
	for points := 2; points <= 11; points++ {
		for x := 1; x <= points; x++ {
			if Score(Score(x, points, true), points, true) != x {
				t.Fatalf("reverse twice: %d on %d points", x, points)
			}
		}
	}
	// The exact distribution sums to one and is symmetric.
	for n := 1; n < 50; n += 7 {
		max := n * (n + 1) / 2
		if math.Abs(signRankCDF(max, n)-1) > 1e-12 || math.Abs(signRankCDF(max/2, n)+signRankCDF(max-max/2-1, n)-1) > 1e-9 {
			t.Errorf("signRankCDF(n=%d) is not a symmetric distribution", n)
		}
	}
}

// TestFiguresDoNotDependOnAddress: the same numbers give the same figures
// to the last bit wherever they lie in memory. gonum's sums start at the
// first 16-byte-aligned element, so with them the mean of these four goal
// scores moved in the last bit when the slice began 8 bytes further on —
// and a committee's sign-off would have been flagged as outdated.
func TestFiguresDoNotDependOnAddress(t *testing.T) {
	values := []float64{2.3333333333333335, 1.3333333333333333, 3, 2, 4.666666666666667, 1.6666666666666667, 3.3333333333333335}
	for n := 2; n <= len(values); n++ {
		want := Describe(values[:n])
		for offset := 1; offset < 4; offset++ {
			buf := make([]float64, offset+n)
			copy(buf[offset:], values[:n])
			got := describeSorting(buf[offset:])
			if *got.Mean != *want.Mean || *got.SD != *want.SD || *got.Median != *want.Median {
				t.Errorf("%d values at offset %d: mean %v sd %v, want %v %v", n, offset, *got.Mean, *got.SD, *want.Mean, *want.SD)
			}
		}
		e, l := values[:n], make([]float64, n)
		for i := range l {
			l[i] = e[i] * 1.1
		}
		pa := PairedT(e, l)
		shifted := make([]float64, n+1)
		copy(shifted[1:], e)
		if pb := PairedT(shifted[1:], l); *pb.MeanFrom != *pa.MeanFrom || *pb.MeanDiff != *pa.MeanDiff {
			t.Errorf("paired means of %d values depend on the address: %v vs %v", n, *pb.MeanFrom, *pa.MeanFrom)
		}
	}
}
