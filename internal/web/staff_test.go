package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/csci/exchangeeval"
	"github.com/csci/exchangeeval/internal/demo"
	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/mailing"
	"github.com/csci/exchangeeval/internal/mongostore"
	"github.com/csci/exchangeeval/internal/mongostore/storetest"
	"github.com/csci/exchangeeval/internal/staff"
	"github.com/csci/exchangeeval/internal/survey"
	"github.com/csci/exchangeeval/internal/web"
)

// site is the whole service over real HTTP on the demo data: the completed
// 2014 exchange, the upcoming one, and the demo staff accounts.
type site struct {
	t     testing.TB
	srv   *httptest.Server
	store *mongostore.Store
	set   *survey.Set
	// handler is the service's own handler (the server's is wrapped in
	// the OpenAPI validator).
	handler http.Handler
}

const completed = demo.CompletedID

func newSite(t testing.TB, cfg web.Config) *site {
	t.Helper()
	return newSiteWith(t, cfg, instruments(t))
}

// newSiteWith is newSite with other instrument definitions.
func newSiteWith(t testing.TB, cfg web.Config, set *survey.Set) *site {
	t.Helper()
	store := storetest.Open(t)
	if _, err := demo.Seed(context.Background(), store, set, time.Now()); err != nil {
		t.Fatal(err)
	}
	// Someone reviews nothing: a committee member of another exchange.
	u, err := staff.NewUser("other@demo.example.org", "Other Committee", []string{staff.RoleCommittee}, "other-committee-pw", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	u.Exchanges = []string{demo.UpcomingID}
	if err := store.CreateUser(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	h, err := web.NewServer(store, set, exchangeeval.Templates, slog.New(slog.NewTextHandler(io.Discard, nil)), cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(validateAPI(t, h))
	t.Cleanup(srv.Close)
	return &site{t: t, srv: srv, store: store, set: set, handler: h}
}

// client is a browser: a cookie jar that does not follow redirects.
func (s *site) client() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

var csrfField = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// csrf fetches a page and returns the form token in it.
func (s *site) csrf(c *http.Client, path string) string {
	s.t.Helper()
	resp, err := c.Get(s.srv.URL + path)
	if err != nil {
		s.t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := csrfField.FindSubmatch(body)
	if m == nil {
		s.t.Fatalf("no CSRF token on %s (%d)", path, resp.StatusCode)
	}
	// As a browser does, read the attribute's text, not its HTML.
	return html.UnescapeString(string(m[1]))
}

// post sends a form as a browser does, with its Origin header.
func (s *site) post(c *http.Client, path string, form url.Values) *http.Response {
	s.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, s.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", s.srv.URL)
	resp, err := c.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	return resp
}

// login signs in through the form and returns the browser.
func (s *site) login(email, password string) *http.Client {
	s.t.Helper()
	c := s.client()
	token := s.csrf(c, "/login")
	resp := s.post(c, "/login", url.Values{"csrf_token": {token}, "email": {email}, "password": {password}})
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		s.t.Fatalf("login %s: %d", email, resp.StatusCode)
	}
	return c
}

func account(role string) demo.Account {
	for _, a := range demo.Accounts {
		if a.Role == role {
			return a
		}
	}
	panic(role)
}

// TestAccessTable checks every staff route for every kind of visitor: the
// access rule is enforced in one place, and this is its proof.
func TestAccessTable(t *testing.T) {
	s := newSite(t, web.Config{})
	ctx := context.Background()
	admin, evaluator, committee := account(staff.RoleAdmin), account(staff.RoleEvaluator), account(staff.RoleCommittee)
	// A disabled admin's session stops working.
	disabled := s.login(admin.Email, admin.Password)
	visitors := map[string]*http.Client{
		"anonymous": s.client(),
		"committee": s.login(committee.Email, committee.Password),
		"other":     s.login("other@demo.example.org", "other-committee-pw"),
		"evaluator": s.login(evaluator.Email, evaluator.Password),
		"admin":     s.login(admin.Email, admin.Password),
	}
	u, _ := staff.NewUser("gone@demo.example.org", "Gone", []string{staff.RoleAdmin}, "gone-admin-password", time.Now())
	if err := s.store.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	visitors["disabled"] = s.login(u.Email, "gone-admin-password")
	if err := s.store.SetDisabled(ctx, u.Email, true); err != nil {
		t.Fatal(err)
	}
	_ = disabled

	x := completed
	type route struct {
		method, path string
		form         url.Values
		json         bool
	}
	routes := []route{
		{"GET", "/exchanges", nil, false},
		{"GET", "/exchanges/" + x, nil, false},
		{"POST", "/exchanges/" + x + "/signoff", url.Values{"goal": {"funding"}, "decision": {"accept"}}, false},
		{"GET", "/admin/exchanges/new", nil, false},
		{"GET", "/admin/exchanges/" + x, nil, false},
		{"POST", "/admin/exchanges/" + x, url.Values{"name": {"Chicago–Paris social services exchange 2014"}, "host_city": {"Chicago"}, "visiting_city": {"Paris"}, "start": {"2014-03-09"}, "end": {"2014-03-15"}}, false},
		{"POST", "/admin/exchanges/" + x + "/waves", url.Values{"wave": {"follow-up"}, "action": {"close"}}, false},
		{"GET", "/admin/exchanges/" + x + "/links.xlsx", nil, false},
		{"GET", "/admin/audit", nil, false},
		{"GET", "/api/v1/exchanges/" + x + "/report", nil, true},
		{"GET", "/api/v1/exchanges/" + x + "/workbook.xlsx", nil, true},
		{"GET", "/admin/users", nil, false},
		{"POST", "/admin/users/change", url.Values{"action": {"enable"}, "email": {committee.Email}}, false},
		{"POST", "/admin/exchanges/" + demo.UpcomingID + "/participants/P0008/remove", nil, false},
		{"POST", "/admin/exchanges/" + demo.UpcomingID + "/schedule", url.Values{"wave": {"post"}, "closes": {"2030-01-01"}}, false},
		{"POST", "/admin/exchanges/" + demo.UpcomingID + "/mail", url.Values{"action": {"retry"}}, false},
		{"GET", "/programmes/" + demo.InstrumentID, nil, false},
		{"GET", "/api/v1/programmes/" + demo.InstrumentID + "/report", nil, true},
		{"GET", "/api/v1/programmes/" + demo.InstrumentID + "/workbook.xlsx", nil, true},
		{"GET", "/api/v1/exchanges/" + x + "/export.zip?format=r", nil, true},
		{"GET", "/api/v1/programmes/" + demo.InstrumentID + "/export.zip?format=stata", nil, true},
		{"GET", "/admin/instruments", nil, false},
		{"GET", "/admin/instruments/" + demo.InstrumentID + "/2/preview?wave=post", nil, false},
		{"POST", "/admin/instruments/" + demo.InstrumentID + "/2/preview", url.Values{"wave": {"post"}}, false},
		{"GET", "/admin/instruments/" + demo.InstrumentID + "/1/definition.yaml", nil, false},
		{"GET", "/admin/instruments/" + demo.InstrumentID + "/2/form.xlsx", nil, false},
		{"POST", "/admin/tokens/revoke", url.Values{"id": {"0123456789ab"}}, false},
	}
	ok, redirect, login, forbidden, unauthorized := 200, 303, "login", 403, 401
	// want[visitor][route index]
	want := map[string][]any{
		"anonymous": {login, login, login, login, login, login, login, login, login, unauthorized, unauthorized, login, login, login, login, login, login, unauthorized, unauthorized, unauthorized, unauthorized, login, login, login, login, login, login},
		"disabled":  {login, login, login, login, login, login, login, login, login, unauthorized, unauthorized, login, login, login, login, login, login, unauthorized, unauthorized, unauthorized, unauthorized, login, login, login, login, login, login},
		"committee": {ok, ok, redirect, forbidden, forbidden, forbidden, forbidden, forbidden, forbidden, forbidden, forbidden, forbidden, forbidden, forbidden, forbidden, forbidden, ok, forbidden, forbidden, forbidden, forbidden, forbidden, forbidden, forbidden, forbidden, forbidden, forbidden},
		"other":     {ok, forbidden, forbidden, forbidden, forbidden, forbidden, forbidden, forbidden, forbidden, forbidden, forbidden, forbidden, forbidden, forbidden, forbidden, forbidden, ok, forbidden, forbidden, forbidden, forbidden, forbidden, forbidden, forbidden, forbidden, forbidden, forbidden},
		"evaluator": {ok, ok, forbidden, forbidden, forbidden, forbidden, forbidden, forbidden, forbidden, ok, ok, forbidden, forbidden, forbidden, forbidden, forbidden, ok, ok, ok, ok, ok, forbidden, forbidden, forbidden, forbidden, forbidden, forbidden},
		"admin":     {ok, ok, redirect, ok, ok, redirect, redirect, ok, ok, ok, ok, ok, redirect, redirect, redirect, redirect, ok, ok, ok, ok, ok, ok, ok, 422, ok, ok, redirect},
	}
	for who, c := range visitors {
		for i, r := range routes {
			var resp *http.Response
			var err error
			if r.method == "GET" {
				resp, err = c.Get(s.srv.URL + r.path)
			} else {
				form := url.Values{}
				for k, v := range r.form {
					form[k] = v
				}
				if who == "anonymous" || who == "disabled" {
					form.Set("csrf_token", s.csrf(c, "/login"))
				} else {
					form.Set("csrf_token", s.csrf(c, "/exchanges"))
				}
				resp, err = c.PostForm(s.srv.URL+r.path, form)
			}
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			expect := want[who][i]
			switch expect {
			case login:
				if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login?next=") {
					t.Errorf("%s %s %s: %d → %q, want a redirect to sign in", who, r.method, r.path, resp.StatusCode, resp.Header.Get("Location"))
				}
			default:
				if resp.StatusCode != expect.(int) {
					t.Errorf("%s %s %s: %d, want %d", who, r.method, r.path, resp.StatusCode, expect)
				}
			}
			// Denied requests carry no data.
			if resp.StatusCode == 401 || resp.StatusCode == 403 {
				if strings.Contains(string(body), "P0001") || strings.Contains(string(body), "mean_diff") {
					t.Errorf("%s %s: a denial carries data", who, r.path)
				}
			}
		}
	}
	// The committee member of another exchange does not even see this one.
	resp, _ := visitors["other"].Get(s.srv.URL + "/exchanges")
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if strings.Contains(string(body), completed) {
		t.Errorf("an unassigned committee member sees %s", completed)
	}
}

func TestAPITokens(t *testing.T) {
	s := newSite(t, web.Config{})
	ctx := context.Background()
	secret, hash := staff.NewSecret()
	if err := s.store.CreateToken(ctx, &staff.APIToken{Hash: hash, User: account(staff.RoleEvaluator).Email, Name: "r-script", CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	get := func(path, token string) *http.Response {
		req, _ := http.NewRequest(http.MethodGet, s.srv.URL+path, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	resp := get("/api/v1/exchanges/"+completed+"/report", secret)
	var r struct {
		Goals []struct{ ID, Verdict string }
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil || resp.StatusCode != 200 || len(r.Goals) != 3 || r.Goals[0].Verdict == "" {
		t.Fatalf("report with a token: %d %v %+v", resp.StatusCode, err, r)
	}
	resp.Body.Close()
	resp = get("/api/v1/exchanges/"+completed+"/workbook.xlsx?labels=fr", secret)
	if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Disposition"), completed+"-evaluation-") {
		t.Fatalf("workbook: %d %s", resp.StatusCode, resp.Header.Get("Content-Disposition"))
	}
	book, err := excelize.OpenReader(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	if rows, _ := book.GetRows("Responses"); len(rows) < 30 {
		t.Errorf("workbook Responses has %d rows", len(rows))
	}
	for _, bad := range []string{"", "wrong", strings.Repeat("A", 43)} {
		if resp := get("/api/v1/exchanges/"+completed+"/report", bad); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("token %q: %d", bad, resp.StatusCode)
		}
	}
	// Disabling the account revokes its tokens.
	if err := s.store.SetDisabled(ctx, account(staff.RoleEvaluator).Email, true); err != nil {
		t.Fatal(err)
	}
	if resp := get("/api/v1/exchanges/"+completed+"/report", secret); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("token of a disabled account: %d", resp.StatusCode)
	}
	// Exports are audited.
	events, _, _ := s.store.AuditTrail(ctx, staff.AuditQuery{Limit: 50})
	exports := 0
	for _, e := range events {
		if e.Action == staff.AuditExport && e.Actor == account(staff.RoleEvaluator).Email {
			exports++
		}
	}
	if exports != 2 {
		t.Errorf("%d exports audited, want 2", exports)
	}
}

func TestCSRF(t *testing.T) {
	// A form posted from a page of another site is refused even with a
	// valid token (its Origin differs).
	{
		s := newSite(t, web.Config{})
		c := s.client()
		token := s.csrf(c, "/login")
		req, _ := http.NewRequest(http.MethodPost, s.srv.URL+"/login", strings.NewReader(url.Values{"csrf_token": {token}, "email": {"x@example.org"}, "password": {"whatever-pass"}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", "http://evil.example")
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("cross-origin post: %d", resp.StatusCode)
		}
	}
	s := newSite(t, web.Config{})
	c := s.login(account(staff.RoleCommittee).Email, account(staff.RoleCommittee).Password)
	for _, form := range []url.Values{
		{"goal": {"funding"}, "decision": {"accept"}},
		{"goal": {"funding"}, "decision": {"accept"}, "csrf_token": {"forged"}},
	} {
		resp := s.post(c, "/exchanges/"+completed+"/signoff", form)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(body), "could not be accepted") {
			t.Errorf("sign-off without a valid token: %d", resp.StatusCode)
		}
	}
	signs, _ := s.store.SignOffs(context.Background(), completed)
	if len(signs) != 0 {
		t.Fatalf("a forged form recorded %d decisions", len(signs))
	}
	// Another browser's token does not work with this browser's cookie.
	other := s.client()
	token := s.csrf(other, "/login")
	resp := s.post(c, "/exchanges/"+completed+"/signoff", url.Values{"goal": {"funding"}, "decision": {"accept"}, "csrf_token": {token}})
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("a token from another session: %d", resp.StatusCode)
	}
	// Sign-in itself is protected (login CSRF).
	resp = s.post(s.client(), "/login", url.Values{"email": {account(staff.RoleAdmin).Email}, "password": {account(staff.RoleAdmin).Password}})
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("sign-in without a token: %d", resp.StatusCode)
	}
}

func TestSessionExpiryAndLogout(t *testing.T) {
	// The server's clock is the test's, so expiry does not depend on how
	// busy the machine is.
	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	s := newSite(t, web.Config{SessionTTL: time.Hour, Now: clock})
	a := account(staff.RoleAdmin)
	c := s.login(a.Email, a.Password)
	resp, _ := c.Get(s.srv.URL + "/exchanges")
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("signed in: %d", resp.StatusCode)
	}
	mu.Lock()
	now = now.Add(59 * time.Minute)
	mu.Unlock()
	resp, _ = c.Get(s.srv.URL + "/exchanges")
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("59 minutes later: %d", resp.StatusCode)
	}
	mu.Lock()
	now = now.Add(2 * time.Minute)
	mu.Unlock()
	resp, _ = c.Get(s.srv.URL + "/exchanges")
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("after expiry: %d", resp.StatusCode)
	}
	s2 := newSite(t, web.Config{})
	c = s2.login(a.Email, a.Password)
	resp = s2.post(c, "/logout", url.Values{"csrf_token": {s2.csrf(c, "/exchanges")}})
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login" {
		t.Fatalf("logout: %d", resp.StatusCode)
	}
	resp, _ = c.Get(s2.srv.URL + "/exchanges")
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("after logout: %d", resp.StatusCode)
	}
}

