package workbook

import (
	"strings"

	"github.com/csci/exchangeeval/internal/i18n"
)

// methodSections are the sections of docs/methods.md, in its order: each
// has a title and a plain-words paragraph in the catalogues
// ("methods.scores.title", "methods.scores.text"), so that a reader gets
// them in their language; the English ones are the document's own
// (TestPlainMethodsAreTheDocuments keeps them so).
var methodSections = []string{"scores", "describe", "paired", "reliability", "attainment", "themes", "privacy", "participation", "programme"}

// PlainMethods is the plain-words account of each method in English.
func PlainMethods() string { return PlainMethodsIn(i18n.Source) }

// MethodsLanguage is the language PlainMethodsIn writes for a reader of
// lang: lang where its catalogue has the methods, else English.
func MethodsLanguage(lang string) string {
	_, in := i18n.Active().Lookup([]string{lang}, "methods."+methodSections[0]+".text")
	return in
}

// PlainMethodsIn is each method's title and plain-words paragraph in
// lang (English where lang's catalogue lacks one), paragraphs separated
// by a blank line.
func PlainMethodsIn(lang string) string {
	out := make([]string, len(methodSections))
	for i, s := range methodSections {
		out[i] = i18n.T(lang, "methods.paragraph", i18n.T(lang, "methods."+s+".title"), i18n.T(lang, "methods."+s+".text"))
	}
	return strings.Join(out, "\n\n")
}
