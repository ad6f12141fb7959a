package web_test

import (
	"archive/zip"
	"bytes"
	"html"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/csci/exchangeeval/internal/staff"
	"github.com/csci/exchangeeval/internal/web"
)

// TestStatExportDownload: the French dashboard offers the data for SPSS,
// R and Stata labelled in French; the download is a zip of one folder
// with the data, the syntax and the README; a format that is not one is
// refused, naming the formats.
func TestStatExportDownload(t *testing.T) {
	s := newSite(t, web.Config{})
	ev := s.login(account(staff.RoleEvaluator).Email, account(staff.RoleEvaluator).Password)
	_, page := s.page(ev, "/exchanges/"+completed+"?lang=fr")
	link := regexp.MustCompile(`href="(/api/v1/exchanges/[^"]+/export\.zip\?format=spss[^"]*)"`).FindStringSubmatch(page)
	if link == nil || !strings.Contains(link[1], "labels=fr") {
		t.Fatalf("the French dashboard has no SPSS download labelled in French: %v", link)
	}
	resp, err := ev.Get(s.srv.URL + html.UnescapeString(link[1]))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	zr, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("download: %d %v", resp.StatusCode, err)
	}
	var names []string
	var syntax string
	for _, f := range zr.File {
		names = append(names, f.Name)
		if strings.HasSuffix(f.Name, "/responses.sps") {
			rc, _ := f.Open()
			b, _ := io.ReadAll(rc)
			rc.Close()
			syntax = string(b)
		}
	}
	folder := completed + "-spss-"
	if len(names) != 5 || !strings.HasPrefix(names[0], folder) || !slices.ContainsFunc(names, func(n string) bool { return strings.HasSuffix(n, "/README.txt") }) {
		t.Errorf("the zip holds %v", names)
	}
	if !strings.Contains(syntax, "'Avant l''échange'") {
		t.Errorf("the SPSS syntax is not labelled in French:\n%.1500s", syntax)
	}
	// The programme's, from its page: every exchange, each row saying
	// which.
	_, page = s.page(ev, "/programmes/csci-social-services")
	link = regexp.MustCompile(`href="(/api/v1/programmes/[^"]+/export\.zip\?[^"]*format=r)"`).FindStringSubmatch(page)
	if link == nil {
		t.Fatalf("the programme page has no R download")
	}
	resp, err = ev.Get(s.srv.URL + html.UnescapeString(link[1]))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if zr, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw))); err != nil || resp.StatusCode != http.StatusOK || len(zr.File) != 4 || !strings.HasPrefix(zr.File[0].Name, "csci-social-services-programme-r-") {
		t.Errorf("the programme's R download: %d %v", resp.StatusCode, err)
	}
	resp, err = ev.Get(s.srv.URL + "/api/v1/exchanges/" + completed + "/export.zip?format=sas")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "choose one of spss, r, stata") {
		t.Errorf("format=sas: %d %s", resp.StatusCode, body)
	}
}
