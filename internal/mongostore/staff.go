package mongostore

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/staff"
)

const (
	collUsers    = "users"
	collSessions = "sessions"
	collTokens   = "api_tokens"
	collAttempts = "login_failures"
	// collAudit is the audit trail before it was kept by month (layout
	// 2); migrate moves its events into the months' collections.
	collAudit = "audit"
)

// CreateUser stores a new account; an existing e-mail is a conflict.
func (s *Store) CreateUser(ctx context.Context, u *staff.User) error {
	_, err := s.db.Collection(collUsers).InsertOne(ctx, u)
	if isDuplicate(err) {
		return exchange.Errorf(exchange.ECONFLICT, "an account for %s already exists", u.Email)
	}
	if err != nil {
		return s.fail("create user "+u.Email, err)
	}
	return nil
}

// User returns the account with that e-mail.
func (s *Store) User(ctx context.Context, email string) (*staff.User, error) {
	u, err := findOne[staff.User](ctx, s, s.db.Collection(collUsers), bson.D{{Key: "_id", Value: email}},
		"user "+email, exchange.Errorf(exchange.ENOTFOUND, "no account %s", email))
	if err != nil {
		return nil, err
	}
	return u, s.openTOTP(u)
}

// Users lists every account by e-mail.
func (s *Store) Users(ctx context.Context) ([]*staff.User, error) {
	us, err := findAll[staff.User](ctx, s, s.db.Collection(collUsers), bson.D{}, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}), "users")
	for _, u := range us {
		if err == nil {
			err = s.openTOTP(u)
		}
	}
	return us, err
}

// UpdateUser sets fields of an account: one document, one atomic update.
func (s *Store) UpdateUser(ctx context.Context, email string, set bson.D) error {
	res, err := s.db.Collection(collUsers).UpdateOne(ctx, bson.D{{Key: "_id", Value: email}}, bson.D{{Key: "$set", Value: set}})
	if err != nil {
		return s.fail("update user "+email, err)
	}
	if res.MatchedCount == 0 {
		return exchange.Errorf(exchange.ENOTFOUND, "no account %s", email)
	}
	return nil
}

// AssignExchanges adds exchanges to those a committee member reviews
// (add) or removes them (!add), leaving the others as they are, in one
// atomic update. It returns the account's exchanges afterwards.
func (s *Store) AssignExchanges(ctx context.Context, email string, ids []string, add bool) ([]string, error) {
	update := bson.D{{Key: "$pullAll", Value: bson.D{{Key: "exchanges", Value: ids}}}}
	// An account stored without exchanges holds null there, which neither
	// operator takes: make it an empty list first. (Users are few: the
	// embedded store's full read for this filter costs nothing.)
	if _, err := s.db.Collection(collUsers).UpdateOne(ctx, bson.D{{Key: "_id", Value: email}, {Key: "exchanges", Value: nil}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "exchanges", Value: bson.A{}}}}}); err != nil {
		return nil, s.fail("assign exchanges to "+email, err)
	}
	if add {
		update = bson.D{{Key: "$addToSet", Value: bson.D{{Key: "exchanges", Value: bson.D{{Key: "$each", Value: ids}}}}}}
	}
	res, err := s.db.Collection(collUsers).UpdateOne(ctx, bson.D{{Key: "_id", Value: email}}, update)
	if err != nil {
		return nil, s.fail("assign exchanges to "+email, err)
	}
	if res.MatchedCount == 0 {
		return nil, exchange.Errorf(exchange.ENOTFOUND, "no account %s", email)
	}
	u, err := s.User(ctx, email)
	if err != nil {
		return nil, err
	}
	return u.Exchanges, nil
}

// SetPassword replaces an account's password hash and ends its sessions.
func (s *Store) SetPassword(ctx context.Context, email string, hash []byte) error {
	if err := s.UpdateUser(ctx, email, bson.D{{Key: "password_hash", Value: hash}}); err != nil {
		return err
	}
	_, err := s.db.Collection(collSessions).DeleteMany(ctx, bson.D{{Key: "user", Value: email}})
	return err
}

// SetDisabled disables or enables an account; disabling ends its sessions
// and revokes its API tokens.
func (s *Store) SetDisabled(ctx context.Context, email string, disabled bool) error {
	if err := s.UpdateUser(ctx, email, bson.D{{Key: "disabled", Value: disabled}}); err != nil {
		return err
	}
	if disabled {
		for _, c := range []string{collSessions, collTokens} {
			if _, err := s.db.Collection(c).DeleteMany(ctx, bson.D{{Key: "user", Value: email}}); err != nil {
				return s.fail("end sessions of "+email, err)
			}
		}
	}
	return nil
}

