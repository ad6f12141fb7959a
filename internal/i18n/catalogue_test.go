package i18n

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/go-playground/locales"
)

// shippedLanguages are the catalogues the issue asks for: complete ones
// for each, a right-to-left language and one written without spaces.
var shippedLanguages = []string{"ar", "de", "en", "es", "fr", "pt", "zh"}

func TestEveryShippedCatalogueIsComplete(t *testing.T) {
	cs := Builtin()
	if got := cs.Languages(); !slices.Equal(got, shippedLanguages) {
		t.Fatalf("shipped languages %v, want %v", got, shippedLanguages)
	}
	for _, f := range cs.Check() {
		t.Errorf("%s", f)
	}
	if n := len(cs.Catalogue(Source).msgs); n < 500 {
		t.Errorf("the English catalogue has %d messages: the files were not read whole", n)
	}
}

// TestCheckFindsWhatIsWrong: a catalogue with a message missing, one
// with a placeholder renamed, a plural with too few forms and a key the
// English does not have is reported, each once.
func TestCheckFindsWhatIsWrong(t *testing.T) {
	po := `msgid ""
msgstr ""
"Language: pl\n"
"Plural-Forms: nplurals=3; plural=(n==1 ? 0 : n%10>=2 && n%10<=4 && (n%100<12 || n%100>14) ? 1 : 2);\n"

msgctxt "deadline"
msgid "Please answer by {date}."
msgstr "Prosimy o odpowiedź do {data}."

msgctxt "prog.pairs"
msgid "{n} pair"
msgid_plural "{n} pairs"
msgstr[0] "{n} para"
msgstr[1] "{n} pary"

msgctxt "no.such.key"
msgid "Nothing"
msgstr "Nic"

#. delegate pages
#, fuzzy, python-format
msgctxt "submit"
msgid "Send my answers"
msgstr "Wyślij moje odpowiedzi"
`
	cs, err := loadFS(fstest.MapFS{"pl.po": {Data: []byte(po)}}, ".", Builtin())
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]string{}
	missing := 0
	for _, f := range cs.Check() {
		if f.Lang != "pl" {
			t.Errorf("a shipped catalogue: %s", f)
			continue
		}
		if f.Kind == "missing" {
			missing++
			continue
		}
		kinds[f.Key] += f.Kind + ":" + f.Detail + ";"
	}
	for key, want := range map[string]string{
		"deadline": "placeholders:lacks {date}; has unknown {data};", "prog.pairs": "plural:1 of the 3 forms Plural-Forms says are empty (msgstr[2]);", "no.such.key": "unused:;",
		"submit": "fuzzy:marked #, fuzzy: English is shown until a translator checks it and removes the mark;",
	} {
		if kinds[key] != want {
			t.Errorf("%s: %q, want %q", key, kinds[key], want)
		}
	}
	if missing != len(Builtin().Catalogue(Source).msgs)-3 {
		t.Errorf("%d missing, want all but the two translated and the fuzzy one", missing)
	}
	// The broken translation is still used; what it cannot fill stays
	// visible rather than silently wrong.
	if got, lang := cs.Lookup([]string{"pl"}, "deadline", "9 maja 2027"); got != "Prosimy o odpowiedź do {data}." || lang != "pl" {
		t.Errorf("pl deadline: %q (%s)", got, lang)
	}
	// A message it lacks — or whose translation awaits review, as
	// msgfmt treats it — falls back to English, saying so.
	if got, lang := cs.Lookup([]string{"pl"}, "submit"); got != "Send my answers" || lang != "en" {
		t.Errorf("pl submit: %q (%s)", got, lang)
	}
	// The template keeps the guess for the translator, still marked.
	var b strings.Builder
	if err := cs.WriteTemplate(&b, "pl", ""); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "#, fuzzy\nmsgctxt \"submit\"\nmsgid \"Send my answers\"\nmsgstr \"Wyślij moje odpowiedzi\"\n") {
		t.Errorf("the template lost the fuzzy translation or its mark")
	}
	back, err := Parse("pl.po", []byte(b.String()))
	if err != nil || !back.msgs["submit"].fuzzy || back.msgs["deadline"].fuzzy {
		t.Errorf("the template read back: %v", err)
	}
}

