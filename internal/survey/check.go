package survey

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
)

var (
	idPattern   = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,62}$`)
	langPattern = regexp.MustCompile(`^[a-z]{2,3}$`)
)

var questionTypes = []string{TypeLikert, TypeSingle, TypeMulti, TypeNumber, TypeText, TypeDate, TypeTime, TypeDateTime, TypeCalculate, TypeNote}

// check reports everything wrong with a decoded instrument. It never stops at
// the first problem: an author fixing a file wants the whole list.
func check(in *Instrument, add func(int, string, ...any)) {
	p := in.Pos
	checkID := func(pos Pos, what, id string) {
		switch {
		case id == "":
			add(pos.Line, "%s has no id", what)
		case !idPattern.MatchString(id):
			add(pos.LineOf("id"), "%s id %q: use lower-case letters, digits, - and _ (at most 63)", what, id)
		}
	}
	checkID(p, "instrument", in.ID)
	if in.Version < 1 {
		add(p.LineOf("version"), "instrument version must be a whole number ≥ 1")
	}
	if len(in.Languages) == 0 {
		add(p.LineOf("languages"), "languages: list at least one language code; the first is the base language")
	}
	langs := map[string]bool{}
	for _, l := range in.Languages {
		if !langPattern.MatchString(l) {
			add(p.LineOf("languages"), "language %q is not a language code such as en or fr", l)
		}
		if langs[l] {
			add(p.LineOf("languages"), "language %q listed twice", l)
		}
		langs[l] = true
	}
	base := in.BaseLanguage()
	checkText := func(pos Pos, key, what string, t Text, required bool) {
		if required && strings.TrimSpace(t[base]) == "" {
			add(pos.LineOf(key), "%s: no %s in the base language %q", what, key, base)
		}
		for _, l := range sortedKeys(t) {
			if !langs[l] {
				add(pos.LineOf(key), "%s: %s in undeclared language %q (languages: %s)", what, key, l, strings.Join(in.Languages, ", "))
			}
		}
	}
	checkText(p, "title", "instrument", in.Title, true)
	checkText(p, "description", "instrument", in.Description, false)
	if n := in.Privacy; n != nil {
		if v := strings.TrimSpace(n.Version); v == "" || len(v) > MaxNoticeVersion || v != n.Version {
			add(p.LineOf("privacy"), "privacy: give the notice a version of 1 to %d characters without spaces around it (such as 2027-01), recorded with each response", MaxNoticeVersion)
		}
		checkText(p, "privacy", "instrument", n.Text, true)
	}

	waves := map[string]bool{}
	if len(in.Waves) == 0 {
		add(p.LineOf("waves"), "waves: declare at least one wave (e.g. pre, post, follow-up)")
	}
	for _, w := range in.Waves {
		checkID(w.Pos, "wave", w.ID)
		if waves[w.ID] {
			add(w.Pos.LineOf("id"), "duplicate wave id %q", w.ID)
		}
		waves[w.ID] = true
		checkText(w.Pos, "title", "wave "+w.ID, w.Title, true)
		checkText(w.Pos, "intro", "wave "+w.ID, w.Intro, false)
		for _, kind := range sortedKeys(w.Messages) {
			m := w.Messages[kind]
			what := "wave " + w.ID + " message " + kind
			if !slices.Contains(MessageKinds, kind) {
				add(w.Pos.LineOf("messages"), "wave %s: unknown message %q (kinds: %s)", w.ID, kind, strings.Join(MessageKinds, ", "))
				continue
			}
			if m == nil {
				add(w.Pos.LineOf("messages"), "%s is empty", what)
				continue
			}
			checkText(m.Pos, "subject", what, m.Subject, true)
			checkText(m.Pos, "body", what, m.Body, true)
			for _, part := range []struct {
				key string
				t   Text
			}{{"subject", m.Subject}, {"body", m.Body}} {
				for _, l := range sortedKeys(part.t) {
					if bad := UnknownPlaceholders(part.t[l]); len(bad) > 0 {
						add(m.Pos.LineOf(part.key), "%s: %s in %q names %s; placeholders are {%s}", what, part.key, l, strings.Join(bad, ", "), strings.Join(MessagePlaceholders, "}, {"))
					}
					if part.key == "body" && kind != MessageThankYou && !strings.Contains(part.t[l], "{link}") {
						add(m.Pos.LineOf("body"), "%s: the body in %q has no {link}: the delegate could not reach the questionnaire", what, l)
					}
				}
			}
		}
	}

	for _, name := range sortedKeys(in.Scales) {
		s := in.Scales[name]
		what := "scale " + name
		if s == nil {
			add(p.LineOf("scales"), "%s is empty", what)
			continue
		}
		if s.Points < 2 || s.Points > 11 {
			add(s.Pos.LineOf("points"), "%s: points must be between 2 and 11", what)
		}
		if len(s.Labels[base]) == 0 {
			add(s.Pos.LineOf("labels"), "%s: missing labels in the base language %q", what, base)
		}
		for _, l := range sortedKeys(s.Labels) {
			if !langs[l] {
				add(s.Pos.LineOf("labels"), "%s: labels in undeclared language %q", what, l)
			}
			if n := len(s.Labels[l]); n != s.Points {
				add(s.Pos.LineOf("labels"), "%s: %d labels in %q for %d points", what, n, l, s.Points)
			}
		}
	}

	goals := map[string]bool{}
	for _, g := range in.Goals {
		checkID(g.Pos, "goal", g.ID)
		if goals[g.ID] {
			add(g.Pos.LineOf("id"), "duplicate goal id %q", g.ID)
		}
		goals[g.ID] = true
		what := "goal " + g.ID
		checkText(g.Pos, "title", what, g.Title, true)
		checkText(g.Pos, "description", what, g.Description, false)
		c := g.Criterion
		if c.From != "" && !waves[c.From] {
			add(c.Pos.LineOf("from"), "%s: criterion compares from undeclared wave %q", what, c.From)
		}
		if c.To != "" && !waves[c.To] {
			add(c.Pos.LineOf("to"), "%s: criterion compares to undeclared wave %q", what, c.To)
		}
		e := c.Effective()
		if c.From == "" && !waves[e.From] || c.To == "" && !waves[e.To] {
			add(g.Pos.LineOf("criterion"), "%s: criterion needs from and to waves (the defaults pre and post are not declared)", what)
		}
		if e.From == e.To {
			add(g.Pos.LineOf("criterion"), "%s: criterion compares wave %q with itself", what, e.From)
		}
		if c.MinChange < 0 {
			add(c.Pos.LineOf("min_change"), "%s: min_change must be ≥ 0 (a change towards the goal)", what)
		}
		if c.Alpha < 0 || c.Alpha >= 1 {
			add(c.Pos.LineOf("alpha"), "%s: alpha must be between 0 and 1, e.g. 0.05", what)
		}
		if c.MinPairs != 0 && c.MinPairs < 2 {
			add(c.Pos.LineOf("min_pairs"), "%s: min_pairs must be at least 2", what)
		}
	}

	themes := map[string]bool{}
	for _, t := range in.Themes {
		checkID(t.Pos, "theme", t.ID)
		if themes[t.ID] {
			add(t.Pos.LineOf("id"), "duplicate theme id %q", t.ID)
		}
		themes[t.ID] = true
		what := "theme " + t.ID
		checkText(t.Pos, "label", what, t.Label, true)
		if len(t.Patterns) == 0 {
			add(t.Pos.LineOf("patterns"), "%s: no patterns", what)
		}
		for _, l := range sortedKeys(t.Patterns) {
			if !langs[l] {
				add(t.Pos.LineOf("patterns"), "%s: patterns in undeclared language %q", what, l)
			}
			for _, src := range t.Patterns[l] {
				if _, err := CompilePattern(src); err != nil {
					add(t.Pos.LineOf("patterns"), "%s: bad %s pattern %q: %v", what, l, src, err)
				}
			}
		}
	}

	sections := map[string]bool{}
	questions := map[string]bool{}
	if len(in.Sections) == 0 {
		add(p.LineOf("sections"), "sections: define at least one section with questions")
	}
	for _, s := range in.Sections {
		checkID(s.Pos, "section", s.ID)
		if sections[s.ID] {
			add(s.Pos.LineOf("id"), "duplicate section id %q", s.ID)
		}
		sections[s.ID] = true
		checkText(s.Pos, "heading", "section "+s.ID, s.Heading, true)
		checkText(s.Pos, "intro", "section "+s.ID, s.Intro, false)
		if len(s.Questions) == 0 {
			add(s.Pos.Line, "section %s has no questions", s.ID)
		}
		for _, q := range s.Questions {
			checkID(q.Pos, "question", q.ID)
			if questions[q.ID] {
				add(q.Pos.LineOf("id"), "duplicate question id %q", q.ID)
			}
			questions[q.ID] = true
			if slices.Contains(ReservedIDs, q.ID) {
				add(q.Pos.LineOf("id"), "question id %q is reserved: it names a column of the responses table (reserved: %s)", q.ID, strings.Join(ReservedIDs, ", "))
			}
			checkQuestion(in, q, waves, goals, langs, checkText, add)
		}
	}

	checkConditions(in, add)

	if in.QuoteConsent != "" {
		q := in.Question(in.QuoteConsent)
		switch {
		case q == nil:
			add(p.LineOf("quote_consent"), "quote_consent names undefined question %q", in.QuoteConsent)
		case q.Type != TypeSingle || q.Option("yes") == nil:
			add(p.LineOf("quote_consent"), "quote_consent question %q must be a single choice with an option coded yes", in.QuoteConsent)
		}
	}
	in.questions = nil // rebuilt after the checks pass
}

// checkConditions parses every relevant condition and checks it against
// the instrument: the questions it reads must exist, come before the
// question (or section) it governs — which also rules out circles — and be
// asked in every wave that one is; comparisons must be of like with like,
// and codes options of their question.
func checkConditions(in *Instrument, add func(int, string, ...any)) {
	order := map[string]int{}
	for i, q := range in.Questions() {
		if _, dup := order[q.ID]; !dup {
			order[q.ID] = i
		}
	}
	in.questions = nil
	in.index()
	type owner struct {
		what  string
		src   string
		line  int
		first int      // definition index of the first question governed
		waves []string // waves the governed questions are asked in
		set   func(*Condition)
		// self is the question a constraint checks; value is set for
		// a calculation, which gives a value, not a test.
		self  *Question
		value bool
		// choices is the question a choice filter sifts the options of.
		choices *Question
	}
	var owners []owner
	n := 0
	for _, s := range in.Sections {
		var waves []string
		for _, q := range s.Questions {
			for _, w := range q.Waves {
				if !slices.Contains(waves, w) {
					waves = append(waves, w)
				}
			}
		}
		if s.Relevant != "" {
			owners = append(owners, owner{what: "section " + s.ID, src: s.Relevant, line: s.Pos.LineOf("relevant"), first: n, waves: waves, set: func(c *Condition) { s.cond = c }})
		}
		for _, q := range s.Questions {
			what := "question " + q.ID
			if q.Relevant != "" {
				owners = append(owners, owner{what: what, src: q.Relevant, line: q.Pos.LineOf("relevant"), first: n, waves: q.Waves, set: func(c *Condition) { q.cond = c }})
			}
			if q.Calculation != "" {
				owners = append(owners, owner{what: what, src: q.Calculation, line: q.Pos.LineOf("calculation"), first: n, waves: q.Waves, set: func(c *Condition) { q.calc = c }, value: true})
			}
			if q.ChoiceFilter != "" {
				owners = append(owners, owner{what: what, src: q.ChoiceFilter, line: q.Pos.LineOf("choice_filter"), first: n, waves: q.Waves, set: func(c *Condition) { q.filter = c }, choices: q})
			}
			if q.Constraint != "" {
				owners = append(owners, owner{what: what, src: q.Constraint, line: q.Pos.LineOf("constraint"), first: n, waves: q.Waves, set: func(c *Condition) { q.constraint = c }, self: q})
			}
			if q.Answered() {
				n++
			}
		}
	}
	for _, o := range owners {
		key := "relevant"
		switch {
		case o.value:
			key = "calculation"
		case o.self != nil:
			key = "constraint"
		case o.choices != nil:
			key = "choice_filter"
		}
		c, err := ParseCondition(o.src)
		if err != nil {
			add(o.line, "%s: %s %q: %v", o.what, key, o.src, err)
			continue
		}
		c.in = in
		var probs []string
		if o.value {
			// Calculations are met in order, so an earlier one's
			// kind is known when a later one reads it.
			q := in.Question(strings.TrimPrefix(o.what, "question "))
			q.calcKind, probs = c.checkValue(in)
		} else {
			probs = c.checkIn(in, scope{self: o.self, choices: o.choices})
		}
		for _, id := range c.References() {
			q := in.Question(id)
			if q == nil {
				continue // reported by Check
			}
			if order[id] >= o.first {
				where := "comes after it"
				if o.what == "question "+id {
					where = "is the question itself"
				}
				probs = append(probs, fmt.Sprintf("${%s} %s: a condition can only read answers given before", id, where))
				continue
			}
			for _, w := range o.waves {
				if !q.AskedIn(w) {
					probs = append(probs, fmt.Sprintf("${%s} is not asked in wave %s, where the %s is", id, w, strings.Fields(o.what)[0]))
				}
			}
		}
		for _, p := range probs {
			add(o.line, "%s: %s %q: %s", o.what, key, o.src, p)
		}
		if len(probs) == 0 {
			o.set(c)
		}
	}
}

func checkQuestion(in *Instrument, q *Question, waves, goals, langs map[string]bool,
	checkText func(Pos, string, string, Text, bool), add func(int, string, ...any)) {
	what := "question " + q.ID
	if !slices.Contains(questionTypes, q.Type) {
		add(q.Pos.LineOf("type"), "%s: type %q is not one of %s", what, q.Type, strings.Join(questionTypes, ", "))
	}
	checkText(q.Pos, "text", what, q.Text, q.Type != TypeCalculate)
	checkText(q.Pos, "help", what, q.Help, false)
	for _, key := range []string{"text", "help"} {
		t := map[string]Text{"text": q.Text, "help": q.Help}[key]
		for _, l := range sortedKeys(t) {
			for _, id := range TextRefs(t[l]) {
				if r := in.Question(id); r == nil || !r.Answered() {
					line, ok := q.Pos.Lines[key+"::"+l]
					if !ok {
						line = q.Pos.LineOf(key)
					}
					add(line, "%s: %s (%s) shows ${%s}, which is not a question of this instrument", what, key, l, id)
				}
			}
		}
	}
	checkText(q.Pos, "constraint_message", what, q.ConstraintMessage, false)
	checkText(q.Pos, "required_message", what, q.RequiredMessage, false)
	checkText(q.Pos, "unit", what, q.Unit, false)
	if len(q.Waves) == 0 {
		add(q.Pos.Line, "%s: waves: list the waves it is asked in", what)
	}
	for _, w := range q.Waves {
		if !waves[w] {
			add(q.Pos.LineOf("waves"), "%s: wave %q is not declared (waves: %s)", what, w, strings.Join(in.WaveIDs(), ", "))
		}
	}
	notFor := func(key string, set bool) {
		if set {
			add(q.Pos.LineOf(key), "%s: %s does not apply to a %s question", what, key, q.Type)
		}
	}
	if q.Type != TypeLikert {
		notFor("scale", q.Scale != "")
		notFor("reverse", q.Reverse)
	}
	if q.Type != TypeLikert && q.Type != TypeText {
		notFor("goal", q.Goal != "")
	}
	if q.Type != TypeSingle && q.Type != TypeMulti {
		notFor("options", len(q.Options) > 0)
		notFor("choice_filter", q.ChoiceFilter != "")
	}
	if q.Type != TypeNumber {
		notFor("min", q.Min != nil)
		notFor("max", q.Max != nil)
		notFor("integer", q.Integer)
		notFor("unit", len(q.Unit) > 0)
	}
	if q.Type != TypeText {
		notFor("max_length", q.MaxLength != 0)
	}
	if q.Type != TypeCalculate {
		notFor("calculation", q.Calculation != "")
	}
	if q.Type == TypeNote || q.Type == TypeCalculate {
		notFor("required", q.Required)
		notFor("default", q.Default != "")
		notFor("constraint", q.Constraint != "")
	}
	if q.Constraint == "" {
		notFor("constraint_message", len(q.ConstraintMessage) > 0)
	}
	if !q.Required {
		notFor("required_message", len(q.RequiredMessage) > 0)
	}
	if q.Goal != "" && !goals[q.Goal] {
		add(q.Pos.LineOf("goal"), "%s: goal %q is not defined", what, q.Goal)
	}
	switch q.Type {
	case TypeLikert:
		if q.Scale == "" {
			add(q.Pos.Line, "%s: a likert question needs a scale", what)
		} else if in.Scales[q.Scale] == nil {
			add(q.Pos.LineOf("scale"), "%s: scale %q is not defined (scales: %s)", what, q.Scale, strings.Join(sortedKeys(in.Scales), ", "))
		}
	case TypeSingle, TypeMulti:
		if len(q.Options) < 2 {
			add(q.Pos.LineOf("options"), "%s: a choice question needs at least two options", what)
		}
		codes := map[string]bool{}
		for _, o := range q.Options {
			switch {
			case o.Code == "":
				add(o.Pos.Line, "%s: an option has no code", what)
			case !idPattern.MatchString(o.Code):
				add(o.Pos.LineOf("code"), "%s: option code %q: use lower-case letters, digits, - and _", what, o.Code)
			case codes[o.Code]:
				add(o.Pos.LineOf("code"), "%s: duplicate option code %q", what, o.Code)
			}
			codes[o.Code] = true
			checkText(o.Pos, "label", what+" option "+o.Code, o.Label, true)
			for _, k := range slices.Sorted(maps.Keys(o.Fields)) {
				if k == "name" || !idPattern.MatchString(k) {
					add(o.Pos.LineOf("fields"), "%s option %s: field %q: name a field with lower-case letters, digits, - and _ (and not name, which is the code)", what, o.Code, k)
				}
			}
		}
	case TypeNumber:
		if q.Min != nil && q.Max != nil && *q.Min > *q.Max {
			add(q.Pos.LineOf("min"), "%s: min %g is above max %g", what, *q.Min, *q.Max)
		}
	case TypeCalculate:
		if q.Calculation == "" {
			add(q.Pos.Line, "%s: a calculate question needs a calculation", what)
		}
	case TypeNote:
		notFor("goal", q.Goal != "")
	case TypeText:
		if q.MaxLength < 0 || q.MaxLength > 100000 {
			add(q.Pos.LineOf("max_length"), "%s: max_length must be between 1 and 100000", what)
		}
	}
	if q.Default != "" && q.Answered() && (q.Type != TypeLikert || in.Scales[q.Scale] != nil) {
		if _, fe := in.parse(q, []string{q.Default}); fe != nil {
			add(q.Pos.LineOf("default"), "%s: default %q: %s", what, q.Default, fe.Message(in.BaseLanguage()))
		}
	}
}