// CreateSession stores a session and removes expired ones (the embedded
// store has no TTL indexes, so expiry is enforced on read and cleaned here).
func (s *Store) CreateSession(ctx context.Context, sess *staff.Session) error {
	if _, err := s.db.Collection(collSessions).DeleteMany(ctx, bson.D{{Key: "expires_at", Value: bson.D{{Key: "$lt", Value: time.Now().UTC()}}}}); err != nil {
		s.log.Warn("could not remove expired sessions", "err", err)
	}
	if _, err := s.db.Collection(collSessions).InsertOne(ctx, sess); err != nil {
		return s.fail("create session", err)
	}
	return nil
}

// SessionUser returns the user of an unexpired session.
func (s *Store) SessionUser(ctx context.Context, hash string, now time.Time) (*staff.User, error) {
	return s.sessionUser(ctx, hash, now, false)
}

// PendingSessionUser returns the account of a session awaiting its second
// factor.
func (s *Store) PendingSessionUser(ctx context.Context, hash string, now time.Time) (*staff.User, error) {
	return s.sessionUser(ctx, hash, now, true)
}

func (s *Store) sessionUser(ctx context.Context, hash string, now time.Time, pending bool) (*staff.User, error) {
	signedOut := exchange.Errorf(exchange.EUNAUTHORIZED, "not signed in")
	sess, err := findOne[staff.Session](ctx, s, s.db.Collection(collSessions), bson.D{{Key: "_id", Value: hash}}, "session", signedOut)
	if err != nil {
		return nil, err
	}
	if !sess.ExpiresAt.After(now) || sess.Pending != pending {
		return nil, signedOut
	}
	return s.User(ctx, sess.User)
}

// DeleteSession ends a session.
func (s *Store) DeleteSession(ctx context.Context, hash string) error {
	_, err := s.db.Collection(collSessions).DeleteOne(ctx, bson.D{{Key: "_id", Value: hash}})
	return err
}

// CreateToken stores an API token (its hash).
func (s *Store) CreateToken(ctx context.Context, t *staff.APIToken) error {
	if _, err := s.db.Collection(collTokens).InsertOne(ctx, t); err != nil {
		return s.fail("create token", err)
	}
	return nil
}

// TokenUser returns the user of an API token that has not expired.
func (s *Store) TokenUser(ctx context.Context, hash string) (*staff.User, error) {
	t, err := findOne[staff.APIToken](ctx, s, s.db.Collection(collTokens), bson.D{{Key: "_id", Value: hash}},
		"API token", exchange.Errorf(exchange.EUNAUTHORIZED, "unknown API token"))
	if err != nil {
		return nil, err
	}
	if !time.Now().Before(t.Expires()) {
		return nil, exchange.Errorf(exchange.EUNAUTHORIZED, "this API token expired on %s: ask an admin for a new one", t.Expires().UTC().Format(time.DateOnly))
	}
	return s.User(ctx, t.User)
}

// Tokens lists the API tokens of user (of everyone when ""), newest
// first. The collection is small: one document a token.
func (s *Store) Tokens(ctx context.Context, user string) ([]*staff.APIToken, error) {
	filter := bson.D{}
	if user != "" {
		filter = bson.D{{Key: "user", Value: user}}
	}
	ts, err := findAll[staff.APIToken](ctx, s, s.db.Collection(collTokens), filter, options.Find(), "API tokens")
	if err != nil {
		return nil, err
	}
	slices.SortFunc(ts, func(a, b *staff.APIToken) int { return b.CreatedAt.Compare(a.CreatedAt) })
	return ts, nil
}

// RevokeToken deletes the API token named by id (see staff.APIToken.ID)
// and returns it; an id that names none, or more than one, is an error.
func (s *Store) RevokeToken(ctx context.Context, id string) (*staff.APIToken, error) {
	ts, err := s.Tokens(ctx, "")
	if err != nil {
		return nil, err
	}
	var found []*staff.APIToken
	for _, t := range ts {
		if len(id) >= 6 && strings.HasPrefix(t.Hash, id) {
			found = append(found, t)
		}
	}
	switch len(found) {
	case 0:
		return nil, exchange.Errorf(exchange.ENOTFOUND, "no API token %q (tokens list shows them)", id)
	case 1:
	default:
		return nil, exchange.Errorf(exchange.EINVALID, "%q names %d tokens: give more of its id", id, len(found))
	}
	if _, err := s.db.Collection(collTokens).DeleteOne(ctx, byID(found[0].Hash)); err != nil {
		return nil, s.fail("revoke API token", err)
	}
	return found[0], nil
}

