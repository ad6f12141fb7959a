// Package demo seeds a store with exchanges on the shipped instrument, so a
// newcomer sees every part of the service at once: the completed 2014
// Chicago–Paris exchange with its delegates' pre and post answers, two
// upcoming exchanges whose pre-exchange questionnaires are open (one of
// them with delegates from Mexico City and Hamburg who answer in Spanish
// and German), and earlier exchanges of the programme. The people are
// invented; seeding twice adds nothing.
package demo

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/staff"
	"github.com/csci/exchangeeval/internal/survey"
)

// InstrumentID is the instrument the demo exchanges use.
const InstrumentID = "csci-social-services"

// Exchange ids the demo creates.
const (
	CompletedID = "chicago-paris-2014"
	UpcomingID  = "chicago-paris-2027"
	// MultilingualID is the upcoming exchange whose delegates answer in
	// Spanish and German.
	MultilingualID = "mexico-city-hamburg-chicago-2027"
)

// Store is what seeding needs from storage.
type Store interface {
	Exchange(ctx context.Context, id string) (*exchange.Exchange, error)
	CreateExchange(ctx context.Context, x *exchange.Exchange) error
	SetWave(ctx context.Context, id, wave string, open bool, at time.Time) (*exchange.Exchange, error)
	ImportParticipants(ctx context.Context, exchangeID string, rows []exchange.ParticipantRow, now time.Time) (*exchange.ImportResult, error)
	AddResponseIfAbsent(ctx context.Context, r *exchange.Response) (bool, error)
	User(ctx context.Context, email string) (*staff.User, error)
	CreateUser(ctx context.Context, u *staff.User) error
}

// Account is a demo staff account and its password, printed for newcomers:
// demo data only, never for real use.
type Account struct{ Email, Password, Role string }

// Accounts are the demo staff accounts: one per role, the committee member
// assigned to the completed exchange.
var Accounts = []Account{
	{"admin@demo.example.org", "demo-admin-2014", staff.RoleAdmin},
	{"evaluator@demo.example.org", "demo-evaluator-2014", staff.RoleEvaluator},
	{"committee@demo.example.org", "demo-committee-2014", staff.RoleCommittee},
}

// Result tells what seeding did and who can answer the open questionnaire.
type Result struct {
	ExchangesCreated int
	ResponsesAdded   int
	// Open are the exchanges whose pre-exchange questionnaire is open,
	// with their participants: the Paris one first.
	Open []OpenExchange
}

// OpenExchange is an exchange whose questionnaire is open, and who can
// answer it.
type OpenExchange struct {
	ID           string
	Participants []*exchange.Participant
}

