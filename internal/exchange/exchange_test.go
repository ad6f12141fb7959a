package exchange_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/csci/exchangeeval"
	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/survey"
)

func instruments(t testing.TB) *survey.Set {
	t.Helper()
	ins, probs := survey.LoadFS(exchangeeval.Surveys, "surveys", "surveys/")
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	return survey.NewSet(ins...)
}

func table(csv string) [][]string {
	var rows [][]string
	for _, line := range strings.Split(strings.TrimSpace(csv), "\n") {
		rows = append(rows, strings.Split(line, ","))
	}
	return rows
}

func TestParseParticipants(t *testing.T) {
	in := instruments(t).Get("csci-social-services")
	rows, err := exchange.ParseParticipants(table(`
Name,Email,City,Role,Language,Side
Camille Fournier, Camille@Example.org ,Paris,practitioner,FR,visiting
Dana Whitfield,dana@example.org,Chicago,supervisor,,host
,,,,,
`), in)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].Email != "camille@example.org" || rows[0].Language != "fr" || rows[1].Language != "en" || rows[1].Row != 3 {
		t.Fatalf("rows %+v", rows)
	}
}

func TestParseParticipantsReportsEveryBadRow(t *testing.T) {
	in := instruments(t).Get("csci-social-services")
	_, err := exchange.ParseParticipants(table(`
name,email,city,role,language,side
Camille Fournier,camille@example.org,Paris,practitioner,fr,visiting
Julien Marchand,,Paris,lawyer,fr,visiting
Sophie Lefèvre,camille@example.org,Paris,academic,fr,visiting
Nadia Benali,nadia@example.org,Paris,supervisor,pl,visiting
Thomas Girard,not-an-address,Paris,supervisor,fr,guest
"Léa`+"\x00"+`Petit",lea@example.org,Paris,supervisor,fr,host
Marc Dubois,marc@example.org,`+strings.Repeat("Paris ", 20)+`,supervisor,fr,host
`), in)
	e, ok := err.(*exchange.Error)
	if !ok || e.Code != exchange.EINVALID {
		t.Fatalf("err = %v", err)
	}
	text := err.Error()
	for _, want := range []string{
		"nothing was imported",
		"row 3, column B (email): email is missing",
		"row 4, column B (email): email camille@example.org is already on row 2",
		`row 5, column E (language): language "pl" is not one of the questionnaire's languages (en, fr, es, de)`,
		`row 6, column B (email): email "not-an-address" is not an e-mail address`,
		`row 6, column F (side): side "guest" must be host or visiting`,
		`row 7, column A (name): has a control character (U+0000); retype it`,
		`row 8, column C (city): is 119 characters long; the most is 100`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("missing %q in:\n%s", want, text)
		}
	}
	// The same problems, coded, for an interface that words them itself.
	if len(e.Rows) != 7 || e.Coded == nil || e.Coded.Code != exchange.ProblemFileProblems || e.Rows[0].Problem.Code != exchange.ProblemMissing ||
		e.Rows[0].Row != 3 || e.Rows[0].Column != "B" || e.Rows[6].Problem.Code != exchange.ProblemTooLong {
		t.Errorf("coded problems: %+v %+v", e.Coded, e.Rows)
	}
}

func TestParseParticipantsHeader(t *testing.T) {
	in := instruments(t).Get("csci-social-services")
	_, err := exchange.ParseParticipants(table("name,mail,city,role,language,side\nA,a@example.org,P,r,fr,host"), in)
	if err == nil || !strings.Contains(err.Error(), `unknown column "mail"`) || !strings.Contains(err.Error(), `missing column "email"`) {
		t.Fatalf("err = %v", err)
	}
	if _, err := exchange.ParseParticipants(table("name,email,city,role,language,side,name\nA,a@example.org,P,r,fr,host,B"), in); err == nil || !strings.Contains(err.Error(), `row 1, column G: column "name" appears twice`) {
		t.Errorf("a column twice: %v", err)
	}
	if _, err := exchange.ParseParticipants(nil, in); err == nil {
		t.Fatal("empty file accepted")
	}
	// A value beyond the header (a shifted row, a note typed beside it) is
	// reported, not dropped unsaid.
	if _, err := exchange.ParseParticipants(table("name,email,city,role,language,side\nA,a@example.org,P,r,fr,host,call back Monday"), in); err == nil ||
		!strings.Contains(err.Error(), `row 2, column G: "call back Monday" is in a column with no header`) {
		t.Errorf("a value beyond the header: %v", err)
	}
	if _, err := exchange.ParseParticipants(table("name,email,city,role,language,side"), in); err == nil || !strings.Contains(err.Error(), "no participants") {
		t.Fatalf("header only: %v", err)
	}
}

