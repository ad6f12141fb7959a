package mongostore

import (
	"context"
	"time"

	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/mailing"
	"github.com/csci/exchangeeval/internal/privacy"
)

// PersonalDataOf gathers everything stored about participant pid of an
// exchange, whose waves are waves.
func (s *Store) PersonalDataOf(ctx context.Context, exchangeID, pid string, waves []string, now time.Time) (*privacy.PersonalData, error) {
	d, err := s.participantDocOf(ctx, exchangeID, pid)
	if err != nil {
		return nil, err
	}
	p, err := s.participantOf(d)
	if err != nil {
		return nil, err
	}
	x, err := s.readExchange(ctx, exchangeID)
	if err != nil {
		return nil, err
	}
	out := &privacy.PersonalData{Exchange: exchangeID, PID: pid, Name: p.Name, Email: p.Email, City: p.City, Role: p.Role, Language: p.Language,
		Side: p.Side, Invited: p.CreatedAt, Instrument: x.Instrument, ExportedAt: now.UTC(), Responses: []privacy.ResponseRecord{}, Drafts: []privacy.DraftRecord{},
		Messages: []*mailing.Mail{}, Erasures: []privacy.ErasureRecord{}}
	if p.Token != "" {
		if _, err := s.LinkHolder(ctx, p.Token); err == nil {
			out.LinkWorks = true
		} else if exchange.ErrorCode(err) != exchange.ENOTFOUND {
			return nil, err
		}
	}
	for _, w := range waves {
		r, err := s.ResponseHistory(ctx, exchangeID, pid, w)
		switch {
		case exchange.ErrorCode(err) == exchange.ENOTFOUND:
		case err != nil:
			return nil, err
		default:
			out.Responses = append(out.Responses, privacy.ResponseRecord{Wave: w, Current: r.Answers, History: r.History})
		}
		dr, err := s.Draft(ctx, exchangeID, pid, w)
		if err != nil {
			return nil, err
		}
		if dr != nil {
			out.Drafts = append(out.Drafts, privacy.DraftRecord{Wave: w, Draft: *dr})
		}
	}
	mail, err := s.Mail(ctx, exchangeID)
	if err != nil {
		return nil, err
	}
	for _, m := range mail {
		if m.Participant == pid {
			out.Messages = append(out.Messages, m)
		}
	}
	erasures, err := s.Erasures(ctx, exchangeID)
	if err != nil {
		return nil, err
	}
	for _, e := range erasures {
		if e.PID == pid {
			out.Erasures = append(out.Erasures, privacy.ErasureRecord{Answers: e.Answers, By: e.By, At: e.At})
		}
	}
	return out, nil
}
