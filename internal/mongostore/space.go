package mongostore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/csci/exchangeeval/internal/exchange"
)

// space remembers that the store's disk is full, so that readiness says
// so and the log says it once, not at every refused write. Writes are not
// refused in advance: the first that succeeds once there is room again is
// the recovery. One space is shared by every Store on a connection.
type space struct {
	log   logger
	mu    sync.Mutex
	full  bool
	since time.Time
}

// isFull says whether err is the database out of room: SQLite's "database
// or disk is full" through the embedded store, MongoDB's OutOfDiskSpace
// (14031), or the system's "no space left on device".
func isFull(err error) bool {
	if err == nil {
		return false
	}
	var ce mongo.CommandError
	if errors.As(err, &ce) && ce.Code == 14031 {
		return true
	}
	var we mongo.WriteException
	if errors.As(err, &we) {
		for _, e := range we.WriteErrors {
			if e.Code == 14031 {
				return true
			}
		}
	}
	msg := strings.ToLower(err.Error())
	return strings.Contains(msg, "database or disk is full") || strings.Contains(msg, "no space left on device") ||
		strings.Contains(msg, "outofdiskspace")
}

// filled records that a write failed for want of room; the log says so
// once an episode.
func (sp *space) filled() {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	if sp.full {
		return
	}
	sp.full, sp.since = true, time.Now()
	sp.log.Warn("disk full: the store cannot write; answers are refused with 503 (and kept in the delegate's form) until there is room again")
}

// isFullNow says whether the last write found the disk full.
func (sp *space) isFullNow() bool {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	return sp.full
}

// roomAgain records that a write succeeded after the disk was full.
func (sp *space) roomAgain() {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	if !sp.full {
		return
	}
	sp.full = false
	sp.log.Warn("disk has room again: the store writes", "full_for", time.Since(sp.since).Round(time.Second).String())
}

// probeKey is the meta document readiness writes while the disk is full,
// to learn that there is room again.
const probeKey = "write_probe"

// Ready says whether the service can do its work: the database answers
// and, after a write found the disk full, a write succeeds again (it is
// tried here, so the service recovers by itself when room returns).
func (s *Store) Ready(ctx context.Context) error {
	if err := s.Ping(ctx); err != nil {
		return err
	}
	if !s.space.isFullNow() {
		return nil
	}
	_, err := s.db.Collection(collMeta).ReplaceOne(ctx, byID(probeKey), metaProbe{ID: probeKey, At: time.Now().UTC()}, upsert())
	if err != nil {
		return s.fail("write the readiness probe", err)
	}
	s.space.roomAgain()
	return nil
}

type metaProbe struct {
	ID string    `bson:"_id"`
	At time.Time `bson:"at"`
}

// fullError is the error a write that found the disk full returns.
func fullError(what string, err error) error {
	e := exchange.Coded(exchange.EUNAVAILABLE, exchange.ProblemStoreFull)
	e.Cause = fmt.Errorf("%s: disk full: %w", what, err)
	return e
}
