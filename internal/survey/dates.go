package survey

import (
	"math"
	"strings"
	"time"
)

// The stored forms of dates and times: ISO 8601, as a browser's date,
// time and datetime-local inputs send them — wall time, as written,
// without a zone.
const (
	dateLayout     = "2006-01-02"
	timeLayout     = "15:04"
	dateTimeLayout = "2006-01-02T15:04"
)

// whenLayouts are what each type reads: the stored form, with seconds,
// and as ODK and KoboToolbox export them (14:30:00.000+01:00).
var whenLayouts = map[string][]string{
	TypeDate:     {dateLayout},
	TypeTime:     {timeLayout, "15:04:05", "15:04:05.000Z07:00", "15:04:05Z07:00"},
	TypeDateTime: {dateTimeLayout, "2006-01-02T15:04:05", "2006-01-02 15:04", "2006-01-02 15:04:05", "2006-01-02T15:04:05.000Z07:00", time.RFC3339},
}

var whenStored = map[string]string{TypeDate: dateLayout, TypeTime: timeLayout, TypeDateTime: dateTimeLayout}

// parseWhen reads a date, time or date and time answer into its stored
// form.
func parseWhen(typ, v string) (any, *FieldError) {
	for _, layout := range whenLayouts[typ] {
		if t, err := time.Parse(layout, v); err == nil {
			return t.Format(whenStored[typ]), nil
		}
	}
	if typ == TypeTime {
		return nil, &FieldError{Code: ErrNotTime}
	}
	return nil, &FieldError{Code: ErrNotDate}
}

// dayZero is the day ODK counts dates from.
var dayZero = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)

// Today is the day today() gives; tests set it.
var Today = func() time.Time { return time.Now() }

// days reads a date (2027-03-14), a date and time (2027-03-14T12:00) or a
// time (12:00) as a number of days — from 1 January 1970, or a fraction
// of one — so they compare and subtract as ODK's do: ${end} - ${start}
// is a number of days.
func days(s string) (float64, bool) {
	for _, typ := range []string{TypeDate, TypeDateTime} {
		for _, layout := range whenLayouts[typ] {
			if t, err := time.Parse(layout, s); err == nil {
				wall := time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, time.UTC)
				return wall.Sub(dayZero).Hours() / 24, true
			}
		}
	}
	if strings.Count(s, ":") >= 1 {
		for _, layout := range whenLayouts[TypeTime] {
			if t, err := time.Parse(layout, s); err == nil {
				return float64(t.Hour()*3600+t.Minute()*60+t.Second()) / 86400, true
			}
		}
	}
	return math.NaN(), false
}
