package exchange_test

import (
	"testing"
	"time"

	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/survey"
)

// TestIdentitiesDue: no day while a wave is open or the last has not
// closed; then the retention (default a year) after the latest closing;
// the field takes 1 to 120 months or empty.
func TestIdentitiesDue(t *testing.T) {
	in := &survey.Instrument{Waves: []*survey.Wave{{ID: "pre"}, {ID: "post"}, {ID: "follow_up"}}}
	day := func(m int) *time.Time { d := time.Date(2026, time.Month(m), 1, 0, 0, 0, 0, time.UTC); return &d }
	x := &exchange.Exchange{Waves: map[string]exchange.WaveState{"pre": {ClosedAt: day(3)}, "post": {ClosedAt: day(4)}}}
	if !x.IdentitiesDue(in).IsZero() {
		t.Error("a day before the last wave ran")
	}
	x.Waves["follow_up"] = exchange.WaveState{Open: true, ClosedAt: day(5)}
	if !x.IdentitiesDue(in).IsZero() {
		t.Error("a day while the last wave is open")
	}
	x.Waves["follow_up"] = exchange.WaveState{ClosedAt: day(9)}
	x.Waves["pre"] = exchange.WaveState{ClosedAt: day(10)} // reopened and closed again later
	if got := x.IdentitiesDue(in); !got.Equal(day(10).AddDate(1, 0, 0)) {
		t.Errorf("default retention: %v", got)
	}
	x.RetentionMonths = 6
	if got := x.IdentitiesDue(in); !got.Equal(day(10).AddDate(0, 6, 0)) {
		t.Errorf("six months: %v", got)
	}
	for in, want := range map[string]int{"": 0, "1": 1, " 120 ": 120} {
		if n, p := exchange.ParseRetention(in); p != nil || n != want {
			t.Errorf("%q: %d %v", in, n, p)
		}
	}
	for _, bad := range []string{"0", "121", "-3", "1.5", "a year"} {
		if _, p := exchange.ParseRetention(bad); p == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
