package demo

import (
	"context"
	"math/rand/v2"
	"time"

	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/survey"
)

// multilingualPeople are delegations from Mexico City (Spanish) and
// Hamburg (German) visiting Chicago, with two Chicago hosts. The last two
// of each delegation have not answered yet: their links are the ones to
// try in Spanish and German.
func multilingualPeople() []person {
	mexico := []string{"Mariana López Hernández", "José Luis Ramírez", "Guadalupe Torres", "Alejandro Méndez", "Fernanda Castillo", "Ricardo Navarro"}
	hamburg := []string{"Katharina Böhm", "Jörg Petersen", "Anke Schröder", "Deniz Yıldız", "Svenja Krüger", "Malte Jansen"}
	roles := []string{"practitioner", "supervisor", "administrator", "academic", "lawyer", "future-leader"}
	orgs := []string{"public", "nonprofit", "university"}
	areas := [][]string{{"youth"}, {"domestic-violence"}, {"homelessness", "mental-health"}, {"older-people"}, {"foster-care"}, {"youth", "mental-health"}}
	var out []person
	for _, d := range []struct {
		names      []string
		city, lang string
	}{{mexico, "Mexico City", "es"}, {hamburg, "Hamburg", "de"}} {
		for i, n := range d.names {
			out = append(out, person{name: n, city: d.city, role: roles[i%len(roles)], language: d.lang, side: exchange.SideVisiting,
				org: orgs[i%len(orgs)], years: 4 + (i*6)%19, areas: areas[i%len(areas)], answersPre: i < 4})
		}
	}
	out = append(out,
		person{name: "Teresa Alvarado", city: "Chicago", role: "supervisor", language: "en", side: exchange.SideHost,
			org: "nonprofit", years: 15, areas: []string{"youth"}, answersPre: true},
		person{name: "Michael Brennan", city: "Chicago", role: "administrator", language: "en", side: exchange.SideHost,
			org: "public", years: 22, areas: []string{"homelessness"}, answersPre: true})
	return out
}

// multilingualProfile: both delegations start where the Paris one did on
// funding and evaluation; the hosts already practise all three.
var multilingualProfile = profile{
	baseline: map[string]map[string]float64{
		exchange.SideVisiting: {"funding": 2.4, "evaluation": 2.7, "cultural-care": 3.3},
		exchange.SideHost:     {"funding": 3.9, "evaluation": 3.7, "cultural-care": 4.1},
	},
	gain: gain,
}

type seeded struct {
	open    OpenExchange
	added   int
	created bool
}

// seedMultilingual creates the exchange of the Mexico City and Hamburg
// delegations, its pre-exchange questionnaire open since ten days before
// now, and the answers of those who have answered.
func seedMultilingual(ctx context.Context, store Store, in *survey.Instrument, instruments *survey.Set, now time.Time) (seeded, error) {
	opened := now.Add(-10 * 24 * time.Hour)
	created, err := ensureExchange(ctx, store, in, exchange.NewExchange{
		ID: MultilingualID, Name: "Mexico City and Hamburg delegations to Chicago 2027", Instrument: InstrumentID,
		Names: map[string]string{
			"fr": "Délégations de Mexico et de Hambourg à Chicago 2027",
			"es": "Delegaciones de Ciudad de México y Hamburgo en Chicago 2027",
			"de": "Delegationen aus Mexiko-Stadt und Hamburg in Chicago 2027",
		},
		HostCity: "Chicago", VisitingCity: "Mexico City, Hamburg", Start: "2027-06-13", End: "2027-06-19", TimeZone: "America/Chicago",
	}, instruments, opened, map[string][2]time.Time{"pre": {opened, time.Time{}}})
	if err != nil {
		return seeded{}, err
	}
	pr := multilingualProfile
	pr.pre = opened.Add(24 * time.Hour).Truncate(time.Hour)
	ps, added, err := addPeople(ctx, store, in, MultilingualID, multilingualPeople(), opened, pr, rand.New(rand.NewPCG(2027, 6)))
	if err != nil {
		return seeded{}, err
	}
	return seeded{open: OpenExchange{MultilingualID, ps}, added: added, created: created}, nil
}
