// Package i18n holds the interface's words in every language it speaks:
// one gettext PO file per language, the format Poedit, Weblate, Crowdin and
// Transifex edit, read with github.com/leonelquinteros/gotext.
//
// A message is found by its key, the PO entry's msgctxt; its msgid is the
// English text, which is what a translator sees beside the box to fill.
// Placeholders are named ({date}, {wave}); the code passes their values in
// the order they first appear in the English text, and a translation may
// put them in any order. A message with a plural (msgid_plural) chooses its
// form by the value of {n} and the language's Plural-Forms rule, so Arabic
// has its six forms and Polish its three.
//
// The shipped catalogues are built in; a directory of PO files given at
// start-up (EXCHANGEEVAL_TRANSLATIONS) adds languages and overrides
// shipped wording, message by message.
package i18n

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/leonelquinteros/gotext"
	"github.com/leonelquinteros/gotext/plurals"
)

//go:embed po/*.po
var shipped embed.FS

// Source is the language every message is written in first, and the last
// one a reader falls back to.
const Source = "en"

// Catalogues are the messages of every language, by language code.
type Catalogues struct {
	langs map[string]*Catalogue
}

// Catalogue is one language's messages.
type Catalogue struct {
	Lang string
	// File is where it was read from, for messages about it.
	File     string
	nplurals int
	plural   plurals.Expression
	// header is the Plural-Forms header as written.
	header string
	msgs   map[string]*message
	// order is the keys in the order of the file.
	order []string
	// rtl: the language is written right to left, so the values put in
	// its messages are isolated (see fill).
	rtl bool
}

// message is one entry: the English text (and plural) it translates, and
// its forms in this language (one, or one per plural form).
type message struct {
	english, englishPlural string
	forms                  []string
	// comment is the entry's "#." line, refs its "#:" lines: where the
	// message appears.
	comment string
	refs    []string
	// placeholders are the English text's {names}, in order of first
	// appearance (see names), worked out once.
	placeholders []string
	// fuzzy is a translation marked "#, fuzzy": a translator's tool
	// (Poedit, Weblate, msgmerge) guessed it or the English changed under
	// it, and nobody has checked it since. Like msgfmt, the service does
	// not use it until the mark is cleared; the template keeps it.
	fuzzy bool
}

func (m *message) isPlural() bool { return m.englishPlural != "" }

// translated reports whether every form is filled in and none awaits
// review.
func (m *message) translated() bool {
	if len(m.forms) == 0 || m.fuzzy {
		return false
	}
	for _, f := range m.forms {
		if f == "" {
			return false
		}
	}
	return true
}

// MaxFileBytes bounds one PO file: the shipped ones are about 120 KB.
const MaxFileBytes = 4 << 20

// Parse reads one PO file. Its language is its Language header, or the
// file's name without ".po".
func Parse(name string, data []byte) (c *Catalogue, err error) {
	if len(data) > MaxFileBytes {
		return nil, fmt.Errorf("%s: %d bytes, more than a catalogue can be (%d)", name, len(data), MaxFileBytes)
	}
	defer func() {
		// The parser is not ours: whatever a broken file does to it is
		// a refusal of that file, never a crash of the service.
		if r := recover(); r != nil {
			c, err = nil, fmt.Errorf("%s: not a PO file the reader can parse (%v)", name, r)
		}
	}()
	po := gotext.NewPo()
	po.Parse(data)
	d := po.GetDomain()
	lang := strings.ReplaceAll(strings.TrimSpace(d.Language), "_", "-")
	if lang == "" {
		lang = strings.TrimSuffix(path.Base(name), ".po")
	}
	c = &Catalogue{Lang: lang, File: name, msgs: map[string]*message{}, rtl: Dir(lang) == "rtl"}
	if err := c.setPlural(d.PluralForms); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	for key, byID := range d.GetCtxTranslations() {
		for _, t := range byID {
			if t.ID == "" {
				// The reader also files an empty entry under each
				// context as it meets its msgid line.
				continue
			}
			m := &message{english: t.ID, englishPlural: t.PluralID}
			n := 1
			if m.isPlural() {
				n = max(c.nplurals, 1)
				for i := range t.Trs {
					n = max(n, i+1)
				}
			}
			m.forms = make([]string, n)
			for i := range m.forms {
				m.forms[i] = t.Trs[i]
			}
			m.placeholders = m.names()
			c.msgs[key] = m
		}
	}
	if len(c.msgs) == 0 {
		return nil, fmt.Errorf("%s: no messages (each needs its key as msgctxt)", name)
	}
	c.header = strings.TrimSpace(d.PluralForms)
	c.scan(data)
	return c, nil
}

// scan reads what the PO reader leaves out: the order of the entries,
// their "#." comments and their "#, fuzzy" marks.
func (c *Catalogue) scan(data []byte) {
	comment, refs, fuzzy := "", []string(nil), false
	for line := range strings.SplitSeq(string(data), "\n") {
		line = strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, "#."):
			comment = strings.TrimSpace(line[2:])
		case strings.HasPrefix(line, "#:"):
			refs = append(refs, strings.TrimSpace(line[2:]))
		case strings.HasPrefix(line, "#,"):
			for flag := range strings.SplitSeq(line[2:], ",") {
				fuzzy = fuzzy || strings.TrimSpace(flag) == "fuzzy"
			}
		case strings.HasPrefix(line, "msgctxt "):
			key, err := strconv.Unquote(strings.TrimSpace(line[len("msgctxt "):]))
			if m := c.msgs[key]; err == nil && m != nil {
				c.order = append(c.order, key)
				m.comment, m.refs, m.fuzzy = comment, refs, fuzzy
			}
			comment, refs, fuzzy = "", nil, false
		case line == "":
			comment, refs, fuzzy = "", nil, false
		}
	}
}

