package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/csci/exchangeeval/internal/demo"
	"github.com/csci/exchangeeval/internal/staff"
	"github.com/csci/exchangeeval/internal/web"
)

// TestAdminSetsTheRetention: the admin page shows an exchange's retention
// (a year unless set) and when identities will be erased; an admin sets
// it; a retention out of range is refused by name and changes nothing.
func TestAdminSetsTheRetention(t *testing.T) {
	s := newSite(t, web.Config{})
	c := s.login(account(staff.RoleAdmin).Email, account(staff.RoleAdmin).Password)
	page := "/admin/exchanges/" + demo.UpcomingID
	if body := s.get(c, page); !strings.Contains(body, `name="retention_months" value="12"`) || !strings.Contains(body, "The day is set when the last wave closes.") {
		t.Fatalf("the admin page without a retention set:\n%s", body)
	}
	x, _ := s.store.Exchange(context.Background(), demo.UpcomingID)
	form := func(months string) url.Values {
		return url.Values{"name": {x.Name}, "host_city": {x.HostCity}, "visiting_city": {x.VisitingCity}, "time_zone": {x.TimeZone},
			"start": {x.Start.Format("2006-01-02")}, "end": {x.End.Format("2006-01-02")}, "retention_months": {months}}
	}
	status, body := s.submit(c, page, page, form("121"))
	if status != http.StatusBadRequest || !strings.Contains(body, "is not a retention: give whole months from 1 to 120") {
		t.Errorf("121 months: %d\n%s", status, body)
	}
	if status, _ := s.postForm(c, page, page, form("6")); status != http.StatusSeeOther {
		t.Fatalf("6 months: %d", status)
	}
	if x, _ := s.store.Exchange(context.Background(), demo.UpcomingID); x.RetentionMonths != 6 {
		t.Errorf("stored: %d", x.RetentionMonths)
	}
}