func TestLoginThrottlingAndDisabledAccounts(t *testing.T) {
	s := newSite(t, web.Config{})
	a := account(staff.RoleAdmin)
	try := func(email, password string) (int, string) {
		c := s.client()
		resp := s.post(c, "/login", url.Values{"csrf_token": {s.csrf(c, "/login")}, "email": {email}, "password": {password}})
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp.StatusCode, string(body)
	}
	for i := range 5 {
		if code, _ := try(a.Email, "wrong-password-"+string(rune('a'+i))); code != http.StatusUnauthorized {
			t.Fatalf("wrong password %d: %d", i, code)
		}
	}
	if code, body := try(a.Email, a.Password); code != http.StatusTooManyRequests || !strings.Contains(body, "Too many failed sign-ins") {
		t.Errorf("sixth try with the right password: %d", code)
	}
	// Another account from the same address still works (below its limit).
	if code, _ := try(account(staff.RoleEvaluator).Email, account(staff.RoleEvaluator).Password); code != http.StatusSeeOther {
		t.Errorf("another account: %d", code)
	}
	// Unknown accounts and disabled ones get the same answer as a wrong password.
	code1, body1 := try("nobody@demo.example.org", "whatever-password")
	if err := s.store.SetDisabled(context.Background(), account(staff.RoleCommittee).Email, true); err != nil {
		t.Fatal(err)
	}
	code2, body2 := try(account(staff.RoleCommittee).Email, account(staff.RoleCommittee).Password)
	if code1 != http.StatusUnauthorized || code2 != http.StatusUnauthorized || !strings.Contains(body1, "is not right") || !strings.Contains(body2, "is not right") {
		t.Errorf("unknown %d, disabled %d", code1, code2)
	}
	events, _, _ := s.store.AuditTrail(context.Background(), staff.AuditQuery{Limit: 100})
	failed := 0
	for _, e := range events {
		if e.Action == staff.AuditLoginFailed {
			failed++
		}
	}
	if failed < 7 {
		t.Errorf("%d failed sign-ins audited", failed)
	}
}

