package mongostore

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/csci/exchangeeval/internal/exchange"
)

// outage remembers that the database does not answer, so that requests
// are refused at once rather than each waiting selectionTimeout for it —
// a delegate's request reads and writes several documents, and each would
// wait. While it lasts, a probe pings the server a few times a second; the
// first answer ends it, and requests go through again without anyone
// restarting anything. One outage is shared by every Store on a connection.
type outage struct {
	client *mongo.Client
	log    logger

	down    atomic.Bool
	mu      sync.Mutex
	probing bool
	since   time.Time
	stop    chan struct{}
}

type logger interface {
	Warn(msg string, args ...any)
}

// probeEvery is how often a down database is pinged.
const probeEvery = 250 * time.Millisecond

func newOutage(client *mongo.Client, log logger) *outage {
	return &outage{client: client, log: log, stop: make(chan struct{})}
}

// check refuses an operation at once while the database is down.
func (o *outage) check() error {
	if o == nil || !o.down.Load() {
		return nil
	}
	return &exchange.Error{Code: exchange.EUNAVAILABLE, Message: errUnreachable}
}

// begin records that the database did not answer, and starts the probe.
func (o *outage) begin(*Store) {
	if o == nil {
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.probing {
		return
	}
	o.probing, o.since = true, time.Now()
	o.down.Store(true)
	o.log.Warn("the database does not answer; requests are refused until it does")
	go o.probe()
}

func (o *outage) probe() {
	t := time.NewTicker(probeEvery)
	defer t.Stop()
	for {
		select {
		case <-o.stop:
			return
		case <-t.C:
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err := o.client.Database("admin").RunCommand(ctx, bson.D{{Key: "ping", Value: 1}}).Err()
		cancel()
		if err == nil {
			o.mu.Lock()
			o.probing = false
			o.down.Store(false)
			o.log.Warn("the database answers again", "after", time.Since(o.since).Round(time.Millisecond).String())
			o.mu.Unlock()
			return
		}
	}
}

func (o *outage) close() {
	if o == nil {
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	select {
	case <-o.stop:
	default:
		close(o.stop)
	}
}
