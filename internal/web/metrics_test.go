package web_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"

	"github.com/csci/exchangeeval/internal/demo"
	"github.com/csci/exchangeeval/internal/web"
)

// scrape reads /metrics as Prometheus does, with its text-format parser.
func scrape(t *testing.T, url, token string) (int, map[string]*dto.MetricFamily) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url+"/metrics", nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return resp.StatusCode, nil
	}
	var p expfmt.TextParser
	families, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("the metrics do not parse: %v", err)
	}
	return resp.StatusCode, families
}

// counter is the value of a family's sample whose labels include want.
func counter(families map[string]*dto.MetricFamily, name string, want map[string]string) float64 {
	f := families[name]
	if f == nil {
		return 0
	}
	sum := 0.0
	for _, m := range f.Metric {
		labels := map[string]string{}
		for _, l := range m.Label {
			labels[l.GetName()] = l.GetValue()
		}
		match := true
		for k, v := range want {
			match = match && labels[k] == v
		}
		if !match {
			continue
		}
		switch {
		case m.Counter != nil:
			sum += m.Counter.GetValue()
		case m.Gauge != nil:
			sum += m.Gauge.GetValue()
		}
	}
	return sum
}

// TestMetricsCountWhatHappened: /metrics parses with Prometheus' own
// parser and its counters move by what was done between two scrapes —
// pages by route and status, a submission, analyses and their cache; it
// is closed to a client through a proxy, and with a token set, to any
// request without it.
func TestMetricsCountWhatHappened(t *testing.T) {
	s := newSite(t, web.Config{})
	status, before := scrape(t, s.srv.URL, "")
	if status != http.StatusOK {
		t.Fatalf("GET /metrics from this machine: %d", status)
	}
	for range 3 {
		resp, err := http.Get(s.srv.URL + "/")
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	if resp, err := http.Get(s.srv.URL + "/s/not-a-link"); err == nil {
		resp.Body.Close()
	}
	ps, err := s.store.Participants(context.Background(), demo.UpcomingID)
	if err != nil {
		t.Fatal(err)
	}
	in := s.set.Get("csci-social-services")
	resp, err := http.Post(s.srv.URL+"/api/v1/responses/"+ps[0].Token, "application/json", bytes.NewReader(answersIn(in, "pre", 0)))
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("a submission: %v %v", err, resp.StatusCode)
	}
	resp.Body.Close()
	ev := account("evaluator")
	c := s.login(ev.Email, ev.Password)
	for range 2 {
		s.get(c, "/exchanges/"+demo.CompletedID)
	}
	_, after := scrape(t, s.srv.URL, "")
	for _, tc := range []struct {
		name   string
		labels map[string]string
		moved  float64
	}{
		{"exchangeeval_http_requests_total", map[string]string{"route": "/", "method": "GET", "status": "200"}, 3},
		{"exchangeeval_http_requests_total", map[string]string{"route": "/s/:token", "status": "404"}, 1},
		{"exchangeeval_submissions_total", map[string]string{"source": "api"}, 1},
		{"exchangeeval_analyses_total", map[string]string{"cache": "miss"}, 1},
		{"exchangeeval_analyses_total", map[string]string{"cache": "hit"}, 1},
	} {
		if got := counter(after, tc.name, tc.labels) - counter(before, tc.name, tc.labels); got != tc.moved {
			t.Errorf("%s%v moved by %v, want %v", tc.name, tc.labels, got, tc.moved)
		}
	}
	for _, name := range []string{"exchangeeval_http_request_duration_seconds", "exchangeeval_mail_queue_length", "go_goroutines", "process_resident_memory_bytes"} {
		if after[name] == nil {
			t.Errorf("no %s", name)
		}
	}

	// Through a proxy on this machine: closed.
	req, _ := http.NewRequest(http.MethodGet, s.srv.URL+"/metrics", nil)
	req.Header.Set("X-Forwarded-For", "203.0.113.9")
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusForbidden {
		t.Errorf("through a proxy: %v %v", err, resp.StatusCode)
	}
	// With a token set: the token, and nothing else.
	withToken := newSite(t, web.Config{MetricsToken: "scrape-secret"})
	if status, _ := scrape(t, withToken.srv.URL, ""); status != http.StatusForbidden {
		t.Errorf("no token: %d", status)
	}
	if status, _ := scrape(t, withToken.srv.URL, "wrong"); status != http.StatusForbidden {
		t.Errorf("a wrong token: %d", status)
	}
	if status, _ := scrape(t, withToken.srv.URL, "scrape-secret"); status != http.StatusOK {
		t.Errorf("the token: %d", status)
	}
}