// Seed creates what is missing of the demo data.
func Seed(ctx context.Context, store Store, instruments *survey.Set, now time.Time) (*Result, error) {
	in := instruments.Get(InstrumentID)
	if in == nil {
		return nil, fmt.Errorf("demo needs instrument %s, which is not loaded", InstrumentID)
	}
	res := &Result{}

	// The completed exchange: both waves ran in March 2014 and are closed.
	preOpen := time.Date(2014, 2, 24, 9, 0, 0, 0, time.UTC)
	postClose := time.Date(2014, 3, 28, 18, 0, 0, 0, time.UTC)
	created, err := ensureExchange(ctx, store, in, exchange.NewExchange{
		ID: CompletedID, Name: "Chicago–Paris social services exchange 2014", Names: map[string]string{"fr": "Échange Chicago–Paris des services sociaux 2014"}, Instrument: InstrumentID,
		HostCity: "Chicago", VisitingCity: "Paris", Start: "2014-03-09", End: "2014-03-15",
	}, instruments, preOpen, map[string][2]time.Time{
		"pre":  {preOpen, time.Date(2014, 3, 9, 8, 0, 0, 0, time.UTC)},
		"post": {time.Date(2014, 3, 14, 12, 0, 0, 0, time.UTC), postClose},
	})
	if err != nil {
		return nil, err
	}
	if created {
		res.ExchangesCreated++
	}
	_, added, err := addPeople(ctx, store, in, CompletedID, completedPeople(), preOpen, paris2014, rand.New(rand.NewPCG(2014, 3)))
	if err != nil {
		return nil, err
	}
	res.ResponsesAdded += added

	// The upcoming exchange: a Chicago delegation to Paris, pre wave open.
	created, err = ensureExchange(ctx, store, in, exchange.NewExchange{
		ID: UpcomingID, Name: "Chicago delegation to Paris 2027", Names: map[string]string{"fr": "Délégation de Chicago à Paris 2027"}, Instrument: InstrumentID,
		HostCity: "Paris", VisitingCity: "Chicago", Start: "2027-04-11", End: "2027-04-17",
	}, instruments, now, map[string][2]time.Time{"pre": {now, time.Time{}}})
	if err != nil {
		return nil, err
	}
	if created {
		res.ExchangesCreated++
	}
	// Nobody has answered yet.
	upcoming, _, err := addPeople(ctx, store, in, UpcomingID, upcomingPeople(), now, paris2014, rand.New(rand.NewPCG(2027, 4)))
	if err != nil {
		return nil, err
	}
	res.Open = append(res.Open, OpenExchange{UpcomingID, upcoming})

	// Delegations from Mexico City and Hamburg visiting Chicago, in Spanish
	// and German: most have answered before the exchange, the others have
	// their links to answer.
	multi, err := seedMultilingual(ctx, store, in, instruments, now)
	if err != nil {
		return nil, err
	}
	res.Open = append(res.Open, multi.open)
	res.ResponsesAdded += multi.added
	if multi.created {
		res.ExchangesCreated++
	}

	// Earlier exchanges on the same questionnaire, so that the programme
	// page has a programme to show: other years, directions and sister
	// cities, one too small to be shown. Their names say they are made up.
	for _, pe := range programmeExchanges {
		created, added, err := seedProgrammeExchange(ctx, store, in, instruments, pe)
		if err != nil {
			return nil, err
		}
		if created {
			res.ExchangesCreated++
		}
		res.ResponsesAdded += added
	}

	for _, a := range Accounts {
		if _, err := store.User(ctx, a.Email); err == nil {
			continue
		} else if exchange.ErrorCode(err) != exchange.ENOTFOUND {
			return nil, err
		}
		u, err := staff.NewUser(a.Email, "Demo "+a.Role, []string{a.Role}, a.Password, now)
		if err != nil {
			return nil, err
		}
		if a.Role == staff.RoleCommittee {
			// Some exchanges of the programme, not all: the programme
			// page shows a committee member only theirs.
			u.Exchanges = []string{CompletedID, HamburgID}
		}
		if err := store.CreateUser(ctx, u); err != nil && exchange.ErrorCode(err) != exchange.ECONFLICT {
			return nil, err
		}
	}
	return res, nil
}

// ensureExchange creates the exchange and runs its waves when it does not
// exist yet; an existing one is left exactly as it is.
func ensureExchange(ctx context.Context, store Store, in *survey.Instrument, n exchange.NewExchange, instruments *survey.Set,
	created time.Time, waves map[string][2]time.Time) (bool, error) {
	if _, err := store.Exchange(ctx, n.ID); err == nil {
		return false, nil
	} else if exchange.ErrorCode(err) != exchange.ENOTFOUND {
		return false, err
	}
	x, err := n.Build(instruments, created)
	if err != nil {
		return false, err
	}
	if err := store.CreateExchange(ctx, x); err != nil {
		if exchange.ErrorCode(err) == exchange.ECONFLICT {
			return false, nil
		}
		return false, err
	}
	for _, w := range in.WaveIDs() {
		span, ok := waves[w]
		if !ok {
			continue
		}
		if _, err := store.SetWave(ctx, n.ID, w, true, span[0]); err != nil {
			return false, err
		}
		if !span[1].IsZero() {
			if _, err := store.SetWave(ctx, n.ID, w, false, span[1]); err != nil {
				return false, err
			}
		}
	}
	return true, nil
}

// person is an invented delegate with the leanings their answers follow.
type person struct {
	name, city, role, language, side, org string
	years                                 int
	areas                                 []string
	// answersPre/answersPost: which waves they answered.
	answersPre, answersPost bool
	consent                 bool
}

func rowsOf(people []person) []exchange.ParticipantRow {
	rows := make([]exchange.ParticipantRow, len(people))
	for i, p := range people {
		rows[i] = exchange.ParticipantRow{Row: i + 2, Name: p.name, Email: emailOf(p.name, p.side), City: p.city,
			Role: p.role, Language: p.language, Side: p.side}
	}
	return rows
}

func emailOf(name, side string) string {
	local := []rune{}
	for _, r := range survey.Fold(name) {
		switch {
		case r >= 'a' && r <= 'z':
			local = append(local, r)
		case r == ' ':
			local = append(local, '.')
		}
	}
	return string(local) + "@" + side + ".example.org"
}

