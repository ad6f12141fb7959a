// Package mongostore is everything MongoDB: collections, indexes, queries and
// cursors, and the embedded FerretDB that stands in for a MongoDB server when
// no MONGODB_URI is given. Both are reached through the same driver code.
package mongostore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/csci/exchangeeval/internal/exchange"
)

// DefaultDatabase is the database used when Config.Database is empty.
const DefaultDatabase = "exchangeeval"

// Config says which MongoDB to use.
type Config struct {
	// URI of a MongoDB server or replica set. When empty, an embedded
	// FerretDB is started over the SQLite files in DataDir.
	URI string
	// DataDir holds the embedded store's files and lock.
	DataDir string
	// Database name; DefaultDatabase when empty.
	Database string
	// Command names the process in the data-dir lock, for the message a
	// second process gets.
	Command string
	Logger  *slog.Logger
}

// Store is the MongoDB-backed storage of exchangeeval.
type Store struct {
	client   *mongo.Client
	db       *mongo.Database
	embedded *embedded
	log      *slog.Logger
}

// Open connects to MongoDB (or starts the embedded FerretDB), checks that it
// answers, and creates the indexes.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	s := &Store{log: log}
	uri := cfg.URI
	if uri == "" {
		emb, err := startEmbedded(ctx, cfg.DataDir, cfg.Command, log)
		if err != nil {
			return nil, err
		}
		s.embedded = emb
		uri = emb.uri
	}
	client, err := mongo.Connect(options.Client().ApplyURI(uri).SetServerSelectionTimeout(10 * time.Second))
	if err != nil {
		s.closeEmbedded()
		return nil, exchange.Errorf(exchange.EUNAVAILABLE, "cannot use MongoDB at %s: %v", redact(uri), err)
	}
	s.client = client
	name := cfg.Database
	if name == "" {
		name = DefaultDatabase
	}
	s.db = client.Database(name)
	if err := s.Ping(ctx); err != nil {
		_ = s.Close(context.Background())
		return nil, exchange.Errorf(exchange.EUNAVAILABLE, "MongoDB at %s does not answer: %v", redact(uri), err)
	}
	if err := s.ensureIndexes(ctx); err != nil {
		_ = s.Close(context.Background())
		return nil, fmt.Errorf("create indexes: %w", err)
	}
	return s, nil
}

// Embedded reports whether the store runs on the embedded FerretDB, and the
// URI at which other processes can reach it while this one runs.
func (s *Store) Embedded() (string, bool) {
	if s.embedded == nil {
		return "", false
	}
	return s.embedded.uri, true
}

// Ping checks that the database answers; it backs the readiness probe.
func (s *Store) Ping(ctx context.Context) error {
	return s.db.RunCommand(ctx, bson.D{{Key: "ping", Value: 1}}).Err()
}

// Close disconnects and, for the embedded store, stops FerretDB and releases
// the data-dir lock.
func (s *Store) Close(ctx context.Context) error {
	var err error
	if s.client != nil {
		err = s.client.Disconnect(ctx)
	}
	s.closeEmbedded()
	return err
}

func (s *Store) closeEmbedded() {
	if s.embedded != nil {
		s.embedded.stop()
		s.embedded = nil
	}
}

// Drop removes the whole database. Tests use it to leave nothing behind.
func (s *Store) Drop(ctx context.Context) error { return s.db.Drop(ctx) }

const (
	collExchanges    = "exchanges"
	collParticipants = "participants"
	collResponses    = "responses"
	collVersions     = "response_versions"
	collCounters     = "counters"
)

