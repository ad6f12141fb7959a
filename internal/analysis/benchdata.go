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

// RandomExchange draws an exchange of the awkward kind real data is: from
// 0 to 40 participants, sometimes all in one language, with cities and
// roles drawn from a few values or not given (so groups are tiny or empty);
// each wave answered by some, none or all of them, and each question by a
// share of those. For property tests: whatever it draws, every output must
// render without a panic or an error.
func RandomExchange(in *survey.Instrument, exchangeID string, rng *rand.Rand) ([]*exchange.Participant, []*exchange.Response) {
	n := rng.IntN(41)
	langs := in.Languages
	if rng.IntN(3) == 0 {
		langs = []string{in.Languages[rng.IntN(len(in.Languages))]}
	}
	pick := func(values []string) string {
		if rng.IntN(4) == 0 {
			return ""
		}
		return values[rng.IntN(len(values))]
	}
	cities, roles := syntheticCities[:1+rng.IntN(len(syntheticCities))], syntheticRoles[:1+rng.IntN(len(syntheticRoles))]
	waves := in.WaveIDs()
	answering := make([]float64, len(waves)) // share of participants answering each wave
	for w := range waves {
		answering[w] = []float64{0, 0.1, 0.5, 0.9, 1}[rng.IntN(5)]
	}
	completeness := 0.2 + 0.8*rng.Float64() // share of questions answered
	var ps []*exchange.Participant
	var rs []*exchange.Response
	for i := range n {
		p := &exchange.Participant{Exchange: exchangeID, PID: exchange.PID(i + 1), City: pick(cities), Role: pick(roles),
			Language: langs[rng.IntN(len(langs))], Side: []string{"host", "visiting", ""}[rng.IntN(3)]}
		ps = append(ps, p)
		level := 1 + rng.Float64()*4
		for w, wave := range waves {
			if rng.Float64() >= answering[w] {
				continue
			}
			answers := syntheticAnswers(in, wave, w, level, rng)
			for id := range answers {
				if rng.Float64() >= completeness {
					delete(answers, id)
				}
			}
			rs = append(rs, &exchange.Response{Exchange: exchangeID, Participant: p.PID, Wave: wave, Instrument: in.ID,
				InstrumentVersion: in.Version, Language: p.Language, Answers: answers, Source: exchange.SourceWeb,
				SubmittedAt: syntheticStart.Add(time.Duration(w*7*24+i) * time.Hour)})
		}
	}
	return ps, rs
}
