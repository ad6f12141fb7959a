package i18n

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// T is the message key in lang — or, where lang has no translation of it,
// in English — with its placeholders filled by args, in the order the
// placeholders first appear in the English text.
func T(lang, key string, args ...any) string {
	s, _ := Active().lookup(lang, "", key, args)
	return s
}

// Named gives a message's placeholders by name, for a caller whose
// values do not come in the order of the English text.
type Named map[string]any

// Lookup is the message key in the first of langs that translates it,
// then in English, filled with args; it says which language it is in, so
// a page can mark words that fell back (a screen reader then changes
// voice). A key no catalogue has comes back as itself: the tests keep
// every key the code uses in the English catalogue.
func (cs *Catalogues) Lookup(langs []string, key string, args ...any) (text, lang string) {
	first, second := "", ""
	switch len(langs) {
	case 0:
	case 1:
		first = langs[0]
	default:
		first, second = langs[0], langs[1]
	}
	return cs.lookup(first, second, key, args)
}

// In is Lookup for a page: lang, then fallback (the instrument's
// language; "" for none), then English.
func (cs *Catalogues) In(lang, fallback, key string, args ...any) (text, in string) {
	return cs.lookup(lang, fallback, key, args)
}

// lookup is Lookup for a language and a second one to fall back to, then
// English: no slice to make for each of the hundreds of words of a page.
func (cs *Catalogues) lookup(first, second, key string, args []any) (text, lang string) {
	var names []string
	if sm := cs.langs[Source].msgs[key]; sm != nil {
		names = sm.placeholders
	}
	for _, l := range [3]string{first, second, Source} {
		c := cs.langs[l]
		if c == nil {
			continue
		}
		m := c.msgs[key]
		if m == nil || !m.translated() {
			continue
		}
		if names == nil {
			names = m.placeholders
		}
		if len(args) == 1 {
			if named, ok := args[0].(Named); ok {
				names, args = names[:0:0], nil
				for k, v := range named {
					names, args = append(names, k), append(args, v)
				}
			}
		}
		form := m.forms[0]
		if m.isPlural() {
			form = m.forms[c.form(count(names, args))]
		}
		return fill(form, names, args, c.rtl), l
	}
	return key, Source
}

// names lists the placeholders of the English text, in order of first
// appearance.
func (m *message) names() []string {
	names := []string{}
	for _, s := range []string{m.english, m.englishPlural} {
		for _, n := range placeholders(s) {
			if !slices.Contains(names, n) {
				names = append(names, n)
			}
		}
	}
	return names
}

// placeholders lists the {name}s of s, in order, repeats included.
func placeholders(s string) []string {
	var out []string
	for {
		i := strings.IndexByte(s, '{')
		if i < 0 {
			return out
		}
		s = s[i+1:]
		j := strings.IndexByte(s, '}')
		if j < 0 {
			return out
		}
		if name := s[:j]; isName(name) {
			out = append(out, name)
			s = s[j+1:]
		}
	}
}

func isName(s string) bool {
	if s == "" || len(s) > 32 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return true
}

// count is the value of {n}, which chooses a plural form; of the first
// argument when the text does not show the number ("sections answered").
func count(names []string, args []any) int {
	at := slices.Index(names, "n")
	if at < 0 {
		at = 0
	}
	if at >= len(args) {
		return 0
	}
	switch v := args[at].(type) {
	case int:
		return v
	case int64:
		return int(v)
	case float64:
		return int(v)
	case string:
		n, _ := strconv.Atoi(v)
		return n
	}
	return 0
}

// Unicode's first-strong isolate and its end: a value put in a right-to-
// left message between them keeps its own direction and does not reorder
// the words around it (a Latin name, a number and a sign, a link), in HTML,
// e-mail and workbooks alike.
const (
	isolate    = "\u2068"
	endIsolate = "\u2069"
)

// fill puts args in the placeholders of s, each isolated when the message
// is written right to left.
func fill(s string, names []string, args []any, rtl bool) string {
	if len(args) == 0 || !strings.Contains(s, "{") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16*len(args))
	for {
		i := strings.IndexByte(s, '{')
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			b.WriteString(s)
			return b.String()
		}
		name := s[i+1 : i+j]
		k := slices.Index(names, name)
		if k < 0 || k >= len(args) {
			b.WriteString(s[:i+j+1])
		} else {
			b.WriteString(s[:i])
			if rtl {
				b.WriteString(isolate + str(args[k]) + endIsolate)
			} else {
				b.WriteString(str(args[k]))
			}
		}
		s = s[i+j+1:]
	}
}

func str(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case int:
		return strconv.Itoa(v)
	case fmt.Stringer:
		return v.String()
	}
	return fmt.Sprint(v)
}
