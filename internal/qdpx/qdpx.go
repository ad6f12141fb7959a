// Package qdpx writes a REFI-QDA project (.qdpx): the exchange format NVivo,
// ATLAS.ti, MAXQDA and QDA Miner import. A project is a zip of project.qde
// (XML, urn:QDA-XML:project:1.0, schema/Project.xsd) and the text of each
// source under Sources/. Each open answer is a text source, named by its
// pseudonymous participant, wave and question, with those and its language
// as variables; each participant is a case; the codebook's themes are
// codes; each coder's codes of an answer are codings of the whole answer,
// by that coder. It knows neither the web nor the database; its schema is
// kept in schema/ for the tests.
package qdpx

import (
	"archive/zip"
	"crypto/sha256"
	"encoding/xml"
	"fmt"
	"io"
	"iter"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/csci/exchangeeval/internal/coding"
	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/survey"
)

// Project is what a .qdpx holds.
type Project struct {
	Name    string
	Created time.Time
	Codes   []Code
	Sources []Source
	// Coders are every coder, those who found no theme to code too.
	Coders []string
}

// Code is a theme of the codebook.
type Code struct {
	ID, Name, Description string
}

// Source is one open answer.
type Source struct {
	Participant, Wave, Question, Language string
	Text                                  string
	// Codings are the codes given to the whole answer, by coder.
	Codings []Coding
}

// Coding is one coder's code of an answer.
type Coding struct {
	Coder, Code string
}

