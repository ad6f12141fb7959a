package survey

import (
	"strings"
	"testing"
)

// TestPatternsMatchInEveryScript: a theme's pattern matches in languages
// written without spaces (a run of characters, wherever it occurs), and
// folds case and accents as readers of German, Turkish and Polish expect.
func TestPatternsMatchInEveryScript(t *testing.T) {
	for _, tc := range []struct {
		pattern, text string
		want          int
	}{
		{"赋权", "我们在巴黎学到了赋权的意义，也看到了赋权如何改变社区。", 2},
		{"赋权", "我们学到了合作。", 0},
		{"社区服务", "社区服务中心", 1},
		{"エンパワー*", "パリでエンパワーメントの大切さを学びました。", 1},
		{"エンパワーメント", "エンパワーの話", 0},
		{"地域", "地域の人々と協力する", 1},
		{"การเสริมพลัง", "เราได้เรียนรู้การเสริมพลังชุมชน", 1},
		{"empower*", "在巴黎学到了 empowerment 的意义", 1},
		{"strasse", "Die STRASSE und die Straße", 2},
		{"istanbul", "İSTANBUL'da ve Istanbul'da", 2},
		{"lodz", "Łódź i Lodz", 2},
		{"pouvoir d'agir", "Le POUVOIR D’AGIR des familles", 1},
	} {
		p, err := CompilePattern(tc.pattern)
		if err != nil {
			t.Fatalf("%q: %v", tc.pattern, err)
		}
		if got := p.Count(Tokens(tc.text)); got != tc.want {
			t.Errorf("%q in %q: %d, want %d (tokens %s)", tc.pattern, tc.text, got, tc.want, strings.Join(Tokens(tc.text), "|"))
		}
	}
}
