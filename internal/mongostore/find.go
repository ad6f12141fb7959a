package mongostore

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/csci/exchangeeval/internal/exchange"
)

// findOne reads the one document of coll matching filter. A missing
// document is the error missing (the user's words); anything else is
// wrapped with what was being read.
func findOne[T any](ctx context.Context, coll *mongo.Collection, filter any, what string, missing *exchange.Error) (*T, error) {
	v := new(T)
	err := coll.FindOne(ctx, filter).Decode(v)
	if notFound(err) {
		return nil, missing
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", what, err)
	}
	return v, nil
}

// findAll reads every document of coll matching filter.
func findAll[T any](ctx context.Context, coll *mongo.Collection, filter any, opts *options.FindOptionsBuilder, what string) ([]*T, error) {
	cur, err := coll.Find(ctx, filter, opts)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", what, err)
	}
	var out []*T
	if err := cur.All(ctx, &out); err != nil {
		return nil, fmt.Errorf("read %s: %w", what, err)
	}
	return out, nil
}
