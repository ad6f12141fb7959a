// Package privacy is what is kept about one delegate, as an access
// request (GDPR art. 15) is answered with it, and what an erasure (art.
// 17) takes away. The store fills it; the command line writes it as JSON
// and the admin page as a page to read and print. It knows neither the
// web framework nor the database.
package privacy

import (
	"time"

	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/mailing"
	"github.com/csci/exchangeeval/internal/survey"
)

// PersonalData is everything stored about one delegate: who they are,
// whether their link works, every answer they sent with its history,
// their unsent drafts, every message to them and its delivery, and any
// erasure of them.
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

// Erased is what an erasure took away, in counts.
type Erased struct {
	Links, Messages, Responses, Versions, Drafts int64
}
