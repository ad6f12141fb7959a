package mongostore

import (
	"context"
	"errors"
	"log/slog"
	"sync"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// insertBatcher writes single-document inserts that arrive together as one
// insert command per collection: each caller still waits for its own
// document's acknowledgement, but thirty delegates submitting at once cost
// one transaction on the embedded store instead of thirty. (Measured there:
// one insert ≈ 0.9 ms of the machine, a document in a batch of 20 ≈ 0.26.)
// Alone, a request waits for nobody: a worker takes whatever is queued the
// moment it is free.
type insertBatcher struct {
	log  *slog.Logger
	reqs chan insertReq
	stop chan struct{}
	wg   sync.WaitGroup
	once sync.Once
}

type insertReq struct {
	ctx  context.Context
	coll *mongo.Collection
	doc  any
	done chan error
}

const (
	batchWorkers = 4
	batchMax     = 128
)

func newInsertBatcher(log *slog.Logger) *insertBatcher {
	b := &insertBatcher{log: log, reqs: make(chan insertReq), stop: make(chan struct{})}
	for range batchWorkers {
		b.wg.Add(1)
		go b.work()
	}
	return b
}

// insert stores doc in coll and returns the result of its own write.
func (b *insertBatcher) insert(ctx context.Context, coll *mongo.Collection, doc any) error {
	req := insertReq{ctx: ctx, coll: coll, doc: doc, done: make(chan error, 1)}
	select {
	case b.reqs <- req:
	case <-ctx.Done():
		return ctx.Err()
	case <-b.stop:
		_, err := coll.InsertOne(ctx, doc)
		return err
	}
	// Wait for the outcome even if ctx ends: the document may be written,
	// and the caller must know before it moves on.
	return <-req.done
}

func (b *insertBatcher) work() {
	defer b.wg.Done()
	for {
		var first insertReq
		select {
		case first = <-b.reqs:
		case <-b.stop:
			return
		}
		batch := []insertReq{first}
	drain:
		for len(batch) < batchMax {
			select {
			case r := <-b.reqs:
				batch = append(batch, r)
			default:
				break drain
			}
		}
		b.write(batch)
	}
}

// write inserts a batch, one command per collection, and tells each
// request how its document fared.
func (b *insertBatcher) write(batch []insertReq) {
	byColl := map[*mongo.Collection][]insertReq{}
	var order []*mongo.Collection
	for _, r := range batch {
		if _, ok := byColl[r.coll]; !ok {
			order = append(order, r.coll)
		}
		byColl[r.coll] = append(byColl[r.coll], r)
	}
	for _, coll := range order {
		reqs := byColl[coll]
		docs := make([]any, 0, len(reqs))
		var live []insertReq
		for _, r := range reqs {
			if r.ctx.Err() != nil {
				// Given up before it was sent: nothing is written.
				r.done <- r.ctx.Err()
				continue
			}
			docs = append(docs, r.doc)
			live = append(live, r)
		}
		if len(live) == 0 {
			continue
		}
		// The batch is written on behalf of several requests: one
		// request's cancellation must not cut the others' write short.
		_, err := coll.InsertMany(context.Background(), docs, options.InsertMany().SetOrdered(false))
		if err == nil {
			for _, r := range live {
				r.done <- nil
			}
			continue
		}
		var bwe mongo.BulkWriteException
		if !errors.As(err, &bwe) || bwe.WriteConcernError != nil || len(bwe.WriteErrors) == 0 {
			for _, r := range live {
				r.done <- err
			}
			continue
		}
		failed := map[int]error{}
		for _, we := range bwe.WriteErrors {
			failed[we.Index] = mongo.WriteException{WriteErrors: mongo.WriteErrors{we.WriteError}, Labels: bwe.Labels}
		}
		for i, r := range live {
			r.done <- failed[i]
		}
	}
}

func (b *insertBatcher) close() {
	b.once.Do(func() {
		close(b.stop)
		b.wg.Wait()
	})
}
