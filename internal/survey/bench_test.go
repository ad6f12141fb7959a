package survey_test

import (
	"testing"

	"github.com/csci/exchangeeval/internal/survey"
)

// BenchmarkFromStringsWithConditions: checking one post-exchange form of
// the shipped instrument, conditions included (the analysis pays the
// NotApplicable part once per response of a conditional instrument).
func BenchmarkFromStringsWithConditions(b *testing.B) {
	in := mustParse(b, "../../surveys/csci-social-services.yaml")
	form := map[string][]string{"immersion_done": {"no"}, "core_immersion": {"4"}, "quote_consent": {"yes"}}
	for _, q := range in.QuestionsIn("post") {
		if q.Type == survey.TypeLikert && q.ID != "core_immersion" {
			form[q.ID] = []string{"4"}
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		if a, errs := in.FromStrings("post", form); len(errs) > 0 || a["core_immersion"] != nil {
			b.Fatal(errs, a)
		}
	}
}

func BenchmarkNotApplicable(b *testing.B) {
	in := mustParse(b, "../../surveys/csci-social-services.yaml")
	a, _ := in.FromStrings("follow-up", map[string][]string{"fu_implemented": {"no"}, "fu_areas": {"evaluation"}})
	b.ReportAllocs()
	for b.Loop() {
		if len(in.NotApplicable("follow-up", a)) != 2 {
			b.Fatal("want fu_areas and fu_description")
		}
	}
}

// BenchmarkXLSFormRoundTrip: the shipped instrument to XLSForm sheets and
// back to a checked, canonical instrument (without the spreadsheet file).
func BenchmarkXLSFormRoundTrip(b *testing.B) {
	in := mustParse(b, "../../surveys/csci-social-services.yaml")
	b.ReportAllocs()
	for b.Loop() {
		if _, probs := survey.FromXLSForm("form.xlsx", survey.ToXLSForm(in)); probs != nil {
			b.Fatal(probs)
		}
	}
}