func TestPlaceholdersAreFilledByName(t *testing.T) {
	cs := Builtin()
	// German puts the wave first in this message, English second.
	if got := T("en", "closed.answered", "Vorher", "9 May 2027"); got != "Your answers to “Vorher” were received on 9 May 2027. Thank you." {
		t.Errorf("en: %q", got)
	}
	if got := T("de", "closed.answered", "Vorher", "9. Mai 2027"); got != "Ihre Antworten auf „Vorher“ sind am 9. Mai 2027 eingegangen. Vielen Dank." {
		t.Errorf("de: %q", got)
	}
	// Named values, in any order.
	got, _ := cs.Lookup([]string{"fr"}, "version.scale", Named{"b": 2, "a": 1, "question": "q3", "apoints": 5, "bpoints": 7})
	if got != "la question q3 se note sur 5 points dans la version 1 et sur 7 dans la version 2" {
		t.Errorf("fr version.scale: %q", got)
	}
	// A value with braces in it is not read as a placeholder.
	if got := T("en", "deadline", "{date}"); got != "Please answer by {date}." {
		t.Errorf("a value with braces: %q", got)
	}
	if got := T("en", "no.such.key"); got != "no.such.key" {
		t.Errorf("an unknown key: %q", got)
	}
}

// TestPluralFormsFollowCLDR: each shipped catalogue's Plural-Forms rule
// gives, for every count to 1 000, the form of CLDR's category for that
// count (go-playground/locales, generated from CLDR): Arabic's six, the
// one form of Chinese, French's "0 and 1 are singular".
func TestPluralFormsFollowCLDR(t *testing.T) {
	order := []locales.PluralRule{locales.PluralRuleZero, locales.PluralRuleOne, locales.PluralRuleTwo, locales.PluralRuleFew, locales.PluralRuleMany, locales.PluralRuleOther}
	for _, lang := range shippedLanguages {
		c := Builtin().Catalogue(lang)
		tr := translator(lang)
		cats := tr.PluralsCardinal()
		for n := 0; n <= 1000; n++ {
			cat := tr.CardinalPluralRule(float64(n), 0)
			// The PO forms are CLDR's categories in their usual order,
			// leaving out those the language does not have.
			want := 0
			for _, r := range order {
				if r == cat {
					break
				}
				if slices.Contains(cats, r) {
					want++
				}
			}
			if lang == "fr" || lang == "pt" || lang == "es" {
				// CLDR 42 adds "many" for a million and more; gettext's
				// two forms are right below it.
				want = min(want, 1)
			}
			if got := c.form(n); got != want {
				t.Errorf("%s: %d takes form %d, CLDR's %s is form %d", lang, n, got, cat, want)
				break
			}
		}
	}
	for n, want := range map[int]string{0: "0 زوج", 1: "زوج واحد", 2: "زوجان", 3: "3 أزواج", 11: "11 زوجًا", 100: "100 زوج", 103: "103 أزواج"} {
		if got := strings.NewReplacer(isolate, "", endIsolate, "").Replace(T("ar", "prog.pairs", n)); got != want {
			t.Errorf("ar %d pairs: %q, want %q", n, got, want)
		}
	}
}

// TestShippedFilesPassMsgfmt: gettext's own checker (Debian's gettext)
// accepts every shipped file, headers and plural forms included.
func TestShippedFilesPassMsgfmt(t *testing.T) {
	msgfmt, err := exec.LookPath("msgfmt")
	if err != nil {
		t.Skip("msgfmt is not installed (Debian package gettext)")
	}
	files, _ := filepath.Glob("po/*.po")
	if len(files) != len(shippedLanguages) {
		t.Fatalf("files %v", files)
	}
	for _, f := range files {
		out, err := exec.Command(msgfmt, "--check", "--statistics", "-o", os.DevNull, f).CombinedOutput()
		if err != nil || strings.Contains(string(out), "untranslated") || strings.Contains(string(out), "fuzzy") {
			t.Errorf("msgfmt --check %s: %v\n%s", f, err, out)
		}
	}
}

