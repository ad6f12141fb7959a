package mongostore

import (
	"context"
	"strconv"
	"sync"
	"time"

	"github.com/csci/exchangeeval/internal/exchange"
)

// changeMarks tell whether an exchange's data changed since an analysis
// was made of it, so that an analysis can be reused until then — by this
// process and by other service instances on the same MongoDB.
//
// Each exchange has a document in "changes" holding a random mark, replaced
// by a new random value after every write to the exchange. (A new random
// value, not an increment: the embedded store's read-and-write updates
// could lose an increment, and a lost increment would make a stale analysis
// look current.) Whoever reads the mark before analysing and finds it
// unchanged later knows no write has completed since: a write that the
// analysis missed replaces the mark after it.
//
// Writes happen by the hundred per second when delegates submit together,
// so they do not each write the mark: they bump a counter in this process
// at once (this process's readers see their own writes immediately) and the
// store's mark is replaced shortly after, once for all the writes of the
// moment. Other processes see a change within changeDelay.
type changeMarks struct {
	s *Store

	mu    sync.Mutex
	local map[string]uint64
	dirty map[string]bool
	kick  chan struct{}
	stop  chan struct{}
	done  chan struct{}
}

// changeDelay is how long writes are gathered before the mark is replaced.
const changeDelay = 50 * time.Millisecond

type changeDoc struct {
	Exchange string    `bson:"_id"`
	Mark     string    `bson:"mark"`
	At       time.Time `bson:"at"`
}

func newChangeMarks(s *Store) *changeMarks {
	c := &changeMarks{s: s, local: map[string]uint64{}, dirty: map[string]bool{},
		kick: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	go c.run()
	return c
}

// touch records that an exchange's data has changed.
func (c *changeMarks) touch(exchangeID string) {
	c.mu.Lock()
	c.local[exchangeID]++
	c.dirty[exchangeID] = true
	c.mu.Unlock()
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

func (c *changeMarks) run() {
	defer close(c.done)
	for {
		select {
		case <-c.stop:
			return
		case <-c.kick:
		}
		select {
		case <-c.stop:
		case <-time.After(changeDelay):
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		c.flush(ctx)
		cancel()
	}
}

// flush writes a new mark for every exchange changed since the last flush.
func (c *changeMarks) flush(ctx context.Context) {
	c.mu.Lock()
	dirty := c.dirty
	c.dirty = map[string]bool{}
	c.mu.Unlock()
	for id := range dirty {
		doc := changeDoc{Exchange: id, Mark: exchange.NewToken(), At: time.Now().UTC()}
		if _, err := c.s.db.Collection(collChanges).ReplaceOne(ctx, byID(id), doc, upsert()); err != nil {
			if isFull(err) {
				c.s.space.filled() // said once, not per exchange
			} else {
				c.s.log.Warn("could not record a change; other service instances may show an older analysis until the next change",
					"exchange", id, "err", err)
			}
			// Try again with the next flush.
			c.mu.Lock()
			c.dirty[id] = true
			c.mu.Unlock()
		}
	}
}

// close writes what is pending and stops.
func (c *changeMarks) close(ctx context.Context) {
	select {
	case <-c.stop:
		return
	default:
	}
	close(c.stop)
	<-c.done
	c.flush(ctx)
}

// ChangeMark returns a value that changes whenever the exchange's data
// does: an analysis made when it had one value is current while it keeps
// it.
func (s *Store) ChangeMark(ctx context.Context, exchangeID string) (string, error) {
	d, err := findByID[changeDoc](ctx, s, s.db.Collection(collChanges), exchangeID, "change mark of "+exchangeID)
	if err != nil {
		return "", err
	}
	s.changes.mu.Lock()
	local := s.changes.local[exchangeID]
	s.changes.mu.Unlock()
	mark := ""
	if d != nil {
		mark = d.Mark
	}
	return mark + "/" + strconv.FormatUint(local, 10), nil
}

// TouchAll marks every exchange changed. A service calls it when it
// starts: a process killed between a write and recording it leaves other
// instances' analyses looking current.
func (s *Store) TouchAll(ctx context.Context) error {
	xs, err := s.Exchanges(ctx)
	if err != nil {
		return err
	}
	for _, x := range xs {
		s.changes.touch(x.ID)
	}
	return nil
}
