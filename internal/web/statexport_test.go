package web_test

import (
	"archive/zip"
	"bytes"
	"html"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
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
	var project []byte
	for _, f := range zr.File {
		names = append(names, f.Name)
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		switch {
		case strings.HasSuffix(f.Name, "/responses.sps"):
			syntax = string(b)
		case strings.HasSuffix(f.Name, "/"+completed+".qdpx"):
			project = b
		}
	}
	folder := completed + "-spss-"
	if len(names) != 6 || !strings.HasPrefix(names[0], folder) || !slices.ContainsFunc(names, func(n string) bool { return strings.HasSuffix(n, "/README.txt") }) {
		t.Errorf("the zip holds %v", names)
	}
	// The exchange's REFI-QDA project rides along, for NVivo, ATLAS.ti
	// and MAXQDA: a project (itself a zip) whose project.qde validates
	// against the schema and holds the open answers.
	checkProject(t, project, completed)
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

// checkProject opens a .qdpx: its project.qde must hold text sources,
// no e-mail address, and validate against REFI-QDA's Project.xsd with
// xmllint where it is installed.
func checkProject(t *testing.T, project []byte, id string) {
	t.Helper()
	pr, err := zip.NewReader(bytes.NewReader(project), int64(len(project)))
	if err != nil {
		t.Fatalf("%s.qdpx in the zip: %v", id, err)
	}
	qde, err := pr.Open("project.qde")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(qde)
	qde.Close()
	if strings.Count(string(raw), "<TextSource ") == 0 || strings.Contains(string(raw), "@example.org") {
		t.Errorf("the project has no sources, or an e-mail address")
	}
	xmllint, err := exec.LookPath("xmllint")
	if err != nil {
		return
	}
	path := filepath.Join(t.TempDir(), "project.qde")
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(xmllint, "--noout", "--schema", "../qdpx/schema/Project.xsd", path).CombinedOutput(); err != nil {
		t.Errorf("xmllint: %v\n%s", err, out)
	}
}