// TestATranslationDirectoryAddsAndOverrides: EXCHANGEEVAL_TRANSLATIONS
// adds a language the service does not ship and changes one message of a
// shipped one, leaving the rest of it; a broken file is refused naming it.
func TestATranslationDirectoryAddsAndOverrides(t *testing.T) {
	var it bytes.Buffer
	if err := Builtin().WriteTemplate(&it, "it", ""); err != nil {
		t.Fatal(err)
	}
	italian := strings.Replace(it.String(), "msgctxt \"submit\"\nmsgid \"Send my answers\"\nmsgstr \"\"", "msgctxt \"submit\"\nmsgid \"Send my answers\"\nmsgstr \"Invia le mie risposte\"", 1)
	french := "msgid \"\"\nmsgstr \"\"\n\"Language: fr\\n\"\n\"Plural-Forms: nplurals=2; plural=(n > 1);\\n\"\n\nmsgctxt \"submit\"\nmsgid \"Send my answers\"\nmsgstr \"Envoyer\"\n"
	cs, err := Load(fstest.MapFS{"it.po": {Data: []byte(italian)}, "fr.po": {Data: []byte(french)}})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := cs.Lookup([]string{"it"}, "submit"); got != "Invia le mie risposte" {
		t.Errorf("it submit: %q", got)
	}
	if got, lang := cs.Lookup([]string{"it"}, "skip"); got != "Skip to the content" || lang != "en" {
		t.Errorf("it skip falls back: %q %s", got, lang)
	}
	if got, _ := cs.Lookup([]string{"fr"}, "submit"); got != "Envoyer" {
		t.Errorf("fr submit overridden: %q", got)
	}
	if got, _ := cs.Lookup([]string{"fr"}, "skip"); got != "Aller au contenu" {
		t.Errorf("fr keeps its other messages: %q", got)
	}
	if _, err := Load(fstest.MapFS{"bad.po": {Data: []byte("msgid \"\"\nmsgstr \"\"\n\"Plural-Forms: nplurals=x;\\n\"\n\nmsgctxt \"a\"\nmsgid \"b\"\nmsgstr \"c\"\n")}}); err == nil || !strings.Contains(err.Error(), "bad.po") {
		t.Errorf("a broken Plural-Forms: %v", err)
	}
	if _, err := Load(fstest.MapFS{"empty.po": {Data: []byte("# nothing\n")}}); err == nil || !strings.Contains(err.Error(), "empty.po: no messages") {
		t.Errorf("a file with no messages: %v", err)
	}
	if _, err := Load(fstest.MapFS{"huge.po": {Data: bytes.Repeat([]byte("#\n"), MaxFileBytes)}}); err == nil || !strings.Contains(err.Error(), "huge.po") {
		t.Errorf("a huge file: %v", err)
	}
}

