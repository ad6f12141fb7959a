package analysis_test

import (
	"context"
	"fmt"
	"github.com/csci/exchangeeval/internal/baseline"
	"github.com/csci/exchangeeval/internal/coding"
	"github.com/csci/exchangeeval/internal/stemming"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/csci/exchangeeval/internal/analysis"
	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/survey"
)

// TestCandidateThemesFindWhatNobodyPlanned: planted answers — before the
// exchange everyone writes of learning about programmes and partners;
// after it, twelve English and eight French delegates write of the
// families' resilience (a word the codebook has no theme for) and of
// empowerment (which it has). Resilience is among the post wave's top
// five candidates in both languages, with its words and delegates per
// wave; empowerment and the pouvoir d'agir are not (the codebook covers
// them). With a smallest group above the French delegates, the French
// candidate is gone.
func TestCandidateThemesFindWhatNobodyPlanned(t *testing.T) {
	var ps []*exchange.Participant
	var rs []*exchange.Response
	for i := range 30 {
		pid := exchange.PID(i + 1)
		lang := "en"
		pre, post := "I hope to learn about programmes and meet partners.", "We visited programmes and met partners."
		switch {
		case i < 12:
			post = "The resilience of the families struck me; such resilient families, and empowerment too."
		case i < 20:
			lang = "fr"
			pre, post = "J'espère découvrir des programmes et rencontrer des partenaires.", "La résilience des familles m'a frappé, et le pouvoir d'agir."
		case i < 24:
			lang = "fr"
			pre, post = "Rencontrer des partenaires.", "Nous avons visité des programmes."
		}
		// Delegates 1, 3, 5 … (i even) agree to be quoted.
		consent := map[bool]string{true: "yes", false: "no"}[i%2 == 0]
		ps = append(ps, &exchange.Participant{PID: pid, Language: lang, Side: "visiting"})
		rs = append(rs, &exchange.Response{Participant: pid, Wave: "pre", Language: lang, Answers: survey.Answers{"hopes": pre}},
			&exchange.Response{Participant: pid, Wave: "post", Language: lang, Answers: survey.Answers{"learned": post + " " + pid, "consent": consent}})
	}
	run := func(minCell int) []analysis.ThemeCandidate {
		r, err := analysis.Analyze(context.Background(), analysis.Input{Instrument: instrument(t), Exchange: &exchange.Exchange{ID: "x"},
			Participants: slice(ps), Responses: slice(rs)}, analysis.Options{MinCell: minCell})
		if err != nil {
			t.Fatal(err)
		}
		return r.Themes.Candidates
	}
	found := map[string]analysis.ThemeCandidate{}
	rank := map[string]int{}
	inLanguage := map[string]int{}
	for _, c := range run(5) {
		if c.Wave != "post" {
			continue
		}
		rank[c.Language+" "+c.Stem] = inLanguage[c.Language]
		inLanguage[c.Language]++
		found[c.Language+" "+c.Stem] = c
	}
	// Every use of the planted word is in the phrase "resilient families"
	// (stop words left out: "resilience of the families" too): the phrase
	// is the candidate, the word alone is not listed beside it.
	for _, key := range []string{"en resili famili", "fr résilient famill"} {
		c, ok := found[key]
		if !ok || rank[key] >= 5 {
			t.Errorf("%s: not in the top five: %v", key, rank)
			continue
		}
		if c.P >= 0.05 || c.LogRatio <= 0 || c.Delegates[0].Wave != "pre" || c.Delegates[0].Delegates == nil || *c.Delegates[0].Delegates != 0 {
			t.Errorf("%s: %+v", key, c)
		}
	}
	if c := found["en resili famili"]; len(c.Terms) < 2 || c.Terms[0] != "resilience families" || c.Terms[1] != "resilient families" || c.Mentions != 24 || fmt.Sprint(*c.Delegates[1].Delegates) != "12" {
		t.Errorf("the English candidate's words and counts: %+v", c)
	}
	if _, ok := found["en resili"]; ok {
		t.Error("the word resilience is listed beside the phrase it is always in")
	}
	// Quotes: two, from delegates who agreed (P0001, P0003 … in order).
	for key, want := range map[string]string{"en resili famili": "P0001 P0003", "fr résilient famill": "P0013 P0015"} {
		var got []string
		for _, q := range found[key].Quotes {
			got = append(got, q.Text[strings.LastIndex(q.Text, " ")+1:])
		}
		if strings.Join(got, " ") != want {
			t.Errorf("%s: quoted %v, want the answers of %s", key, got, want)
		}
	}
	for _, covered := range []string{"en empower", "en empow", "fr pouvoir", "fr agir", "fr pouvoir agir", "fr frapp pouvoir"} {
		if _, ok := found[covered]; ok {
			t.Errorf("%s, which the codebook covers, is a candidate", covered)
		}
	}
	for _, c := range run(10) {
		if c.Language == "fr" && strings.Contains(c.Stem, "résilient") {
			t.Errorf("eight delegates shown with a smallest group of ten: %+v", c)
		}
	}
}