func TestSignOffKeepsTheFiguresItWasMadeOn(t *testing.T) {
	s := newSite(t, web.Config{})
	ctx := context.Background()
	a := account(staff.RoleCommittee)
	c := s.login(a.Email, a.Password)
	// Disagreeing needs a reason. The refusal redirects to the goal's form
	// on the dashboard (Post/Redirect/Get), which says why and keeps the
	// choice; a refresh reloads the dashboard, and shows no stale error.
	resp := s.post(c, "/exchanges/"+completed+"/signoff", url.Values{"csrf_token": {s.csrf(c, "/exchanges")}, "goal": {"funding"}, "decision": {"disagree"}, "comment": {"  "}})
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/exchanges/"+completed+"#goal-funding" {
		t.Fatalf("disagree without a comment: %d → %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	get := func(path string) (int, string) {
		resp, err := c.Get(s.srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp.StatusCode, string(b)
	}
	code, body := get("/exchanges/" + completed)
	if code != http.StatusOK || !strings.Contains(body, "Say why you disagree") || !regexp.MustCompile(`value="disagree" checked`).MatchString(body) {
		t.Fatalf("the dashboard after a refused sign-off: %d, error shown %v", code, strings.Contains(body, "Say why you disagree"))
	}
	if _, body := get("/exchanges/" + completed); strings.Contains(body, "Say why you disagree") {
		t.Error("the error is still shown after a reload")
	}
	// A refresh of the form's address, or a link to it, lands on the
	// dashboard: never a 405 with JSON.
	for path, to := range map[string]string{
		"/exchanges/" + completed + "/signoff":            "/exchanges/" + completed,
		"/admin/exchanges/" + completed + "/waves":        "/admin/exchanges/" + completed,
		"/admin/exchanges/" + completed + "/participants": "/admin/exchanges/" + completed,
	} {
		resp, err := c.Get(s.srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != to {
			t.Errorf("GET %s: %d → %q, want a redirect to %s", path, resp.StatusCode, resp.Header.Get("Location"), to)
		}
	}
	if code, body := get("/exchanges"); code != http.StatusOK || strings.Contains(body, `"error"`) {
		t.Errorf("exchanges: %d", code)
	}
	req, _ := http.NewRequest(http.MethodDelete, s.srv.URL+"/exchanges/"+completed, nil)
	if resp, err := c.Do(req); err != nil || resp.StatusCode != http.StatusMethodNotAllowed || !strings.Contains(resp.Header.Get("Content-Type"), "text/html") {
		t.Errorf("DELETE of a page: %v %v", err, resp.Header.Get("Content-Type"))
	}
	resp = s.post(c, "/exchanges/"+completed+"/signoff", url.Values{"csrf_token": {s.csrf(c, "/exchanges")}, "goal": {"funding"}, "decision": {"accept"}, "comment": {"Matches what the delegation reported."}})
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-off: %d", resp.StatusCode)
	}
	signs, _ := s.store.SignOffs(ctx, completed)
	if len(signs) != 1 || signs[0].Figures.Verdict == "" || signs[0].Figures.MeanDiff == nil || signs[0].User != a.Email {
		t.Fatalf("sign-offs %+v", signs)
	}
	page := func() string {
		resp, _ := c.Get(s.srv.URL + "/exchanges/" + completed)
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return string(b)
	}
	p := page()
	if !strings.Contains(p, "accept the verdict") || !strings.Contains(p, "Matches what the delegation reported.") || strings.Contains(p, "have changed since") {
		t.Errorf("dashboard does not show the decision")
	}
	// New answers change the figures: the dashboard says so beside the decision.
	ps, _ := s.store.Participants(ctx, completed)
	for _, pt := range ps[:3] {
		if _, err := s.store.SaveResponse(ctx, &exchange.Response{Exchange: completed, Participant: pt.PID, Wave: "post", Language: "fr",
			Answers: survey.Answers{"fund_corporate": 1, "fund_volunteers": 1, "fund_confidence": 1, "fund_little_place": 5}, Source: exchange.SourceImport, SubmittedAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	if p := page(); !strings.Contains(p, "The figures have changed since; the decision was made on:") {
		t.Errorf("changed figures not flagged")
	}
	events, _, _ := s.store.AuditTrail(ctx, staff.AuditQuery{Limit: 20})
	if len(events) == 0 || events[0].Action != staff.AuditSignOff && !hasAction(events, staff.AuditSignOff) {
		t.Errorf("sign-off not audited: %+v", events)
	}
}

func hasAction(events []*staff.Event, action string) bool {
	for _, e := range events {
		if e.Action == action {
			return true
		}
	}
	return false
}

func TestDashboardInFrenchAndPrintable(t *testing.T) {
	s := newSite(t, web.Config{})
	a := account(staff.RoleCommittee)
	c := s.login(a.Email, a.Password)
	resp, _ := c.Get(s.srv.URL + "/exchanges/" + completed + "?lang=fr")
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	p := string(body)
	for _, want := range []string{`<html lang="fr" dir="ltr">`, "Atteinte des objectifs", `<th scope="col">Pourquoi</th>`, "Financement par les partenariats avec les entreprises et le bénévolat",
		"atteint", "paires Avant l&#39;échange → À la fin de l&#39;échange", `<svg class="chart"`, "Thèmes des réponses ouvertes", "Dans leurs mots", "Par délégation", "Comment ces chiffres sont établis", "Enregistrer ma décision"} {
		if !strings.Contains(p, want) {
			t.Errorf("French dashboard lacks %q", want)
		}
	}
	// The methods in French, with nothing of the English left.
	if !strings.Contains(p, "Scores. Chaque objectif est mesuré") || strings.Contains(p, "Each goal is measured") {
		t.Errorf("the methods are not in French")
	}
	// Numbers as a French reader writes them, in the figures and the charts.
	if !regexp.MustCompile(`\d,\d\d → \d,\d\d · [^·]+ (&#43;|−)\d,\d\d \[-?\d,\d\d ; \d,\d\d\]`).MatchString(p) || regexp.MustCompile(`\d\.\d\d → \d\.\d\d`).MatchString(p) {
		i := strings.Index(p, "moyennes")
		t.Errorf("French figures are not written with decimal commas: %q", p[max(0, i-80):min(len(p), i+120)])
	}
	// Breakdown groups by their labels, in French; one column per goal.
	if !strings.Contains(p, `<th scope="row">Futur cadre (professionnel en début de carrière)</th>`) || strings.Contains(p, `<th scope="row">future-leader</th>`) ||
		!strings.Contains(p, `<th scope="row">Délégation en visite</th>`) {
		t.Errorf("breakdown groups are not named by their labels")
	}
	if strings.Contains(p, "Financement par les partenariats avec les entreprises et le bénévolat — ") {
		t.Errorf("breakdowns still have a column per goal and wave")
	}
	// The themes chart is drawn for a phone's width, labels above bars.
	if !strings.Contains(p, `<svg class="chart themes" viewBox="0 0 360 `) {
		t.Errorf("the themes chart is not the phone-width one")
	}
	for _, forbidden := range []string{"@demo.example.org\"", "camille", "/s/"} {
		if strings.Contains(strings.ToLower(p), forbidden) {
			t.Errorf("dashboard carries %q", forbidden)
		}
	}
	// The language choice sticks.
	resp, _ = c.Get(s.srv.URL + "/exchanges")
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), "Échanges") {
		t.Errorf("language not remembered")
	}
	css, _ := http.Get(s.srv.URL + "/static/app.css")
	b, _ := io.ReadAll(css.Body)
	css.Body.Close()
	if !strings.Contains(string(b), "@page { size: A4") {
		t.Errorf("no A4 print stylesheet")
	}
}

func TestAdminPages(t *testing.T) {
	s := newSite(t, web.Config{BaseURL: "https://eval.example.org"})
	ctx := context.Background()
	a := account(staff.RoleAdmin)
	c := s.login(a.Email, a.Password)
	// Create an exchange, with a mistake first.
	bad := s.post(c, "/admin/exchanges", url.Values{"csrf_token": {s.csrf(c, "/admin/exchanges/new")}, "id": {"Bad Id"}, "instrument": {"csci-social-services"},
		"name": {"X"}, "host_city": {"Hamburg"}, "visiting_city": {"Chicago"}, "start": {"2027-05-10"}, "end": {"2027-05-01"}})
	body, _ := io.ReadAll(bad.Body)
	bad.Body.Close()
	if bad.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "Last day: the last day is before the first") ||
		!strings.Contains(string(body), "Identifier: use 2 to 63") || strings.Contains(string(body), "--") {
		t.Fatalf("bad create: %d %s", bad.StatusCode, body)
	}
	// The same mistakes in French: the form's own labels and French words,
	// no command-line flag.
	bad = s.post(c, "/admin/exchanges?lang=fr", url.Values{"csrf_token": {s.csrf(c, "/admin/exchanges/new?lang=fr")}, "id": {"Bad Id"}, "instrument": {"csci-social-services"},
		"name": {"X"}, "host_city": {"Hamburg"}, "visiting_city": {"Chicago"}, "start": {"2027-05-10"}, "end": {"2027-05-01"}})
	body, _ = io.ReadAll(bad.Body)
	bad.Body.Close()
	for _, want := range []string{"L&#39;échange n&#39;a pas été enregistré", "Dernier jour : le dernier jour précède le premier", "Identifiant : de 2 à 63 lettres"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("French form lacks %q", want)
		}
	}
	if strings.Contains(string(body), "--end") || strings.Contains(string(body), "before the start") {
		t.Errorf("French form shows English or a flag")
	}
	if resp, err := c.Get(s.srv.URL + "/admin/exchanges/new?lang=en"); err == nil {
		resp.Body.Close() // back to English for the rest
	}
	resp := s.post(c, "/admin/exchanges", url.Values{"csrf_token": {s.csrf(c, "/admin/exchanges/new")}, "id": {"chicago-hamburg-2027"}, "instrument": {"csci-social-services"},
		"name": {"Chicago delegation to Hamburg 2027"}, "host_city": {"Hamburg"}, "visiting_city": {"Chicago"}, "start": {"2027-05-02"}, "end": {"2027-05-08"}})
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/admin/exchanges/chicago-hamburg-2027" {
		t.Fatalf("create: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	// Open the pre wave.
	resp = s.post(c, "/admin/exchanges/chicago-hamburg-2027/waves", url.Values{"csrf_token": {s.csrf(c, "/exchanges")}, "wave": {"pre"}, "action": {"open"}})
	resp.Body.Close()
	if x, _ := s.store.Exchange(ctx, "chicago-hamburg-2027"); !x.Waves["pre"].Open {
		t.Fatal("wave not opened")
	}
	// Upload participants with a bad row, then a good file.
	upload := func(content string) (int, string) {
		token := s.csrf(c, "/admin/exchanges/chicago-hamburg-2027")
		var buf strings.Builder
		buf.WriteString("--X\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n" + token + "\r\n")
		buf.WriteString("--X\r\nContent-Disposition: form-data; name=\"file\"; filename=\"people.csv\"\r\nContent-Type: text/csv\r\n\r\n" + content + "\r\n--X--\r\n")
		req, _ := http.NewRequest(http.MethodPost, s.srv.URL+"/admin/exchanges/chicago-hamburg-2027/participants", strings.NewReader(buf.String()))
		req.Header.Set("Content-Type", "multipart/form-data; boundary=X")
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp.StatusCode, string(b)
	}
	code, page := upload("name,email,city,role,language,side\nA,a@example.org,Chicago,practitioner,en,visiting\nB,,Chicago,lawyer,xx,visiting\n")
	if code != http.StatusBadRequest || !strings.Contains(page, "row 3, column B (email): email is missing") || !strings.Contains(page, `row 3, column E (language): language “xx”`) {
		t.Errorf("bad upload: %d", code)
	}
	// The same in French, every word of it.
	s.page(c, "/admin/exchanges/chicago-hamburg-2027?lang=fr")
	code, page = upload("name,email,city,role,language,side\nA,a@example.org,Chicago,practitioner,en,visiting\nB,,Chicago,lawyer,xx,visiting\n")
	page = html.UnescapeString(page)
	for _, want := range []string{"people.csv : 2 problèmes dans le fichier des participants ; rien n'a été importé", "ligne 3, colonne B (email) : email manquant",
		`ligne 3, colonne E (language) : la langue « xx » n'est pas une langue du questionnaire (en, fr, es, de)`} {
		if code != http.StatusBadRequest || !strings.Contains(page, want) {
			t.Errorf("bad upload in French: %d, lacks %q", code, want)
		}
	}
	code, page = upload("name,email\n\"A,a@example.org\n")
	if page = html.UnescapeString(page); code != http.StatusBadRequest || !strings.Contains(page, "people.csv, ligne 2 : un guillemet") || strings.Contains(page, "people.csv : people.csv") {
		t.Errorf("a stray quote in French: %d", code)
	}
	s.page(c, "/admin/exchanges/chicago-hamburg-2027?lang=en")
	code, page = upload("name,email,city,role,language,side\nAnna Keller,anna@example.org,Hamburg,supervisor,en,host\nRosa Delgado,rosa@example.org,Chicago,practitioner,en,visiting\n")
	if code != http.StatusOK || !strings.Contains(page, "Imported: 2 new participants") || !strings.Contains(page, "anna@example.org") {
		t.Errorf("upload: %d", code)
	}
	// Larger than a questionnaire, within the upload limit: a list of
	// 10 000 delegates (1.1 MiB), in Windows-1252 as Excel saves it.
	var long strings.Builder
	long.WriteString("name,email,city,role,language,side\n")
	for i := range 10_000 {
		fmt.Fprintf(&long, "D\xe9l\xe9gu\xe9 %d du service social de la ville,d%d@example.org,Hamburg-Altona-Nord-Ost-S\xfcd-West,supervisor,en,host\n", i, i)
	}
	if long.Len() <= web.MaxBodyBytes {
		t.Fatalf("the list is %d bytes, no larger than a questionnaire", long.Len())
	}
	code, page = upload(long.String())
	if code != http.StatusOK || !strings.Contains(page, "Imported: 10000 new participants") || !strings.Contains(page, "it was read as Windows-1252") {
		t.Errorf("a 1.3 MiB upload in Windows-1252: %d %.500s", code, page)
	}
	if ps, _ := s.store.Participants(ctx, "chicago-hamburg-2027"); len(ps) != 10_002 || ps[2].Name != "Délégué 0 du service social de la ville" {
		t.Errorf("%d participants, the first uploaded named %q", len(ps), ps[2].Name)
	}
	// Over the upload limit: a page that says so, not a CSRF failure.
	code, page = upload(strings.Repeat("x", web.MaxUploadBytes+1))
	if code != http.StatusRequestEntityTooLarge || !strings.Contains(page, "larger than 16 MiB") || strings.Contains(page, "CSRF") {
		t.Errorf("too large an upload: %d %.300s", code, page)
	}
	// Links workbook points at the public address.
	resp, _ = c.Get(s.srv.URL + "/admin/exchanges/chicago-hamburg-2027/links.xlsx")
	book, err := excelize.OpenReader(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	if link, _ := book.GetCellValue("Links", "F2"); !strings.HasPrefix(link, "https://eval.example.org/s/") {
		t.Errorf("link %q", link)
	}
	// The audit trail shows what happened.
	resp, _ = c.Get(s.srv.URL + "/admin/audit")
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{"exchange created", "questionnaire “Before the exchange” opened", "participants imported from people.csv: 2 new", "personal links downloaded", "signed in"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("audit trail lacks %q", want)
		}
	}
}

// TestExchangeNameInEveryLanguage: an exchange's name has translations; a
// French delegate and a French reader of the dashboard see the French one,
// and the admin form edits them (a bad one refused in the reader's words).
func TestExchangeNameInEveryLanguage(t *testing.T) {
	s := newSite(t, web.Config{})
	ctx := context.Background()
	c := s.login(account(staff.RoleAdmin).Email, account(staff.RoleAdmin).Password)
	x, _ := s.store.Exchange(ctx, demo.UpcomingID)
	form := url.Values{"csrf_token": {s.csrf(c, "/admin/exchanges/"+x.ID)}, "name": {x.Name}, "host_city": {x.HostCity}, "visiting_city": {x.VisitingCity},
		"start": {x.Start.Format(exchange.DateLayout)}, "end": {x.End.Format(exchange.DateLayout)}, "name_fr": {"Délégation chicagoane à Paris, 2027"}}
	resp := s.post(c, "/admin/exchanges/"+x.ID, form)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("edit: %d", resp.StatusCode)
	}
	if x, _ := s.store.Exchange(ctx, demo.UpcomingID); x.Names["fr"] != "Délégation chicagoane à Paris, 2027" || x.NameIn("en") != "Chicago delegation to Paris 2027" {
		t.Fatalf("names %v", x.Names)
	}
	get := func(c *http.Client, path string) string {
		resp, err := c.Get(s.srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return string(b)
	}
	if page := get(c, "/admin/exchanges/"+x.ID+"?lang=fr"); !strings.Contains(page, `value="Délégation chicagoane à Paris, 2027" lang="fr"`) {
		t.Errorf("the admin form does not show the French name")
	} else if !strings.Contains(page, `<td data-label="Langue">français</td>`) || strings.Contains(page, ">fr</td>") {
		t.Errorf("the list of who has not answered shows language codes, not names")
	}
	ps, _ := s.store.Participants(ctx, demo.UpcomingID)
	for _, p := range ps {
		page := get(http.DefaultClient, "/s/"+p.Token)
		want := map[string]string{"fr": "Délégation chicagoane à Paris, 2027", "en": "Chicago delegation to Paris 2027"}[p.Language]
		if !strings.Contains(page, want) {
			t.Errorf("%s delegate's questionnaire lacks the name %q", p.Language, want)
		}
	}
	if page := get(c, "/exchanges?lang=fr"); !strings.Contains(page, "Délégation chicagoane à Paris, 2027") {
		t.Errorf("the French exchanges list does not use the French name")
	}
	form.Set("csrf_token", s.csrf(c, "/admin/exchanges/"+x.ID+"?lang=fr"))
	form.Set("name_fr", "Ligne\nsuivante")
	resp = s.post(c, "/admin/exchanges/"+x.ID+"?lang=fr", form)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(b), "Nom en français (montré aux délégués et au personnel qui lisent cette langue) : contient un caractère de contrôle") {
		t.Errorf("a name with a line break: %d", resp.StatusCode)
	}
}

