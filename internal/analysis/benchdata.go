package analysis

import (
	"fmt"
	"iter"
	"math/rand/v2"
	"time"

	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/survey"
)

// Synthetic yields n participants of an exchange and a response from each
// in every wave, every question answered as a delegate might: goal items
// that rise from wave to wave, choices, numbers, and open answers that
// mention the codebook's themes. Nothing is held: each participant is drawn
// from a seed of their own, so the two sequences agree, come out the same
// every time, and can stand in for database cursors of any size in
// benchmarks. Responses come grouped by participant.
func Synthetic(in *survey.Instrument, exchangeID string, n int) (iter.Seq2[*exchange.Participant, error], iter.Seq2[*exchange.Response, error]) {
	participants := func(yield func(*exchange.Participant, error) bool) {
		for i := range n {
			if !yield(syntheticParticipant(in, exchangeID, i), nil) {
				return
			}
		}
	}
	responses := func(yield func(*exchange.Response, error) bool) {
		for i := range n {
			p := syntheticParticipant(in, exchangeID, i)
			rng := rand.New(rand.NewPCG(uint64(i), 42))
			level := 2 + rng.Float64()*2
			for w, wave := range in.WaveIDs() {
				r := &exchange.Response{Exchange: exchangeID, Participant: p.PID, Wave: wave, Instrument: in.ID,
					InstrumentVersion: in.Version, Language: p.Language, Answers: syntheticAnswers(in, wave, w, level, rng),
					Source: exchange.SourceWeb, SubmittedAt: syntheticStart.Add(time.Duration(w*7*24+i%96) * time.Hour)}
				if !yield(r, nil) {
					return
				}
			}
		}
	}
	return participants, responses
}

var syntheticStart = time.Date(2014, 3, 1, 9, 0, 0, 0, time.UTC)

var (
	syntheticTexts = []string{
		"Empowerment of families and the evaluation of outcomes with a university.",
		"L'autonomisation des personnes et le pouvoir d'agir des habitants.",
		"Corporate partners and volunteers fund much of the work.",
		"Le mécénat et le bénévolat, et des politiques publiques différentes.",
		"Culturally informed care, diversity, and measuring what we do.",
		"Networking with colleagues.",
	}
	syntheticCities = []string{"Paris", "Chicago", "Hamburg", "Durban", "Birmingham"}
	syntheticRoles  = []string{"administrator", "supervisor", "practitioner", "academic", "lawyer", "future-leader"}
)

func syntheticParticipant(in *survey.Instrument, exchangeID string, i int) *exchange.Participant {
	return &exchange.Participant{Exchange: exchangeID, PID: exchange.PID(i + 1), Email: fmt.Sprintf("p%d@example.org", i),
		City: syntheticCities[i%len(syntheticCities)], Role: syntheticRoles[i%len(syntheticRoles)],
		Language: in.Languages[i%len(in.Languages)], Side: []string{"host", "visiting"}[i%2]}
}

func syntheticAnswers(in *survey.Instrument, wave string, w int, level float64, rng *rand.Rand) survey.Answers {
	a := survey.Answers{}
	for _, q := range in.QuestionsIn(wave) {
		switch q.Type {
		case survey.TypeLikert:
			points := in.Scales[q.Scale].Points
			v := max(1, min(points, int(level+0.4*float64(w)+rng.NormFloat64()*0.7+0.5)))
			if q.Reverse {
				v = points + 1 - v
			}
			a[q.ID] = v
		case survey.TypeSingle:
			a[q.ID] = q.Options[rng.IntN(len(q.Options))].Code
		case survey.TypeMulti:
			a[q.ID] = []string{q.Options[rng.IntN(len(q.Options))].Code}
		case survey.TypeNumber:
			lo := 0.0
			if q.Min != nil {
				lo = *q.Min
			}
			a[q.ID] = lo + float64(rng.IntN(10))
		case survey.TypeText:
			a[q.ID] = syntheticTexts[rng.IntN(len(syntheticTexts))]
		}
	}
	return a
}

// CompleteAnswers answers every question of a wave, varied by k, in the
// form the questionnaire's JSON API takes: for load and crash tests that
// submit through the service.
func CompleteAnswers(in *survey.Instrument, wave string, k int) map[string]any {
	a := map[string]any{}
	for _, q := range in.QuestionsIn(wave) {
		switch q.Type {
		case survey.TypeLikert:
			a[q.ID] = 1 + k%in.Scales[q.Scale].Points
		case survey.TypeSingle:
			a[q.ID] = q.Options[k%len(q.Options)].Code
		case survey.TypeMulti:
			a[q.ID] = []string{q.Options[k%len(q.Options)].Code}
		case survey.TypeNumber:
			v := 1 + float64(k%20)
			if q.Min != nil {
				v = max(v, *q.Min)
			}
			if q.Max != nil {
				v = min(v, *q.Max)
			}
			a[q.ID] = v
		case survey.TypeText:
			a[q.ID] = fmt.Sprintf("Empowerment, volunteers and evaluation with a university (%d).", k)
		}
	}
	return a
}
