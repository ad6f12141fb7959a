package analysis

// candidate is an answer that may be quoted: the first of a response's open
// answers to mention a theme.
type candidate struct {
	participant          int
	question, lang, text string
}

// quoteCandidates gathers example quotes in the one pass over the
// responses. Whom it may quote is known only when the pass is over: a
// delegate answers the consent question in a later wave than most answers
// worth quoting, and their answer in the latest wave that asks is the one
// that counts. So candidates are kept, in the order they are read, and
// filtered by consent at the end; a theme's quotes in a wave are its first
// candidates from consenting participants, without repeating the same
// words.
//
// Memory stays bounded: a theme keeps at most candidateCap candidates per
// wave. When its list is full, the candidates of those who have refused
// for good (in the last wave that asks) make room; a candidate that finds
// no room is dropped. So the quotes are exactly those the rule gives unless
// more than candidateCap−Quotes candidates of one theme and wave come from
// people who are not yet known to consent — never in an exchange of a few
// hundred delegates.
type quoteCandidates struct {
	perTheme int
	lists    [][]*candidateList // [wave][theme]
	consent  []int8             // [participant]: 1 yes, -1 no, 0 not asked
	asked    []int8             // [participant]: wave of the answer that counts, -1 none
	// refusals counts the final refusals known; a full list is searched for
	// room only when it has grown since the list was last searched.
	refusals  int
	lastAsked int // the last wave that asks for consent
}

type candidateList struct {
	items    []candidate
	searched int
}

// candidateCap bounds a theme's candidates in one wave.
const candidateCap = 512

func newQuoteCandidates(waves, themes, perTheme int) *quoteCandidates {
	q := &quoteCandidates{perTheme: perTheme, lists: make([][]*candidateList, waves), lastAsked: -1}
	for w := range q.lists {
		q.lists[w] = make([]*candidateList, themes)
		for t := range q.lists[w] {
			q.lists[w][t] = &candidateList{}
		}
	}
	return q
}

// setLastAsked names the last wave whose consent answer is final.
func (q *quoteCandidates) setLastAsked(w int) { q.lastAsked = w }

// grow makes room for one more participant.
func (q *quoteCandidates) grow() {
	q.consent = append(q.consent, 0)
	q.asked = append(q.asked, -1)
}

// record notes participant i's consent answer in wave w; an answer in a
// later wave replaces one in an earlier.
func (q *quoteCandidates) record(i, w int, yes bool) {
	if int(q.asked[i]) > w {
		return
	}
	q.asked[i] = int8(w)
	q.consent[i] = -1
	if yes {
		q.consent[i] = 1
	} else if w == q.lastAsked {
		q.refusals++
	}
}

// refusedForGood reports whether participant i's refusal can no longer be
// changed by an answer still to be read.
func (q *quoteCandidates) refusedForGood(i int) bool {
	return q.consent[i] < 0 && int(q.asked[i]) == q.lastAsked
}

func (q *quoteCandidates) add(w, t int, c candidate) {
	l := q.lists[w][t]
	if len(l.items) >= candidateCap {
		if l.searched == q.refusals {
			return
		}
		l.searched = q.refusals
		kept := l.items[:0]
		for _, it := range l.items {
			if !q.refusedForGood(it.participant) {
				kept = append(kept, it)
			}
		}
		clear(l.items[len(kept):])
		l.items = kept
		if len(l.items) >= candidateCap {
			return
		}
	}
	l.items = append(l.items, c)
}

// pick returns theme t's quotes in wave w: the first candidates of
// consenting participants, each text once.
func (q *quoteCandidates) pick(w, t int) []Quote {
	return q.consented(q.lists[w][t].items, q.perTheme)
}

// consented returns up to most of the candidates of consenting
// participants, each text once.
func (q *quoteCandidates) consented(items []candidate, most int) []Quote {
	out := []Quote{}
	seen := map[string]bool{}
	for _, c := range items {
		if q.consent[c.participant] != 1 || seen[c.text] {
			continue
		}
		seen[c.text] = true
		out = append(out, Quote{Question: c.question, Language: c.lang, Text: c.text})
		if len(out) == most {
			break
		}
	}
	return out
}