func completedPeople() []person {
	roles := []string{"administrator", "supervisor", "practitioner", "academic", "lawyer", "future-leader"}
	orgs := []string{"public", "nonprofit", "nonprofit", "public", "university"}
	areas := [][]string{{"youth"}, {"domestic-violence"}, {"homelessness", "mental-health"}, {"foster-care", "youth"},
		{"mental-health"}, {"older-people"}, {"homelessness"}, {"youth", "domestic-violence"}}
	french := []string{"Camille Fournier", "Julien Marchand", "Sophie Lefèvre", "Nadia Benali", "Thomas Girard",
		"Élodie Roussel", "Karim Haddad", "Claire Dumont", "Mathieu Perrin", "Inès Caron", "Léa Mercier",
		"Antoine Faure", "Aïcha Diallo", "Pauline Henry", "Olivier Brunet", "Margaux Colin"}
	american := []string{"Dana Whitfield", "Marcus Ellison", "Rosa Delgado", "Kevin Osei", "Hannah Kowalski"}
	var out []person
	for i, n := range french {
		out = append(out, person{name: n, city: "Paris", role: roles[i%len(roles)], language: "fr", side: exchange.SideVisiting,
			org: orgs[i%len(orgs)], years: 3 + (i*7)%24, areas: areas[i%len(areas)],
			answersPre: i != 5, answersPost: i != 11, consent: i%4 != 3})
	}
	for i, n := range american {
		out = append(out, person{name: n, city: "Chicago", role: roles[(i+2)%len(roles)], language: "en", side: exchange.SideHost,
			org: orgs[(i+1)%len(orgs)], years: 8 + i*5, areas: areas[(i+3)%len(areas)],
			answersPre: true, answersPost: i != 4, consent: i != 1})
	}
	return out
}

func upcomingPeople() []person {
	return []person{
		{name: "Jordan Reyes", city: "Chicago", role: "practitioner", language: "en", side: exchange.SideVisiting},
		{name: "Alicia Brennan", city: "Chicago", role: "supervisor", language: "en", side: exchange.SideVisiting},
		{name: "Tyrone Mitchell", city: "Chicago", role: "future-leader", language: "en", side: exchange.SideVisiting},
		{name: "Grace Liu", city: "Chicago", role: "academic", language: "en", side: exchange.SideVisiting},
		{name: "Samuel Okafor", city: "Chicago", role: "administrator", language: "en", side: exchange.SideVisiting},
		{name: "Hélène Garnier", city: "Paris", role: "administrator", language: "fr", side: exchange.SideHost},
		{name: "Yanis Belkacem", city: "Paris", role: "practitioner", language: "fr", side: exchange.SideHost},
		{name: "Chloé Vasseur", city: "Paris", role: "lawyer", language: "fr", side: exchange.SideHost},
	}
}

// Where each side starts on each goal (1–5, before reverse-coding) and how
// far the week moves them: the Paris delegates start low on corporate
// funding and evaluation, as the 2014 summary reports, and gain most there;
// hosts already practise all three and move little.
var (
	baseline = map[string]map[string]float64{
		exchange.SideVisiting: {"funding": 2.3, "evaluation": 2.4, "cultural-care": 3.2},
		exchange.SideHost:     {"funding": 3.9, "evaluation": 3.8, "cultural-care": 4.0},
	}
	gain = map[string]map[string]float64{
		exchange.SideVisiting: {"funding": 1.0, "evaluation": 0.9, "cultural-care": 0.6},
		exchange.SideHost:     {"funding": 0.1, "evaluation": 0.2, "cultural-care": 0.3},
	}
)

func clamp(v float64, lo, hi int) int {
	n := int(math.Round(v))
	return max(lo, min(hi, n))
}

// profile is how an exchange's delegates answer: where each side starts,
// how far the week moves them, and when the questionnaires were answered.
type profile struct {
	baseline, gain map[string]map[string]float64
	pre, post      time.Time
}

// paris2014 is the 2014 exchange's profile.
var paris2014 = profile{baseline: baseline, gain: gain, pre: time.Date(2014, 3, 3, 10, 0, 0, 0, time.UTC), post: time.Date(2014, 3, 15, 9, 0, 0, 0, time.UTC)}

