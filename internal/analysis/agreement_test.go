package analysis

import (
	"math"
	"testing"
)

// toR checks a figure against R's to 1e-9, as the issue asks of agreement.
func toR(t *testing.T, name string, got *float64, want float64) {
	t.Helper()
	switch {
	case got == nil:
		t.Errorf("%s = nil, R says %.15g", name, want)
	case math.Abs(*got-want) > 1e-9:
		t.Errorf("%s = %.15g, R says %.15g", name, *got, want)
	}
}

// TestCohenKappaAgreesWithR: κ and its 95 % interval equal psych's.
//
//	library(psych)
//	a <- c(1,1,0,1,0,0,1,1,1,0,0,1,0,1,1,0,0,0,1,1)
//	b <- c(1,0,0,1,0,1,1,1,0,0,0,1,0,1,1,0,1,0,1,1)
//	k <- cohen.kappa(cbind(a, b)); k$kappa; k$confid[1, ]
//	  0.595959595959596  [0.242170600253341, 0.949748591665851]
//	a3 <- c("x","y","z","x","x","y","z","z","x","y","y","x","z","x","y")
//	b3 <- c("x","y","y","x","z","y","z","z","x","x","y","x","z","y","y")
//	  0.597315436241611  [0.259961646947737, 0.934669225535485]
func TestCohenKappaAgreesWithR(t *testing.T) {
	codes := func(s string) []string {
		out := make([]string, len(s))
		for i, r := range s {
			out[i] = string(r)
		}
		return out
	}
	for _, tc := range []struct {
		a, b             string
		kappa, lo, hi, p float64
	}{
		{"11010011100101100011", "10010111000101101011", 0.595959595959596, 0.242170600253341, 0.949748591665851, 80},
		{"xyzxxyzzxyyxzxy", "xyyxzyzzxxyxzyy", 0.597315436241611, 0.259961646947737, 0.934669225535485, 100 * 11.0 / 15},
	} {
		k := CohenKappa(codes(tc.a), codes(tc.b))
		toR(t, "kappa", k.Kappa, tc.kappa)
		if k.CI == nil {
			t.Fatalf("no interval for %s", tc.a)
		}
		toR(t, "lower", &k.CI[0], tc.lo)
		toR(t, "upper", &k.CI[1], tc.hi)
		toR(t, "percent", &k.Percent, tc.p)
		if k.N != len(tc.a) {
			t.Errorf("n = %d", k.N)
		}
	}
	// Units either coder left uncoded are left out; one code only leaves
	// κ undefined, never a number.
	k := CohenKappa([]string{"1", "", "0", "1"}, []string{"1", "0", "0", ""})
	if k.N != 2 || k.Percent != 100 || k.Kappa == nil || *k.Kappa != 1 {
		t.Errorf("with uncoded units: %+v", k)
	}
	if k := CohenKappa([]string{"1", "1"}, []string{"1", "1"}); k.Kappa != nil || k.Percent != 100 {
		t.Errorf("one code only: %+v", k)
	}
}

// TestKrippendorffAlphaAgreesWithR: α from its published formula in R
// (Krippendorff 2011, "Computing Krippendorff's Alpha-Reliability"),
// on that paper's own nominal example (4 coders, 12 units, missing codes:
// 0.743) and on the two coders above.
//
//	kalpha <- function(units) {
//	  vals <- sort(unique(unlist(units))); vals <- vals[!is.na(vals)]
//	  o <- matrix(0, length(vals), length(vals), dimnames = list(vals, vals))
//	  for (u in units) { u <- u[!is.na(u)]; m <- length(u); if (m < 2) next
//	    for (i in seq_len(m)) for (j in seq_len(m)) if (i != j) o[u[i], u[j]] <- o[u[i], u[j]] + 1 / (m - 1) }
//	  nc <- rowSums(o); n <- sum(nc)
//	  1 - (n - 1) * (sum(o) - sum(diag(o))) / (sum(outer(nc, nc)) - sum(nc^2))
//	}
//	kd <- list(c("1","1",NA,"1"), c("2","2","3","2"), c("3","3","3","3"), c("3","3","3","3"), c("2","2","2","2"),
//	  c("1","2","3","4"), c("4","4","4","4"), c("1","1","2","1"), c("2","2","2","2"), c(NA,"5","5","5"),
//	  c(NA,NA,"1","1"), c(NA,NA,"3",NA))
//	kalpha(kd)  0.743421052631579
//	kalpha(lapply(seq_along(a), function(i) as.character(c(a[i], b[i]))))  0.606060606060606
func TestKrippendorffAlphaAgreesWithR(t *testing.T) {
	kd := [][]string{{"1", "1", "", "1"}, {"2", "2", "3", "2"}, {"3", "3", "3", "3"}, {"3", "3", "3", "3"}, {"2", "2", "2", "2"},
		{"1", "2", "3", "4"}, {"4", "4", "4", "4"}, {"1", "1", "2", "1"}, {"2", "2", "2", "2"}, {"", "5", "5", "5"},
		{"", "", "1", "1"}, {"", "", "3", ""}}
	toR(t, "alpha", KrippendorffAlpha(kd), 0.743421052631579)
	a, b := "11010011100101100011", "10010111000101101011"
	var two [][]string
	for i := range a {
		two = append(two, []string{a[i : i+1], b[i : i+1]})
	}
	toR(t, "alpha of two coders", KrippendorffAlpha(two), 0.606060606060606)
	if a := KrippendorffAlpha([][]string{{"1", "1"}, {"1", "1"}}); a != nil {
		t.Errorf("one code only: %v", *a)
	}
	if a := KrippendorffAlpha([][]string{{"1", ""}, {"", "0"}}); a != nil {
		t.Errorf("nothing paired: %v", *a)
	}
}

// TestKeynessAgreesWithR: G², its p-value and the log ratio, as R computes
// them from their formulas.
//
//	g2 <- function(a, b, c, d) { e1 <- c * (a + b) / (c + d); e2 <- d * (a + b) / (c + d)
//	  2 * (ifelse(a > 0, a * log(a / e1), 0) + ifelse(b > 0, b * log(b / e2), 0)) }
//	lr <- function(a, b, c, d) log2(((a + 0.5) / c) / ((b + 0.5) / d))
//	g2(25, 4, 1200, 2600)  37.400880463712170   lr(25, 4, 1200, 2600)  3.617977557949119
//	pchisq(g2(25, 4, 1200, 2600), 1, lower.tail = FALSE)  9.61786984409808e-10
//	g2(3, 0, 500, 800)  5.733068670164618       lr(3, 0, 500, 800)  3.485426827170242
//	g2(10, 40, 1000, 4000)  0
func TestKeynessAgreesWithR(t *testing.T) {
	g, lr, p := LogLikelihood(25, 4, 1200, 2600), LogRatio(25, 4, 1200, 2600), KeynessP(LogLikelihood(25, 4, 1200, 2600))
	toR(t, "G2", &g, 37.400880463712170)
	toR(t, "log ratio", &lr, 3.617977557949119)
	near(t, "p", &p, 9.61786984409808e-10) // relative: it is far below 1e-9
	g, lr = LogLikelihood(3, 0, 500, 800), LogRatio(3, 0, 500, 800)
	toR(t, "G2 with none in the reference", &g, 5.733068670164618)
	toR(t, "log ratio with none in the reference", &lr, 3.485426827170242)
	g = LogLikelihood(10, 40, 1000, 4000)
	toR(t, "G2 of a word as frequent in both", &g, 0)
}
