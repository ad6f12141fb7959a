package mongostore

import (
	"context"
	"fmt"
	"os"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/csci/exchangeeval/internal/exchange"
)

// An import (of participants or of responses) is written as a batch that
// readers ignore until it is committed, so that it is all-or-nothing even
// when the process is killed halfway — there are no multi-document
// transactions on the embedded store. The protocol:
//
//  1. An import document with _id = the exchange id is inserted, state
//     pending: the unique _id lets one import into an exchange run at a
//     time, and tells readers which batch is not committed.
//  2. The documents are written, each marked with the batch id. Readers
//     skip documents of a pending batch.
//  3. Commit is one write to the import document: participants imports
//     delete it (their documents are then as visible as any other);
//     responses imports mark it committed, then set each response's
//     current answers from the new versions, then delete it.
//
// A pending import whose process is gone is rolled back (its documents
// deleted, the import document last); a committed one is finished. The
// store does both when it opens, and an import that finds the exchange held
// by a dead process does it before it starts.
type importDoc struct {
	Exchange    string    `bson:"_id"`
	Batch       string    `bson:"batch"`
	Kind        string    `bson:"kind"`
	State       string    `bson:"state"`
	Host        string    `bson:"host"`
	PID         int       `bson:"pid"`
	Run         string    `bson:"run"`
	StartedAt   time.Time `bson:"started_at"`
	HeartbeatAt time.Time `bson:"heartbeat_at"`
	// Removing is the participant a removal takes out (kind removal), kept
	// here so that a removal cut short is finished, or undone, from it.
	Removing *participantDoc `bson:"removing,omitempty"`
	// Waves are those whose answers would stop a removal.
	Waves []string `bson:"waves,omitempty"`
}

const (
	importPending   = "pending"
	importCommitted = "committed"

	importParticipants = "participants"
	importResponses    = "responses"
	// A removal holds the exchange as an import does, so that no import
	// adds answers for the participant it takes out.
	importRemoval = "removal"

	// An import refreshes its heartbeat this often; one on another host
	// whose heartbeat is older than importStale is taken for dead. On this
	// host, whether its process still runs is asked directly.
	importHeartbeat = 10 * time.Second
	importStale     = time.Minute
)

// thisRun tells this process from an earlier one with the same id.
var thisRun = exchange.NewToken()

// importRun is an import in progress in this process.
type importRun struct {
	s    *Store
	doc  importDoc
	stop chan struct{}
	wg   sync.WaitGroup
}

// beginImport claims the exchange for an import of kind.
func (s *Store) beginImport(ctx context.Context, exchangeID, kind string) (*importRun, error) {
	host, _ := os.Hostname()
	now := time.Now().UTC()
	doc := importDoc{Exchange: exchangeID, Batch: exchange.NewToken(), Kind: kind, State: importPending,
		Host: host, PID: os.Getpid(), Run: thisRun, StartedAt: now, HeartbeatAt: now}
	imports := s.db.Collection(collImports)
	for range 3 {
		_, err := imports.InsertOne(ctx, doc)
		if err == nil {
			r := &importRun{s: s, doc: doc, stop: make(chan struct{})}
			r.wg.Add(1)
			go r.heartbeat()
			return r, nil
		}
		if !isDuplicate(err) {
			return nil, s.fail("start an import into "+exchangeID, err)
		}
		other, err := findByID[importDoc](ctx, s, imports, exchangeID, "the import in progress into "+exchangeID)
		if err != nil {
			return nil, err
		}
		if other == nil {
			continue // it has just finished
		}
		if !s.importDead(other) {
			return nil, exchange.Errorf(exchange.ECONFLICT,
				"another import (%s) into %s is in progress, started %s by process %d on %s; nothing was imported — run this one again when it has finished",
				other.Kind, exchangeID, other.StartedAt.Local().Format(time.DateTime), other.PID, other.Host)
		}
		if err := s.recoverImport(ctx, other); err != nil {
			return nil, err
		}
	}
	return nil, exchange.Errorf(exchange.ECONFLICT, "imports into %s keep starting at the same time; nothing was imported — run this one again", exchangeID)
}

