package survey_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/csci/exchangeeval/internal/survey"
)

// The two versions in testdata/versions differ in every way Compare knows;
// each expected reason below is one of those changes.
func TestCompareListsEveryDifferenceAndKeepsTheCommonPart(t *testing.T) {
	v1 := mustParse(t, "testdata/versions/v1.yaml")
	v2 := mustParse(t, "testdata/versions/v2.yaml")
	common, diffs := survey.Compare([]*survey.Instrument{v2, v1})

	want := map[string]string{
		"goal/rescaled":     "Goal rescaled is not scored from the same questions in every version (see q3)",
		"goal/retimed":      "Goal retimed compares pre→post in version 1 and pre→follow in version 2",
		"goal/reversed":     "Goal reversed is not scored from the same questions in every version (see q5)",
		"goal/grown":        "Goal grown is not scored from the same questions in every version (see q7)",
		"goal/added":        "Goal added is in version 2, not in version 1",
		"question/q3":       "Question q3 is scored on 5 points in version 1 and 7 points in version 2",
		"question/q5":       "Question q5 is reverse-scored in only one of versions 1 and 2",
		"question/q7":       "Question q7 is in version 2, not in version 1",
		"question/q8":       "Question q8 is in version 2, not in version 1",
		"question/position": "Question position has other options in version 2 than in version 1",
		"question/years":    "Question years is a number in version 1 and a text in version 2",
		"theme/new":         "Theme new is in version 2, not in version 1",
		"theme/dropped":     "Theme dropped is in version 1, not in version 2",
	}
	got := map[string]string{}
	for _, d := range diffs {
		got[d.Kind+"/"+d.ID] = d.Detail
		if d.Code == "" || len(d.Args) == 0 {
			t.Errorf("%s/%s has no code or arguments to word it in French: %+v", d.Kind, d.ID, d)
		}
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: got %q, want %q", k, got[k], w)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("unexpected difference %s: %s", k, got[k])
		}
	}
	if diffs[0].Kind != "goal" || diffs[len(diffs)-1].Kind != "theme" {
		t.Errorf("differences should list goals first and themes last: %+v", diffs)
	}

	// The common part: the newest wording, only what is the same.
	if len(common.Goals) != 1 || common.Goals[0].ID != "same" || common.Goals[0].Title["en"] != "Unchanged (reworded)" {
		t.Errorf("common goals: %+v", common.Goals)
	}
	var ids []string
	for _, q := range common.Questions() {
		ids = append(ids, q.ID)
	}
	if strings.Join(ids, ",") != "q1,q2,q4,q6,note" {
		t.Errorf("common questions: %v", ids)
	}
	if q := common.Question("q4"); q == nil || q.Goal != "" {
		t.Errorf("q4 is the same in both versions but its goal is not: it should stay, without a goal: %+v", q)
	}
	if v2.Question("q4").Goal != "retimed" {
		t.Error("Compare changed the newest version's own question")
	}
	if len(common.Themes) != 1 || common.Themes[0].ID != "kept" {
		t.Errorf("common themes: %+v", common.Themes)
	}
	if common.Version != 2 || !strings.Contains(common.Source, "common to versions 1, 2") {
		t.Errorf("common version %d, source %q", common.Version, common.Source)
	}

	// In French, by the goal's title and the waves' titles.
	titles := func(kind, id string) string { return "« " + v2.Goal(id).Title["en"] + " »" }
	waves := func(id string) string {
		return map[string]string{"pre": "avant", "post": "après", "follow": "plus tard"}[id]
	}
	for _, d := range diffs {
		if d.ID == "retimed" {
			if got, want := d.In("fr", titles, waves), "L'objectif « Compared at follow-up later » compare avant→après dans la version 1 et avant→plus tard dans la version 2"; got != want {
				t.Errorf("in French:\n got %s\nwant %s", got, want)
			}
		}
		if d.ID == "added" {
			if got, want := d.In("fr", nil, nil), "L'objectif added figure dans la version 2, pas dans la version 1"; got != want {
				t.Errorf("in French:\n got %s\nwant %s", got, want)
			}
		}
	}

	if one, diffs := survey.Compare([]*survey.Instrument{v1}); one != v1 || diffs != nil {
		t.Errorf("one version is its own common part: %v %v", one == v1, diffs)
	}
}

func TestSetKeepsEveryVersion(t *testing.T) {
	v1 := mustParse(t, "testdata/versions/v1.yaml")
	v2 := mustParse(t, "testdata/versions/v2.yaml")
	set := survey.NewSet(v2, v1)
	if set.Get("evolving") != v2 || set.Version("evolving", 0) != v2 {
		t.Error("Get should return the newest version")
	}
	if set.Version("evolving", 1) != v1 || set.Version("evolving", 3) != nil {
		t.Error("Version should return exactly the version asked for")
	}
	if vs := set.Versions("evolving"); len(vs) != 2 || vs[0] != v1 {
		t.Errorf("versions, oldest first: %v", vs)
	}
	if all := set.All(); len(all) != 1 || all[0] != v2 {
		t.Errorf("All lists each instrument once, newest: %v", all)
	}
}

func TestLoadPathsReportsTheSameVersionTwice(t *testing.T) {
	dir := t.TempDir()
	data, _ := os.ReadFile("testdata/versions/v1.yaml")
	other, _ := os.ReadFile("testdata/versions/v2.yaml")
	for n, d := range map[string][]byte{"a.yaml": data, "b.yml": data, "c.yaml": other} {
		if err := os.WriteFile(filepath.Join(dir, n), d, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ins, probs := survey.LoadPaths(dir)
	if len(ins) != 2 || len(probs) != 1 || probs[0].String() != filepath.Join(dir, "b.yml")+`:5: instrument "evolving" version 1 is also defined in `+filepath.Join(dir, "a.yaml")+" (a changed definition needs a higher version)" {
		t.Fatalf("got %d instruments, problems %v", len(ins), probs)
	}
}

// A question asked under another condition is answered by another group
// of delegates: a goal it scores is not pooled across the versions.
func TestCompareSeesChangedConditions(t *testing.T) {
	v1 := mustParse(t, "testdata/conditions.yaml")
	src, _ := v1.Canonical()
	v2, probs := survey.Parse("v2.yaml", []byte(strings.NewReplacer("version: 1", "version: 2",
		"relevant: ${visited} = 'yes'", "relevant: ${visited} != 'no'").Replace(string(src))))
	if probs != nil {
		t.Fatal(probs)
	}
	_, diffs := survey.Compare([]*survey.Instrument{v1, v2})
	var got []string
	for _, d := range diffs {
		got = append(got, d.Kind+" "+d.ID+" "+d.Code)
	}
	want := []string{"question visit_rating condition", "goal g1 items"}
	for _, w := range want {
		if !slices.Contains(got, w) {
			t.Errorf("differences %v lack %q", got, w)
		}
	}
}
