package analysis

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/survey"
)

// Synthetic builds n participants of exchange x with a response in each of
// the instrument's waves, every question answered as a delegate might: goal
// items that rise from wave to wave, choices, numbers, and open answers that
// mention the codebook's themes. Benchmarks and load tests use it; the
// output is the same for the same n.
func Synthetic(in *survey.Instrument, exchangeID string, n int) ([]*exchange.Participant, []*exchange.Response) {
	rng := rand.New(rand.NewPCG(uint64(n), 42))
	texts := []string{
		"Empowerment of families and the evaluation of outcomes with a university.",
		"L'autonomisation des personnes et le pouvoir d'agir des habitants.",
		"Corporate partners and volunteers fund much of the work.",
		"Le mécénat et le bénévolat, et des politiques publiques différentes.",
		"Culturally informed care, diversity, and measuring what we do.",
		"Networking with colleagues.",
	}
	cities := []string{"Paris", "Chicago", "Hamburg", "Durban", "Birmingham"}
	roles := []string{"administrator", "supervisor", "practitioner", "academic", "lawyer", "future-leader"}
	ps := make([]*exchange.Participant, n)
	var rs []*exchange.Response
	at := time.Date(2014, 3, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		lang := in.Languages[i%len(in.Languages)]
		ps[i] = &exchange.Participant{Exchange: exchangeID, PID: exchange.PID(i + 1), Email: fmt.Sprintf("p%d@example.org", i),
			City: cities[i%len(cities)], Role: roles[i%len(roles)], Language: lang, Side: []string{"host", "visiting"}[i%2]}
		level := 2 + rng.Float64()*2
		for w, wave := range in.WaveIDs() {
			a := survey.Answers{}
			for _, q := range in.QuestionsIn(wave) {
				switch q.Type {
				case survey.TypeLikert:
					points := in.Scales[q.Scale].Points
					v := int(level + 0.4*float64(w) + rng.NormFloat64()*0.7 + 0.5)
					v = max(1, min(points, v))
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
					a[q.ID] = texts[rng.IntN(len(texts))]
				}
			}
			rs = append(rs, &exchange.Response{Exchange: exchangeID, Participant: ps[i].PID, Wave: wave, Instrument: in.ID,
				InstrumentVersion: in.Version, Language: lang, Answers: a, Source: exchange.SourceWeb, SubmittedAt: at})
		}
	}
	return ps, rs
}
