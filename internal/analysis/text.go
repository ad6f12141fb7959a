package analysis

import (
	"fmt"
	"io"
	"strings"

	"github.com/csci/exchangeeval/internal/survey"
)

// WriteText writes the report for people: participation, each goal's
// verdict and figures, themes with quotes, and breakdowns. Texts from the
// instrument are given in lang.
func WriteText(w io.Writer, r *Report, in *survey.Instrument, lang string) error {
	p := &printer{w: w}
	base := in.BaseLanguage()
	x := r.Exchange
	p.f("Exchange %s — %s\n", x.ID, x.Name)
	p.f("%s → %s, %s to %s · instrument %s version %d (sha256 %s)\n", x.VisitingCity, x.HostCity, x.Start, x.End, x.Instrument, x.InstrumentVersion, short(x.InstrumentHash))
	p.f("Figures for fewer than %d people are not shown, nor those that would let one be worked out: they read n<%d.\n", r.MinCell, r.MinCell)
	p.f("Scores are on the scale's points, reverse-coded items turned so that higher is always towards the goal.\n")

	p.f("\nParticipation\n")
	parts := []string{fmt.Sprintf("invited %d", r.Participation.Invited)}
	for _, wv := range r.Participation.Waves {
		s := fmt.Sprintf("%s %d", wv.Wave, wv.Responded)
		if wv.Rate != nil {
			s += fmt.Sprintf(" (%.0f%%)", 100**wv.Rate)
		}
		if wv.Imported > 0 {
			s += fmt.Sprintf(", %d imported", wv.Imported)
		}
		parts = append(parts, s)
	}
	p.f("  %s\n", strings.Join(parts, " · "))
	parts = nil
	for _, pc := range r.Participation.Pairs {
		parts = append(parts, fmt.Sprintf("%s→%s %d", pc.From, pc.To, pc.N))
	}
	p.f("  pairs: %s\n", strings.Join(parts, " · "))

	// Waves nobody has answered yet are left out: "n<5" would suggest
	// answers that are being withheld.
	answered := map[string]bool{}
	for _, wv := range r.Participation.Waves {
		answered[wv.Wave] = wv.Responded > 0
	}

	p.f("\nGoals\n")
	for _, g := range r.Goals {
		p.f("\n  %s [%s]\n", survey.Text(g.Title).In(lang, base), g.ID)
		p.f("    verdict: %s — %s\n", strings.ToUpper(g.Verdict), g.VerdictReason)
		var ws []string
		for _, s := range g.Waves {
			if !answered[s.Wave] {
				continue
			}
			ws = append(ws, fmt.Sprintf("%s %s", s.Wave, describeText(s.Descriptive, r.MinCell)))
		}
		p.f("    scores: %s\n", strings.Join(ws, "; "))
		var as []string
		for _, a := range g.Alpha {
			switch {
			case !answered[a.Wave]:
				continue
			case a.Suppressed:
				as = append(as, fmt.Sprintf("%s n<%d", a.Wave, r.MinCell))
			case a.Alpha == nil:
				as = append(as, fmt.Sprintf("%s not computable (%s)", a.Wave, a.NotComputable))
			default:
				as = append(as, fmt.Sprintf("%s %.2f (n %d, %d items)", a.Wave, *a.Alpha, a.N, a.Items))
			}
		}
		p.f("    Cronbach's alpha: %s\n", strings.Join(as, "; "))
		for _, c := range g.Comparisons {
			if !answered[c.From] || !answered[c.To] {
				continue
			}
			p.f("    %s → %s: %s\n", c.From, c.To, pairedText(c.Paired, r.MinCell))
			if c.Paired.Wilcoxon.P != nil && !c.Paired.Suppressed {
				wx := c.Paired.Wilcoxon
				p.f("      Wilcoxon signed-rank V = %g, p %s (%s, %d non-zero differences)\n", *wx.V, pValue(*wx.P), wx.Method, wx.NNonZero)
			}
			if c.Welch.P != nil {
				p.f("      Welch (unmatched) t(%.1f) = %.2f, p %s\n", *c.Welch.DF, *c.Welch.T, pValue(*c.Welch.P))
			}
		}
	}

	p.f("\nThemes in open answers (share of those who answered an open question)\n")
	labels := map[string]string{}
	for _, t := range r.Themes.Codebook {
		labels[t.ID] = survey.Text(t.Label).In(lang, base)
	}
	for _, tw := range r.Themes.Waves {
		if !answered[tw.Wave] {
			continue
		}
		if tw.Suppressed {
			p.f("  %s: n<%d\n", tw.Wave, r.MinCell)
			continue
		}
		var ts []string
		for _, t := range tw.Themes {
			ts = append(ts, fmt.Sprintf("%s %.0f%% (%d)", labels[t.Theme], 100**t.Share, t.Respondents))
		}
		p.f("  %s (%d respondents): %s\n", tw.Wave, tw.Respondents, strings.Join(ts, ", "))
	}
	for _, q := range r.Themes.Quotes {
		for _, qu := range q.Quotes {
			p.f("    “%s” — %s, %s, %s\n", oneLine(qu.Text), labels[q.Theme], q.Wave, qu.Question)
		}
	}

	p.f("\nBreakdowns of goal scores\n")
	for _, b := range r.Breakdowns {
		p.f("  by %s\n", b.By)
		for _, grp := range b.Groups {
			var gs []string
			for _, g := range grp.Goals {
				if !answered[g.Wave] {
					continue
				}
				gs = append(gs, fmt.Sprintf("%s %s %s", g.Goal, g.Wave, describeShort(g.Descriptive, r.MinCell)))
			}
			p.f("    %s: %s\n", grp.Value, strings.Join(gs, "; "))
		}
	}
	return p.err
}

