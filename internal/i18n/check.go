package i18n

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// Finding is one thing wrong with a catalogue, for translators.
type Finding struct {
	Lang, Key string
	// Kind is "missing" (not translated), "fuzzy" (translated but marked
	// for review, so not used), "unused" (no such message in English),
	// "placeholders" (the translation's {names} differ from the English)
	// or "plural" (a form is missing or more forms than the language has).
	Kind, Detail string
}

func (f Finding) String() string {
	s := f.Lang + ": " + f.Key + ": " + f.Kind
	if f.Detail != "" {
		s += " (" + f.Detail + ")"
	}
	return s
}

// Check lists what is missing, unused or broken in every language's
// catalogue against the English one, sorted by language and key.
func (cs *Catalogues) Check() []Finding {
	var out []Finding
	src := cs.langs[Source]
	for _, lang := range cs.Languages() {
		if lang != Source {
			out = append(out, cs.langs[lang].check(src)...)
		}
	}
	return out
}

func (c *Catalogue) check(src *Catalogue) []Finding {
	var out []Finding
	add := func(key, kind, detail string) { out = append(out, Finding{c.Lang, key, kind, detail}) }
	for _, key := range sortedKeys(src.msgs) {
		m := c.msgs[key]
		if m != nil && m.fuzzy {
			add(key, "fuzzy", "marked #, fuzzy: English is shown until a translator checks it and removes the mark")
			continue
		}
		if m == nil || !m.translated() {
			if m != nil && m.isPlural() && m.forms[0] != "" {
				var empty []string
				for i, f := range m.forms {
					if f == "" {
						empty = append(empty, strconv.Itoa(i))
					}
				}
				add(key, "plural", fmt.Sprintf("%d of the %d forms Plural-Forms says are empty (msgstr[%s])", len(empty), c.nplurals, strings.Join(empty, "], msgstr[")))
				continue
			}
			add(key, "missing", "")
			continue
		}
		want := src.msgs[key].names()
		if m.isPlural() {
			if len(m.forms) != c.nplurals {
				add(key, "plural", fmt.Sprintf("%d forms; Plural-Forms says %d", len(m.forms), c.nplurals))
			}
			for i, f := range m.forms {
				// A form may leave the count out ("one pair", "زوجان"),
				// never another value.
				if d := differ(want, placeholders(f), "n"); d != "" {
					add(key, "placeholders", "form "+strconv.Itoa(i)+": "+d)
				}
			}
			continue
		}
		if src.msgs[key].isPlural() {
			add(key, "plural", "the English has a plural; give msgid_plural and msgstr[0], msgstr[1]…")
			continue
		}
		if d := differ(want, placeholders(m.forms[0]), ""); d != "" {
			add(key, "placeholders", d)
		}
	}
	for _, key := range sortedKeys(c.msgs) {
		if src.msgs[key] == nil {
			add(key, "unused", "")
		}
	}
	return out
}

// differ says how got's placeholders differ from want's; optional may be
// left out.
func differ(want, got []string, optional string) string {
	var missing, unknown []string
	for _, w := range want {
		if w != optional && !slices.Contains(got, w) {
			missing = append(missing, "{"+w+"}")
		}
	}
	for _, g := range got {
		if !slices.Contains(want, g) && !slices.Contains(unknown, "{"+g+"}") {
			unknown = append(unknown, "{"+g+"}")
		}
	}
	var parts []string
	if len(missing) > 0 {
		parts = append(parts, "lacks "+strings.Join(missing, " "))
	}
	if len(unknown) > 0 {
		parts = append(parts, "has unknown "+strings.Join(unknown, " "))
	}
	return strings.Join(parts, "; ")
}

func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }

// WriteTemplate writes the PO file a translator fills for lang: every
// message with its English text, a comment saying where it appears, and
// the translation already there when lang has one (so the same command
// updates a catalogue), in the order of the English catalogue. pluralForms
// is the Plural-Forms header for a language the service does not know
// ("" to keep lang's own, or English's).
func (cs *Catalogues) WriteTemplate(w io.Writer, lang, pluralForms string) error {
	src := cs.langs[Source]
	have := cs.langs[lang]
	if pluralForms == "" {
		pluralForms = "nplurals=2; plural=(n != 1);"
		if have != nil && have.header != "" {
			pluralForms = have.header
		}
	}
	tmp := &Catalogue{}
	if err := tmp.setPlural(pluralForms); err != nil {
		return err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# exchangeeval interface: %s.\n", lang)
	b.WriteString("# Each message's msgctxt is its key; msgid is the English text. Placeholders\n")
	b.WriteString("# such as {date} are filled by the service: keep them, in any order.\n")
	b.WriteString("msgid \"\"\nmsgstr \"\"\n")
	for _, h := range []string{"Project-Id-Version: exchangeeval", "Language: " + lang, "MIME-Version: 1.0",
		"Content-Type: text/plain; charset=UTF-8", "Content-Transfer-Encoding: 8bit", "Plural-Forms: " + pluralForms} {
		b.WriteString(quote(h+"\n") + "\n")
	}
	for _, key := range src.order {
		m := src.msgs[key]
		b.WriteString("\n")
		if m.comment != "" {
			b.WriteString("#. " + m.comment + "\n")
		}
		for _, r := range m.refs {
			b.WriteString("#: " + r + "\n")
		}
		var forms []string
		if t := have.message(key); t != nil && (t.translated() || t.fuzzy) {
			// A translation awaiting review is kept, still marked.
			forms = t.forms
			if t.fuzzy {
				b.WriteString("#, fuzzy\n")
			}
		}
		b.WriteString("msgctxt " + quote(key) + "\n")
		b.WriteString("msgid " + quote(m.english) + "\n")
		if !m.isPlural() {
			s := ""
			if len(forms) > 0 {
				s = forms[0]
			}
			b.WriteString("msgstr " + quote(s) + "\n")
			continue
		}
		b.WriteString("msgid_plural " + quote(m.englishPlural) + "\n")
		for i := range tmp.nplurals {
			s := ""
			if i < len(forms) {
				s = forms[i]
			}
			fmt.Fprintf(&b, "msgstr[%d] %s\n", i, quote(s))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// message is the catalogue's message key; nil for none, or no catalogue.
func (c *Catalogue) message(key string) *message {
	if c == nil {
		return nil
	}
	return c.msgs[key]
}

// quote writes s as a PO string: C escapes, and a multi-line string as
// one line per line, as gettext's tools write it.
func quote(s string) string {
	esc := func(s string) string {
		r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\t", `\t`, "\n", `\n`)
		return `"` + r.Replace(s) + `"`
	}
	if !strings.Contains(strings.TrimSuffix(s, "\n"), "\n") {
		return esc(s)
	}
	var lines []string
	for _, l := range strings.SplitAfter(s, "\n") {
		if l != "" {
			lines = append(lines, esc(l))
		}
	}
	return "\"\"\n" + strings.Join(lines, "\n")
}