func (s *Store) ensureIndexes(ctx context.Context) error {
	// Every index is named: FerretDB mis-names unnamed compound indexes
	// created together, and explicit names stay stable across servers.
	type namedIndex struct {
		name  string
		model mongo.IndexModel
	}
	index := func(name string, unique bool, keys ...string) namedIndex {
		d := bson.D{}
		for _, k := range keys {
			d = append(d, bson.E{Key: k, Value: 1})
		}
		return namedIndex{name, mongo.IndexModel{Keys: d, Options: options.Index().SetName(name).SetUnique(unique)}}
	}
	indexes := map[string][]namedIndex{
		collParticipants: {
			index("exchange_email", true, "exchange", "email"),
			index("exchange_pid", true, "exchange", "pid"),
			index("token", true, "token"),
		},
		collResponses: {
			// One response per participant and wave: the unique index, not
			// application code, is what makes a double submission safe.
			index("exchange_participant_wave", true, "exchange", "participant", "wave"),
			index("exchange_wave", false, "exchange", "wave"),
		},
		collVersions: {
			index("exchange_participant_wave", false, "exchange", "participant", "wave"),
		},
		collSessions: {index("user", false, "user")},
		collTokens:   {index("user", false, "user")},
		collAttempts: {index("key_at", false, "key", "at")},
		collAudit:    {index("at", false, "at")},
		collSignOffs: {index("exchange_at", false, "exchange", "at")},
	}
	if err := s.ensureTTLIndexes(ctx); err != nil {
		return err
	}
	for coll, models := range indexes {
		// Only missing indexes are created, one at a time: FerretDB 1.24
		// drops the connection when asked to create an index that exists.
		specs, err := s.db.Collection(coll).Indexes().ListSpecifications(ctx)
		if err != nil {
			return fmt.Errorf("list indexes of %s: %w", coll, err)
		}
		have := map[string]bool{}
		for _, sp := range specs {
			have[sp.Name] = true
		}
		for _, m := range models {
			if have[m.name] {
				continue
			}
			if _, err := s.db.Collection(coll).Indexes().CreateOne(ctx, m.model); err != nil {
				return fmt.Errorf("create index %s on %s: %w", m.name, coll, err)
			}
		}
	}
	return nil
}

// ensureTTLIndexes lets MongoDB delete expired sessions and old sign-in
// failures itself. FerretDB has no TTL indexes (it answers NotImplemented);
// there, expiry is enforced when a session is read and old records are
// cleaned at each sign-in, which is also what makes it safe everywhere.
func (s *Store) ensureTTLIndexes(ctx context.Context) error {
	ttl := []struct{ coll, name, key string }{
		{collSessions, "expires_at_ttl", "expires_at"},
		{collAttempts, "at_ttl", "at"},
	}
	for _, t := range ttl {
		specs, err := s.db.Collection(t.coll).Indexes().ListSpecifications(ctx)
		if err != nil {
			return fmt.Errorf("list indexes of %s: %w", t.coll, err)
		}
		exists := false
		for _, sp := range specs {
			exists = exists || sp.Name == t.name
		}
		if exists {
			continue
		}
		// Sessions expire at expires_at; failures are kept a day.
		after := int32(0)
		if t.coll == collAttempts {
			after = 24 * 3600
		}
		_, err = s.db.Collection(t.coll).Indexes().CreateOne(ctx, mongo.IndexModel{Keys: bson.D{{Key: t.key, Value: 1}},
			Options: options.Index().SetName(t.name).SetExpireAfterSeconds(after)})
		var ce mongo.CommandError
		if errors.As(err, &ce) && ce.Code == codeNotImplemented {
			s.log.Debug("the store has no TTL indexes; expiry is enforced on read", "collection", t.coll)
			continue
		}
		if err != nil {
			return fmt.Errorf("create TTL index on %s: %w", t.coll, err)
		}
	}
	return nil
}

// codeNotImplemented is the server's error code for a feature it lacks.
const codeNotImplemented = 238

// redact hides a password in a URI before it is shown or logged.
func redact(uri string) string {
	opts := options.Client().ApplyURI(uri)
	if opts.Auth != nil && opts.Auth.Password != "" {
		return "(the configured MONGODB_URI)"
	}
	return uri
}

func isDuplicate(err error) bool { return mongo.IsDuplicateKeyError(err) }

func notFound(err error) bool { return errors.Is(err, mongo.ErrNoDocuments) }
