package analysis

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/survey"
)

// A programme is every exchange of one instrument: the Social Services
// Exchange runs on the same model year after year, and a committee asks
// whether the model works. Programme pools each goal's mean paired change
// across exchanges the way a meta-analysis pools studies — fixed effect
// (inverse variance) and random effects (DerSimonian–Laird) — as
// metafor::rma(yi, sei = se, method = "FE" / "DL") does. It reads each
// exchange's report, made once; no exchange is read twice.

// ProgrammeReport is the programme analysis.
type ProgrammeReport struct {
	Instrument string `json:"instrument"`
	// Versions are the instrument versions the exchanges were run with;
	// NotComparable what they do not agree on, left out of the pooling.
	Versions []int `json:"instrument_versions"`
	// Comparison is the comparison pooled for every goal when one was
	// chosen (null: each goal's criterion); Comparisons those every
	// exchange makes, any of which may be chosen.
	Comparison      *WavePair           `json:"comparison"`
	Comparisons     []WavePair          `json:"comparisons"`
	NotComparable   []survey.Difference `json:"not_comparable"`
	GeneratedAt     time.Time           `json:"generated_at"`
	SoftwareVersion string              `json:"software_version"`
	MinCell         int                 `json:"min_cell"`
	Exchanges       []ProgrammeExchange `json:"exchanges"`
	Goals           []ProgrammeGoal     `json:"goals"`
	Themes          []ProgrammeTheme    `json:"themes"`
	// Candidates are words one exchange's delegates used far more than
	// the other exchanges' in the same wave, that the instrument's
	// codebook does not cover (programme_candidates.go).
	Candidates []ProgrammeCandidate `json:"candidates"`
}

// VersionList names the instrument versions of the programme for a
// sentence: "1, 2".
func (p *ProgrammeReport) VersionList() string {
	s := make([]string, len(p.Versions))
	for i, v := range p.Versions {
		s[i] = strconv.Itoa(v)
	}
	return strings.Join(s, ", ")
}

// ProgrammeExchange is one exchange of the programme, as its report names
// it, with its participation.
type ProgrammeExchange struct {
	ExchangeInfo
	Invited   int            `json:"invited"`
	Responded map[string]int `json:"responded"`
}

// ProgrammeGoal is one goal across the exchanges: each exchange's change
// from the criterion's earlier wave to its later one, and the pooled
// estimates.
type ProgrammeGoal struct {
	ID        string            `json:"id"`
	Title     map[string]string `json:"title"`
	From      string            `json:"from"`
	To        string            `json:"to"`
	MinChange float64           `json:"min_change"`
	// Criterion says whether from → to is the goal's criterion, which
	// MinChange and the verdicts are about.
	Criterion bool             `json:"is_criterion"`
	Exchanges []ExchangeEffect `json:"exchanges"`
	// Fixed and Random are the pooled mean change; nil when no exchange
	// can be pooled.
	Fixed  *Pooled `json:"fixed"`
	Random *Pooled `json:"random"`
	// Heterogeneity is nil, with HeterogeneityNote saying why, when fewer
	// than two exchanges are pooled.
	Heterogeneity     *Heterogeneity `json:"heterogeneity"`
	HeterogeneityNote string         `json:"heterogeneity_note,omitempty"`
	// Prediction is the 95 % interval for the change in a new exchange.
	Prediction *[2]float64 `json:"prediction_interval"`
	// Trend is the latest exchange against the pooled earlier ones.
	Trend *Trend `json:"trend"`
}

// ExchangeEffect is one exchange's paired change in a goal.
type ExchangeEffect struct {
	Exchange string      `json:"exchange"`
	N        int         `json:"n_pairs"`
	MeanDiff *float64    `json:"mean_diff"`
	SE       *float64    `json:"se"`
	CI       *[2]float64 `json:"ci"`
	DZ       *float64    `json:"d_z"`
	Verdict  string      `json:"verdict"`
	// Pooled says whether the exchange is in the pooled estimates;
	// Excluded why not (fewer pairs than min_cell, no spread).
	Pooled   bool   `json:"pooled"`
	Excluded string `json:"excluded,omitempty"`
	// Weight is its share of the random-effects estimate, 0–1.
	Weight *float64 `json:"weight"`
}