// TestJoinedCandidatesCountTogether: four English delegates write of
// resilience after the exchange and three French delegates of résilience;
// with a smallest group of five neither language is a candidate alone.
// Joined by an evaluator (the codebook's Joined), they are one candidate
// of seven delegates, its words in both languages, its statistics those
// of the added counts.
func TestJoinedCandidatesCountTogether(t *testing.T) {
	var ps []*exchange.Participant
	var rs []*exchange.Response
	for i := range 20 {
		pid := exchange.PID(i + 1)
		lang, pre, post := "en", "I hope to learn about programmes.", "We visited programmes."
		switch {
		case i < 4:
			post = "The resilience struck me."
		case i < 7:
			lang, post = "fr", "La résilience m'a frappé."
		case i < 12:
			lang, pre, post = "fr", "J'espère découvrir des programmes.", "Nous avons visité des programmes."
		}
		ps = append(ps, &exchange.Participant{PID: pid, Language: lang, Side: "visiting"})
		rs = append(rs, &exchange.Response{Participant: pid, Wave: "pre", Language: lang, Answers: survey.Answers{"hopes": pre}},
			&exchange.Response{Participant: pid, Wave: "post", Language: lang, Answers: survey.Answers{"learned": post}})
	}
	run := func(cb *coding.Codebook) []analysis.ThemeCandidate {
		r, err := analysis.Analyze(context.Background(), analysis.Input{Instrument: instrument(t), Exchange: &exchange.Exchange{ID: "x"},
			Participants: slice(ps), Responses: slice(rs), Codebook: func() (*coding.Codebook, error) { return cb, nil }}, analysis.Options{MinCell: 5})
		if err != nil {
			t.Fatal(err)
		}
		return r.Themes.Candidates
	}
	has := func(cs []analysis.ThemeCandidate, stem string) *analysis.ThemeCandidate {
		for i, c := range cs {
			if strings.Contains(c.Stem, stem) {
				return &cs[i]
			}
		}
		return nil
	}
	if c := has(run(nil), "resili"); c != nil {
		t.Fatalf("four delegates a candidate with a smallest group of five: %+v", c)
	}
	cb := coding.Initial("x", instrument(t))
	cb, faults := cb.Join("en:resili", "fr:résilient", "ev", time.Now())
	if faults != nil {
		t.Fatal(faults)
	}
	c := has(run(&cb), "resili")
	if c == nil {
		t.Fatal("the joined candidate is not listed")
	}
	if c.Language != "en" || c.Mentions != 7 || *c.Delegates[1].Delegates != 7 || len(c.Joined) != 1 || c.Joined[0].Language != "fr" || c.Joined[0].Terms[0] != "résilience" {
		t.Errorf("joined: %+v", c)
	}
	// The statistics of the added counts: 7 uses among the post wave's
	// words, none among the pre wave's.
	words := map[string]float64{}
	for _, r := range rs {
		for _, a := range r.Answers {
			words[r.Wave] += float64(len(stemming.Tokens(r.Language, a.(string))))
		}
	}
	if want := analysis.LogLikelihood(7, 0, words["post"], words["pre"]); math.Abs(c.G2-want) > 1e-12 || c.P >= 0.05 {
		t.Errorf("G² %v, want %v of 7 and 0 uses among %v and %v words", c.G2, want, words["post"], words["pre"])
	}
}