// importDead reports whether the process running an import is gone.
func (s *Store) importDead(d *importDoc) bool {
	return processGone(d.Run, d.Host, d.PID, d.HeartbeatAt, importStale)
}

// processGone reports whether the process that wrote a document (its run,
// host and pid) is gone: on this host the system is asked, elsewhere its
// last sign of life is older than stale.
func processGone(run, host string, pid int, alive time.Time, stale time.Duration) bool {
	here, _ := os.Hostname()
	switch {
	case run == thisRun:
		return false // this very process
	case host == here && pid == os.Getpid():
		return true // an earlier process that had this one's id (a container restarted)
	case host == here:
		if alive, known := processAlive(pid); known {
			return !alive
		}
	}
	return time.Since(alive) > stale
}

func (r *importRun) heartbeat() {
	defer r.wg.Done()
	t := time.NewTicker(importHeartbeat)
	defer t.Stop()
	for {
		select {
		case <-r.stop:
			return
		case <-t.C:
			ctx, cancel := context.WithTimeout(context.Background(), importHeartbeat)
			if ok, _ := r.stillOurs(ctx); ok {
				_, err := r.s.db.Collection(collImports).UpdateOne(ctx, byID(r.doc.Exchange),
					bson.D{{Key: "$set", Value: bson.D{{Key: "heartbeat_at", Value: time.Now().UTC()}}}})
				if err != nil {
					r.s.log.Warn("import heartbeat", "exchange", r.doc.Exchange, "err", err)
				}
			}
			cancel()
		}
	}
}

func (r *importRun) stopHeartbeat() {
	select {
	case <-r.stop:
	default:
		close(r.stop)
	}
	r.wg.Wait()
}

// stillOurs checks that nobody took this import for dead and rolled it back.
func (r *importRun) stillOurs(ctx context.Context) (bool, error) {
	d, err := findByID[importDoc](ctx, r.s, r.s.db.Collection(collImports), r.doc.Exchange, "the import into "+r.doc.Exchange)
	if err != nil {
		return false, err
	}
	return d != nil && d.Batch == r.doc.Batch, nil
}

// lost is the error of an import that was rolled back under it.
func (r *importRun) lost() error {
	return exchange.Errorf(exchange.ECONFLICT, "the import into %s was taken for abandoned and rolled back; nothing was imported — run it again", r.doc.Exchange)
}

// done removes the import document: for participants this is the commit,
// for responses the end of applying a committed import.
func (r *importRun) done(ctx context.Context) error {
	r.stopHeartbeat()
	if ok, err := r.stillOurs(ctx); err != nil {
		return err
	} else if !ok {
		return r.lost()
	}
	if _, err := r.s.db.Collection(collImports).DeleteOne(ctx, byID(r.doc.Exchange)); err != nil {
		return r.s.fail("commit the import into "+r.doc.Exchange, err)
	}
	r.s.committed.Store(r.doc.Batch, true)
	return nil
}

// markCommitted is the commit of a responses import: from here on its
// versions count, and a crash leaves it to be finished, not undone.
func (r *importRun) markCommitted(ctx context.Context) error {
	if ok, err := r.stillOurs(ctx); err != nil {
		return err
	} else if !ok {
		r.stopHeartbeat()
		return r.lost()
	}
	d := r.doc
	d.State, d.HeartbeatAt = importCommitted, time.Now().UTC()
	if _, err := r.s.db.Collection(collImports).ReplaceOne(ctx, byID(d.Exchange), d); err != nil {
		return r.s.fail("commit the import into "+d.Exchange, err)
	}
	r.doc = d
	r.s.committed.Store(d.Batch, true)
	return nil
}