// guid makes the stable GUID of a thing of the project: the same export
// gives the same GUIDs, so a tool importing it twice sees the same project.
func guid(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	b := h.Sum(nil)
	b[6] = b[6]&0x0f | 0x50 // a name-based UUID's version and variant
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// The XML of project.qde, as Project.xsd orders it.
type (
	xProject struct {
		XMLName   xml.Name    `xml:"urn:QDA-XML:project:1.0 Project"`
		Name      string      `xml:"name,attr"`
		Origin    string      `xml:"origin,attr"`
		Created   string      `xml:"creationDateTime,attr"`
		Users     xUsers      `xml:"Users"`
		CodeBook  *xCodeBook  `xml:"CodeBook,omitempty"`
		Variables *xVariables `xml:"Variables,omitempty"`
		Cases     *xCases     `xml:"Cases,omitempty"`
		Sources   *xSources   `xml:"Sources,omitempty"`
	}
	xUsers struct{ User []xUser }
	xUser  struct {
		GUID string `xml:"guid,attr"`
		Name string `xml:"name,attr"`
	}
	xCodeBook struct {
		Codes struct{ Code []xCode }
	}
	xCode struct {
		GUID        string `xml:"guid,attr"`
		Name        string `xml:"name,attr"`
		Codable     bool   `xml:"isCodable,attr"`
		Description string `xml:"Description,omitempty"`
	}
	xVariables struct{ Variable []xVariable }
	xVariable  struct {
		GUID string `xml:"guid,attr"`
		Name string `xml:"name,attr"`
		Type string `xml:"typeOfVariable,attr"`
	}
	xCases struct{ Case []xCase }
	xCase  struct {
		GUID      string `xml:"guid,attr"`
		Name      string `xml:"name,attr"`
		SourceRef []xRef
	}
	xRef struct {
		Target string `xml:"targetGUID,attr"`
	}
	xSources    struct{ TextSource []xTextSource }
	xTextSource struct {
		GUID          string       `xml:"guid,attr"`
		Name          string       `xml:"name,attr"`
		Path          string       `xml:"plainTextPath,attr"`
		Created       string       `xml:"creationDateTime,attr"`
		Selection     []xSelection `xml:"PlainTextSelection"`
		VariableValue []xVariableValue
	}
	xSelection struct {
		GUID   string `xml:"guid,attr"`
		Name   string `xml:"name,attr"`
		Start  int    `xml:"startPosition,attr"`
		End    int    `xml:"endPosition,attr"`
		Coding []xCoding
	}
	xCoding struct {
		GUID    string `xml:"guid,attr"`
		User    string `xml:"creatingUser,attr"`
		CodeRef xRef
	}
	xVariableValue struct {
		VariableRef xRef
		TextValue   string
	}
)

// variables are the attributes of every source.
var variables = []string{"Participant", "Wave", "Question", "Language"}

// Write writes p as a .qdpx to w.
func Write(w io.Writer, p Project) error {
	created := p.Created.UTC().Format(time.RFC3339)
	x := xProject{Name: p.Name, Origin: "exchangeeval", Created: created}
	coders := map[string]bool{}
	user := func(name string) {
		if !coders[name] {
			coders[name] = true
			x.Users.User = append(x.Users.User, xUser{GUID: guid("user", name), Name: name})
		}
	}
	for _, c := range p.Coders {
		user(c)
	}
	for _, s := range p.Sources {
		for _, c := range s.Codings {
			user(c.Coder)
		}
	}
	if len(x.Users.User) == 0 {
		x.Users.User = append(x.Users.User, xUser{GUID: guid("user", "exchangeeval"), Name: "exchangeeval"})
	}
	if len(p.Codes) > 0 {
		x.CodeBook = &xCodeBook{}
		for _, c := range p.Codes {
			x.CodeBook.Codes.Code = append(x.CodeBook.Codes.Code, xCode{GUID: guid("code", c.ID), Name: c.Name, Codable: true, Description: c.Description})
		}
	}
	x.Variables = &xVariables{}
	for _, v := range variables {
		x.Variables.Variable = append(x.Variables.Variable, xVariable{GUID: guid("variable", v), Name: v, Type: "Text"})
	}
	zw := zip.NewWriter(w)
	cases := map[string]*xCase{}
	var caseOrder []string
	if len(p.Sources) > 0 {
		x.Sources = &xSources{}
	}
	for _, s := range p.Sources {
		name := s.Participant + " · " + s.Wave + " · " + s.Question
		id := guid("source", s.Participant, s.Wave, s.Question)
		ts := xTextSource{GUID: id, Name: name, Path: "internal://" + id + ".txt", Created: created}
		for i, v := range []string{s.Participant, s.Wave, s.Question, s.Language} {
			ts.VariableValue = append(ts.VariableValue, xVariableValue{VariableRef: xRef{guid("variable", variables[i])}, TextValue: v})
		}
		if len(s.Codings) > 0 {
			sel := xSelection{GUID: guid("selection", id), Name: name, Start: 0, End: utf8.RuneCountInString(s.Text)}
			for _, c := range s.Codings {
				sel.Coding = append(sel.Coding, xCoding{GUID: guid("coding", id, c.Coder, c.Code), User: guid("user", c.Coder), CodeRef: xRef{guid("code", c.Code)}})
			}
			ts.Selection = append(ts.Selection, sel)
		}
		x.Sources.TextSource = append(x.Sources.TextSource, ts)
		if cases[s.Participant] == nil {
			cases[s.Participant] = &xCase{GUID: guid("case", s.Participant), Name: s.Participant}
			caseOrder = append(caseOrder, s.Participant)
		}
		cases[s.Participant].SourceRef = append(cases[s.Participant].SourceRef, xRef{id})
		f, err := zw.Create("Sources/" + id + ".txt")
		if err == nil {
			_, err = io.WriteString(f, s.Text)
		}
		if err != nil {
			return fmt.Errorf("write source %s: %w", name, err)
		}
	}
	if len(caseOrder) > 0 {
		x.Cases = &xCases{}
		for _, pid := range caseOrder {
			x.Cases.Case = append(x.Cases.Case, *cases[pid])
		}
	}
	f, err := zw.Create("project.qde")
	if err != nil {
		return err
	}
	if _, err := io.WriteString(f, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(f)
	enc.Indent("", " ")
	if err := enc.Encode(x); err != nil {
		return fmt.Errorf("write project.qde: %w", err)
	}
	return zw.Close()
}

// Build gathers the open answers of an exchange's responses (current
// answers, pseudonymous ids only) as sources, the instrument's themes as
// codes (labelled in lang), each answer's automatic codes (code) as the
// codings of coder "exchangeeval (automatic)", and people's codes as
// theirs (a reconciliation as the coder "reconciled").
func Build(in *survey.Instrument, name, lang string, created time.Time, responses iter.Seq2[*exchange.Response, error], code func(lang, text string) []string, people []coding.Record) (Project, error) {
	byAnswer := map[coding.AnswerKey][]coding.Record{}
	p := Project{Name: name, Created: created, Coders: []string{coding.Automatic}}
	for _, r := range people {
		byAnswer[r.Key()] = append(byAnswer[r.Key()], r)
		if !slices.Contains(p.Coders, r.Coder) {
			p.Coders = append(p.Coders, r.Coder)
		}
	}
	base := in.BaseLanguage()
	for _, t := range in.Themes {
		var patterns []string
		for _, l := range in.Languages {
			patterns = append(patterns, t.Patterns[l]...)
		}
		p.Codes = append(p.Codes, Code{ID: t.ID, Name: survey.Text(t.Label).In(lang, base), Description: strings.Join(patterns, "; ")})
	}
	var texts []*survey.Question
	for _, q := range in.Questions() {
		if q.Type == survey.TypeText {
			texts = append(texts, q)
		}
	}
	for r, err := range responses {
		if err != nil {
			return Project{}, err
		}
		for _, q := range texts {
			text, _ := r.Answers[q.ID].(string)
			if strings.TrimSpace(text) == "" {
				continue
			}
			s := Source{Participant: r.Participant, Wave: r.Wave, Question: q.ID, Language: r.Language, Text: text}
			for _, c := range code(r.Language, text) {
				s.Codings = append(s.Codings, Coding{Coder: coding.Automatic, Code: c})
			}
			for _, rec := range byAnswer[coding.AnswerKey{Participant: r.Participant, Wave: r.Wave, Question: q.ID}] {
				for _, c := range rec.Themes {
					s.Codings = append(s.Codings, Coding{Coder: rec.Coder, Code: c})
				}
			}
			p.Sources = append(p.Sources, s)
		}
	}
	return p, nil
}
