package survey

import (
	"fmt"
	"slices"
)

// OneWave is the instrument as the form of one wave, for collecting that
// wave where exchangeeval's own pages are not used — KoboToolbox or ODK
// Collect on a tablet, or paper transcribed there: the questions the wave
// asks, in their sections, under the id ID-WAVE (a form on those servers
// holds one round of answers), titled with the wave. It has no goals —
// a goal compares two waves — and the answers it collects come back with
// responses import --wave.
func (in *Instrument) OneWave(wave string) (*Instrument, error) {
	w := in.Wave(wave)
	if w == nil {
		return nil, fmt.Errorf("instrument %s has no wave %q (waves: %v)", in.ID, wave, in.WaveIDs())
	}
	data, err := in.Canonical()
	if err != nil {
		return nil, err
	}
	out, probs := Parse(in.Source, data)
	if probs != nil {
		return nil, probs
	}
	out.ID = in.ID + "-" + wave
	out.Title = Text{}
	for _, l := range in.Languages {
		out.Title[l] = in.Title.In(l, in.BaseLanguage()) + " — " + w.Title.In(l, in.BaseLanguage())
	}
	out.Waves = slices.DeleteFunc(out.Waves, func(x *Wave) bool { return x.ID != wave })
	out.Goals = nil
	var sections []*Section
	for _, s := range out.Sections {
		s.Questions = slices.DeleteFunc(s.Questions, func(q *Question) bool { return !q.AskedIn(wave) })
		for _, q := range s.Questions {
			q.Waves, q.Goal = []string{wave}, ""
		}
		if len(s.Questions) > 0 {
			sections = append(sections, s)
		}
	}
	out.Sections = sections
	asked := slices.ContainsFunc(sections, func(s *Section) bool {
		return slices.ContainsFunc(s.Questions, func(q *Question) bool { return q.ID == out.QuoteConsent })
	})
	if !asked {
		out.QuoteConsent = "" // the consent question is another wave's
	}
	// Through the canonical text again: indexed, and checked like any
	// definition.
	data, err = out.Canonical()
	if err != nil {
		return nil, err
	}
	one, probs := Parse(in.Source, data)
	if probs != nil {
		return nil, fmt.Errorf("the form of wave %s: %w", wave, probs)
	}
	return one, nil
}