// abort undoes what the import wrote and returns why it failed. The undo
// runs on a fresh context: the caller's may be what failed (Ctrl-C).
func (r *importRun) abort(cause error) error {
	r.stopHeartbeat()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if err := r.s.rollBack(ctx, &r.doc); err != nil {
		r.s.log.Error("could not undo a failed import; it is undone when the store next opens", "exchange", r.doc.Exchange, "batch", r.doc.Batch, "err", err)
		return fmt.Errorf("import failed (%w) and is not yet undone (%v): its documents stay invisible and are removed when exchangeeval next starts", cause, err)
	}
	if exchange.ErrorCode(cause) != exchange.EINTERNAL {
		return cause
	}
	return fmt.Errorf("import failed, nothing was kept: %w", cause)
}

// recoverImport finishes a committed import or rolls back a pending one
// whose process is gone.
func (s *Store) recoverImport(ctx context.Context, d *importDoc) error {
	if d.State == importCommitted {
		s.log.Info("finishing an interrupted import", "exchange", d.Exchange, "kind", d.Kind, "batch", d.Batch)
		if err := s.applyImportedVersions(ctx, d.Exchange, d.Batch); err != nil {
			return err
		}
		if _, err := s.db.Collection(collImports).DeleteOne(ctx, bson.D{{Key: "_id", Value: d.Exchange}, {Key: "batch", Value: d.Batch}}); err != nil {
			return s.fail("finish the import into "+d.Exchange, err)
		}
		s.committed.Store(d.Batch, true)
		return nil
	}
	s.log.Warn("rolling back an interrupted import", "exchange", d.Exchange, "kind", d.Kind, "batch", d.Batch,
		"started_at", d.StartedAt, "pid", d.PID, "host", d.Host)
	return s.rollBack(ctx, d)
}

// rollBack deletes a pending import's documents, then its import document.
func (s *Store) rollBack(ctx context.Context, d *importDoc) error {
	if err := s.prepare(ctx, d.Exchange); err != nil {
		return err
	}
	switch d.Kind {
	case importParticipants:
		if err := s.removeImportedParticipants(ctx, d.Exchange, d.Batch); err != nil {
			return err
		}
	case importResponses:
		if err := s.removeImportedVersions(ctx, d.Exchange, d.Batch); err != nil {
			return err
		}
	case importRemoval:
		if d.Removing != nil {
			if _, err := s.settleRemoval(ctx, d.Exchange, d.Removing, d.Waves); err != nil {
				return err
			}
		}
	}
	// The filter names the batch: a newer import that has meanwhile taken
	// the exchange is left alone.
	_, err := s.db.Collection(collImports).DeleteOne(ctx, bson.D{{Key: "_id", Value: d.Exchange}, {Key: "batch", Value: d.Batch}})
	s.changes.touch(d.Exchange)
	return s.fail("end the import into "+d.Exchange, err)
}

// recoverImports deals with every import left by a process that is gone.
func (s *Store) recoverImports(ctx context.Context) error {
	docs, err := findAll[importDoc](ctx, s, s.db.Collection(collImports), bson.D{}, nil, "imports in progress")
	if err != nil {
		return err
	}
	for _, d := range docs {
		if !s.importDead(d) {
			continue
		}
		if err := s.recoverImport(ctx, d); err != nil {
			return err
		}
	}
	return nil
}

// pendingBatch is the batch of the exchange's import in progress, whose
// documents readers must skip; "" when there is none.
func (s *Store) pendingBatch(ctx context.Context, exchangeID string) (string, error) {
	d, err := findByID[importDoc](ctx, s, s.db.Collection(collImports), exchangeID, "imports into "+exchangeID)
	if err != nil || d == nil || d.State != importPending {
		return "", err
	}
	return d.Batch, nil
}

// visible reports whether documents written by batch may be read: those
// of no import, and those of a committed one.
func (s *Store) visible(ctx context.Context, exchangeID, batch string) (bool, error) {
	if batch == "" {
		return true, nil
	}
	if _, ok := s.committed.Load(batch); ok {
		return true, nil
	}
	pending, err := s.pendingBatch(ctx, exchangeID)
	if err != nil {
		return false, err
	}
	if pending == batch {
		return false, nil
	}
	// Documents are written only while their import document exists, so
	// a batch that is not pending now is committed for good.
	s.committed.Store(batch, true)
	return true, nil
}