// TestProgrammeCandidatesCompareExchanges: in the programme, one
// exchange's six delegates write of peer workers after the exchange, the
// other exchange's do not; the programme lists it for that exchange and
// wave, against the same wave of the other, with the other's delegates
// (none) and G² of the two exchanges' counts. What both exchanges wrote
// is no candidate.
func TestProgrammeCandidatesCompareExchanges(t *testing.T) {
	in := instrument(t)
	report := func(id string, start time.Time, peers int) *analysis.Report {
		var ps []*exchange.Participant
		var rs []*exchange.Response
		for i := range 10 {
			pid := exchange.PID(i + 1)
			post := "We visited programmes and met partners."
			if i < peers {
				post = "Peer workers everywhere; we visited programmes."
			}
			ps = append(ps, &exchange.Participant{PID: pid, Language: "en", Side: "visiting"})
			rs = append(rs, &exchange.Response{Participant: pid, Wave: "pre", Language: "en", Answers: survey.Answers{"hopes": "To meet partners."}},
				&exchange.Response{Participant: pid, Wave: "post", Language: "en", Answers: survey.Answers{"learned": post}})
		}
		r, err := analysis.Analyze(context.Background(), analysis.Input{Instrument: in, Exchange: &exchange.Exchange{ID: id, Start: start},
			Participants: slice(ps), Responses: slice(rs)}, analysis.Options{MinCell: 5})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	a, b := report("a", time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), 6), report("b", time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC), 0)
	p := analysis.Programme([]*analysis.Report{a, b}, []*survey.Instrument{in}, analysis.ProgrammeOptions{MinCell: 5})
	var found *analysis.ProgrammeCandidate
	for i, c := range p.Candidates {
		if c.Exchange == "b" || strings.Contains(c.Stem, "visit") || strings.Contains(c.Stem, "programm") {
			t.Errorf("not a candidate: %+v", c)
		}
		if c.Exchange == "a" && c.Wave == "post" && c.Stem == "peer worker" {
			found = &p.Candidates[i]
		}
	}
	if found == nil {
		t.Fatalf("peer workers not found: %+v", p.Candidates)
	}
	words := map[string]float64{}
	for id, peers := range map[string]int{"a": 6, "b": 0} {
		for i := range 10 {
			text := "We visited programmes and met partners."
			if i < peers {
				text = "Peer workers everywhere; we visited programmes."
			}
			words[id] += float64(len(stemming.Tokens("en", text)))
		}
	}
	want := analysis.LogLikelihood(6, 0, words["a"], words["b"])
	if found.Delegates != 6 || found.Others == nil || *found.Others != 0 || found.Mentions != 6 || math.Abs(found.G2-want) > 1e-12 || found.Terms[0] != "peer workers" {
		t.Errorf("peer workers: %+v (G² want %v)", found, want)
	}
}

// TestCandidatesAgainstEverydayLanguage: only the post wave has answers,
// so there is no other wave to compare with; six of ten delegates write
// of resilience, a word subtitles seldom use. It is a candidate against
// the baseline, with G² of its uses against the English list's.
func TestCandidatesAgainstEverydayLanguage(t *testing.T) {
	var ps []*exchange.Participant
	var rs []*exchange.Response
	words := 0.0
	for i := range 10 {
		pid := exchange.PID(i + 1)
		post := "We met colleagues and saw their work."
		if i < 6 {
			post = "The resilience of the people we met."
		}
		words += float64(len(stemming.Tokens("en", post)))
		ps = append(ps, &exchange.Participant{PID: pid, Language: "en", Side: "visiting"})
		rs = append(rs, &exchange.Response{Participant: pid, Wave: "post", Language: "en", Answers: survey.Answers{"learned": post}})
	}
	r, err := analysis.Analyze(context.Background(), analysis.Input{Instrument: instrument(t), Exchange: &exchange.Exchange{ID: "x"},
		Participants: slice(ps), Responses: slice(rs)}, analysis.Options{MinCell: 5})
	if err != nil {
		t.Fatal(err)
	}
	var found *analysis.ThemeCandidate
	for i, c := range r.Themes.Candidates {
		if c.Reference != analysis.ReferenceBaseline {
			t.Errorf("a candidate against %s with one wave answered: %+v", c.Reference, c)
		}
		if c.Stem == "resili" {
			found = &r.Themes.Candidates[i]
		}
	}
	if found == nil {
		t.Fatalf("resilience not found against everyday language: %+v", r.Themes.Candidates)
	}
	base := baseline.Of("en")
	if want := analysis.LogLikelihood(6, base.Stems["resili"], words, base.Total); math.Abs(found.G2-want) > 1e-9*want || found.P >= 0.001 || *found.Delegates[1].Delegates != 6 {
		t.Errorf("resilience: %+v, G² want %v", found, want)
	}
}
