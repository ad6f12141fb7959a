package analysis

import (
	"iter"
	"strings"

	"github.com/csci/exchangeeval/internal/exchange"
)

// Combine analyses several exchanges that share an instrument as one cohort.
// Pseudonymous ids are unique only within an exchange, so each participant
// is keyed as "exchange/P0001" inside the analysis; the streams are read one
// exchange after the other.
func Combine(inputs []Input) Input {
	if len(inputs) == 1 {
		return inputs[0]
	}
	out := Input{Instrument: inputs[0].Instrument}
	var ids, names, hosts, visiting []string
	x := &exchange.Exchange{}
	for _, in := range inputs {
		e := in.Exchange
		ids, names = append(ids, e.ID), append(names, e.Name)
		hosts, visiting = appendNew(hosts, e.HostCity), appendNew(visiting, e.VisitingCity)
		if x.Start.IsZero() || e.Start.Before(x.Start) {
			x.Start = e.Start
		}
		if e.End.After(x.End) {
			x.End = e.End
		}
	}
	x.ID, x.Name = strings.Join(ids, "+"), strings.Join(names, " + ")
	x.HostCity, x.VisitingCity = strings.Join(hosts, ", "), strings.Join(visiting, ", ")
	out.Exchange = x
	out.Participants = func(yield func(*exchange.Participant, error) bool) {
		for _, in := range inputs {
			for p, err := range in.Participants {
				if err == nil {
					c := *p
					c.PID = in.Exchange.ID + "/" + p.PID
					p = &c
				}
				if !yield(p, err) {
					return
				}
			}
		}
	}
	out.Responses = chainResponses(inputs, func(in Input) iter.Seq2[*exchange.Response, error] { return in.Responses })
	return out
}

func chainResponses(inputs []Input, pick func(Input) iter.Seq2[*exchange.Response, error]) iter.Seq2[*exchange.Response, error] {
	return func(yield func(*exchange.Response, error) bool) {
		for _, in := range inputs {
			for r, err := range pick(in) {
				if err == nil {
					c := *r
					c.Participant = in.Exchange.ID + "/" + r.Participant
					r = &c
				}
				if !yield(r, err) {
					return
				}
			}
		}
	}
}

func appendNew(xs []string, x string) []string {
	for _, v := range xs {
		if v == x {
			return xs
		}
	}
	return append(xs, x)
}
