package web

import (
	"bytes"
	"strings"
	"testing"

	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/survey"
)

// FuzzSubmission: any body sent to POST /api/v1/responses/{token} is
// decoded and checked against the shipped instrument, or refused with a
// message — never a panic. `go test` runs the seeds; to search longer:
//
//	go test ./internal/web -run '^$' -fuzz '^FuzzSubmission$' -fuzztime 5m -fuzzminimizetime 1s
func FuzzSubmission(f *testing.F) {
	ins, probs := survey.LoadPaths("../../surveys/csci-social-services.yaml")
	if probs != nil {
		f.Fatal(probs)
	}
	in := ins[0]
	for _, s := range []string{
		`{"wave": "pre", "language": "fr", "answers": {"fund_corporate": 4, "practice_areas": ["youth"], "expectations": "…"}}`,
		`{"answers": {"fund_corporate": "4"}}`,
		`{"answers": {"practice_areas": [1, null, {}], "$gt": ""}}`,
		`[1, 2]`, `{"answers": {}} {}`, `{"wave": 3}`, "{\"answers\": {\"expectations\": \"\xff\"}}", `{"answers": {"years_experience": 1e400}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		sub, err := decodeSubmission(bytes.NewReader(body))
		if err != nil {
			if exchange.ErrorCode(err) != exchange.EINVALID || strings.TrimSpace(exchange.ErrorMessage(err)) == "" {
				t.Fatalf("%q: %v", body, err)
			}
			return
		}
		for _, wave := range []string{sub.Wave, "pre", "post"} {
			answers, errs := in.FromValues(wave, sub.Answers)
			for id := range errs {
				if _, taken := answers[id]; taken {
					t.Fatalf("%s both taken and refused", id)
				}
			}
			_ = errs.Messages("fr")
		}
	})
}
