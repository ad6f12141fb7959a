package web

import (
	"github.com/csci/exchangeeval/internal/i18n"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/csci/exchangeeval/internal/mailing"
	"github.com/csci/exchangeeval/internal/staff"
)

// TestEveryWordedKeyIsInBothLanguages reads the templates and the Go
// sources for catalogue keys written out ({{.T "key"}}, translate(lang,
// "key")) and checks each is worded in every shipped catalogue: a missing
// key shows its name on the page ("prog.restricted"), and a missing
// translation falls back to English on, say, a French page.
func TestEveryWordedKeyIsInEveryLanguage(t *testing.T) {
	used := map[string]string{}
	scan := func(glob string, re *regexp.Regexp) {
		files, err := filepath.Glob(glob)
		if err != nil || len(files) == 0 {
			t.Fatalf("no files %s: %v", glob, err)
		}
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range re.FindAllStringSubmatch(string(b), -1) {
				if !strings.HasSuffix(m[1], ".") { // a prefix: its family is below
					used[m[1]] = f
				}
			}
		}
	}
	scan("../../templates/*.html", regexp.MustCompile(`\.T "([a-z0-9_.-]+)"`))
	scan("*.go", regexp.MustCompile(`translate\(lang, "([a-z0-9_.-]+)"`))
	// Keys made from a prefix and a code: every code of each family.
	for _, a := range staff.AuditActions {
		used["audit.action."+a] = "staff.AuditActions"
	}
	for _, r := range staff.Roles {
		used["role."+r] = "staff.Roles"
	}
	for _, k := range mailing.Kinds {
		used["mail.kind."+k] = "mailing.Kinds"
	}
	for _, k := range []string{mailing.Invitation, mailing.Reminder} {
		used["mail.queued."+k] = "mail kinds queued from the page"
	}
	for _, v := range []string{"attained", "partly attained", "not attained", "insufficient data"} {
		used["verdict."+v] = "verdicts"
	}
	for _, n := range append(notesOfAWave, "created", "edited", "imported", "links", "report", "workbook", "workbook-labels", "signoff", "removed",
		"user-added", "user-assign", "user-unassign", "user-disable", "user-enable", "throttled", "cli-user", "token", "mail-retry", "instrument-uploaded", "moved",
		"first-admin", "setup-code", "password-changed", "password-wrong", "user-password-reset", "password-reset-sent", "password-reset-used", "two-factor", "recovery-code-used", "code-wrong", "two-factor-on", "two-factor-off", "recovery-codes-new", "user-two-factor-reset", "two-factor-policy", "retention-erased", "codes-imported", "codes-reconciled", "codebook-promote", "codebook-merge", "codebook-reject", "codebook-join", "erased", "personal-data-exported") {
		used["audit.note."+n] = "audit notes"
	}
	var missing []string
	cs := i18n.Builtin()
	for key, file := range used {
		for _, lang := range cs.Languages() {
			if !cs.Catalogue(lang).Translates(key) {
				missing = append(missing, lang+": "+key+" ("+file+")")
			}
		}
	}
	sort.Strings(missing)
	for _, m := range missing {
		t.Errorf("not worded: %s", m)
	}
	if len(used) < 100 {
		t.Errorf("only %d keys found: the scan is broken", len(used))
	}
}

// TestLanguagesAreNamedNotCoded: the admin form labels a translated name
// by the language's name in the reader's language (CLDR's, for languages
// the catalogue does not name), never "Name in es".
func TestLanguagesAreNamedNotCoded(t *testing.T) {
	for _, tc := range []struct{ reader, code, want string }{
		{"en", "fr", "French"}, {"fr", "fr", "français"},
		{"en", "es", "Spanish"}, {"fr", "es", "espagnol"},
		{"en", "ar", "Arabic"}, {"fr", "de", "allemand"},
		{"en", "zh-Hans", "Simplified Chinese"},
		{"en", "not a language", "not a language"},
	} {
		if got := languageName(tc.reader, tc.code); got != tc.want {
			t.Errorf("languageName(%q, %q) = %q, want %q", tc.reader, tc.code, got, tc.want)
		}
	}
	if got := nameInLabel("en", "es"); !strings.HasPrefix(got, "Name in Spanish") {
		t.Errorf("the label: %q", got)
	}
}
