package analysis

import (
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// Keyness: how much more a word is used in one body of text (a wave's open
// answers) than in another (the other waves'), by the log-likelihood G²
// (Dunning 1993; Rayson & Garside 2000) for whether it is, and the log
// ratio (Hardie 2014) for by how much.

// LogLikelihood is G² for a word used a times in a text of c words and b
// times in a reference of d words.
func LogLikelihood(a, b, c, d float64) float64 {
	if c <= 0 || d <= 0 {
		return 0
	}
	e1, e2 := c*(a+b)/(c+d), d*(a+b)/(c+d)
	g := 0.0
	if a > 0 {
		g += a * math.Log(a/e1)
	}
	if b > 0 {
		g += b * math.Log(b/e2)
	}
	return 2 * g
}

// LogRatio is log₂ of the word's relative frequency in the text over the
// reference's, each count given half a use so that a word absent from one
// side has a finite ratio: 1 is twice as frequent, 3 eight times.
func LogRatio(a, b, c, d float64) float64 {
	return math.Log2(((a + 0.5) / c) / ((b + 0.5) / d))
}

// KeynessP is the p-value of G² (χ² with one degree of freedom).
func KeynessP(g2 float64) float64 {
	return distuv.ChiSquared{K: 1}.Survival(g2)
}
