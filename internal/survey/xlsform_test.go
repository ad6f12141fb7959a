package survey_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/csci/exchangeeval/internal/survey"
)

// Exported as XLSForm sheets and read back, an instrument is the same: the
// same canonical YAML, so the same hash.
func TestXLSFormRoundTripKeepsTheInstrument(t *testing.T) {
	for _, path := range []string{"../../surveys/csci-social-services.yaml", "../../surveys/csci-social-services-v1.yaml", "testdata/conditions.yaml", "testdata/minimal.yaml"} {
		in := mustParse(t, path)
		want, err := in.Canonical()
		if err != nil {
			t.Fatal(err)
		}
		back, probs := survey.FromXLSForm("form.xlsx", survey.ToXLSForm(in))
		if probs != nil {
			t.Fatalf("%s: %v", path, probs)
		}
		got, _ := back.Canonical()
		if string(got) != string(want) {
			t.Errorf("%s: the round trip changed the instrument:\n%s", path, diffLines(string(want), string(got)))
		}
		h1, _ := in.CanonicalHash()
		if back.Hash != h1 {
			t.Errorf("%s: hash %s after import, %s before", path, back.Hash, h1)
		}
	}
}

func diffLines(a, b string) string {
	la, lb := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range max(len(la), len(lb)) {
		var x, y string
		if i < len(la) {
			x = la[i]
		}
		if i < len(lb) {
			y = lb[i]
		}
		if x != y {
			return fmt.Sprintf("line %d:\n  want %s\n  got  %s", i+1, x, y)
		}
	}
	return ""
}
