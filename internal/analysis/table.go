package analysis

import (
	"math"
	"slices"

	"github.com/csci/exchangeeval/internal/survey"
)

// Scores gives every participant's scored answers and goal scores, as the
// analysis holds them, so a wide table (one row per participant) can be
// written without reading the responses again. Participants are numbered
// 0 … Participants()-1 in the order of their keys.
type Scores struct {
	a *analyzer
}

// place is where participant i (in key order) is held.
func (s Scores) place(i int) int { return int(s.a.order[i]) }

// Participants is the number of participants, invited or responding.
func (s Scores) Participants() int { return len(s.a.keys) }

// Participant returns participant i's key (pseudonymous id; exchange/id in
// a combined analysis) and attributes: city, role, language, side.
func (s Scores) Participant(i int) (key string, attrs [4]string) {
	for k := range breakdownAttributes {
		if v := s.a.attrVals[k][s.a.attrs[k].get(s.place(i))]; v != NotGiven {
			attrs[k] = v
		}
	}
	return s.a.keys[s.place(i)], attrs
}

// Index returns the place of the participant with that key (as Participant
// gives it), found by binary search over the ids in order.
func (s Scores) Index(key string) (int, bool) {
	return slices.BinarySearchFunc(s.a.order, key, func(place int32, key string) int { return naturalCompare(s.a.keys[place], key) })
}

// Responded reports whether participant i answered wave.
func (s Scores) Responded(i int, wave string) bool {
	w, ok := s.a.wix[wave]
	return ok && s.a.responded[w].get(s.place(i))
}

// Item returns participant i's scored answer to Likert item q in wave.
func (s Scores) Item(i int, q *survey.Question, wave string) (int, bool) {
	w, ok := s.a.wix[wave]
	if !ok {
		return 0, false
	}
	for j, item := range s.a.items {
		if item == q {
			v := s.a.scores[w][j].get(s.place(i))
			return int(v), v != 0
		}
	}
	return 0, false
}

// Goal returns participant i's score on goal in wave.
func (s Scores) Goal(i int, goal, wave string) (float64, bool) {
	w, ok := s.a.wix[wave]
	if !ok {
		return 0, false
	}
	if len(s.a.goalIdx[goal][w]) == 0 {
		return 0, false
	}
	v := s.a.goalScore(goal, w, s.place(i))
	if math.IsNaN(v) {
		return 0, false
	}
	return v, true
}