// TestAdminSeesEveryParticipant: the admin page lists everyone invited,
// with language and side in words, the waves each has answered, and the
// personal link to resend.
func TestAdminSeesEveryParticipant(t *testing.T) {
	s := newSite(t, web.Config{BaseURL: "https://eval.example.org"})
	ctx := context.Background()
	c := s.login(account(staff.RoleAdmin).Email, account(staff.RoleAdmin).Password)
	resp, err := c.Get(s.srv.URL + "/admin/exchanges/" + completed + "?lang=fr")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	page := string(b)
	ps, _ := s.store.Participants(ctx, completed)
	by, _ := s.store.Respondents(ctx, completed)
	if !strings.Contains(page, fmt.Sprintf("Toutes les personnes invitées (%d)", len(ps))) {
		t.Fatalf("no list of everyone invited")
	}
	for _, p := range ps {
		if !strings.Contains(page, `value="https://eval.example.org/s/`+p.Token+`"`) {
			t.Errorf("%s's link is not on the page", p.PID)
		}
		row := page[strings.Index(page, ">"+p.PID+"</a> · "):] // the people list, where the id links to the personal data
		row = row[:strings.Index(row, "</tr>")]
		want := "rien pour l&#39;instant"
		switch {
		case by["pre"][p.PID] && by["post"][p.PID]:
			want = "Avant l&#39;échange, À la fin de l&#39;échange"
		case by["pre"][p.PID]:
			want = "Avant l&#39;échange<"
		case by["post"][p.PID]:
			want = ">À la fin de l&#39;échange<"
		}
		if !strings.Contains(row, want) {
			t.Errorf("%s's row does not say %q: %s", p.PID, want, row)
		}
	}
}

