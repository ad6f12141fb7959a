package coding

import (
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/csci/exchangeeval/internal/survey"
)

// Codebook is one version of an exchange's codebook. The instrument's
// themes are version 0; each change an evaluator makes — a candidate
// theme promoted, merged into a theme, or rejected — is a new version,
// kept with who made it, when and why, so the figures can say which
// codebook they counted with and an older version can still be read.
type Codebook struct {
	Exchange string          `bson:"exchange" json:"exchange"`
	Version  int             `bson:"version" json:"version"`
	Themes   []CodebookTheme `bson:"themes" json:"themes"`
	// Rejected are the candidate themes ruled out, by CandidateKey: they
	// are no longer proposed.
	Rejected []string `bson:"rejected" json:"rejected"`
	// Joined are groups of candidates of different languages counted as
	// one (the same idea in English and in French).
	Joined []JoinedGroup `bson:"joined,omitempty" json:"joined,omitempty"`
	Change Change        `bson:"change" json:"change"`
	By     string        `bson:"by" json:"by"`
	At     time.Time     `bson:"at" json:"at"`
}

// CodebookTheme is a theme of a codebook version: its label in each
// language and its patterns (survey.CompilePattern) in each.
type CodebookTheme struct {
	ID       string              `bson:"id" json:"id"`
	Label    map[string]string   `bson:"label" json:"label"`
	Patterns map[string][]string `bson:"patterns" json:"patterns"`
}

// JoinedGroup is candidates counted as one, by CandidateKey, one per
// language. (A document, not a bare list: MongoDB's FerretDB stores no
// list of lists.)
type JoinedGroup struct {
	Keys []string `bson:"keys" json:"keys"`
}

// Change says what made a version.
type Change struct {
	Kind      string `bson:"kind" json:"kind"` // one of the Change… kinds
	Theme     string `bson:"theme,omitempty" json:"theme,omitempty"`
	Candidate string `bson:"candidate,omitempty" json:"candidate,omitempty"`
	// With is the candidate of another language joined to Candidate.
	With string `bson:"with,omitempty" json:"with,omitempty"`
}

// Kinds of change.
const (
	ChangePromote = "promote" // a candidate became a new theme
	ChangeMerge   = "merge"   // a candidate's words joined a theme's patterns
	ChangeReject  = "reject"  // a candidate is not a theme
	ChangeJoin    = "join"    // candidates of two languages counted as one
)

// CandidateKey names a candidate theme across analyses: its language
// and stem ("fr:habit").
func CandidateKey(lang, stem string) string { return lang + ":" + stem }

// Initial is version 0 of an exchange's codebook: the instrument's.
func Initial(exchangeID string, in *survey.Instrument) Codebook {
	cb := Codebook{Exchange: exchangeID, Rejected: []string{}}
	for _, t := range in.Themes {
		ct := CodebookTheme{ID: t.ID, Label: maps.Clone(map[string]string(t.Label)), Patterns: map[string][]string{}}
		for l, ps := range t.Patterns {
			ct.Patterns[l] = slices.Clone(ps)
		}
		cb.Themes = append(cb.Themes, ct)
	}
	return cb
}

// Apply gives the instrument as the exchange codes with cb: the same
// instrument, its themes those of cb. The instrument is not changed.
func Apply(in *survey.Instrument, cb *Codebook) *survey.Instrument {
	if cb == nil {
		return in
	}
	out := *in
	out.Themes = nil
	for _, t := range cb.Themes {
		out.Themes = append(out.Themes, &survey.Theme{ID: t.ID, Label: survey.Text(maps.Clone(t.Label)), Patterns: clonePatterns(t.Patterns)})
	}
	return &out
}

func clonePatterns(p map[string][]string) map[string][]string {
	out := map[string][]string{}
	for l, ps := range p {
		out[l] = slices.Clone(ps)
	}
	return out
}

// next is a copy of cb as the start of its next version.
func (cb Codebook) next(by string, at time.Time, change Change) Codebook {
	out := Codebook{Exchange: cb.Exchange, Version: cb.Version + 1, Rejected: slices.Clone(cb.Rejected), Change: change, By: by, At: at.UTC()}
	for _, g := range cb.Joined {
		out.Joined = append(out.Joined, JoinedGroup{Keys: slices.Clone(g.Keys)})
	}
	for _, t := range cb.Themes {
		out.Themes = append(out.Themes, CodebookTheme{ID: t.ID, Label: maps.Clone(t.Label), Patterns: clonePatterns(t.Patterns)})
	}
	return out
}

