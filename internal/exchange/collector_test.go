package exchange_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/csci/exchangeeval/internal/exchange"
)

// TestACollectorsExportWithLabelsReadsAsCodes: KoboToolbox exports "with
// labels" — the questions' labels for headers, after their groups' and
// "/"; the options' labels for codes, a multiple choice's joined by spaces
// and again one column per option — in whichever language the form was
// exported; they read as the export with codes does.
func TestACollectorsExportWithLabelsReadsAsCodes(t *testing.T) {
	in := instruments(t).Get("csci-social-services")
	header := "participant;Background/In which city do you work?;Background/What kind of organisation do you work for?;Background/In which areas do you practise?;" +
		"Background/In which areas do you practise?/Youth;_uuid;_submission_time"
	export := func(lang, city, areas, likert string) [][]string {
		h := header
		if lang == "de" {
			h = "participant;Hintergrund/In welcher Stadt arbeiten Sie?;Hintergrund/Bei welcher Art von Organisation arbeiten Sie?;Hintergrund/In welchen Arbeitsfeldern sind Sie tätig?;x/y;_uuid;_submission_time"
		}
		q := in.Question("fund_corporate")
		rows := [][]string{strings.Split(h+";"+q.Text[lang], ";"),
			strings.Split("P0001;"+city+";"+map[string]string{"en": "Non-profit organisation", "de": "Gemeinnütziger Träger oder Verein"}[lang]+";"+areas+";1;uuid:1;2027-06-01T09:12:30;"+likert, ";")}
		return rows
	}
	for _, c := range []struct {
		lang, city, areas, likert string
		want                      []string
	}{
		{"en", "Hamburg", "Youth Older people", "Agree", []string{"hamburg", "nonprofit", "youth;older-people", "4"}},
		{"de", "Hamburg", "Altenhilfe", "Stimme voll und ganz zu", []string{"hamburg", "nonprofit", "older-people", "5"}},
		// Codes are kept as codes.
		{"en", "hamburg", "youth older-people", "2", []string{"hamburg", "nonprofit", "youth;older-people", "2"}},
	} {
		rows := export(c.lang, c.city, c.areas, c.likert)
		out, collector := exchange.FromCollector(rows, in, "pre")
		if !collector {
			t.Fatalf("%s: not read as a collector's export", c.lang)
		}
		got := map[string]string{}
		for i, h := range out[0] {
			got[h] = out[1][i]
			if strings.Contains(h, "/") && c.lang == "en" {
				t.Errorf("%s: column %q is neither a question nor an option's copy", c.lang, h)
			}
		}
		answers := []string{got["work_city"], got["org_type"], got["practice_areas"], got["fund_corporate"]}
		if !slices.Equal(answers, c.want) {
			t.Errorf("%s export %v: read as %v, want %v (header %q)", c.lang, rows[1], answers, c.want, out[0])
		}
	}
}

// FuzzFromCollector: any header and row, a collector's export or not, is
// rewritten into a table whose rows are as wide as its header, without a
// panic, in time bounded by its size.
//
//	go test ./internal/exchange -run '^$' -fuzz '^FuzzFromCollector$' -fuzztime 1m -fuzzminimizetime 1s
func FuzzFromCollector(f *testing.F) {
	f.Add("participant;Background/In which city do you work?;Background/In which areas do you practise?/Youth;_uuid", "P0001;Hamburg;1;uuid:1")
	f.Add("KEY;background-work_city;background-practice_areas", "uuid:2;chicago;youth older-people")
	f.Add("_submission_time;/;//;a/b/c/"+strings.Repeat("/", 300), "x;y;z")
	in := instruments(f).Get("csci-social-services")
	f.Fuzz(func(t *testing.T, header, row string) {
		rows := [][]string{strings.Split(header, ";"), strings.Split(row, ";")}
		out, collector := exchange.FromCollector(rows, in, "pre")
		for i, r := range out[1:] {
			if collector && len(r) != len(out[0]) || !collector && len(r) != len(rows[i+1])+1 {
				t.Fatalf("row %q under header %q", r, out[0])
			}
		}
	})
}