// TestThrottlingBehindAProxy: behind a trusted proxy, sign-in failures are
// counted for the client X-Forwarded-For names, so twenty failures from one
// client lock neither other clients nor other staff out; without the proxy
// trusted, a forged X-Forwarded-For is ignored and the failures count for
// the connection's address, whatever the header says. The failure page
// never says whether an account exists. HSTS is sent over https.
func TestThrottlingBehindAProxy(t *testing.T) {
	try := func(s *site, forwardedFor, email, password string) int {
		c := s.client()
		token := s.csrf(c, "/login")
		req, _ := http.NewRequest(http.MethodPost, s.srv.URL+"/login", strings.NewReader(url.Values{"csrf_token": {token}, "email": {email}, "password": {password}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Forwarded-For", forwardedFor)
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	a, ev := account(staff.RoleAdmin), account(staff.RoleEvaluator)
	fail := func(s *site, forwardedFor string) {
		for i := range 21 {
			// Different accounts, so only the address's limit is met.
			try(s, forwardedFor, fmt.Sprintf("stranger%d@example.org", i), "wrong-password")
		}
	}

	proxied := newSite(t, web.Config{TrustedProxies: []string{"127.0.0.1"}})
	fail(proxied, "203.0.113.5")
	if code := try(proxied, "203.0.113.5", a.Email, a.Password); code != http.StatusTooManyRequests {
		t.Errorf("the failing client after 21 failures: %d, want 429", code)
	}
	if code := try(proxied, "198.51.100.7", a.Email, a.Password); code != http.StatusSeeOther {
		t.Errorf("another client behind the same proxy: %d, want a sign-in", code)
	}

	direct := newSite(t, web.Config{})
	for i := range 21 {
		try(direct, fmt.Sprintf("203.0.113.%d", i), fmt.Sprintf("stranger%d@example.org", i), "wrong-password")
	}
	if code := try(direct, "198.51.100.7", ev.Email, ev.Password); code != http.StatusTooManyRequests {
		t.Errorf("forged X-Forwarded-For from an untrusted peer: %d, want 429 (the header ignored)", code)
	}

	if _, err := web.NewServer(direct.store, direct.set, exchangeeval.Templates, slog.New(slog.NewTextHandler(io.Discard, nil)), web.Config{TrustedProxies: []string{"not an address"}}); err == nil {
		t.Error("a bad trusted proxy was accepted")
	}
	secure := newSite(t, web.Config{Secure: true})
	resp, err := http.Get(secure.srv.URL + "/login")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Header.Get("Strict-Transport-Security") == "" {
		t.Error("no HSTS with an https base URL")
	}
	resp, _ = http.Get(direct.srv.URL + "/login")
	resp.Body.Close()
	if resp.Header.Get("Strict-Transport-Security") != "" {
		t.Error("HSTS over plain http")
	}
}

// TestAdminRevokesATokenOnThePage: the accounts page lists API tokens with
// their expiry; an admin revokes one there, and it stops working at once,
// the others not.
func TestAdminRevokesATokenOnThePage(t *testing.T) {
	s := newSite(t, web.Config{})
	ctx := context.Background()
	ev := account(staff.RoleEvaluator)
	secrets := map[string]string{}
	for _, name := range []string{"nightly-r", "dashboard"} {
		secret, hash := staff.NewSecret()
		if err := s.store.CreateToken(ctx, &staff.APIToken{Hash: hash, User: ev.Email, Name: name, CreatedAt: time.Now(), ExpiresAt: time.Now().AddDate(0, 0, 30)}); err != nil {
			t.Fatal(err)
		}
		secrets[name] = secret
	}
	call := func(secret string) int {
		req, _ := http.NewRequest(http.MethodGet, s.srv.URL+"/api/v1/exchanges/"+completed+"/report", nil)
		req.Header.Set("Authorization", "Bearer "+secret)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	c := s.login(account(staff.RoleAdmin).Email, account(staff.RoleAdmin).Password)
	_, page := s.page(c, "/admin/users?lang=en")
	m := regexp.MustCompile(`name="id" value="([0-9a-f]{12})"><button type="submit" class="secondary" data-confirm="Revoke the token “nightly-r”`).FindStringSubmatch(page)
	if m == nil || !strings.Contains(page, "API tokens (2)") || !strings.Contains(page, mailing.Date("en", time.Now().AddDate(0, 0, 30))) {
		t.Fatalf("the accounts page does not list the tokens with their expiry:\n%s", page)
	}
	if status, _ := s.postForm(c, "/admin/users", "/admin/tokens/revoke", url.Values{"id": {m[1]}}); status != http.StatusSeeOther {
		t.Fatalf("revoke: %d", status)
	}
	if _, page = s.page(c, "/admin/users?lang=en"); !strings.Contains(page, "The token “nightly-r” of "+ev.Email+" is revoked.") || !strings.Contains(page, "API tokens (1)") {
		t.Errorf("no notice of the revocation, or the token still listed")
	}
	if call(secrets["nightly-r"]) != http.StatusUnauthorized || call(secrets["dashboard"]) != http.StatusOK {
		t.Errorf("after revoking: %d (want 401), the other %d (want 200)", call(secrets["nightly-r"]), call(secrets["dashboard"]))
	}
}
