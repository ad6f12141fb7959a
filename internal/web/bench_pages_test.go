package web_test

import (
	"context"
	"io"
	"net/http"
	"testing"

	"github.com/csci/exchangeeval/internal/demo"
	"github.com/csci/exchangeeval/internal/staff"
	"github.com/csci/exchangeeval/internal/web"
)

// BenchmarkDashboardPage: a committee member's dashboard of the completed
// demo exchange, in English and in French, its analysis cached: what the
// page costs beyond the analysis — the words from the catalogues, the
// charts, the template.
//
//	go test ./internal/web -run '^$' -bench DashboardPage -benchtime 300x
func BenchmarkDashboardPage(b *testing.B) {
	s := newSite(b, web.Config{})
	c := s.login(account(staff.RoleAdmin).Email, account(staff.RoleAdmin).Password)
	for _, lang := range []string{"en", "fr"} {
		b.Run(lang, func(b *testing.B) {
			url := s.srv.URL + "/exchanges/" + demo.CompletedID + "?lang=" + lang
			getPage(b, c, url) // the analysis, made once and cached
			for b.Loop() {
				getPage(b, c, url)
			}
		})
	}
}

// BenchmarkQuestionnairePage: a delegate's pre-exchange questionnaire of
// the upcoming demo exchange, in English and in French: the page a phone
// loads from an invitation — the instrument's words, the interface's from
// the catalogues, the template.
//
//	go test ./internal/web -run '^$' -bench QuestionnairePage -benchtime 500x
func BenchmarkQuestionnairePage(b *testing.B) {
	s := newSite(b, web.Config{})
	ps, err := s.store.Participants(context.Background(), demo.UpcomingID)
	if err != nil {
		b.Fatal(err)
	}
	tokens := map[string]string{}
	for _, p := range ps {
		tokens[p.Language] = p.Token
	}
	for _, lang := range []string{"en", "fr"} {
		b.Run(lang, func(b *testing.B) {
			c := s.client()
			for b.Loop() {
				getPage(b, c, s.srv.URL+"/s/"+tokens[lang])
			}
		})
	}
}

// getPage fetches a page as a browser would, read to the end, and stops
// the benchmark on anything but 200.
func getPage(b *testing.B, c *http.Client, url string) {
	resp, err := c.Get(url)
	if err != nil {
		b.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b.Fatalf("%s: %d", url, resp.StatusCode)
	}
}