func answersFor(in *survey.Instrument, p *exchange.Participant, who person, rng *rand.Rand, pr profile) []*exchange.Response {
	var out []*exchange.Response
	personal := map[string]float64{}
	for _, g := range in.Goals {
		personal[g.ID] = rng.NormFloat64() * 0.5
	}
	for _, wave := range []string{"pre", "post"} {
		if (wave == "pre" && !who.answersPre) || (wave == "post" && !who.answersPost) {
			continue
		}
		a := survey.Answers{}
		for _, q := range in.QuestionsIn(wave) {
			switch {
			case q.Type == survey.TypeLikert && q.Goal != "":
				level := pr.baseline[who.side][q.Goal] + personal[q.Goal] + rng.NormFloat64()*0.6
				if wave == "post" {
					level += pr.gain[who.side][q.Goal] + rng.NormFloat64()*0.3
				}
				v := clamp(level, 1, 5)
				if q.Reverse {
					v = 6 - v
				}
				a[q.ID] = v
			case q.Type == survey.TypeLikert:
				a[q.ID] = clamp(3.9+rng.NormFloat64()*0.8, 1, 5)
			}
		}
		submitted := pr.pre
		if wave == "pre" {
			a["work_city"] = cityCode(who.city)
			a["org_type"] = who.org
			a["job_role"] = who.role
			a["years_practice"] = float64(who.years)
			a["practice_areas"] = who.areas
			a["expectations"] = pick(rng, expectations[who.language])
			submitted = submitted.Add(time.Duration(rng.IntN(96)) * time.Hour)
		} else {
			a["takeaways"] = pick(rng, takeaways[who.language])
			a["change_at_home"] = pick(rng, changes[who.language])
			a["quote_consent"] = map[bool]string{true: "yes", false: "no"}[who.consent]
			if in.Question("immersion_done") != nil {
				// One delegate in five had no immersion day (drawn from
				// their years, not the generator, so the other figures
				// stay as they were).
				a["immersion_done"] = map[bool]string{true: "yes", false: "no"}[who.years%5 != 0]
			}
			submitted = pr.post.Add(time.Duration(rng.IntN(120)) * time.Hour)
		}
		// What a delegate does not see, they do not answer.
		for _, id := range in.NotApplicable(wave, a) {
			delete(a, id)
		}
		out = append(out, &exchange.Response{Exchange: p.Exchange, Participant: p.PID, Wave: wave, Instrument: in.ID,
			InstrumentVersion: in.Version, Language: who.language, Answers: a, Source: exchange.SourceDemo, SubmittedAt: submitted})
	}
	return out
}

// cityCode is a city's option in the work_city question: "Mexico City" is
// mexico-city.
func cityCode(city string) string { return strings.ReplaceAll(strings.ToLower(city), " ", "-") }

func pick(rng *rand.Rand, s []string) string { return s[rng.IntN(len(s))] }

// The programme's other exchanges.
const (
	HamburgID    = "chicago-hamburg-2015"
	DurbanID     = "durban-chicago-2016"
	BirminghamID = "birmingham-chicago-2013"
)

type programmeExchange struct {
	n       exchange.NewExchange
	people  []person
	profile profile
	seed    uint64
}

var programmeExchanges = []programmeExchange{
	{
		n: exchange.NewExchange{ID: HamburgID, Name: "Chicago delegation to Hamburg 2015 (demonstration data)",
			Names:    map[string]string{"fr": "Délégation de Chicago à Hambourg 2015 (données de démonstration)"},
			HostCity: "Hamburg", VisitingCity: "Chicago", Start: "2015-05-03", End: "2015-05-09"},
		people: generatedPeople([]string{"Ava Thompson", "Luis Ortega", "Brianna Cole", "Derek Nguyen", "Maya Patel", "Jamal Brooks", "Erin Walsh",
			"Carlos Rivera", "Nicole Foster", "Omar Haddad", "Tessa Greene", "Victor Chen"}, "Chicago", "en", exchange.SideVisiting),
		profile: profile{
			baseline: map[string]map[string]float64{exchange.SideVisiting: {"funding": 3.2, "evaluation": 2.6, "cultural-care": 2.8}},
			gain:     map[string]map[string]float64{exchange.SideVisiting: {"funding": 0.3, "evaluation": 0.8, "cultural-care": 0.7}},
			pre:      time.Date(2015, 4, 27, 10, 0, 0, 0, time.UTC), post: time.Date(2015, 5, 9, 9, 0, 0, 0, time.UTC)},
		seed: 2015,
	},
	{
		n: exchange.NewExchange{ID: DurbanID, Name: "Durban–Chicago social services exchange 2016 (demonstration data)",
			Names:    map[string]string{"fr": "Échange Durban–Chicago des services sociaux 2016 (données de démonstration)"},
			HostCity: "Chicago", VisitingCity: "Durban", Start: "2016-10-09", End: "2016-10-15"},
		people: generatedPeople([]string{"Thandi Nkosi", "Sipho Dlamini", "Ayesha Naidoo", "Lerato Mokoena", "Pieter van Wyk", "Nomsa Zulu",
			"Kagiso Molefe", "Priya Govender", "Bongani Khumalo", "Zanele Ndlovu", "Ruan Botha", "Lindiwe Mthembu", "Themba Cele",
			"Fatima Moosa", "Sibusiso Mahlangu", "Naledi Sithole"}, "Durban", "en", exchange.SideVisiting),
		profile: profile{
			baseline: map[string]map[string]float64{exchange.SideVisiting: {"funding": 2.1, "evaluation": 2.9, "cultural-care": 3.6}},
			gain:     map[string]map[string]float64{exchange.SideVisiting: {"funding": 1.2, "evaluation": 0.4, "cultural-care": 0.2}},
			pre:      time.Date(2016, 10, 3, 10, 0, 0, 0, time.UTC), post: time.Date(2016, 10, 15, 9, 0, 0, 0, time.UTC)},
		seed: 2016,
	},
	{
		n: exchange.NewExchange{ID: BirminghamID, Name: "Birmingham–Chicago pilot 2013 (demonstration data)",
			Names:    map[string]string{"fr": "Pilote Birmingham–Chicago 2013 (données de démonstration)"},
			HostCity: "Chicago", VisitingCity: "Birmingham", Start: "2013-06-02", End: "2013-06-08"},
		people: generatedPeople([]string{"Oliver Hughes", "Priya Shah", "Callum Reid", "Grace Okoro"}, "Birmingham", "en", exchange.SideVisiting),
		profile: profile{
			baseline: map[string]map[string]float64{exchange.SideVisiting: {"funding": 2.8, "evaluation": 2.8, "cultural-care": 3.0}},
			gain:     map[string]map[string]float64{exchange.SideVisiting: {"funding": 0.5, "evaluation": 0.5, "cultural-care": 0.5}},
			pre:      time.Date(2013, 5, 27, 10, 0, 0, 0, time.UTC), post: time.Date(2013, 6, 8, 9, 0, 0, 0, time.UTC)},
		seed: 2013,
	},
}

