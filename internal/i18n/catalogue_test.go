package i18n

import "testing"

func TestShippedCataloguesParse(t *testing.T) {
	cs := Builtin()
	for _, l := range []string{"en", "fr"} {
		if !cs.Has(l) {
			t.Fatalf("no %s catalogue", l)
		}
	}
	if got := T("fr", "deadline", "9 mai 2027"); got != "Merci de répondre d'ici le 9 mai 2027." {
		t.Errorf("fr deadline: %q", got)
	}
	if got := T("en", "chars.max", 1); got != "Up to 1 character." {
		t.Errorf("en chars.max 1: %q", got)
	}
	if got := T("fr", "chars.max", 0); got != "0 caractère au maximum." {
		t.Errorf("fr chars.max 0: %q", got)
	}
	if got := T("pl", "deadline", "x"); got != "Please answer by x." {
		t.Errorf("a language without a catalogue: %q", got)
	}
}
