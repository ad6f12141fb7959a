// Package analysis computes what an exchange achieved from its responses:
// goal scores and their paired pre/post change (t-test, Wilcoxon
// signed-rank, Welch, effect sizes, Holm adjustment), reliability, goal
// attainment verdicts, themes coded from open answers, participation and
// breakdowns, with small groups suppressed. It reads responses through an
// iterator, so a database cursor can stream into it, and imports neither the
// web framework nor the database driver.
//
// Every statistic is checked against R in the tests beside this file; the
// methods are explained in docs/methods.md.
package analysis

import (
	"time"

	"github.com/csci/exchangeeval/internal/coding"
)

// Report is the whole analysis of one exchange. Its JSON field names are a
// stable interface for scripts: see the README.
type Report struct {
	// vocabulary is the words of each wave's open answers, by wave id,
	// for the programme's candidate themes (programme_candidates.go).
	vocabulary      map[string]*waveVocabulary
	Exchange        ExchangeInfo      `json:"exchange"`
	GeneratedAt     time.Time         `json:"generated_at"`
	SoftwareVersion string            `json:"software_version"`
	MinCell         int               `json:"min_cell"`
	Participation   Participation     `json:"participation"`
	Comparisons     []WavePair        `json:"comparisons"`
	Goals           []GoalReport      `json:"goals"`
	Items           []ItemReport      `json:"items"`
	Themes          ThemeReport       `json:"themes"`
	Breakdowns      []BreakdownReport `json:"breakdowns"`
	// Scores holds the participants' scored answers for wide tables; it is
	// never part of the JSON report, which carries aggregates only.
	Scores Scores `json:"-"`
}

// ExchangeInfo says which exchange and which definition the figures are of.
type ExchangeInfo struct {
	ID                string `json:"id"`
	Name              string `json:"name"`
	HostCity          string `json:"host_city"`
	VisitingCity      string `json:"visiting_city"`
	Start             string `json:"start"`
	End               string `json:"end"`
	Instrument        string `json:"instrument"`
	InstrumentVersion int    `json:"instrument_version"`
	InstrumentHash    string `json:"instrument_hash"`
}

// WavePair is one comparison: from an earlier wave to a later one.
type WavePair struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// Participation counts who was invited, who answered and who can be paired.
type Participation struct {
	Invited int                 `json:"invited"`
	Waves   []WaveParticipation `json:"waves"`
	Pairs   []PairCount         `json:"pairs"`
}

// WaveParticipation is one wave's response count and rate.
type WaveParticipation struct {
	Wave      string   `json:"wave"`
	Responded int      `json:"responded"`
	Imported  int      `json:"imported"`
	Rate      *float64 `json:"rate"`
}

// PairCount is how many participants answered both waves of a comparison.
type PairCount struct {
	From string `json:"from"`
	To   string `json:"to"`
	N    int    `json:"n"`
}

// Descriptive statistics of one sample. Pointers are null when a value
// cannot be computed (an SD of one value) or is suppressed.
type Descriptive struct {
	N          int      `json:"n"`
	Mean       *float64 `json:"mean"`
	SD         *float64 `json:"sd"`
	Median     *float64 `json:"median"`
	Min        *float64 `json:"min"`
	Max        *float64 `json:"max"`
	Suppressed bool     `json:"suppressed,omitempty"`
}

// Paired is the paired comparison of one score between two waves.
type Paired struct {
	N             int         `json:"n"`
	MeanFrom      *float64    `json:"mean_from"`
	MeanTo        *float64    `json:"mean_to"`
	MeanDiff      *float64    `json:"mean_diff"`
	SDDiff        *float64    `json:"sd_diff"`
	SE            *float64    `json:"se"`
	T             *float64    `json:"t"`
	DF            *float64    `json:"df"`
	P             *float64    `json:"p"`
	PHolm         *float64    `json:"p_holm"`
	CI            *[2]float64 `json:"ci"`
	DZ            *float64    `json:"d_z"`
	GZ            *float64    `json:"g_z"`
	Improved      float64     `json:"improved"`
	Unchanged     float64     `json:"unchanged"`
	Declined      float64     `json:"declined"`
	Wilcoxon      Wilcoxon    `json:"wilcoxon"`
	NotComputable string      `json:"not_computable,omitempty"`
	Suppressed    bool        `json:"suppressed,omitempty"`
}

