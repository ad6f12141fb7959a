package coding_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/csci/exchangeeval/internal/coding"
	"github.com/csci/exchangeeval/internal/survey"
)

func baseInstrument() *survey.Instrument {
	return &survey.Instrument{ID: "q", Languages: []string{"en", "fr"}, Themes: []*survey.Theme{
		{ID: "empowerment", Label: survey.Text{"en": "Empowerment"}, Patterns: map[string][]string{"en": {"empower*"}, "fr": {"pouvoir d'agir"}}},
	}}
}

// TestCodebookVersions: promote, merge and reject each make the next
// version from the one before, keep who and why, and leave the version
// they started from as it was; Apply gives an instrument coding with the
// version, the original instrument untouched.
func TestCodebookVersions(t *testing.T) {
	in := baseInstrument()
	at := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	v0 := coding.Initial("x", in)
	v1, faults := v0.Promote("en", "resilience", map[string]string{"en": " Resilience ", "fr": "Résilience"},
		map[string][]string{"en": {"resilien*", "", "resilient"}, "fr": {"résilien*"}}, "en:resili", "ev@example.org", at)
	if faults != nil {
		t.Fatal(faults)
	}
	if v1.Version != 1 || len(v1.Themes) != 2 || v1.Themes[1].Label["en"] != "Resilience" || !slices.Equal(v1.Themes[1].Patterns["en"], []string{"resilien*", "resilient"}) ||
		v1.Change != (coding.Change{Kind: coding.ChangePromote, Theme: "resilience", Candidate: "en:resili"}) || v1.By != "ev@example.org" {
		t.Errorf("version 1: %+v", v1)
	}
	if len(v0.Themes) != 1 {
		t.Errorf("promoting changed version 0: %+v", v0)
	}
	v2, faults := v1.Merge("empowerment", map[string][]string{"en": {"agency", "empower*"}}, "en:agenc", "ev@example.org", at)
	if faults != nil || v2.Version != 2 || !slices.Equal(v2.Themes[0].Patterns["en"], []string{"empower*", "agency"}) || slices.Contains(v1.Themes[0].Patterns["en"], "agency") {
		t.Errorf("version 2: %+v %v (version 1: %+v)", v2, faults, v1.Themes[0])
	}
	v3 := v2.Reject("fr:habit", "other@example.org", at)
	if v3.Version != 3 || !slices.Equal(v3.Rejected, []string{"fr:habit"}) || len(v2.Rejected) != 0 || v3.By != "other@example.org" {
		t.Errorf("version 3: %+v", v3)
	}
	applied := coding.Apply(in, &v3)
	if len(applied.Themes) != 2 || applied.Themes[1].ID != "resilience" || len(in.Themes) != 1 || applied.Languages[1] != "fr" {
		t.Errorf("applied: %+v; the instrument: %+v", applied.Themes, in.Themes)
	}
	if coding.Apply(in, nil) != in {
		t.Error("no codebook: not the instrument itself")
	}
}

// TestCodebookRefusesBadChanges: each bad field is named, and the
// codebook is not changed.
func TestCodebookRefusesBadChanges(t *testing.T) {
	v0 := coding.Initial("x", baseInstrument())
	at := time.Now()
	for name, c := range map[string]struct {
		id     string
		label  map[string]string
		pats   map[string][]string
		fields []string
	}{
		"taken id and no label": {"empowerment", map[string]string{"fr": "x"}, map[string][]string{"en": {"a"}}, []string{"id", "label_en"}},
		"bad id":                {"Résilience!", map[string]string{"en": "R"}, map[string][]string{"en": {"a"}}, []string{"id"}},
		"bad pattern":           {"r", map[string]string{"en": "R"}, map[string][]string{"fr": {"*a"}}, []string{"patterns_fr"}},
		"no pattern":            {"r", map[string]string{"en": "R"}, map[string][]string{"en": {" ", ""}}, []string{"patterns"}},
	} {
		got, faults := v0.Promote("en", c.id, c.label, c.pats, "en:x", "ev", at)
		var fields []string
		for _, f := range faults {
			fields = append(fields, f.Field)
		}
		if !slices.Equal(fields, c.fields) || got.Version != 0 {
			t.Errorf("%s: faults %v, version %d", name, faults, got.Version)
		}
	}
	if _, faults := v0.Merge("nope", map[string][]string{"en": {"a"}}, "en:x", "ev", at); len(faults) != 1 || faults[0].Field != "theme" {
		t.Errorf("merge into a missing theme: %v", faults)
	}
}

