package mongostore

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/mailing"
)

// A delegate's personal link is a bearer secret: whoever has it answers in
// their name. The store never keeps one as it is:
//
//   - a link is found by the SHA-256 of its token (links collection). The
//     token is 256 random bits, so the hash cannot be reversed or guessed
//     whether keyed or not; left unkeyed, a link keeps working even if the
//     secret were lost;
//   - the participant's token, which the admin pages, the links workbook
//     and every invitation and reminder need again, is sealed with the
//     store's secret (see package seal), and so are the bodies of queued
//     and sent messages, which carry the link.
//
// So the database's files, a copy of them, or a MongoDB backup without the
// secret hold no working link.

// newParticipantDoc is p as stored, its token sealed.
func (s *Store) newParticipantDoc(p *exchange.Participant, batch string) participantDoc {
	return participantDoc{ID: p.PID, Participant: *p, Batch: batch, SealedToken: s.sealer.Seal([]byte(p.Token))}
}

// participantOf is the participant of a stored document, its token opened.
func (s *Store) participantOf(d *participantDoc) (*exchange.Participant, error) {
	p := d.Participant
	if p.PID == "" {
		p.PID = d.ID
	}
	switch {
	case d.SealedToken != nil:
		t, err := s.sealer.Open(d.SealedToken)
		if err != nil {
			return nil, s.unsealable("the personal link of "+p.PID+" of "+p.Exchange, err)
		}
		p.Token = string(t)
	default:
		p.Token = d.PlainToken // not yet upgraded (a MongoDB another release writes to)
	}
	return &p, nil
}

// mailBody is what of a message is sealed: its text, which carries the link.
type mailBody struct {
	Text string `json:"text"`
	HTML string `json:"html"`
}

// newMailDoc is m as stored under id, its body sealed.
func (s *Store) newMailDoc(id string, m *mailing.Mail) mailDoc {
	body, _ := json.Marshal(mailBody{Text: m.Text, HTML: m.HTML}) // strings marshal without error
	return mailDoc{ID: id, Mail: *m, SealedBody: s.sealer.Seal(body)}
}

// openMail puts a stored message's body back in d.Mail.
func (s *Store) openMail(d *mailDoc) error {
	if d.SealedBody == nil {
		d.Text, d.HTML = d.PlainText, d.PlainHTML
		return nil
	}
	b, err := s.sealer.Open(d.SealedBody)
	var body mailBody
	if err == nil {
		err = json.Unmarshal(b, &body)
	}
	if err != nil {
		return s.unsealable("message "+d.ID, err)
	}
	d.Text, d.HTML = body.Text, body.HTML
	return nil
}

// unsealable is a seal this store cannot open: the marks checked at start
// make that a damaged document, not another secret.
func (s *Store) unsealable(what string, err error) error {
	s.log.Error("a sealed document cannot be opened", "what", what, "err", err)
	return exchange.Errorf(exchange.EINTERNAL, "%s cannot be opened: it is damaged", what)
}

// sealDoc records, in meta, which key the database's seals are made with
// and whether the documents of releases before sealing are sealed now.
type sealDoc struct {
	ID     string    `bson:"_id"`
	Mark   string    `bson:"mark"`
	Sealed bool      `bson:"sealed"`
	At     time.Time `bson:"at"`
}

const sealMeta = "seal"

