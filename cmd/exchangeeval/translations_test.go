package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/csci/exchangeeval/internal/i18n"
)

// TestTranslationsAsFiles: a translator starts a language with the
// template, checks it, and the service speaks it with --translations,
// without a rebuild; validate says which instrument languages the
// interface cannot speak, and stops saying it once a catalogue is given.
func TestTranslationsAsFiles(t *testing.T) {
	t.Cleanup(func() { i18n.Use(i18n.Builtin()) })
	c := &cli{t: t, env: map[string]string{}}
	out := c.mustRun("translations", "check")
	for _, lang := range []string{"ar", "de", "en", "es", "fr", "pt", "zh"} {
		if !strings.Contains(out, lang+": ") || strings.Contains(out, ": missing") {
			t.Errorf("shipped catalogues: %s", out)
		}
	}
	total := len(i18n.Builtin().Catalogue(i18n.Source).Keys())

	template := c.mustRun("translations", "template", "--lang", "pl",
		"--plural-forms", "nplurals=3; plural=(n==1 ? 0 : n%10>=2 && n%10<=4 && (n%100<12 || n%100>14) ? 1 : 2);")
	if strings.Count(template, "\nmsgctxt ") != total || !strings.Contains(template, `"Plural-Forms: nplurals=3;`) ||
		!strings.Contains(template, "msgstr[2] \"\"") || !strings.Contains(template, "#: templates/questionnaire.html") {
		t.Fatalf("the template lacks messages, plural forms or references:\n%.2000s", template)
	}
	dir := t.TempDir()
	polish := strings.Replace(template, "msgctxt \"submit\"\nmsgid \"Send my answers\"\nmsgstr \"\"", "msgctxt \"submit\"\nmsgid \"Send my answers\"\nmsgstr \"Wyślij moje odpowiedzi\"", 1)
	polish = strings.Replace(polish, "msgctxt \"deadline\"\nmsgid \"Please answer by {date}.\"\nmsgstr \"\"", "msgctxt \"deadline\"\nmsgid \"Please answer by {date}.\"\nmsgstr \"Prosimy o odpowiedź do {data}.\"", 1)
	if err := os.WriteFile(filepath.Join(dir, "pl.po"), []byte(polish), 0o644); err != nil {
		t.Fatal(err)
	}
	out, _, err := c.run("translations", "check", dir)
	if exitCode(err) != 2 || !strings.Contains(out, "pl: 2 of "+itoa(total)+" messages translated") ||
		!strings.Contains(out, "pl: skip: missing") || !strings.Contains(out, "pl: deadline: placeholders (lacks {date}; has unknown {data})") {
		t.Errorf("check of a partial Polish catalogue: %v\n%.1500s", err, out)
	}

	yaml := writeFile(t, "polish.yaml", "id: polish\nversion: 1\nlanguages: [en, pl]\ntitle: {en: Visit, pl: Wizyta}\nwaves: [{id: pre, title: {en: Before, pl: Przed}}]\nsections:\n  - id: s\n    heading: {en: S, pl: S}\n    questions:\n      - {id: q, type: text, waves: [pre], text: {en: What did you see?, pl: Co widziałeś?}}\n")
	out = c.mustRun("validate", yaml)
	if !strings.Contains(out, "note: the interface has no catalogue for language pl") || !strings.Contains(out, "translations template --lang pl") {
		t.Errorf("validate says nothing of pl:\n%s", out)
	}
	out = c.mustRun("validate", "--translations", dir, yaml)
	if strings.Contains(out, "note:") {
		t.Errorf("validate with a Polish catalogue still notes it:\n%s", out)
	}
	if got := i18n.T("pl", "submit"); got != "Wyślij moje odpowiedzi" {
		t.Errorf("the process speaks Polish after --translations: %q", got)
	}
	if _, _, err := c.run("validate", "--translations", t.TempDir(), yaml); exitCode(err) != 2 || !strings.Contains(err.Error(), "no .po files") {
		t.Errorf("an empty translations directory: %v", err)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
