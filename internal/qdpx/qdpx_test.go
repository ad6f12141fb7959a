package qdpx

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func sample() Project {
	return Project{Name: "chicago-paris-2014", Created: time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC),
		Codes: []Code{{ID: "empowerment", Name: "Empowerment", Description: "empower*; pouvoir d'agir"}, {ID: "evaluation", Name: "Evaluation"}},
		Sources: []Source{
			{Participant: "P0001", Wave: "post", Question: "takeaways", Language: "fr", Text: "Le pouvoir d'agir des habitants — « évaluer » <&>",
				Codings: []Coding{{Coder: "exchangeeval (automatic)", Code: "empowerment"}, {Coder: "ana@example.org", Code: "empowerment"}, {Coder: "ana@example.org", Code: "evaluation"}}},
			{Participant: "P0001", Wave: "pre", Question: "expectations", Language: "fr", Text: "Comprendre."},
			{Participant: "P0002", Wave: "post", Question: "takeaways", Language: "en", Text: "Empowered families.", Codings: []Coding{{Coder: "exchangeeval (automatic)", Code: "empowerment"}}},
		}}
}

// TestTheProjectValidatesAndHoldsWhatWasCoded: the project.qde of an
// export validates against the REFI-QDA schema (xmllint), and holds each
// answer as a source with its text file, the codes, each coder as a user
// and each coder's codes on the whole answer.
func TestTheProjectValidatesAndHoldsWhatWasCoded(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, sample()); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	for _, f := range zr.File {
		r, _ := f.Open()
		b, _ := io.ReadAll(r)
		r.Close()
		files[f.Name] = string(b)
	}
	qde := files["project.qde"]
	if qde == "" || len(files) != 4 {
		t.Fatalf("the archive holds %d files", len(files))
	}
	if xmllint, err := exec.LookPath("xmllint"); err != nil {
		t.Log("xmllint is not installed (apt-get install libxml2-utils): the schema is not checked")
	} else {
		path := filepath.Join(t.TempDir(), "project.qde")
		if err := os.WriteFile(path, []byte(qde), 0o600); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command(xmllint, "--noout", "--schema", "schema/Project.xsd", path).CombinedOutput(); err != nil {
			t.Fatalf("xmllint: %v\n%s", err, out)
		}
	}
	var p struct {
		Users []struct {
			GUID string `xml:"guid,attr"`
			Name string `xml:"name,attr"`
		} `xml:"Users>User"`
		Codes []struct {
			GUID string `xml:"guid,attr"`
			Name string `xml:"name,attr"`
		} `xml:"CodeBook>Codes>Code"`
		Sources []struct {
			Name       string `xml:"name,attr"`
			Path       string `xml:"plainTextPath,attr"`
			Selections []struct {
				End     int `xml:"endPosition,attr"`
				Codings []struct {
					User string `xml:"creatingUser,attr"`
					Code struct {
						Target string `xml:"targetGUID,attr"`
					} `xml:"CodeRef"`
				} `xml:"Coding"`
			} `xml:"PlainTextSelection"`
			Values []string `xml:"VariableValue>TextValue"`
		} `xml:"Sources>TextSource"`
		Cases []struct {
			Name string `xml:"name,attr"`
			Refs []struct {
				Target string `xml:"targetGUID,attr"`
			} `xml:"SourceRef"`
		} `xml:"Cases>Case"`
	}
	if err := xml.Unmarshal([]byte(qde), &p); err != nil {
		t.Fatal(err)
	}
	user, code := map[string]string{}, map[string]string{}
	for _, u := range p.Users {
		user[u.GUID] = u.Name
	}
	for _, c := range p.Codes {
		code[c.GUID] = c.Name
	}
	if len(p.Users) != 2 || len(p.Codes) != 2 || len(p.Sources) != 3 || len(p.Cases) != 2 || len(p.Cases[0].Refs) != 2 {
		t.Fatalf("users %d, codes %d, sources %d, cases %+v", len(p.Users), len(p.Codes), len(p.Sources), p.Cases)
	}
	first := p.Sources[0]
	text := files["Sources/"+strings.TrimPrefix(first.Path, "internal://")]
	if text != sample().Sources[0].Text || strings.Join(first.Values, "|") != "P0001|post|takeaways|fr" {
		t.Errorf("the first source: %q %q", text, first.Values)
	}
	var got []string
	for _, c := range first.Selections[0].Codings {
		got = append(got, user[c.User]+" → "+code[c.Code.Target])
	}
	if strings.Join(got, "; ") != "exchangeeval (automatic) → Empowerment; ana@example.org → Empowerment; ana@example.org → Evaluation" ||
		first.Selections[0].End != utf8.RuneCountInString(text) {
		t.Errorf("the codings: %q, end %d", got, first.Selections[0].End)
	}
	if len(p.Sources[1].Selections) != 0 {
		t.Error("an uncoded answer has a selection")
	}
	// The same project gives the same file: GUIDs are stable.
	var again bytes.Buffer
	if err := Write(&again, sample()); err != nil || !bytes.Equal(again.Bytes(), buf.Bytes()) {
		t.Error("two exports of one project differ")
	}
}