// ClaimLoginAttempt counts a sign-in attempt under key (an account, an
// address) before its password is checked, and returns the attempt's place
// among those of the last window and the slot it took. Beyond max it takes
// no slot and returns max+1: the caller refuses the attempt.
//
// Each attempt claims a slot document, _id "<key>#<n>", by inserting it: an
// insert is atomic on MongoDB and on the embedded store alike, so thirty
// attempts at once take thirty different places and the max+1-th is
// refused — counting and then recording lets them all through.
func (s *Store) ClaimLoginAttempt(ctx context.Context, key string, now time.Time, window time.Duration, max int) (n int, slot string, err error) {
	coll := s.db.Collection(collAttempts)
	now = now.UTC()
	for n = 1; n <= max; n++ {
		slot = key + "#" + strconv.Itoa(n)
		for range 3 {
			_, err := coll.InsertOne(ctx, bson.D{{Key: "_id", Value: slot}, {Key: "key", Value: key}, {Key: "at", Value: now}})
			if err == nil {
				return n, slot, nil
			}
			if !isDuplicate(err) {
				return 0, "", s.fail("count sign-in attempts", err)
			}
			var held struct {
				At time.Time `bson:"at"`
			}
			err = coll.FindOne(ctx, byID(slot)).Decode(&held)
			if notFound(err) {
				continue // freed meanwhile: try it again
			}
			if err != nil {
				return 0, "", s.fail("count sign-in attempts", err)
			}
			if !held.At.Before(now.Add(-window)) {
				break // taken within the window: the next place
			}
			// Taken long ago: free it, naming its time so that an attempt
			// that has just taken it is not freed instead.
			if _, err := coll.DeleteOne(ctx, bson.D{{Key: "_id", Value: slot}, {Key: "at", Value: held.At}}); err != nil {
				return 0, "", s.fail("count sign-in attempts", err)
			}
		}
	}
	return max + 1, "", nil
}

// ReleaseLoginAttempt frees the slot an attempt took (a successful one).
func (s *Store) ReleaseLoginAttempt(ctx context.Context, slot string) error {
	if slot == "" {
		return nil
	}
	_, err := s.db.Collection(collAttempts).DeleteOne(ctx, byID(slot))
	return s.fail("release a sign-in attempt", err)
}

// ClearLoginAttempts forgets the attempts under key (after a success) and
// any older than a moment.
func (s *Store) ClearLoginAttempts(ctx context.Context, key string, before time.Time) error {
	_, err := s.db.Collection(collAttempts).DeleteMany(ctx, bson.D{{Key: "$or", Value: bson.A{
		bson.D{{Key: "key", Value: key}},
		bson.D{{Key: "at", Value: bson.D{{Key: "$lt", Value: before.UTC()}}}},
	}}})
	return s.fail("clear sign-in attempts", err)
}

// The audit trail is kept in one collection per month, "audit.2026-11":
// it only grows, and its readers want the newest events. The embedded
// store reads a whole collection for any query but a key look-up, so a
// page of the newest events reads this month's events, not years of them;
// MongoDB serves each month's queries from its indexes.

const auditPrefix = "audit."

// auditMonth is the collection of the events of t's month.
func auditMonth(t time.Time) string { return auditPrefix + t.UTC().Format("2006-01") }

var auditIndexes = []namedIndex{ascending("at", "at"), ascending("actor_at", "actor", "at"),
	ascending("exchange_at", "exchange", "at"), ascending("action_at", "action", "at")}

// auditCollection is the collection of the events of t's month, with its
// indexes made the first time this process writes to it.
func (s *Store) auditCollection(ctx context.Context, t time.Time) (*mongo.Collection, error) {
	name := auditMonth(t)
	if _, ok := s.auditDone.Load(name); !ok {
		if err := s.createMissingIndexes(ctx, name, auditIndexes); err != nil {
			return nil, s.fail("prepare the audit trail of "+name, err)
		}
		s.auditDone.Store(name, true)
	}
	return s.db.Collection(name), nil
}

