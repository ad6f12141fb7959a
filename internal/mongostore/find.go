package mongostore

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/csci/exchangeeval/internal/exchange"
)

// byID is the filter of a look-up by key: the one filter the embedded store
// answers from an index rather than by reading the whole collection.
func byID(id string) bson.D { return bson.D{{Key: "_id", Value: id}} }

// findOne reads the one document of coll matching filter. A missing
// document is the error missing (the user's words); anything else is
// wrapped with what was being read.
func findOne[T any](ctx context.Context, s *Store, coll *mongo.Collection, filter any, what string, missing *exchange.Error) (*T, error) {
	if err := s.outage.check(); err != nil {
		return nil, err
	}
	v := new(T)
	err := coll.FindOne(ctx, filter).Decode(v)
	if notFound(err) {
		return nil, missing
	}
	if err != nil {
		return nil, s.fail("read "+what, err)
	}
	return v, nil
}

// findByID reads the document with that _id into a new T; nil, nil when
// there is none.
func findByID[T any](ctx context.Context, s *Store, coll *mongo.Collection, id, what string) (*T, error) {
	if err := s.outage.check(); err != nil {
		return nil, err
	}
	v := new(T)
	err := coll.FindOne(ctx, byID(id)).Decode(v)
	if notFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, s.fail("read "+what, err)
	}
	return v, nil
}

// findAll reads every document of coll matching filter.
func findAll[T any](ctx context.Context, s *Store, coll *mongo.Collection, filter any, opts *options.FindOptionsBuilder, what string) ([]*T, error) {
	if err := s.outage.check(); err != nil {
		return nil, err
	}
	cur, err := coll.Find(ctx, filter, opts)
	if err != nil {
		return nil, s.fail("read "+what, err)
	}
	var out []*T
	if err := cur.All(ctx, &out); err != nil {
		return nil, s.fail("read "+what, err)
	}
	return out, nil
}

// upsert is the option of a replace that inserts when nothing matches.
func upsert() *options.ReplaceOptionsBuilder { return options.Replace().SetUpsert(true) }