// Wilcoxon is the signed-rank test of the same pairs.
type Wilcoxon struct {
	NNonZero      int      `json:"n_nonzero"`
	V             *float64 `json:"v"`
	P             *float64 `json:"p"`
	Method        string   `json:"method,omitempty"`
	NotComputable string   `json:"not_computable,omitempty"`
}

// Welch is the unmatched comparison of all scores of two waves.
type Welch struct {
	NFrom         int         `json:"n_from"`
	NTo           int         `json:"n_to"`
	MeanDiff      *float64    `json:"mean_diff"`
	T             *float64    `json:"t"`
	DF            *float64    `json:"df"`
	P             *float64    `json:"p"`
	CI            *[2]float64 `json:"ci"`
	NotComputable string      `json:"not_computable,omitempty"`
	Suppressed    bool        `json:"suppressed,omitempty"`
}

// Alpha is Cronbach's alpha of a goal's items in one wave.
type Alpha struct {
	Wave          string   `json:"wave"`
	Alpha         *float64 `json:"alpha"`
	N             int      `json:"n"`
	Items         int      `json:"items"`
	NotComputable string   `json:"not_computable,omitempty"`
	Suppressed    bool     `json:"suppressed,omitempty"`
}

// Comparison is one score compared between two waves.
type Comparison struct {
	From   string `json:"from"`
	To     string `json:"to"`
	Paired Paired `json:"paired"`
	Welch  Welch  `json:"welch"`
}

// WaveStats is a score's descriptive statistics in one wave.
type WaveStats struct {
	Wave string `json:"wave"`
	Descriptive
}

// Verdicts on a goal.
const (
	Attained         = "attained"
	PartlyAttained   = "partly attained"
	NotAttained      = "not attained"
	InsufficientData = "insufficient data"
)

// CriterionReport is the attainment criterion as applied.
type CriterionReport struct {
	From      string  `json:"from"`
	To        string  `json:"to"`
	MinChange float64 `json:"min_change"`
	Alpha     float64 `json:"alpha"`
	MinPairs  int     `json:"min_pairs"`
}

// GoalReport is everything about one goal.
type GoalReport struct {
	ID            string            `json:"id"`
	Title         map[string]string `json:"title"`
	Items         []string          `json:"items"`
	Criterion     CriterionReport   `json:"criterion"`
	Waves         []WaveStats       `json:"waves"`
	Alpha         []Alpha           `json:"alpha"`
	Comparisons   []Comparison      `json:"comparisons"`
	Verdict       string            `json:"verdict"`
	VerdictReason string            `json:"verdict_reason"`
	reason        reasonFacts
}

// ReasonIn writes the verdict's reason in lang: English (VerdictReason) or
// French, with French number formatting.
func (g GoalReport) ReasonIn(lang string) string {
	if g.reason.kind == "" {
		return g.VerdictReason
	}
	return g.reason.text(lang)
}

// ItemWave is one Likert item's statistics in one wave, on the scored scale
// (after reverse-coding): Distribution[i] counts answers scored i+1.
type ItemWave struct {
	WaveStats
	Distribution []int    `json:"distribution"`
	TopTwoBox    *float64 `json:"top_two_box"`
	// Of those who answered the wave: NoAnswer left the item blank though
	// it applied to them; NotApplicable were not asked it, its condition
	// being false (n counts only those it applied to who answered). Null
	// when the wave is suppressed.
	NoAnswer      *int `json:"no_answer"`
	NotApplicable *int `json:"not_applicable"`
}

// ItemReport is everything about one Likert item.
type ItemReport struct {
	ID          string       `json:"id"`
	Goal        string       `json:"goal,omitempty"`
	Reverse     bool         `json:"reverse"`
	Points      int          `json:"points"`
	Waves       []ItemWave   `json:"waves"`
	Comparisons []Comparison `json:"comparisons"`
}