// auditMonths lists the months' collections, newest first.
func (s *Store) auditMonths(ctx context.Context) ([]string, error) {
	names, err := s.db.ListCollectionNames(ctx, bson.D{})
	if err != nil {
		return nil, s.fail("list the audit trail's months", err)
	}
	var out []string
	for _, n := range names {
		if strings.HasPrefix(n, auditPrefix) {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	slices.Reverse(out)
	return out, nil
}

// Audit adds a line to the audit trail. A failure is logged, not returned:
// the action it records has already happened.
func (s *Store) Audit(ctx context.Context, e staff.Event) {
	coll, err := s.auditCollection(ctx, e.At)
	if err == nil {
		_, err = coll.InsertOne(ctx, e)
	}
	if err != nil {
		s.log.Error("could not write the audit trail", "action", e.Action, "actor", e.Actor, "err", err)
	}
}

// auditDoc is an event with the _id MongoDB gave it, which breaks ties
// between events of the same moment when paging.
type auditDoc struct {
	ID          bson.ObjectID `bson:"_id"`
	staff.Event `bson:",inline"`
}

// AuditTrail returns a page of the trail, newest first, and the cursor of
// the next (older) page, "" when there is none. Pages are cut by the last
// event's time and id, not by an offset: an event recorded while someone
// pages neither repeats nor hides one. The months are read newest first,
// each only as far as the page needs; those outside the dates asked for,
// or newer than the cursor, not at all.
func (s *Store) AuditTrail(ctx context.Context, q staff.AuditQuery) ([]*staff.Event, string, error) {
	filter := bson.D{}
	for _, f := range []struct{ key, value string }{{"actor", q.Actor}, {"action", q.Action}, {"exchange", q.Exchange}} {
		if f.value != "" {
			filter = append(filter, bson.E{Key: f.key, Value: f.value})
		}
	}
	at := bson.D{}
	if !q.From.IsZero() {
		at = append(at, bson.E{Key: "$gte", Value: q.From.UTC()})
	}
	if !q.To.IsZero() {
		at = append(at, bson.E{Key: "$lt", Value: q.To.UTC()})
	}
	if len(at) > 0 {
		filter = append(filter, bson.E{Key: "at", Value: at})
	}
	newest := ""
	if !q.To.IsZero() {
		newest = auditMonth(q.To.Add(-time.Nanosecond))
	}
	if q.After != "" {
		t, id, err := parseAuditCursor(q.After)
		if err != nil {
			return nil, "", err
		}
		filter = append(filter, bson.E{Key: "$or", Value: bson.A{
			bson.D{{Key: "at", Value: bson.D{{Key: "$lt", Value: t}}}},
			bson.D{{Key: "at", Value: t}, {Key: "_id", Value: bson.D{{Key: "$lt", Value: id}}}},
		}})
		if m := auditMonth(t); newest == "" || m < newest {
			newest = m
		}
	}
	oldest := ""
	if !q.From.IsZero() {
		oldest = auditMonth(q.From)
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 50
	}
	months, err := s.auditMonths(ctx)
	if err != nil {
		return nil, "", err
	}
	var docs []*auditDoc
	for _, m := range months {
		if (newest != "" && m > newest) || (oldest != "" && m < oldest) {
			continue
		}
		// One more than a page tells whether there is a next one.
		got, err := findAll[auditDoc](ctx, s, s.db.Collection(m), filter,
			options.Find().SetSort(bson.D{{Key: "at", Value: -1}, {Key: "_id", Value: -1}}).SetLimit(int64(limit+1-len(docs))), "audit trail")
		if err != nil {
			return nil, "", err
		}
		docs = append(docs, got...)
		if len(docs) > limit {
			break
		}
	}
	next := ""
	if len(docs) > limit {
		docs = docs[:limit]
		last := docs[limit-1]
		next = last.At.UTC().Format(time.RFC3339Nano) + "_" + last.ID.Hex()
	}
	out := make([]*staff.Event, len(docs))
	for i, d := range docs {
		out[i] = &d.Event
	}
	return out, next, nil
}

// parseAuditCursor reads a cursor AuditTrail made.
func parseAuditCursor(c string) (time.Time, bson.ObjectID, error) {
	bad := exchange.Errorf(exchange.EINVALID, "this page of the audit trail does not exist; start again from the newest events")
	ts, hex, ok := strings.Cut(c, "_")
	if !ok {
		return time.Time{}, bson.ObjectID{}, bad
	}
	t, err := time.Parse(time.RFC3339Nano, ts)
	if err != nil {
		return time.Time{}, bson.ObjectID{}, bad
	}
	id, err := bson.ObjectIDFromHex(hex)
	if err != nil {
		return time.Time{}, bson.ObjectID{}, bad
	}
	return t.UTC(), id, nil
}

// AddSignOff stores a decision; earlier ones stay.
func (s *Store) AddSignOff(ctx context.Context, so *staff.SignOff) error {
	if err := s.prepare(ctx, so.Exchange); err != nil {
		return err
	}
	if _, err := s.coll(so.Exchange, kindSignOffs).InsertOne(ctx, so); err != nil {
		return s.fail("record sign-off", err)
	}
	return nil
}

// SignOffs lists the decisions on an exchange, oldest first.
func (s *Store) SignOffs(ctx context.Context, exchangeID string) ([]*staff.SignOff, error) {
	if err := s.prepare(ctx, exchangeID); err != nil {
		return nil, err
	}
	out, err := findAll[staff.SignOff](ctx, s, s.coll(exchangeID, kindSignOffs), bson.D{}, nil, "sign-offs of "+exchangeID)
	if err != nil {
		return nil, err
	}
	// Sorted here: a handful of documents, and the embedded store would
	// sort in memory anyway.
	slices.SortStableFunc(out, func(a, b *staff.SignOff) int { return a.At.Compare(b.At) })
	return out, nil
}
