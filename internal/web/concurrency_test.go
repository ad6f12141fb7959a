package web_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/csci/exchangeeval/internal/demo"
	"github.com/csci/exchangeeval/internal/staff"
	"github.com/csci/exchangeeval/internal/web"
)

// TestParallelWrongPasswordsMeetTheLimit sends twenty wrong passwords for
// one account at once (from one address, whose own limit is twenty): five
// are checked (401), the rest refused (429), and the right password is
// refused too while the window lasts.
func TestParallelWrongPasswordsMeetTheLimit(t *testing.T) {
	s := newSite(t, web.Config{})
	a := account(staff.RoleAdmin)
	codes := map[int]int{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	// Each browser fetches its form first, so the posts go out together.
	type attempt struct {
		c     *http.Client
		token string
	}
	var attempts []attempt
	for range 20 {
		c := s.client()
		attempts = append(attempts, attempt{c, s.csrf(c, "/login")})
	}
	start := make(chan struct{})
	for i, at := range attempts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			form := url.Values{"csrf_token": {at.token}, "email": {a.Email}, "password": {fmt.Sprintf("wrong-%02d-password", i)}}
			req, _ := http.NewRequest(http.MethodPost, s.srv.URL+"/login", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			resp, err := at.c.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			mu.Lock()
			codes[resp.StatusCode]++
			mu.Unlock()
		}()
	}
	close(start)
	wg.Wait()
	if codes[http.StatusUnauthorized] != 5 || codes[http.StatusTooManyRequests] != 15 {
		t.Errorf("answers: %v; want 5 × 401 and 15 × 429", codes)
	}
	c := s.client()
	resp := s.post(c, "/login", url.Values{"csrf_token": {s.csrf(c, "/login")}, "email": {a.Email}, "password": {a.Password}})
	resp.Body.Close()
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("the right password within the window: %d", resp.StatusCode)
	}
}

// TestSignInRedirectStaysOnTheSite signs in through the form with a page to
// return to on this site, and with one that a browser would take to
// another site (the known bypasses are tested one by one beside safeNext).
func TestSignInRedirectStaysOnTheSite(t *testing.T) {
	s := newSite(t, web.Config{})
	a := account(staff.RoleEvaluator)
	for _, tc := range []struct{ next, want string }{
		{"/exchanges/" + demo.CompletedID + "?lang=fr", "/exchanges/" + demo.CompletedID + "?lang=fr"},
		{"/\t/127.0.0.1:18299/landed", "/exchanges"},
	} {
		c := s.client()
		token := s.csrf(c, "/login?"+url.Values{"next": {tc.next}}.Encode())
		resp := s.post(c, "/login", url.Values{"csrf_token": {token}, "email": {a.Email}, "password": {a.Password}, "next": {tc.next}})
		resp.Body.Close()
		if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || loc != tc.want {
			t.Errorf("next=%q: %d Location %q; want %q", tc.next, resp.StatusCode, loc, tc.want)
		}
		// Signed in already, the sign-in page sends on at once.
		resp, err := c.Get(s.srv.URL + "/login?" + url.Values{"next": {tc.next}}.Encode())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if loc := resp.Header.Get("Location"); loc != tc.want {
			t.Errorf("signed in, next=%q: Location %q", tc.next, loc)
		}
	}
}

// TestEveryReadRouteUnderConcurrentRequests hammers the dashboard, the
// report, the workbook and a delegate's questionnaire from sixteen
// goroutines at once (the race detector runs in CI): every answer is 200
// and whole, and a delegate's page is the same every time.
func TestEveryReadRouteUnderConcurrentRequests(t *testing.T) {
	s := newSite(t, web.Config{})
	evaluator := s.login(account(staff.RoleEvaluator).Email, account(staff.RoleEvaluator).Password)
	committee := s.login(account(staff.RoleCommittee).Email, account(staff.RoleCommittee).Password)
	ps, err := s.store.Participants(context.Background(), demo.UpcomingID)
	if err != nil {
		t.Fatal(err)
	}
	routes := []struct {
		c    *http.Client
		path string
		want string
	}{
		{committee, "/exchanges/" + completed, "</html>"},
		{committee, "/exchanges/" + completed + "?lang=fr", "</html>"},
		{evaluator, "/api/v1/exchanges/" + completed + "/report", `"goals"`},
		{evaluator, "/api/v1/exchanges/" + completed + "/workbook.xlsx", "PK"},
		{http.DefaultClient, "/s/" + ps[0].Token, "</form>"},
		{http.DefaultClient, "/s/" + ps[5].Token + "?lang=fr", "</form>"},
		{http.DefaultClient, "/api/v1/questionnaire/" + ps[1].Token, `"sections"`},
	}
	const goroutines, rounds = 16, 6
	var wg sync.WaitGroup
	var mu sync.Mutex
	sizes := map[string]map[int]bool{}
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range rounds {
				rt := routes[(g+i)%len(routes)]
				resp, err := rt.c.Get(s.srv.URL + rt.path)
				if err != nil {
					t.Error(err)
					return
				}
				body, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				if err != nil || resp.StatusCode != http.StatusOK || !strings.Contains(string(body), rt.want) {
					t.Errorf("%s: %d (%v) %.200s", rt.path, resp.StatusCode, err, body)
					continue
				}
				if !strings.HasPrefix(rt.path, "/s/") && !strings.HasPrefix(rt.path, "/api/v1/questionnaire/") {
					continue // staff pages carry a CSRF token of their own, workbooks a timestamp
				}
				mu.Lock()
				if sizes[rt.path] == nil {
					sizes[rt.path] = map[int]bool{}
				}
				sizes[rt.path][len(body)] = true
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	for path, ns := range sizes {
		if len(ns) != 1 {
			t.Errorf("%s answered with %d different lengths", path, len(ns))
		}
	}
}