// Pooled is a pooled estimate of the mean change.
type Pooled struct {
	Estimate float64    `json:"estimate"`
	SE       float64    `json:"se"`
	CI       [2]float64 `json:"ci"`
	Z        float64    `json:"z"`
	P        float64    `json:"p"`
	K        int        `json:"k"`
}

// Heterogeneity is how much the exchanges differ beyond chance.
type Heterogeneity struct {
	Tau2 float64 `json:"tau2"`
	I2   float64 `json:"i2"`
	Q    float64 `json:"q"`
	DF   int     `json:"df"`
	P    float64 `json:"p"`
}

// Trend is the latest exchange's change against the random-effects pool of
// the earlier ones: their difference, its standard error (both
// uncertainties) and a two-sided z test.
type Trend struct {
	Latest     string  `json:"latest"`
	Change     float64 `json:"change"`
	Earlier    Pooled  `json:"earlier"`
	Difference float64 `json:"difference"`
	SE         float64 `json:"se"`
	P          float64 `json:"p"`
}

// ProgrammeTheme is a theme's share of respondents per exchange and wave.
type ProgrammeTheme struct {
	ID     string            `json:"id"`
	Label  map[string]string `json:"label"`
	Shares []ThemeShare      `json:"shares"`
}

// ThemeShare is one exchange's and wave's share; nil when suppressed.
type ThemeShare struct {
	Exchange    string   `json:"exchange"`
	Wave        string   `json:"wave"`
	Respondents int      `json:"respondents"`
	Share       *float64 `json:"share"`
	Suppressed  bool     `json:"suppressed,omitempty"`
}

// ProgrammeOptions tune a programme analysis.
type ProgrammeOptions struct {
	// MinCell is the minimum cell the reports were made with.
	MinCell int
	// From and To choose the comparison pooled for every goal; left
	// empty, each goal's criterion (pre → post by default).
	From, To        string
	GeneratedAt     time.Time
	SoftwareVersion string
}

// ProgrammeOf analyses each exchange once, with the version of the
// instrument it was run with (analyse makes the report), and pools them.
// A comparison asked for must be one every exchange makes.
func ProgrammeOf(xs []*exchange.Exchange, instruments *survey.Set, analyse func(*exchange.Exchange, *survey.Instrument) (*Report, error),
	opts ProgrammeOptions) (*ProgrammeReport, error) {
	var (
		reports  []*Report
		versions []*survey.Instrument
	)
	for _, x := range xs {
		in := x.InstrumentIn(instruments)
		if in == nil {
			return nil, exchange.InstrumentMissing(x)
		}
		r, err := analyse(x, in)
		if err != nil {
			return nil, err
		}
		reports = append(reports, r)
		if !slices.Contains(versions, in) {
			versions = append(versions, in)
		}
	}
	if opts.From != "" || opts.To != "" {
		want := WavePair{opts.From, opts.To}
		for _, r := range reports {
			if !slices.Contains(r.Comparisons, want) {
				var made []string
				for _, c := range r.Comparisons {
					made = append(made, c.From+"→"+c.To)
				}
				return nil, exchange.Coded(exchange.EINVALID, exchange.ProblemComparison, opts.From, opts.To, r.Exchange.ID, strings.Join(made, ", "))
			}
		}
	}
	return Programme(reports, versions, opts), nil
}

