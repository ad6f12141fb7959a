package analysis_test

import (
	"context"
	"os"
	"testing"

	"github.com/csci/exchangeeval/internal/analysis"
	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/survey"
)

// A conditional item's n counts only those it applied to who answered it;
// "no answer" (it applied, left blank) and "not applicable" (its condition
// was false) are reported apart.
func TestConditionalItemsCountNotApplicableApart(t *testing.T) {
	data, err := os.ReadFile("../survey/testdata/conditions.yaml")
	if err != nil {
		t.Fatal(err)
	}
	in, probs := survey.Parse("conditions.yaml", data)
	if probs != nil {
		t.Fatal(probs)
	}
	// 12 delegates answer pre: 7 visited and rated, 2 visited and left the
	// rating blank, 3 did not visit — one of whom sent a rating anyway
	// (an old import, say), which must not count.
	var rs []*exchange.Response
	add := func(i int, a survey.Answers) {
		rs = append(rs, &exchange.Response{Exchange: "x", Participant: exchange.PID(i + 1), Wave: "pre", Instrument: in.ID, InstrumentVersion: 1, Language: "en", Answers: a})
	}
	for i := range 7 {
		add(i, survey.Answers{"visited": "yes", "visit_rating": 1 + i%5})
	}
	add(7, survey.Answers{"visited": "yes"})
	add(8, survey.Answers{"visited": "yes"})
	add(9, survey.Answers{"visited": "no"})
	add(10, survey.Answers{"visited": "no"})
	add(11, survey.Answers{"visited": "no", "visit_rating": 5})
	r, err := analysis.Analyze(context.Background(), analysis.Input{Instrument: in, Responses: slice(rs)}, analysis.Options{MinCell: 5})
	if err != nil {
		t.Fatal(err)
	}
	var pre *analysis.ItemWave
	for _, it := range r.Items {
		if it.ID == "visit_rating" {
			for i := range it.Waves {
				if it.Waves[i].Wave == "pre" {
					pre = &it.Waves[i]
				}
			}
		}
	}
	if pre == nil {
		t.Fatal("no pre statistics for visit_rating")
	}
	// Ratings 1,2,3,4,5,1,2: mean 18/7.
	if pre.N != 7 || pre.NoAnswer == nil || *pre.NoAnswer != 2 || pre.NotApplicable == nil || *pre.NotApplicable != 3 {
		t.Errorf("n %d, no answer %v, not applicable %v; want 7, 2, 3", pre.N, deref(pre.NoAnswer), deref(pre.NotApplicable))
	}
	if pre.Mean == nil || *pre.Mean != 18.0/7 {
		t.Errorf("mean %v, want 18/7 (the rating sent by someone it did not apply to is left out)", deref(pre.Mean))
	}
}

func deref[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}