func TestBuildExchange(t *testing.T) {
	set := instruments(t)
	_, err := exchange.NewExchange{ID: "Bad ID", Instrument: "nope", Name: "", HostCity: "Chicago", VisitingCity: "Paris", Start: "2014-03-15", End: "2014-03-09"}.Build(set, time.Now())
	e, ok := err.(*exchange.Error)
	if !ok {
		t.Fatalf("err = %v", err)
	}
	for _, f := range []string{"id", "instrument", "name", "end"} {
		if e.Fields[f] == "" {
			t.Errorf("no problem reported for --%s: %v", f, e.Fields)
		}
	}
	_, err = exchange.NewExchange{ID: "x-2014", Instrument: "csci-social-services", Name: strings.Repeat("Échange ", 30), HostCity: "Chicago\nParis",
		VisitingCity: "Paris", Start: "2014-03-09", End: "2014-03-15"}.Build(set, time.Now())
	if e, ok := err.(*exchange.Error); !ok || !strings.Contains(e.Fields["name"], "240 characters long; the most is 200") || !strings.Contains(e.Fields["host-city"], "control character") {
		t.Errorf("long name and a line break: %v", err)
	}
	x, err := exchange.NewExchange{ID: "chicago-paris-2014", Instrument: "csci-social-services", Name: "X", HostCity: "Chicago", VisitingCity: "Paris", Start: "2014-03-09", End: "2014-03-15"}.Build(set, time.Now())
	if err != nil || x.Start.Day() != 9 || len(x.OpenWaves(set.Get("csci-social-services"))) != 0 {
		t.Fatalf("%v %+v", err, x)
	}
}

func TestCurrentWave(t *testing.T) {
	in := instruments(t).Get("csci-social-services")
	both := &exchange.Exchange{Waves: map[string]exchange.WaveState{"pre": {Open: true}, "post": {Open: true}}}
	answeredOnly := func(waves ...string) func(string) bool {
		return func(w string) bool { return slices.Contains(waves, w) }
	}
	for _, tc := range []struct {
		name      string
		x         *exchange.Exchange
		requested string
		answered  func(string) bool
		want      string
	}{
		{"nothing answered: the earliest open wave", both, "", nil, "pre"},
		{"pre answered: post", both, "", answeredOnly("pre"), "post"},
		{"post answered, pre not: pre, whose pair would be lost", both, "", answeredOnly("post"), "pre"},
		{"every open wave answered: the latest", both, "", answeredOnly("pre", "post"), "post"},
		{"a requested open wave, even answered", both, "pre", answeredOnly("pre"), "pre"},
		{"a requested closed wave falls back to the rule", both, "follow-up", answeredOnly("pre"), "post"},
		{"no open wave", &exchange.Exchange{}, "", nil, ""},
	} {
		if got := tc.x.CurrentWave(in, tc.requested, tc.answered); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
}

// Every column of a responses table besides the questions is a reserved
// question id, so the Responses sheet and import files are never ambiguous.
func TestResponseColumnsAreReserved(t *testing.T) {
	for _, c := range append(append([]string{}, exchange.ResponseKeyColumns...), exchange.ResponseMetaColumns...) {
		found := false
		for _, r := range survey.ReservedIDs {
			found = found || r == c
		}
		if !found {
			t.Errorf("column %q is not reserved", c)
		}
	}
}

func TestTokens(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		tok := exchange.NewToken()
		if !exchange.PlausibleToken(tok) || seen[tok] {
			t.Fatalf("token %q malformed or repeated", tok)
		}
		seen[tok] = true
	}
	for _, bad := range []string{"", "abc", strings.Repeat("$", 43), strings.Repeat("a", 44)} {
		if exchange.PlausibleToken(bad) {
			t.Errorf("%q accepted", bad)
		}
	}
}
