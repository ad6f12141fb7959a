package i18n

import (
	"strings"
	"unicode/utf8"
)

// PseudoOpen and PseudoClose mark a pseudo-language message, so that text
// on a page outside them is text that skipped the catalogue.
const (
	PseudoOpen  = "⟦"
	PseudoClose = "⟧"
)

// WithPseudo is cs with one more language, lang, whose every message is
// the English one accented, made 40 % longer and marked ("Send my answers"
// → "⟦Séñd mý áñšwéŕš ·······⟧"): the layout is tried against longer
// text and any word on a page outside the marks skipped the catalogue.
// Placeholders are kept as they are.
func (cs *Catalogues) WithPseudo(lang string) *Catalogues {
	src := cs.langs[Source]
	c := &Catalogue{Lang: lang, File: "pseudo", nplurals: src.nplurals, plural: src.plural, header: src.header,
		msgs: make(map[string]*message, len(src.msgs)), order: src.order}
	for key, m := range src.msgs {
		p := &message{english: m.english, englishPlural: m.englishPlural, comment: m.comment, refs: m.refs, placeholders: m.placeholders}
		for _, f := range m.forms {
			p.forms = append(p.forms, pseudo(f))
		}
		c.msgs[key] = p
	}
	out := &Catalogues{langs: map[string]*Catalogue{lang: c}}
	for l, other := range cs.langs {
		out.langs[l] = other
	}
	return out
}

var accented = strings.NewReplacer("a", "á", "e", "é", "i", "í", "o", "ó", "u", "ú", "n", "ñ", "s", "š", "c", "ç", "y", "ý", "r", "ŕ",
	"A", "Á", "E", "É", "I", "Í", "O", "Ó", "U", "Ú", "N", "Ñ", "S", "Š", "C", "Ç")

// pseudo accents s outside its {placeholders}, pads it by 40 % and marks
// it. Leading and trailing spaces (" and ") stay outside the marks.
func pseudo(s string) string {
	core := strings.TrimSpace(s)
	if core == "" {
		return s
	}
	lead, trail := s[:strings.Index(s, core)], s[strings.Index(s, core)+len(core):]
	var b strings.Builder
	for len(core) > 0 {
		i := strings.IndexByte(core, '{')
		j := -1
		if i >= 0 {
			j = strings.IndexByte(core[i:], '}')
		}
		if i < 0 || j < 0 || !isName(core[i+1:i+j]) {
			b.WriteString(accented.Replace(core))
			break
		}
		b.WriteString(accented.Replace(core[:i]))
		b.WriteString(core[i : i+j+1])
		core = core[i+j+1:]
	}
	text := b.String()
	pad := (utf8.RuneCountInString(text)*2 + 4) / 5
	return lead + PseudoOpen + text + " " + strings.Repeat("·", pad) + PseudoClose + trail
}