// ThemeReport is the coding of open answers with the codebook.
type ThemeReport struct {
	Codebook []ThemeInfo `json:"codebook"`
	// CodebookVersion is the version of the exchange's codebook the
	// figures counted with: 0 is the instrument's, each change evaluators
	// made to it (a candidate promoted, merged or rejected) one more.
	CodebookVersion int                 `json:"codebook_version"`
	Waves           []ThemeWave         `json:"waves"`
	ByQuestion      []ThemeQuestion     `json:"by_question"`
	Quotes          []ThemeQuotes       `json:"quotes"`
	Cooccurrence    []ThemeCooccurrence `json:"cooccurrence"`
	// Candidates are words the codebook does not cover that one wave's
	// delegates used far more than the others' (candidates.go).
	Candidates []ThemeCandidate `json:"candidates"`
	// Agreement is how well the people who coded open answers agree, with
	// each other and with the automatic coding (coders.go).
	Agreement []ThemeAgreement `json:"agreement"`
	// Disagreements are the answers on which coders disagree and nobody
	// has reconciled (coding.Disagreements): what to reconcile.
	Disagreements []coding.AnswerKey `json:"disagreements"`
}

// ThemeInfo names a theme.
type ThemeInfo struct {
	ID    string            `json:"id"`
	Label map[string]string `json:"label"`
}

// ThemeWave is how often each theme came up in one wave.
type ThemeWave struct {
	Wave string `json:"wave"`
	// Respondents is how many answered at least one open question.
	Respondents int `json:"respondents"`
	// OpenAnswers is how many open answers the wave has; CodedByPeople how
	// many of them count by people's codes rather than the codebook's
	// (coding.Effective).
	OpenAnswers   int          `json:"open_answers"`
	CodedByPeople int          `json:"coded_by_people"`
	Themes        []ThemeCount `json:"themes"`
	Suppressed    bool         `json:"suppressed,omitempty"`
}

// ThemeCount is one theme's count: respondents mentioning it, their share of
// the respondents, and the number of matches.
type ThemeCount struct {
	Theme       string   `json:"theme"`
	Respondents int      `json:"respondents"`
	Share       *float64 `json:"share"`
	Mentions    int      `json:"mentions"`
}

// ThemeQuestion is the theme counts of one open question in one wave.
type ThemeQuestion struct {
	Question    string       `json:"question"`
	Goal        string       `json:"goal,omitempty"`
	Wave        string       `json:"wave"`
	Respondents int          `json:"respondents"`
	Themes      []ThemeCount `json:"themes"`
	Suppressed  bool         `json:"suppressed,omitempty"`
}

// ThemeQuotes are example quotes for a theme in a wave, only from
// participants who consented to be quoted, without any identifier.
type ThemeQuotes struct {
	Theme      string  `json:"theme"`
	Wave       string  `json:"wave"`
	Quotes     []Quote `json:"quotes"`
	Suppressed bool    `json:"suppressed,omitempty"`
}

// Quote is one consented answer.
type Quote struct {
	Question string `json:"question"`
	Language string `json:"language"`
	Text     string `json:"text"`
}

// ThemeCooccurrence counts, for one wave, the respondents mentioning both
// themes of each pair: Matrix[i][j] for Codebook[i] and Codebook[j].
type ThemeCooccurrence struct {
	Wave       string  `json:"wave"`
	Matrix     [][]int `json:"matrix"`
	Suppressed bool    `json:"suppressed,omitempty"`
}

// BreakdownReport gives goal scores and theme shares by one attribute of the
// participants (city, role, language, side).
type BreakdownReport struct {
	By     string           `json:"by"`
	Groups []BreakdownGroup `json:"groups"`
}

// BreakdownGroup is one value of the attribute.
type BreakdownGroup struct {
	Value  string           `json:"value"`
	Goals  []BreakdownGoal  `json:"goals"`
	Themes []BreakdownTheme `json:"themes"`
}

// BreakdownGoal is a goal score of the group in one wave.
type BreakdownGoal struct {
	Goal string `json:"goal"`
	Wave string `json:"wave"`
	Descriptive
}

// BreakdownTheme is a theme share of the group in one wave.
type BreakdownTheme struct {
	Theme       string   `json:"theme"`
	Wave        string   `json:"wave"`
	Respondents int      `json:"respondents"`
	Mentioning  *int     `json:"mentioning"`
	Share       *float64 `json:"share"`
	Suppressed  bool     `json:"suppressed,omitempty"`
}