// sealLinks checks that this store's secret is the one the database's
// seals were made with, then, once, seals what releases before sealing
// stored in the clear: participants' tokens and messages' bodies. On the
// embedded store the SQLite files are then rewritten (VACUUM), so the old
// plain text is not left in their free pages. Every step can be run again:
// a start cut short by a crash finishes it.
func (s *Store) sealLinks(ctx context.Context) error {
	meta := s.db.Collection(collMeta)
	m, err := findByID[sealDoc](ctx, s, meta, sealMeta, "the seal key")
	if err != nil {
		return err
	}
	if m != nil && m.Mark != s.sealer.Mark() {
		return exchange.Errorf(exchange.EINVALID,
			"the personal links in database %s were sealed with another secret (key %s; this one is %s): start with the EXCHANGEEVAL_SECRET they were sealed with — or, on the embedded store, without EXCHANGEEVAL_SECRET if they were sealed with the data dir's own (%s)",
			s.db.Name(), m.Mark, s.sealer.Mark(), secretName)
	}
	if m != nil && m.Sealed {
		return nil
	}
	if m == nil {
		// The mark first: a crash from here leaves documents sealed with
		// this key, and the next start must use it too.
		if _, err := meta.InsertOne(ctx, sealDoc{ID: sealMeta, Mark: s.sealer.Mark(), At: time.Now().UTC()}); err != nil && !isDuplicate(err) {
			return s.fail("record the seal key", err)
		}
	}
	names, err := s.db.ListCollectionNames(ctx, bson.D{})
	if err != nil {
		return s.fail("list collections", err)
	}
	participants, messages := 0, 0
	for _, name := range names {
		var n int
		switch {
		case strings.HasPrefix(name, "exchange.") && strings.HasSuffix(name, "."+kindParticipants):
			n, err = s.sealParticipants(ctx, name)
			participants += n
		case name == collMailQueue || strings.HasPrefix(name, "exchange.") && strings.HasSuffix(name, "."+kindMail):
			n, err = s.sealMessages(ctx, name)
			messages += n
		}
		if err != nil {
			return err
		}
	}
	if participants+messages > 0 {
		s.log.Info("personal links sealed", "participants", participants, "messages", messages)
	}
	if s.sqlite != nil && participants+messages > 0 {
		if err := s.sqlite.vacuum(ctx, s.db.Name()); err != nil {
			return fmt.Errorf("rewrite the store's files without the links in the clear: %w", err)
		}
	}
	if _, err := meta.UpdateOne(ctx, byID(sealMeta), bson.D{{Key: "$set", Value: bson.D{{Key: "sealed", Value: true}, {Key: "at", Value: time.Now().UTC()}}}}); err != nil {
		return s.fail("record the links sealed", err)
	}
	return nil
}

var inTheClear = bson.D{{Key: "token", Value: bson.D{{Key: "$exists", Value: true}}}}

func (s *Store) sealParticipants(ctx context.Context, coll string) (int, error) {
	c := s.db.Collection(coll)
	n := 0
	// Read first, then written: a cursor left open across the writes
	// would hold the embedded store's file for as long.
	docs, err := findAll[participantDoc](ctx, s, c, inTheClear, nil, "participants in "+coll)
	if err != nil {
		return 0, err
	}
	for _, d := range docs {
		set := bson.D{{Key: "$set", Value: bson.D{{Key: "token_sealed", Value: s.sealer.Seal([]byte(d.PlainToken))}}},
			{Key: "$unset", Value: bson.D{{Key: "token", Value: ""}}}}
		if _, err := c.UpdateOne(ctx, byID(d.ID), set); err != nil {
			return n, s.fail("seal the link of "+d.ID+" in "+coll, err)
		}
		n++
	}
	return n, nil
}

var bodyInTheClear = bson.D{{Key: "$or", Value: bson.A{
	bson.D{{Key: "text", Value: bson.D{{Key: "$exists", Value: true}}}},
	bson.D{{Key: "html", Value: bson.D{{Key: "$exists", Value: true}}}},
}}}

func (s *Store) sealMessages(ctx context.Context, coll string) (int, error) {
	c := s.db.Collection(coll)
	n := 0
	docs, err := findAll[mailDoc](ctx, s, c, bodyInTheClear, nil, "messages in "+coll)
	if err != nil {
		return 0, err
	}
	for _, d := range docs {
		m := d.Mail
		m.Text, m.HTML = d.PlainText, d.PlainHTML
		sealed := s.newMailDoc(d.ID, &m)
		set := bson.D{{Key: "$set", Value: bson.D{{Key: "body_sealed", Value: sealed.SealedBody}}},
			{Key: "$unset", Value: bson.D{{Key: "text", Value: ""}, {Key: "html", Value: ""}}}}
		if _, err := c.UpdateOne(ctx, byID(d.ID), set); err != nil {
			return n, s.fail("seal message "+d.ID+" in "+coll, err)
		}
		n++
	}
	return n, nil
}

// Secret is what the store seals with: serve keys its forms with it too,
// so that a form open across a restart still sends.
func (s *Store) Secret() []byte { return s.secret }
