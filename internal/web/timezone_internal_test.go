package web

import (
	"testing"
	"time"
)

// TestTimesAreShownInTheExchangesZone: a moment is written in the
// exchange's time zone, saying which, in each shipped language's CLDR
// format; a run of days names the month once where the language writes
// the day first, and both days in full where it does not.
func TestTimesAreShownInTheExchangesZone(t *testing.T) {
	at := time.Date(2027, 5, 9, 23, 30, 0, 0, time.UTC) // already the 10th in Amman and Shanghai
	amman, _ := time.LoadLocation("Asia/Amman")
	shanghai, _ := time.LoadLocation("Asia/Shanghai")
	mexico, _ := time.LoadLocation("America/Mexico_City")
	for _, tc := range []struct {
		lang string
		loc  *time.Location
		want string
	}{
		{"en", time.UTC, "9 May 2027 at 23:30 (UTC)"},
		{"en", mexico, "9 May 2027 at 17:30 (Mexico City, UTC-06:00)"},
		{"fr", amman, "10 mai 2027 à 02:30 (Amman, UTC+03:00)"},
		{"es", mexico, "9 de mayo de 2027 a las 17:30 (Mexico City, UTC-06:00)"},
		{"de", amman, "10. Mai 2027 um 02:30 (Amman, UTC+03:00)"},
		{"pt", shanghai, "10 de maio de 2027 às 07:30 (Shanghai, UTC+08:00)"},
		{"ar", amman, "\u206810 مايو 2027\u2069 الساعة \u20682:30 ص\u2069 (\u2068Amman, UTC+03:00\u2069)"},
		{"zh", shanghai, "2027年5月10日 上午7:30（Shanghai, UTC+08:00）"},
	} {
		if got := formatTime(tc.lang, at, tc.loc); got != tc.want {
			t.Errorf("%s in %s: %q, want %q", tc.lang, tc.loc, got, tc.want)
		}
	}
	start, end := time.Date(2027, 4, 11, 0, 0, 0, 0, time.UTC), time.Date(2027, 4, 17, 0, 0, 0, 0, time.UTC)
	for lang, want := range map[string]string{
		"en": "11–17 April 2027", "fr": "11–17 avril 2027", "es": "11–17 de abril de 2027", "de": "11.–17. April 2027",
		"pt": "11–17 de abril de 2027", "ar": "11–17 أبريل 2027", "zh": "2027年4月11日 – 2027年4月17日",
	} {
		if got := formatDays(lang, start, end); got != want {
			t.Errorf("formatDays(%s) = %q, want %q", lang, got, want)
		}
	}
}