// Programme pools the reports of one instrument's exchanges (each made
// by Analyze with the same minimum cell, with the version of the
// instrument its exchange was run with; versions are those versions).
// Only the goals and themes that are the same in every version are
// pooled. Exchanges are taken in date order.
func Programme(reports []*Report, versions []*survey.Instrument, opts ProgrammeOptions) *ProgrammeReport {
	minCell := opts.MinCell
	rs := slices.Clone(reports)
	slices.SortStableFunc(rs, func(a, b *Report) int {
		if c := strings.Compare(a.Exchange.Start, b.Exchange.Start); c != 0 {
			return c
		}
		return strings.Compare(a.Exchange.ID, b.Exchange.ID)
	})
	out := &ProgrammeReport{GeneratedAt: opts.GeneratedAt.UTC(), SoftwareVersion: opts.SoftwareVersion, MinCell: minCell, NotComparable: []survey.Difference{},
		Candidates: []ProgrammeCandidate{}}
	if len(rs) == 0 || len(versions) == 0 {
		return out
	}
	common, differences := survey.Compare(versions)
	out.Instrument = common.ID
	for _, v := range versions {
		out.Versions = append(out.Versions, v.Version)
	}
	slices.Sort(out.Versions)
	out.NotComparable = append(out.NotComparable, differences...)
	if opts.From != "" {
		out.Comparison = &WavePair{opts.From, opts.To}
	}
	for _, c := range rs[0].Comparisons {
		if !slices.ContainsFunc(rs, func(r *Report) bool { return !slices.Contains(r.Comparisons, c) }) {
			out.Comparisons = append(out.Comparisons, c)
		}
	}
	for _, r := range rs {
		e := ProgrammeExchange{ExchangeInfo: r.Exchange, Invited: r.Participation.Invited, Responded: map[string]int{}}
		for _, w := range r.Participation.Waves {
			e.Responded[w.Wave] = w.Responded
		}
		out.Exchanges = append(out.Exchanges, e)
	}
	for _, cg := range common.Goals {
		c := cg.Criterion.Effective()
		pg := ProgrammeGoal{ID: cg.ID, Title: cg.Title, From: c.From, To: c.To, MinChange: c.MinChange, Criterion: true}
		if opts.From != "" && (opts.From != c.From || opts.To != c.To) {
			pg.From, pg.To, pg.Criterion = opts.From, opts.To, false
		}
		var yi, sei []float64
		var pooledAt []int
		for _, r := range rs {
			i := slices.IndexFunc(r.Goals, func(g GoalReport) bool { return g.ID == cg.ID })
			if i < 0 {
				continue
			}
			g := r.Goals[i]
			e := ExchangeEffect{Exchange: r.Exchange.ID, Verdict: g.Verdict}
			for _, c := range g.Comparisons {
				if c.From != pg.From || c.To != pg.To {
					continue
				}
				p := c.Paired
				e.N = p.N
				switch {
				case p.Suppressed || p.N < minCell:
					e.Excluded = "suppressed"
				case p.SE == nil || *p.SE <= 0 || p.MeanDiff == nil:
					e.Excluded = "no spread"
				default:
					e.MeanDiff, e.SE, e.CI, e.DZ, e.Pooled = p.MeanDiff, p.SE, p.CI, p.DZ, true
					yi, sei = append(yi, *p.MeanDiff), append(sei, *p.SE)
					pooledAt = append(pooledAt, len(pg.Exchanges))
				}
			}
			if e.N == 0 && e.Excluded == "" {
				e.Excluded = "suppressed"
			}
			pg.Exchanges = append(pg.Exchanges, e)
		}
		if len(yi) > 0 {
			m := Pool(yi, sei)
			pg.Fixed, pg.Random = &m.Fixed, &m.Random
			if len(yi) >= 2 {
				pg.Heterogeneity, pg.Prediction = &m.Heterogeneity, &m.Prediction
			} else {
				pg.HeterogeneityNote = "one exchange: heterogeneity needs two or more"
			}
			for j, at := range pooledAt {
				w := m.Weights[j]
				pg.Exchanges[at].Weight = &w
			}
			if len(yi) >= 2 {
				earlier := Pool(yi[:len(yi)-1], sei[:len(sei)-1]).Random
				last := len(yi) - 1
				se := math.Sqrt(sei[last]*sei[last] + earlier.SE*earlier.SE)
				d := yi[last] - earlier.Estimate
				pg.Trend = &Trend{Latest: pg.Exchanges[pooledAt[last]].Exchange, Change: yi[last], Earlier: earlier, Difference: d, SE: se,
					P: twoSidedNormalP(d / se)}
			}
		} else {
			pg.HeterogeneityNote = "no exchange has enough pairs to pool"
		}
		out.Goals = append(out.Goals, pg)
	}
	for _, t := range common.Themes {
		pt := ProgrammeTheme{ID: t.ID, Label: t.Label}
		for _, r := range rs {
			for _, w := range r.Themes.Waves {
				s := ThemeShare{Exchange: r.Exchange.ID, Wave: w.Wave, Respondents: w.Respondents, Suppressed: w.Suppressed}
				for _, c := range w.Themes {
					if c.Theme == t.ID {
						s.Share = c.Share
					}
				}
				if !w.Suppressed && w.Respondents == 0 || w.Suppressed && answered(r, w.Wave) == 0 {
					continue // a wave nobody has answered yet; a few, it is shown suppressed
				}
				pt.Shares = append(pt.Shares, s)
			}
		}
		out.Themes = append(out.Themes, pt)
	}
	out.Candidates = programmeCandidates(rs, common, minCell)
	return out
}