// generatedPeople makes delegates of one city and side, everyone
// answering both waves but the eleventh (a missing post answer).
func generatedPeople(names []string, city, lang, side string) []person {
	roles := []string{"practitioner", "supervisor", "administrator", "academic", "lawyer", "future-leader"}
	orgs := []string{"public", "nonprofit", "university"}
	areas := [][]string{{"youth"}, {"homelessness"}, {"mental-health"}, {"older-people"}, {"domestic-violence", "youth"}}
	out := make([]person, len(names))
	for i, n := range names {
		out[i] = person{name: n, city: city, role: roles[i%len(roles)], language: lang, side: side, org: orgs[i%len(orgs)],
			years: 2 + (i*5)%20, areas: areas[i%len(areas)], answersPre: true, answersPost: i != 10, consent: i%3 != 2}
	}
	return out
}

// seedProgrammeExchange creates one earlier exchange, closed, with its
// delegates' answers.
func seedProgrammeExchange(ctx context.Context, store Store, in *survey.Instrument, instruments *survey.Set, pe programmeExchange) (created bool, added int, err error) {
	n := pe.n
	n.Instrument = InstrumentID
	created, err = ensureExchange(ctx, store, in, n, instruments, pe.profile.pre.AddDate(0, 0, -7), map[string][2]time.Time{
		"pre":  {pe.profile.pre.AddDate(0, 0, -7), pe.profile.pre.AddDate(0, 0, 6)},
		"post": {pe.profile.post.AddDate(0, 0, -1), pe.profile.post.AddDate(0, 0, 14)},
	})
	if err != nil {
		return false, 0, err
	}
	_, added, err = addPeople(ctx, store, in, n.ID, pe.people, pe.profile.pre.AddDate(0, 0, -7), pe.profile, rand.New(rand.NewPCG(pe.seed, 7)))
	return created, added, err
}

// addPeople imports people into an exchange as its participants, at, and
// stores the answers they give (drawn with rng, following pr) that are not
// stored yet: it returns the participants and how many responses it added.
func addPeople(ctx context.Context, store Store, in *survey.Instrument, exchangeID string, people []person, at time.Time, pr profile,
	rng *rand.Rand) ([]*exchange.Participant, int, error) {
	imp, err := store.ImportParticipants(ctx, exchangeID, rowsOf(people), at)
	if err != nil {
		return nil, 0, fmt.Errorf("demo participants of %s: %w", exchangeID, err)
	}
	added := 0
	for i, p := range imp.Participants {
		for _, r := range answersFor(in, p, people[i], rng, pr) {
			ok, err := store.AddResponseIfAbsent(ctx, r)
			if err != nil {
				return nil, 0, fmt.Errorf("demo responses of %s: %w", exchangeID, err)
			}
			if ok {
				added++
			}
		}
	}
	return imp.Participants, added, nil
}
