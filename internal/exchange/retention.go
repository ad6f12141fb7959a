package exchange

import (
	"strconv"
	"strings"
	"time"

	"github.com/csci/exchangeeval/internal/survey"
)

// Retention of identifying data (names, e-mails, personal links, messages
// and their delivery records): kept while the evaluation needs to reach
// delegates, erased RetentionMonths after the exchange's last wave
// closes. The answers stay, under pseudonymous ids, for the programme.

// DefaultRetentionMonths is the retention of an exchange that sets none:
// a year after its last wave closes.
const DefaultRetentionMonths = 12

// MaxRetentionMonths bounds the retention an admin can set (ten years, the
// life of a long programme).
const MaxRetentionMonths = 120

// Retention is the exchange's retention in months.
func (x *Exchange) Retention() int {
	if x.RetentionMonths > 0 {
		return x.RetentionMonths
	}
	return DefaultRetentionMonths
}

// IdentitiesDue is when the exchange's identifying data is to be erased:
// Retention months after the last of its waves closed, once every wave
// that was opened is closed and the instrument's last wave is among them.
// Zero while that is not so (a wave open, or the last not run yet).
func (x *Exchange) IdentitiesDue(in *survey.Instrument) time.Time {
	ids := in.WaveIDs()
	if len(ids) == 0 {
		return time.Time{}
	}
	if last := x.Waves[ids[len(ids)-1]]; last.ClosedAt == nil {
		return time.Time{}
	}
	var latest time.Time
	for _, w := range ids {
		st := x.Waves[w]
		if st.Open {
			return time.Time{}
		}
		if st.ClosedAt != nil && st.ClosedAt.After(latest) {
			latest = *st.ClosedAt
		}
	}
	return latest.AddDate(0, x.Retention(), 0)
}

// ParseRetention reads the retention field: "" for the default, else
// whole months from 1 to MaxRetentionMonths.
func ParseRetention(s string) (int, *FieldProblem) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > MaxRetentionMonths {
		return 0, &FieldProblem{Code: ProblemRetention, Args: []any{s, MaxRetentionMonths}}
	}
	return n, nil
}