// TestTheTemplateRoundTrips: the template of a shipped language, read
// back, is that language's catalogue: nothing lost in the writing.
func TestTheTemplateRoundTrips(t *testing.T) {
	for _, lang := range shippedLanguages {
		var b bytes.Buffer
		if err := Builtin().WriteTemplate(&b, lang, ""); err != nil {
			t.Fatal(err)
		}
		c, err := Parse(lang+".po", b.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range c.check(Builtin().Catalogue(Source)) {
			t.Errorf("%s template: %s", lang, f)
		}
		if lang != Source && c.msgs["submit"].forms[0] != Builtin().Catalogue(lang).msgs["submit"].forms[0] {
			t.Errorf("%s template changed a translation", lang)
		}
	}
}

// TestValuesAreIsolatedRightToLeft: a Latin name or a number put in an
// Arabic message keeps its own direction (Unicode isolates around it), so
// "Chicago–Amman 2027" is not reordered by the Arabic around it; left-to-
// right messages are left as they are.
func TestValuesAreIsolatedRightToLeft(t *testing.T) {
	if got, want := T("ar", "thanks.next.answer", "Before the exchange"), "أجب عن «\u2068Before the exchange\u2069» الآن"; got != want {
		t.Errorf("ar: %q, want %q", got, want)
	}
	if got, want := T("fr", "thanks.next.answer", "Avant l'échange"), "Répondre maintenant à « Avant l'échange »"; got != want {
		t.Errorf("fr: %q, want %q", got, want)
	}
}

func TestDirection(t *testing.T) {
	for lang, want := range map[string]string{"ar": "rtl", "he": "rtl", "fa": "rtl", "ur": "rtl", "yi": "rtl", "az-Arab": "rtl",
		"en": "ltr", "zh": "ltr", "ja": "ltr", "az": "ltr", "": "ltr", "not a language": "ltr"} {
		if got := Dir(lang); got != want {
			t.Errorf("Dir(%q) = %s, want %s", lang, got, want)
		}
	}
}

func TestDatesFollowCLDR(t *testing.T) {
	day := time.Date(2027, 5, 9, 14, 30, 0, 0, time.UTC)
	first := time.Date(2027, 3, 1, 9, 5, 0, 0, time.UTC)
	for lang, want := range map[string][3]string{
		"en": {"9 May 2027", "1 March 2027", "14:30"},
		"fr": {"9 mai 2027", "1er mars 2027", "14:30"},
		"es": {"9 de mayo de 2027", "1 de marzo de 2027", "14:30"},
		"de": {"9. Mai 2027", "1. März 2027", "14:30"},
		"pt": {"9 de maio de 2027", "1 de março de 2027", "14:30"},
		"ar": {"9 مايو 2027", "1 مارس 2027", "2:30 م"},
		"zh": {"2027年5月9日", "2027年3月1日", "下午2:30"},
		"pl": {"9 May 2027", "1 March 2027", "14:30"},
	} {
		if got := [3]string{Date(lang, day), Date(lang, first), Time(lang, day)}; got != want {
			t.Errorf("%s: %q, want %q", lang, got, want)
		}
	}
	for lang, want := range map[string]string{"en": "0.35", "fr": "0,35", "de": "0,35", "ar": "0.35", "zh": "0.35"} {
		if got := Decimal(lang, "0.35"); got != want {
			t.Errorf("Decimal(%s) = %q, want %q", lang, got, want)
		}
	}
}

// FuzzParse: no file makes the reader panic, hang or take more than its
// size in memory many times over; what it accepts can be looked up.
func FuzzParse(f *testing.F) {
	for _, lang := range shippedLanguages {
		b, _ := shipped.ReadFile("po/" + lang + ".po")
		f.Add(b[:min(len(b), 4000)])
	}
	f.Add([]byte("msgctxt \"a\"\nmsgid \"b\"\nmsgid_plural \"c\"\nmsgstr[9] \"d\"\n"))
	f.Add([]byte("msgid \"\"\nmsgstr \"\"\n\"Plural-Forms: nplurals=6; plural=(n%100>=3 ? (n?1:2) : 5);\\n\"\nmsgctxt \"k\"\nmsgid \"x\"\nmsgid_plural \"y\"\nmsgstr[5] \"z\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse("fuzz.po", data)
		if err != nil {
			return
		}
		cs := &Catalogues{langs: map[string]*Catalogue{Source: Builtin().Catalogue(Source), c.Lang: c}}
		for key := range c.msgs {
			cs.Lookup([]string{c.Lang}, key, 3, "x", Named{"n": 2})
		}
		_ = cs.Check()
	})
}

// TestEveryMessageIsUsed: each English message's key is written in the
// code or the templates — whole ("deadline"), as the code of a family
// whose prefix the code adds ("answer." + "required" in survey), or as a
// family's prefix ("audit.action." + action) — so no message lingers for
// translators to translate in vain.
func TestEveryMessageIsUsed(t *testing.T) {
	var sources []string
	for _, glob := range []string{"../*/*.go", "../../templates/*.html"} {
		files, _ := filepath.Glob(glob)
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") || strings.Contains(f, "/i18n/") {
				continue
			}
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			sources = append(sources, string(b))
		}
	}
	if len(sources) < 50 {
		t.Fatalf("only %d source files found", len(sources))
	}
	written := func(s string) bool {
		for _, src := range sources {
			if strings.Contains(src, `"`+s+`"`) {
				return true
			}
		}
		return false
	}
	for _, key := range Builtin().Catalogue(Source).Keys() {
		used := written(key)
		parts := strings.Split(key, ".")
		for i := len(parts) - 1; i > 0 && !used; i-- {
			used = written(strings.Join(parts[:i], ".")+".") || written(strings.Join(parts[i:], "."))
		}
		if !used {
			t.Errorf("message %q is used nowhere", key)
		}
	}
}
