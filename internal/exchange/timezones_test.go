package exchange

import (
	"strings"
	"testing"
	"time"
)

func TestTimeZoneIsCheckedAndKept(t *testing.T) {
	for _, tz := range SisterCityZones {
		if p := CheckTimeZone(tz); p != nil {
			t.Errorf("%s refused: %s", tz, p.English())
		}
	}
	for _, tz := range []string{"Paris", "Europe/Atlantis", "../../etc/passwd", "/etc/localtime"} {
		if p := CheckTimeZone(tz); p == nil || !strings.Contains(p.English(), "is not a time zone") {
			t.Errorf("%q taken", tz)
		}
	}
	x := &Exchange{TimeZone: "Asia/Amman"}
	if got := time.Date(2027, 5, 9, 23, 30, 0, 0, time.UTC).In(x.Location()).Format("2006-01-02 15:04"); got != "2027-05-10 02:30" {
		t.Errorf("in Amman: %s", got)
	}
	if (&Exchange{}).Location() != time.UTC {
		t.Error("an exchange without a zone is not in UTC")
	}
}
