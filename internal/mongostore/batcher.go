package mongostore

import (
	"context"
	"errors"
	"log/slog"
	"sync"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// insertBatcher writes single-document inserts that arrive together as one
// insert command per collection: each caller still waits for its own
// document's acknowledgement, but thirty delegates submitting at once cost
// the embedded store one transaction — one fsync — instead of thirty.
// SQLite commits one transaction at a time, so on the embedded store one
// worker writes: a second would only wait for the first's lock. Alone, a
// request waits for nobody: the worker takes whatever is queued the moment
// it is free.
//
// A request may carry a second insert that is made only if the first
// succeeds — a delegate's first answers: their version, which claims its
// number, then the current answers — so that one round stores both.
//
// Updates (a resubmission's current answers) go through the same worker,
// together in one command per collection (FerretDB still commits each in a
// transaction of its own): on the embedded store, writers that meet at
// SQLite's lock wait for it in sleeps of up to 100 ms, and one writer
// never meets another. Measured with 32 clients resubmitting: 250/s and
// p99 800 ms updating directly, 430/s and p99 100 ms through the writer.
type insertBatcher struct {
	log  *slog.Logger
	reqs chan *insertReq
	stop chan struct{}
	wg   sync.WaitGroup
	once sync.Once
}

type insertReq struct {
	ctx  context.Context
	coll *mongo.Collection
	doc  any
	// then is inserted after doc, and only if doc was.
	thenColl *mongo.Collection
	thenDoc  any
	// update, when set, makes this an update of the document with _id id
	// (inserted when missing) instead of an insert.
	update  bson.D
	id      string
	err     error
	thenErr error
	done    chan struct{}
}

// batchMax bounds the documents of one round.
const batchMax = 128

func newInsertBatcher(log *slog.Logger, workers int) *insertBatcher {
	b := &insertBatcher{log: log, reqs: make(chan *insertReq), stop: make(chan struct{})}
	for range workers {
		b.wg.Add(1)
		go b.work()
	}
	return b
}

// insert stores doc in coll and returns the result of its own write.
func (b *insertBatcher) insert(ctx context.Context, coll *mongo.Collection, doc any) error {
	err, _ := b.insertThen(ctx, coll, doc, nil, nil)
	return err
}

// insertThen stores doc in coll and, if that worked, then in thenColl; it
// returns each write's result (thenErr is nil when then was not tried).
func (b *insertBatcher) insertThen(ctx context.Context, coll *mongo.Collection, doc any, thenColl *mongo.Collection, then any) (err, thenErr error) {
	return b.send(ctx, &insertReq{ctx: ctx, coll: coll, doc: doc, thenColl: thenColl, thenDoc: then, done: make(chan struct{})})
}

// upsert updates the document of coll with that _id, or inserts it.
func (b *insertBatcher) upsert(ctx context.Context, coll *mongo.Collection, id string, update bson.D) error {
	err, _ := b.send(ctx, &insertReq{ctx: ctx, coll: coll, id: id, update: update, done: make(chan struct{})})
	return err
}

func (b *insertBatcher) send(ctx context.Context, req *insertReq) (err, thenErr error) {
	select {
	case b.reqs <- req:
	case <-ctx.Done():
		return ctx.Err(), nil
	case <-b.stop:
		b.write([]*insertReq{req})
	}
	// Wait for the outcome even if ctx ends: the document may be written,
	// and the caller must know before it moves on.
	<-req.done
	return req.err, req.thenErr
}

func (b *insertBatcher) work() {
	defer b.wg.Done()
	for {
		var first *insertReq
		select {
		case first = <-b.reqs:
		case <-b.stop:
			return
		}
		batch := []*insertReq{first}
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

// write inserts a batch — the first documents, then the second ones of the
// requests whose first went in — one command per collection, and tells each
// request how it fared.
func (b *insertBatcher) write(batch []*insertReq) {
	var live, updates []*insertReq
	for _, r := range batch {
		switch {
		case r.ctx.Err() != nil:
			// Given up before it was sent: nothing is written.
			r.err = r.ctx.Err()
			close(r.done)
		case r.update != nil:
			updates = append(updates, r)
		default:
			live = append(live, r)
		}
	}
	defer func() {
		byColl := map[string][]*insertReq{}
		var order []string
		for _, r := range updates {
			name := r.coll.Database().Name() + "." + r.coll.Name()
			if _, ok := byColl[name]; !ok {
				order = append(order, name)
			}
			byColl[name] = append(byColl[name], r)
		}
		for _, name := range order {
			group := byColl[name]
			models := make([]mongo.WriteModel, len(group))
			for i, r := range group {
				models[i] = mongo.NewUpdateOneModel().SetFilter(byID(r.id)).SetUpdate(r.update).SetUpsert(true)
			}
			_, err := group[0].coll.BulkWrite(context.Background(), models, options.BulkWrite().SetOrdered(false))
			failed := map[int]error{}
			var bwe mongo.BulkWriteException
			if errors.As(err, &bwe) && bwe.WriteConcernError == nil {
				for _, we := range bwe.WriteErrors {
					failed[we.Index] = mongo.WriteException{WriteErrors: mongo.WriteErrors{we.WriteError}}
				}
			} else if err != nil {
				for i := range group {
					failed[i] = err
				}
			}
			for i, r := range group {
				r.err = failed[i]
				if isDuplicate(r.err) {
					_, r.err = r.coll.UpdateOne(context.Background(), byID(r.id), r.update, options.UpdateOne().SetUpsert(true))
				}
				close(r.done)
			}
		}
	}()
	insertAll(live, func(r *insertReq) (*mongo.Collection, any) { return r.coll, r.doc }, func(r *insertReq, err error) { r.err = err })
	var then []*insertReq
	for _, r := range live {
		if r.err == nil && r.thenColl != nil {
			then = append(then, r)
		}
	}
	insertAll(then, func(r *insertReq) (*mongo.Collection, any) { return r.thenColl, r.thenDoc }, func(r *insertReq, err error) { r.thenErr = err })
	for _, r := range live {
		close(r.done)
	}
}

// insertAll inserts what pick gives of each request, one command per
// collection, and reports each document's result.
func insertAll(reqs []*insertReq, pick func(*insertReq) (*mongo.Collection, any), report func(*insertReq, error)) {
	// By name: every request holds a collection handle of its own.
	byColl := map[string][]*insertReq{}
	var order []string
	for _, r := range reqs {
		coll, _ := pick(r)
		name := coll.Database().Name() + "." + coll.Name()
		if _, ok := byColl[name]; !ok {
			order = append(order, name)
		}
		byColl[name] = append(byColl[name], r)
	}
	for _, name := range order {
		group := byColl[name]
		coll, _ := pick(group[0])
		docs := make([]any, len(group))
		for i, r := range group {
			_, docs[i] = pick(r)
		}
		// Written on behalf of several requests: one request's
		// cancellation must not cut the others' write short.
		_, err := coll.InsertMany(context.Background(), docs, options.InsertMany().SetOrdered(false))
		var bwe mongo.BulkWriteException
		if err != nil && (!errors.As(err, &bwe) || bwe.WriteConcernError != nil || len(bwe.WriteErrors) == 0) {
			for _, r := range group {
				report(r, err)
			}
			continue
		}
		failed := map[int]error{}
		for _, we := range bwe.WriteErrors {
			failed[we.Index] = mongo.WriteException{WriteErrors: mongo.WriteErrors{we.WriteError}, Labels: bwe.Labels}
		}
		for i, r := range group {
			report(r, failed[i])
		}
	}
}

func (b *insertBatcher) close() {
	b.once.Do(func() {
		close(b.stop)
		b.wg.Wait()
	})
}
