package mongostore

import (
	"context"
	"time"

	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/mailing"
	"github.com/csci/exchangeeval/internal/survey"
)

// PersonalData is everything the store holds about one delegate, for an
// access request (GDPR art. 15): who they are, whether their link works,
// every answer they sent with its history, their unsent drafts, every
// message to them and its delivery, and any erasure of them.
type PersonalData struct {
	Exchange   string           `json:"exchange"`
	PID        string           `json:"pid"`
	Name       string           `json:"name"`
	Email      string           `json:"email"`
	City       string           `json:"city"`
	Role       string           `json:"role"`
	Language   string           `json:"language"`
	Side       string           `json:"side"`
	Invited    time.Time        `json:"invited"`
	LinkWorks  bool             `json:"personal_link_works"`
	Responses  []ResponseRecord `json:"responses"`
	Drafts     []DraftRecord    `json:"drafts"`
	Messages   []*mailing.Mail  `json:"messages"`
	Erasures   []ErasureRecord  `json:"erasures"`
	ExportedAt time.Time        `json:"exported_at"`
	Instrument string           `json:"instrument"`
}

// ResponseRecord is one wave's answers and every version sent.
type ResponseRecord struct {
	Wave    string             `json:"wave"`
	Current survey.Answers     `json:"current_answers"`
	History []exchange.Version `json:"history"`
}

// DraftRecord is a wave's answers saved and not sent.
type DraftRecord struct {
	Wave string `json:"wave"`
	exchange.Draft
}

// ErasureRecord is an erasure of the delegate, as logged.
type ErasureRecord struct {
	Answers bool      `json:"answers_too"`
	By      string    `json:"by"`
	At      time.Time `json:"at"`
}

// PersonalDataOf gathers everything stored about participant pid of an
// exchange, whose waves are waves.
func (s *Store) PersonalDataOf(ctx context.Context, exchangeID, pid string, waves []string, now time.Time) (*PersonalData, error) {
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
	out := &PersonalData{Exchange: exchangeID, PID: pid, Name: p.Name, Email: p.Email, City: p.City, Role: p.Role, Language: p.Language,
		Side: p.Side, Invited: p.CreatedAt, Instrument: x.Instrument, ExportedAt: now.UTC(), Responses: []ResponseRecord{}, Drafts: []DraftRecord{},
		Messages: []*mailing.Mail{}, Erasures: []ErasureRecord{}}
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
			out.Responses = append(out.Responses, ResponseRecord{Wave: w, Current: r.Answers, History: r.History})
		}
		dr, err := s.Draft(ctx, exchangeID, pid, w)
		if err != nil {
			return nil, err
		}
		if dr != nil {
			out.Drafts = append(out.Drafts, DraftRecord{Wave: w, Draft: *dr})
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
			out.Erasures = append(out.Erasures, ErasureRecord{Answers: e.Answers, By: e.By, At: e.At})
		}
	}
	return out, nil
}