// setPlural reads the Plural-Forms header ("nplurals=2; plural=(n != 1);").
func (c *Catalogue) setPlural(header string) error {
	c.nplurals, c.plural = 2, nil
	if header == "" {
		return nil
	}
	for part := range strings.SplitSeq(header, ";") {
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			continue
		}
		switch strings.TrimSpace(k) {
		case "nplurals":
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil || n < 1 || n > 6 {
				return fmt.Errorf("Plural-Forms: nplurals %q is not a number from 1 to 6", strings.TrimSpace(v))
			}
			c.nplurals = n
		case "plural":
			expr, err := plurals.Compile(strings.TrimSpace(v))
			if err != nil {
				return fmt.Errorf("Plural-Forms: the plural rule %q cannot be read: %v", strings.TrimSpace(v), err)
			}
			c.plural = expr
		}
	}
	return nil
}

// form is the plural form for n.
func (c *Catalogue) form(n int) int {
	if n < 0 {
		n = -n
	}
	var i int
	switch {
	case c.plural != nil:
		i = c.plural.Eval(uint32(min(n, 1<<31)))
	case n != 1:
		i = 1
	}
	return min(max(i, 0), c.nplurals-1)
}

// Builtin returns the shipped catalogues.
func Builtin() *Catalogues { return builtin() }

var builtin = sync.OnceValue(func() *Catalogues {
	c, err := loadFS(shipped, "po", nil)
	if err != nil {
		// The shipped files are checked by the tests; a build with a
		// broken one must not start.
		panic(fmt.Sprintf("i18n: the shipped catalogues: %v", err))
	}
	return c
})

// Load returns the shipped catalogues with the PO files of dir added:
// a language the service does not ship is added, and a shipped one keeps
// every message the file does not translate.
func Load(dir fs.FS) (*Catalogues, error) {
	return loadFS(dir, ".", Builtin())
}

func loadFS(fsys fs.FS, dir string, base *Catalogues) (*Catalogues, error) {
	out := &Catalogues{langs: map[string]*Catalogue{}}
	if base != nil {
		for l, c := range base.langs {
			out.langs[l] = c
		}
	}
	names, err := fs.Glob(fsys, path.Join(dir, "*.po"))
	if err != nil {
		return nil, err
	}
	if base != nil && len(names) == 0 {
		return nil, fmt.Errorf("no .po files")
	}
	for _, name := range names {
		data, err := readBounded(fsys, name)
		if err != nil {
			return nil, err
		}
		c, err := Parse(name, data)
		if err != nil {
			return nil, err
		}
		if old, ok := out.langs[c.Lang]; ok {
			c = old.overriddenBy(c)
		}
		out.langs[c.Lang] = c
	}
	return out, nil
}

func readBounded(fsys fs.FS, name string) ([]byte, error) {
	fi, err := fs.Stat(fsys, name)
	if err != nil {
		return nil, err
	}
	if fi.Size() > MaxFileBytes {
		return nil, fmt.Errorf("%s: %d bytes, more than a catalogue can be (%d)", name, fi.Size(), MaxFileBytes)
	}
	return fs.ReadFile(fsys, name)
}

// overriddenBy is c with the translated messages of o put over its own.
func (c *Catalogue) overriddenBy(o *Catalogue) *Catalogue {
	merged := *o
	merged.msgs = make(map[string]*message, len(c.msgs))
	for k, m := range c.msgs {
		merged.msgs[k] = m
	}
	for k, m := range o.msgs {
		if m.translated() {
			merged.msgs[k] = m
		}
	}
	merged.File = c.File + " + " + o.File
	merged.order = c.order
	return &merged
}

// Languages lists the languages with a catalogue, sorted.
func (cs *Catalogues) Languages() []string {
	out := make([]string, 0, len(cs.langs))
	for l := range cs.langs {
		out = append(out, l)
	}
	slices.Sort(out)
	return out
}

// Has reports whether lang has a catalogue.
func (cs *Catalogues) Has(lang string) bool { return cs.langs[lang] != nil }

// Catalogue is lang's, nil when it has none.
func (cs *Catalogues) Catalogue(lang string) *Catalogue { return cs.langs[lang] }

// active is what T reads: the process's catalogues, set once at start-up
// (Use) and read by every request, like time.Local. Threading a catalogue
// through every function that takes a language would add a parameter to
// a hundred signatures for no reader's gain.
var active atomic.Pointer[Catalogues]

// Use makes cs the catalogues T reads.
func Use(cs *Catalogues) { active.Store(cs) }

// Active is the catalogues T reads.
func Active() *Catalogues {
	if cs := active.Load(); cs != nil {
		return cs
	}
	return Builtin()
}

// Translates reports whether the catalogue has key with every form filled.
func (c *Catalogue) Translates(key string) bool {
	m := c.msgs[key]
	return m != nil && m.translated()
}

// Keys lists the catalogue's keys, in the order of its file.
func (c *Catalogue) Keys() []string { return c.order }
