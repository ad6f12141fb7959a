package web_test

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/csci/exchangeeval/internal/analysis"
	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/staff"
	"github.com/csci/exchangeeval/internal/web"
)

// TestRandomExchangesRenderEveryPage stores exchanges RandomExchange draws
// — empty, partial, one language, empty groups — and asks the service for
// each one's dashboard (in English and French), report and workbook. Every
// answer is a whole page or file, never a 500.
func TestRandomExchangesRenderEveryPage(t *testing.T) {
	s := newSite(t, web.Config{})
	ctx := context.Background()
	in := s.set.Get("csci-social-services")
	admin := s.login(account(staff.RoleAdmin).Email, account(staff.RoleAdmin).Password)
	for seed := range uint64(10) {
		rng := rand.New(rand.NewPCG(seed, 13))
		id := fmt.Sprintf("random-%02d", seed)
		x, err := exchange.NewExchange{ID: id, Name: "Random " + id, Instrument: in.ID, HostCity: "Chicago", VisitingCity: "Paris",
			Start: "2014-03-09", End: "2014-03-15"}.Build(s.set, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if err := s.store.CreateExchange(ctx, x); err != nil {
			t.Fatal(err)
		}
		ps, rs := analysis.RandomExchange(in, id, rng)
		rows := make([]exchange.ParticipantRow, len(ps))
		for i, p := range ps {
			rows[i] = exchange.ParticipantRow{Row: i + 2, Name: "Delegate " + p.PID, Email: strings.ToLower(p.PID) + "@example.org",
				City: p.City, Role: p.Role, Language: p.Language, Side: p.Side}
		}
		if len(rows) > 0 {
			if _, err := s.store.ImportParticipants(ctx, id, rows, time.Now()); err != nil {
				t.Fatalf("seed %d: %v", seed, err)
			}
		}
		for _, r := range rs {
			if _, err := s.store.SaveResponse(ctx, r); err != nil {
				t.Fatalf("seed %d: %v", seed, err)
			}
		}
		for _, rt := range []struct{ path, want string }{
			{"/exchanges/" + id, "</html>"},
			{"/exchanges/" + id + "?lang=fr", "</html>"},
			{"/api/v1/exchanges/" + id + "/report", `"participation"`},
			{"/api/v1/exchanges/" + id + "/workbook.xlsx", "PK"},
		} {
			resp, err := admin.Get(s.srv.URL + rt.path)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), rt.want) {
				t.Errorf("seed %d (%d participants, %d responses) %s: %d %.300s", seed, len(ps), len(rs), rt.path, resp.StatusCode, body)
			}
		}
	}
}