// answered is how many responded to a wave of an exchange.
func answered(r *Report, wave string) int {
	for _, w := range r.Participation.Waves {
		if w.Wave == wave {
			return w.Responded
		}
	}
	return 0
}

// Meta is a meta-analysis of k estimates with standard errors.
type Meta struct {
	Fixed, Random Pooled
	Heterogeneity Heterogeneity
	// Prediction is the random-effects 95 % prediction interval (normal,
	// as metafor's predict() by default).
	Prediction [2]float64
	// Weights are the random-effects weights, as shares of their sum.
	Weights []float64
}

// Pool meta-analyses yi with standard errors sei: fixed effect (inverse
// variance) and random effects with DerSimonian and Laird's τ². The
// figures are those of metafor::rma(yi, sei = sei, method = "FE") and
// metafor::rma(yi, sei = sei, method = "DL") with predict(). Sums are in
// order, so the figures do not depend on memory addresses (see stats.go).
func Pool(yi, sei []float64) Meta {
	k := len(yi)
	z975 := distuv.UnitNormal.Quantile(0.975)
	pooled := func(w []float64) Pooled {
		var sw, swy float64
		for i := range yi {
			sw += w[i]
			swy += w[i] * yi[i]
		}
		est, se := swy/sw, math.Sqrt(1/sw)
		if k == 1 {
			est, se = yi[0], sei[0] // exactly the one exchange's
		}
		z := est / se
		return Pooled{Estimate: est, SE: se, CI: [2]float64{est - z975*se, est + z975*se}, Z: z, P: twoSidedNormalP(z), K: k}
	}
	w := make([]float64, k)
	var sw, sw2 float64
	for i, s := range sei {
		w[i] = 1 / (s * s)
		sw += w[i]
		sw2 += w[i] * w[i]
	}
	var m Meta
	m.Fixed = pooled(w)
	var q float64
	for i := range yi {
		d := yi[i] - m.Fixed.Estimate
		q += w[i] * d * d
	}
	df := k - 1
	h := Heterogeneity{Q: q, DF: df, P: math.NaN()}
	if df > 0 {
		h.P = distuv.ChiSquared{K: float64(df)}.Survival(q)
		h.Tau2 = math.Max(0, (q-float64(df))/(sw-sw2/sw))
		if q > 0 {
			h.I2 = math.Max(0, (q-float64(df))/q) * 100
		}
	}
	m.Heterogeneity = h
	wr := make([]float64, k)
	var swr float64
	for i, s := range sei {
		wr[i] = 1 / (s*s + h.Tau2)
		swr += wr[i]
	}
	m.Random = pooled(wr)
	m.Weights = make([]float64, k)
	for i := range wr {
		m.Weights[i] = wr[i] / swr
	}
	half := z975 * math.Sqrt(m.Random.SE*m.Random.SE+h.Tau2)
	m.Prediction = [2]float64{m.Random.Estimate - half, m.Random.Estimate + half}
	return m
}

// twoSidedNormalP is 2·(1 − Φ(|z|)), computed with erfc so that it keeps
// its precision far in the tail (2·Survival loses it there).
func twoSidedNormalP(z float64) float64 { return math.Erfc(math.Abs(z) / math.Sqrt2) }
