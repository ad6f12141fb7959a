package survey

import (
	"os"
	"strings"
	"testing"
)

// TestYAMLDepth: what the measure finds in the shipped instrument and in
// nested text, blocks, items and brackets, and what it passes over
// (brackets in quotes, comments and block scalars).
func TestYAMLDepth(t *testing.T) {
	shipped, err := os.ReadFile("../../surveys/csci-social-services.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if d, _ := yamlDepth(shipped); d < 5 || d > 12 {
		t.Errorf("the shipped instrument nests %d deep", d)
	}
	for _, tc := range []struct {
		name, src string
		want      int
	}{
		{"flat", "a: 1\nb: 2\n", 1},
		{"a block", "a:\n  b:\n    c: 1\n", 3},
		{"flow", "a: [[[1]]]\n", 4},
		{"items", "a:\n  - - - x\n", 5},
		{"brackets in quotes, comments and block scalars", "a: '[[[['\nb: \"{{{{\" # [[[[\nc: |\n  [[[[[[\n  {{{{\nd: 1\n", 1},
		{"a bracket inside plain text", "a: What [if] it is\n", 1},
		{"deep brackets", "a: " + strings.Repeat("[", 1000) + strings.Repeat("]", 1000) + "\n", 1001},
	} {
		if got, _ := yamlDepth([]byte(tc.src)); got != tc.want {
			t.Errorf("%s: depth %d, want %d", tc.name, got, tc.want)
		}
	}
	deep := "id: x\nversion: 1\ntitle: " + strings.Repeat("[", 80_000) + "\n"
	if _, probs := Parse("deep.yaml", []byte(deep)); len(probs) != 1 || probs[0].Line != 3 || !strings.Contains(probs[0].Message, "nests more than 40 levels deep") {
		t.Errorf("80 000 brackets: %v", probs)
	}
}