func TestSuggestions(t *testing.T) {
	if got := coding.SuggestedID([]string{"Résilience", "x"}); got != "resilience" {
		t.Errorf("id: %q", got)
	}
	if got := coding.SuggestedID([]string{"安全"}); got != "" {
		t.Errorf("id of a Chinese word: %q", got)
	}
	if got := coding.SuggestedPatterns([]string{"habitants", "habitant", "habitants"}); !slices.Equal(got, []string{"habitants", "habitant"}) {
		t.Errorf("patterns: %v", got)
	}
}

// TestJoin: candidates of different languages join one group, one stem
// per language; a word already in another group, or of the candidate's
// language, is refused.
func TestJoin(t *testing.T) {
	at := time.Now()
	v0 := coding.Initial("x", baseInstrument())
	v1, faults := v0.Join("en:resili", "fr:résilient", "ev", at)
	if faults != nil || v1.Version != 1 || len(v1.Joined) != 1 || !slices.Equal(v1.Joined[0].Keys, []string{"en:resili", "fr:résilient"}) || v1.Change.With != "fr:résilient" {
		t.Fatalf("%+v %v", v1, faults)
	}
	v2, faults := v1.Join("en:resili", "es:resilient", "ev", at)
	if faults != nil || !slices.Equal(v2.Joined[0].Keys, []string{"en:resili", "fr:résilient", "es:resilient"}) || len(v1.Joined[0].Keys) != 2 {
		t.Errorf("a third language: %+v %v", v2.Joined, faults)
	}
	for name, other := range map[string]string{"same language": "en:resilient", "second French": "fr:ressort", "no language": "resili"} {
		if _, faults := v1.Join("en:resili", other, "ev", at); len(faults) != 1 {
			t.Errorf("%s: %v", name, faults)
		}
	}
	if _, faults := v1.Join("en:other", "fr:résilient", "ev", at); len(faults) != 1 || faults[0].Key != "codebook.fault.joined" {
		t.Errorf("a word of another group: %v", faults)
	}
}

// FuzzCodebookChanges: whatever an evaluator types into the codebook's
// forms, a change either is refused with faults and leaves the codebook
// as it was, or gives the next version whose new patterns all compile and
// whose ids are valid; nothing panics.
func FuzzCodebookChanges(f *testing.F) {
	f.Add("resilience", "Resilience", "resilien*\nresilient", "fr:résilient")
	f.Add("", " ", "*\n\x00", "en")
	f.Add("a-b_c", "x", "pouvoir d'agir\n\n", ":")
	f.Fuzz(func(t *testing.T, id, label, patterns, other string) {
		v0 := coding.Initial("x", baseInstrument())
		at := time.Now()
		check := func(kind string, got coding.Codebook, faults []coding.Fault) {
			if len(faults) > 0 {
				if got.Version != 0 || len(got.Themes) != 1 {
					t.Fatalf("%s refused but changed: %+v", kind, got)
				}
				return
			}
			if got.Version != 1 {
				t.Fatalf("%s: version %d", kind, got.Version)
			}
			for _, th := range got.Themes {
				if !coding.ThemeIDPattern.MatchString(th.ID) {
					t.Fatalf("%s: id %q", kind, th.ID)
				}
				for _, ps := range th.Patterns {
					for _, p := range ps {
						if _, err := survey.CompilePattern(p); err != nil {
							t.Fatalf("%s: pattern %q: %v", kind, p, err)
						}
					}
				}
			}
		}
		lines := strings.Split(patterns, "\n")
		got, faults := v0.Promote("en", id, map[string]string{"en": label}, map[string][]string{"en": lines, "fr": lines}, "en:x", "ev", at)
		check("promote", got, faults)
		got, faults = v0.Merge("empowerment", map[string][]string{"en": lines}, "en:x", "ev", at)
		check("merge", got, faults)
		got, faults = v0.Join("en:x", other, "ev", at)
		check("join", got, faults)
	})
}