// ThemeIDPattern is what a theme id may be: it heads a column of the
// coding sheet and names a code in the exports.
var ThemeIDPattern = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,39}$`)

// Limits of a theme an evaluator writes.
const (
	MaxLabel    = 120
	MaxPatterns = 40
)

// Fault is what is wrong with a change: the field, the catalogue key of
// the message, and the language the field is in, if it is one of a
// field per language.
type Fault struct{ Field, Key, Lang string }

// Promote adds a candidate as a new theme: id, a label per language (the
// base language's required) and patterns per language.
func (cb Codebook) Promote(base string, id string, label map[string]string, patterns map[string][]string, candidate, by string, at time.Time) (Codebook, []Fault) {
	var faults []Fault
	switch {
	case !ThemeIDPattern.MatchString(id):
		faults = append(faults, Fault{"id", "codebook.fault.id", ""})
	case slices.ContainsFunc(cb.Themes, func(t CodebookTheme) bool { return t.ID == id }):
		faults = append(faults, Fault{"id", "codebook.fault.taken", ""})
	}
	clean := map[string]string{}
	for l, s := range label {
		if s = strings.TrimSpace(s); s != "" {
			clean[l] = s
		}
		if len([]rune(s)) > MaxLabel {
			faults = append(faults, Fault{"label_" + l, "codebook.fault.long", l})
		}
	}
	if clean[base] == "" {
		faults = append(faults, Fault{"label_" + base, "codebook.fault.label", base})
	}
	ps, pf := checkPatterns(patterns)
	faults = append(faults, pf...)
	if len(ps) == 0 && len(pf) == 0 {
		faults = append(faults, Fault{"patterns", "codebook.fault.nopattern", ""})
	}
	if len(faults) > 0 {
		return cb, faults
	}
	out := cb.next(by, at, Change{Kind: ChangePromote, Theme: id, Candidate: candidate})
	out.Themes = append(out.Themes, CodebookTheme{ID: id, Label: clean, Patterns: ps})
	return out, nil
}

// Merge adds patterns to an existing theme: the candidate's words are
// another way of saying it.
func (cb Codebook) Merge(theme string, patterns map[string][]string, candidate, by string, at time.Time) (Codebook, []Fault) {
	i := slices.IndexFunc(cb.Themes, func(t CodebookTheme) bool { return t.ID == theme })
	if i < 0 {
		return cb, []Fault{{"theme", "codebook.fault.notheme", ""}}
	}
	ps, faults := checkPatterns(patterns)
	if len(ps) == 0 && len(faults) == 0 {
		faults = append(faults, Fault{"patterns", "codebook.fault.nopattern", ""})
	}
	if len(faults) > 0 {
		return cb, faults
	}
	out := cb.next(by, at, Change{Kind: ChangeMerge, Theme: theme, Candidate: candidate})
	t := &out.Themes[i]
	for l, add := range ps {
		for _, p := range add {
			if !slices.Contains(t.Patterns[l], p) {
				t.Patterns[l] = append(t.Patterns[l], p)
			}
		}
	}
	return out, nil
}

// Reject rules a candidate out: it is no longer proposed.
func (cb Codebook) Reject(candidate, by string, at time.Time) Codebook {
	out := cb.next(by, at, Change{Kind: ChangeReject, Candidate: candidate})
	if !slices.Contains(out.Rejected, candidate) {
		out.Rejected = append(out.Rejected, candidate)
	}
	return out
}

// Join counts two candidates of different languages as one: the other
// joins the candidate's group (or a new one), and a group holds one stem
// per language.
func (cb Codebook) Join(candidate, other, by string, at time.Time) (Codebook, []Fault) {
	langOf := func(k string) string { l, _, _ := strings.Cut(k, ":"); return l }
	group := func(k string) int {
		return slices.IndexFunc(cb.Joined, func(g JoinedGroup) bool { return slices.Contains(g.Keys, k) })
	}
	switch {
	case !strings.Contains(other, ":") || langOf(other) == langOf(candidate):
		return cb, []Fault{{"other", "codebook.fault.join", ""}}
	case group(other) >= 0 && group(other) != group(candidate):
		return cb, []Fault{{"other", "codebook.fault.joined", ""}}
	}
	out := cb.next(by, at, Change{Kind: ChangeJoin, Candidate: candidate, With: other})
	i := group(candidate)
	if i < 0 {
		out.Joined = append(out.Joined, JoinedGroup{Keys: []string{candidate}})
		i = len(out.Joined) - 1
	}
	if slices.ContainsFunc(out.Joined[i].Keys, func(k string) bool { return langOf(k) == langOf(other) }) {
		return cb, []Fault{{"other", "codebook.fault.join", ""}}
	}
	out.Joined[i].Keys = append(out.Joined[i].Keys, other)
	return out, nil
}

// checkPatterns keeps the non-empty patterns, each of which must compile.
func checkPatterns(patterns map[string][]string) (map[string][]string, []Fault) {
	out := map[string][]string{}
	var faults []Fault
	n := 0
	for l, ps := range patterns {
		for _, p := range ps {
			p = strings.TrimSpace(p)
			if p == "" {
				continue
			}
			if _, err := survey.CompilePattern(p); err != nil {
				faults = append(faults, Fault{"patterns_" + l, "codebook.fault.pattern", l})
				continue
			}
			if n++; n > MaxPatterns {
				return nil, []Fault{{"patterns_" + l, "codebook.fault.many", l}}
			}
			if !slices.Contains(out[l], p) {
				out[l] = append(out[l], p)
			}
		}
	}
	return out, faults
}

// SuggestedPatterns are the patterns a candidate's words prefill: each
// word (the candidate's forms) whole, at most eight.
func SuggestedPatterns(terms []string) []string {
	var out []string
	for _, t := range terms {
		if _, err := survey.CompilePattern(t); err == nil && !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out[:min(len(out), 8)]
}

// SuggestedID is a theme id made from a candidate's first word, when it
// makes one (letters a–z only, as ids are).
func SuggestedID(terms []string) string {
	if len(terms) == 0 {
		return ""
	}
	var b strings.Builder
	for _, r := range strings.ToLower(survey.Fold(terms[0])) {
		if r == ' ' {
			r = '-' // a phrase: santé mentale → sante-mentale
		}
		if b.Len() < 40 && (r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			b.WriteRune(r)
		}
	}
	if !ThemeIDPattern.MatchString(b.String()) {
		return ""
	}
	return b.String()
}
