package analysis

// goalScoreOf is the mean of the n answered items of a goal's `items`, when
// at least half of them are answered: the one rule for goal scores.
func goalScoreOf(sum, n, items int) (float64, bool) {
	if items == 0 || 2*n < items {
		return 0, false
	}
	return float64(sum) / float64(n), true
}
