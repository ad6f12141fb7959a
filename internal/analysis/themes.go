package analysis

import ()

func (a *analyzer) themeCounts(respondents int, resp, mentions []int) []ThemeCount {
	out := make([]ThemeCount, len(a.themes))
	for t, th := range a.themes {
		tc := ThemeCount{Theme: th.id, Respondents: resp[t], Mentions: mentions[t]}
		if respondents > 0 {
			s := float64(resp[t]) / float64(respondents)
			tc.Share = &s
		}
		out[t] = tc
	}
	return out
}

func (a *analyzer) themeReport() ThemeReport {
	k := a.opts.MinCell
	tr := ThemeReport{Candidates: a.themeCandidates()}
	for _, t := range a.in.Themes {
		tr.Codebook = append(tr.Codebook, ThemeInfo{ID: t.ID, Label: t.Label})
	}
	for w, id := range a.waves {
		if !a.anyTextIn(id) {
			continue
		}
		tw := ThemeWave{Wave: id, Respondents: a.textResp[w]}
		co := ThemeCooccurrence{Wave: id}
		if a.textResp[w] < k {
			tw = ThemeWave{Wave: id, Suppressed: true}
			co.Suppressed = true
		} else {
			tw.Themes = a.themeCounts(a.textResp[w], a.themeResp[w], a.themeMention[w])
			co.Matrix = a.cooc[w]
		}
		tr.Waves = append(tr.Waves, tw)
		tr.Cooccurrence = append(tr.Cooccurrence, co)
		for t, th := range a.themes {
			tq := ThemeQuotes{Theme: th.id, Wave: id, Quotes: []Quote{}}
			if a.themeResp[w][t] < k {
				tq.Suppressed = true
			} else {
				tq.Quotes = a.quotes.pick(w, t)
			}
			tr.Quotes = append(tr.Quotes, tq)
		}
	}
	for qi, q := range a.texts {
		for w, id := range a.waves {
			if !q.AskedIn(id) {
				continue
			}
			tq := ThemeQuestion{Question: q.ID, Goal: q.Goal, Wave: id, Respondents: a.qResp[qi][w]}
			if tq.Respondents < k {
				tq = ThemeQuestion{Question: q.ID, Goal: q.Goal, Wave: id, Suppressed: true}
			} else {
				tq.Themes = a.themeCounts(tq.Respondents, a.qThemeResp[qi][w], a.qThemeMent[qi][w])
			}
			tr.ByQuestion = append(tr.ByQuestion, tq)
		}
	}
	return tr
}

func (a *analyzer) anyTextIn(wave string) bool {
	for _, q := range a.texts {
		if q.AskedIn(wave) {
			return true
		}
	}
	return false
}