type printer struct {
	w   io.Writer
	err error
}

func (p *printer) f(format string, args ...any) {
	if p.err == nil {
		_, p.err = fmt.Fprintf(p.w, format, args...)
	}
}

func short(hash string) string {
	if len(hash) > 12 {
		return hash[:12]
	}
	return hash
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func describeText(d Descriptive, k int) string {
	switch {
	case d.Suppressed:
		return fmt.Sprintf("n<%d", k)
	case d.Mean == nil: // nobody in this group or wave: nothing to hide, nothing to show
		return "no answers (n 0)"
	case d.SD == nil:
		return fmt.Sprintf("mean %.2f (n %d)", *d.Mean, d.N)
	}
	return fmt.Sprintf("mean %.2f, SD %.2f, median %.2f (n %d)", *d.Mean, *d.SD, *d.Median, d.N)
}

func describeShort(d Descriptive, k int) string {
	switch {
	case d.Suppressed:
		return fmt.Sprintf("n<%d", k)
	case d.Mean == nil:
		return "– (n 0)"
	}
	return fmt.Sprintf("%.2f (n %d)", *d.Mean, d.N)
}

func pairedText(p Paired, k int) string {
	switch {
	case p.Suppressed:
		return fmt.Sprintf("%d pairs, n<%d: not shown", p.N, k)
	case p.T == nil:
		reason := p.NotComputable
		if p.MeanDiff != nil {
			return fmt.Sprintf("change %s over %d pairs; no test: %s", signed(*p.MeanDiff), p.N, reason)
		}
		return "no test: " + reason
	}
	s := fmt.Sprintf("%.2f → %.2f, change %s [95%% CI %.2f, %.2f], t(%g) = %.2f, p %s", *p.MeanFrom, *p.MeanTo, signed(*p.MeanDiff), p.CI[0], p.CI[1], *p.DF, *p.T, pValue(*p.P))
	if p.PHolm != nil {
		s += fmt.Sprintf(", Holm p %s", pValue(*p.PHolm))
	}
	s += fmt.Sprintf(", d_z %.2f, g_z %.2f; improved %.0f%%, unchanged %.0f%%, declined %.0f%% of %d pairs",
		*p.DZ, *p.GZ, 100*p.Improved, 100*p.Unchanged, 100*p.Declined, p.N)
	return s
}

// WriteProgrammeText writes the programme analysis as a plain-text report:
// per goal, each exchange's change and the pooled estimates.
func WriteProgrammeText(w io.Writer, r *ProgrammeReport, in *survey.Instrument, lang string) error {
	p := &printer{w: w}
	base := in.BaseLanguage()
	p.f("Programme %s — %d exchange(s)\n", r.Instrument, len(r.Exchanges))
	p.f("Exchanges with fewer than %d pairs are shown as n<%d and left out of the pooling.\n", r.MinCell, r.MinCell)
	p.f("Pooled: fixed effect (inverse variance) and random effects (DerSimonian–Laird), as metafor::rma.\n")
	if len(r.Versions) > 1 {
		p.f("The exchanges were run with instrument versions %s: only what those versions agree on is pooled (see Not comparable).\n", r.VersionList())
	}
	p.f("\nExchanges\n")
	for _, x := range r.Exchanges {
		var waves []string
		for _, wv := range in.WaveIDs() {
			waves = append(waves, fmt.Sprintf("%s %d", wv, x.Responded[wv]))
		}
		p.f("  %s — %s, %s → %s, %s to %s, version %d: invited %d · %s\n", x.ID, x.Name, x.VisitingCity, x.HostCity, x.Start, x.End, x.InstrumentVersion, x.Invited, strings.Join(waves, " · "))
	}
	for _, g := range r.Goals {
		if g.Criterion {
			p.f("\n%s [%s], %s → %s (the criterion asks for at least %s)\n", survey.Text(g.Title).In(lang, base), g.ID, g.From, g.To, signed(g.MinChange))
		} else {
			p.f("\n%s [%s], %s → %s (not the goal's criterion)\n", survey.Text(g.Title).In(lang, base), g.ID, g.From, g.To)
		}
		for _, e := range g.Exchanges {
			switch {
			case !e.Pooled && e.Excluded == "suppressed":
				p.f("  %-24s %d pairs, n<%d: not shown, not pooled\n", e.Exchange, e.N, r.MinCell)
			case !e.Pooled:
				p.f("  %-24s %d pairs: not pooled (%s)\n", e.Exchange, e.N, e.Excluded)
			default:
				p.f("  %-24s change %s [95%% CI %.2f, %.2f], %d pairs, d_z %.2f, weight %.0f%%, verdict %s\n", e.Exchange, signed(*e.MeanDiff), e.CI[0], e.CI[1],
					e.N, *e.DZ, 100**e.Weight, e.Verdict)
			}
		}
		if g.Random == nil {
			p.f("  pooled: none (%s)\n", g.HeterogeneityNote)
			continue
		}
		for _, pl := range []struct {
			name string
			v    *Pooled
		}{{"fixed effect", g.Fixed}, {"random effects", g.Random}} {
			p.f("  %-24s %s [95%% CI %.2f, %.2f], SE %.3f, z %.2f, p %s, %d exchange(s)\n", pl.name, signed(pl.v.Estimate), pl.v.CI[0], pl.v.CI[1], pl.v.SE, pl.v.Z, pValue(pl.v.P), pl.v.K)
		}
		if h := g.Heterogeneity; h != nil {
			p.f("  heterogeneity: Q(%d) = %.2f, p %s; I² = %.0f%%; τ² = %.4f; a new exchange's change: 95%% between %.2f and %.2f\n", h.DF, h.Q, pValue(h.P), h.I2, h.Tau2, g.Prediction[0], g.Prediction[1])
		} else {
			p.f("  heterogeneity: %s\n", g.HeterogeneityNote)
		}
		if t := g.Trend; t != nil {
			p.f("  latest (%s) %s against the earlier ones' %s: difference %s, p %s\n", t.Latest, signed(t.Change), signed(t.Earlier.Estimate), signed(t.Difference), pValue(t.P))
		}
	}
	if len(r.Themes) > 0 {
		p.f("\nThemes: share of respondents mentioning each\n")
		for _, t := range r.Themes {
			var parts []string
			for _, s := range t.Shares {
				v := "n<" + fmt.Sprint(r.MinCell)
				if !s.Suppressed && s.Share != nil {
					v = fmt.Sprintf("%.0f%%", 100**s.Share)
				}
				parts = append(parts, fmt.Sprintf("%s %s %s", s.Exchange, s.Wave, v))
			}
			p.f("  %s: %s\n", survey.Text(t.Label).In(lang, base), strings.Join(parts, " · "))
		}
	}
	if len(r.NotComparable) > 0 {
		p.f("\nNot comparable across versions %s, so not pooled\n", r.VersionList())
		for _, d := range r.NotComparable {
			p.f("  %s %s: %s\n", d.Kind, d.ID, d.Detail)
		}
	}
	return p.err
}
