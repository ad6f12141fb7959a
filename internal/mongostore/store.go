// Package mongostore is everything MongoDB: collections, indexes, queries and
// cursors, and the embedded FerretDB that stands in for a MongoDB server when
// no MONGODB_URI is given. Both are reached through the same driver code.
//
// The layout is designed for both at once (the README's notes on the store
// have the table): every document a request looks up has a natural string
// _id — the only filter the embedded store answers without reading the
// whole collection, and MongoDB's default index — and each exchange keeps
// its participants, responses, response versions and sign-offs in
// collections of its own, so that nothing about one exchange ever reads
// another's documents.
package mongostore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/x/mongo/driver/topology"

	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/metrics"
	"github.com/csci/exchangeeval/internal/seal"
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
	// Secret (EXCHANGEEVAL_SECRET, 32 bytes or more) keys the seals of the
	// personal links the store keeps. When nil the embedded store uses its
	// data dir's (see dataDirSecret), and a MongoDB given by URI is refused
	// unless it is an embedded store another process runs.
	Secret []byte
	// Wait is how long Open waits for a MongoDB that does not answer yet
	// (one starting beside the service); DefaultWait when 0.
	Wait time.Duration
}

// DefaultWait is how long Open waits for the database to answer.
const DefaultWait = 30 * time.Second

// selectionTimeout bounds how long any operation waits for a server: with
// the database down, a request fails after it with "unavailable" instead of
// hanging for the driver's default 30 s.
const selectionTimeout = 2 * time.Second

// Store is the MongoDB-backed storage of exchangeeval. It is safe for
// concurrent use.
type Store struct {
	client   *mongo.Client
	db       *mongo.Database
	embedded *embedded
	// sqlite is set on the embedded store: the index its _id look-ups
	// need, and its last-written documents.
	sqlite *sqliteTables
	log    *slog.Logger
	// shared: this Store is another database on a client it does not own.
	shared bool
	closed atomic.Bool
	outage *outage
	space  *space
	// secret is what the store's seals are made with; sealer makes them.
	secret []byte
	sealer *seal.Sealer

	locks     keyLocks
	heads     *ttlCache[int]                  // response key → newest known version number
	holders   *ttlCache[*exchange.LinkHolder] // link hash → whose it is
	exchanges *ttlCache[*exchange.Exchange]
	committed sync.Map // import batch id → true, once known committed
	prepared  sync.Map // exchange id → true, once its collections exist here
	auditDone sync.Map // audit month collection → true, once its indexes exist here
	changes   *changeMarks
	inserts   *insertBatcher
}

// Open connects to MongoDB (or starts the embedded FerretDB), waits until it
// answers, brings the data to the current layout, and repairs what a crash
// may have left half-written (see recover).
func Open(ctx context.Context, cfg Config) (*Store, error) {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	s := &Store{log: log}
	uri := cfg.URI
	secret := cfg.Secret
	if uri == "" {
		emb, err := startEmbedded(ctx, cfg.DataDir, cfg.Command, log)
		if err != nil {
			return nil, err
		}
		s.embedded = emb
		s.sqlite = newSQLiteTables(emb.dir)
		uri = emb.uri
		if secret == nil {
			secret = emb.secret
		}
	} else if secret == nil {
		found, ok := secretBeside(uri)
		if !ok {
			return nil, errNoSecret
		}
		secret = found
	}
	sealer, err := seal.New(secret)
	if err != nil {
		s.closeEmbedded()
		return nil, exchange.Errorf(exchange.EINVALID, "EXCHANGEEVAL_SECRET: %v", err)
	}
	s.secret, s.sealer = secret, sealer
	client, err := mongo.Connect(options.Client().ApplyURI(uri).
		SetServerSelectionTimeout(selectionTimeout).SetConnectTimeout(selectionTimeout))
	if err != nil {
		s.closeEmbedded()
		return nil, exchange.Errorf(exchange.EUNAVAILABLE, "cannot use MongoDB at %s: %v", redact(uri), err)
	}
	s.client = client
	s.outage = newOutage(client, log)
	s.space = &space{log: log}
	name := cfg.Database
	if name == "" {
		name = DefaultDatabase
	}
	if err := s.waitForServer(ctx, cfg.Wait, uri); err != nil {
		_ = s.Close(context.Background())
		return nil, err
	}
	if err := s.use(ctx, name); err != nil {
		_ = s.Close(context.Background())
		return nil, err
	}
	return s, nil
}

// waitForServer pings until the server answers or wait runs out.
func (s *Store) waitForServer(ctx context.Context, wait time.Duration, uri string) error {
	if wait <= 0 {
		wait = DefaultWait
	}
	deadline := time.Now().Add(wait)
	admin := s.client.Database("admin")
	for {
		err := admin.RunCommand(ctx, bson.D{{Key: "ping", Value: 1}}).Err()
		if err == nil {
			return nil
		}
		if ctx.Err() != nil || time.Now().After(deadline) {
			return exchange.Errorf(exchange.EUNAVAILABLE, "MongoDB at %s does not answer: %v", redact(uri), err)
		}
		s.log.Info("waiting for MongoDB to answer", "uri", redact(uri), "err", err)
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
}

// use points the store at a database and makes it ready: layout, indexes,
// crash repair.
func (s *Store) use(ctx context.Context, name string) error {
	s.db = s.client.Database(name)
	s.heads = newTTLCache[int](time.Hour, 200_000)
	s.holders = newTTLCache[*exchange.LinkHolder](ownerTTL, 100_000)
	s.exchanges = newTTLCache[*exchange.Exchange](exchangeTTL, 10_000)
	s.changes = newChangeMarks(s)
	// SQLite commits one transaction at a time: one writer; MongoDB
	// takes several.
	workers := 4
	if s.sqlite != nil {
		workers = 1
	}
	s.inserts = newInsertBatcher(s.log, workers)
	if err := s.migrate(ctx); err != nil {
		return err
	}
	if err := s.sealLinks(ctx); err != nil && !isFull(err) {
		return err
	} else if err != nil {
		s.space.filled()
	}
	// On a full disk the service still starts, read-only: pages and
	// reports are served, writes refused with 503 until there is room.
	// What these steps would have written is written by a later start,
	// or (a crash's half-made answer) by the next read of that answer.
	if err := s.ensureIndexes(ctx); err != nil && !isFull(err) {
		return fmt.Errorf("create indexes: %w", err)
	} else if err != nil {
		s.space.filled()
	}
	if err := s.recover(ctx); err != nil && !isFull(err) {
		return fmt.Errorf("repair after a crash: %w", err)
	} else if err != nil {
		s.space.filled()
	}
	return nil
}

// WithDatabase returns a store on another database of the same server,
// sharing this one's connection (and embedded FerretDB). Tests use it for a
// fresh database each. Closing it leaves the connection open.
func (s *Store) WithDatabase(ctx context.Context, name string) (*Store, error) {
	o := &Store{client: s.client, sqlite: s.sqlite, log: s.log, shared: true, outage: s.outage, space: s.space, secret: s.secret, sealer: s.sealer}
	if err := o.use(ctx, name); err != nil {
		return nil, err
	}
	return o, nil
}

// How long a cached answer may lag behind a change made by another process;
// this process's own changes are seen at once.
const (
	// ownerTTL: who owns a personal link. Links never move; a removed
	// participant's link stops working within this time everywhere.
	ownerTTL = 10 * time.Minute
	// exchangeTTL: an exchange's details and open waves. A wave closed from
	// another process (the command line against a running service) stops
	// taking answers within this time.
	exchangeTTL = 2 * time.Second
)

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
	if s.closed.Load() {
		return exchange.Errorf(exchange.EUNAVAILABLE, "the store is closed")
	}
	if err := s.outage.check(); err != nil {
		return err
	}
	if err := s.db.RunCommand(ctx, bson.D{{Key: "ping", Value: 1}}).Err(); err != nil {
		return s.fail("ping the database", err)
	}
	return nil
}

// Close writes what is pending, disconnects and, for the embedded store,
// stops FerretDB and releases the data-dir lock.
func (s *Store) Close(ctx context.Context) error {
	if s.closed.Swap(true) {
		return nil
	}
	if s.changes != nil {
		s.changes.close(ctx)
	}
	if s.inserts != nil {
		s.inserts.close()
	}
	if s.shared {
		return nil
	}
	s.outage.close()
	var err error
	if s.client != nil {
		err = s.client.Disconnect(ctx)
	}
	if s.sqlite != nil {
		s.sqlite.close()
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
func (s *Store) Drop(ctx context.Context) error {
	if s.sqlite != nil {
		s.sqlite.forget(s.db.Name())
	}
	return s.db.Drop(ctx)
}

// Collections that are not per exchange.
const (
	collExchanges = "exchanges"
	collLinks     = "links"
	collCounters  = "counters"
	collImports   = "imports"
	collChanges   = "changes"
	collMeta      = "meta"
)

// Per-exchange collections, named exchange.<id>.<kind>.
const (
	kindParticipants = "participants"
	kindResponses    = "responses"
	kindVersions     = "versions"
	kindSignOffs     = "signoffs"
	kindDrafts       = "drafts"
	kindMail         = "mail"
)

var exchangeKinds = []string{kindParticipants, kindResponses, kindVersions, kindSignOffs, kindDrafts, kindMail}

func collName(exchangeID, kind string) string { return "exchange." + exchangeID + "." + kind }

// coll is the collection of one kind of an exchange's documents.
func (s *Store) coll(exchangeID, kind string) *mongo.Collection {
	return s.db.Collection(collName(exchangeID, kind))
}

// prepare makes sure an exchange's collections exist and, on the embedded
// store, carry the _id index its look-ups need. Collections made by another
// process (the command line through MONGODB_URI) are indexed the first time
// this process meets the exchange.
func (s *Store) prepare(ctx context.Context, exchangeID string) error {
	if _, done := s.prepared.Load(exchangeID); done {
		return nil
	}
	// Never the collections of an exchange that does not exist.
	if _, err := s.readExchange(ctx, exchangeID); err != nil {
		return err
	}
	for _, kind := range exchangeKinds {
		err := s.db.CreateCollection(ctx, collName(exchangeID, kind))
		var ce mongo.CommandError
		if errors.As(err, &ce) && ce.Code == codeNamespaceExists {
			err = nil
		}
		if err != nil {
			return s.fail("create the collections of exchange "+exchangeID, err)
		}
	}
	if s.sqlite != nil {
		if err := s.sqlite.ensureIndexes(ctx, s.db.Name()); err != nil {
			return err
		}
	}
	s.prepared.Store(exchangeID, true)
	return nil
}

// namedIndex is an index with its name. Every index is named: FerretDB
// mis-names unnamed compound indexes created together, and explicit names
// stay stable across servers.
type namedIndex struct {
	name  string
	model mongo.IndexModel
}

func ascending(name string, keys ...string) namedIndex {
	d := bson.D{}
	for _, k := range keys {
		d = append(d, bson.E{Key: k, Value: 1})
	}
	return namedIndex{name, mongo.IndexModel{Keys: d, Options: options.Index().SetName(name)}}
}

// createMissingIndexes creates those of models that coll lacks, one at a
// time: FerretDB 1.24 drops the connection when asked to create an index
// that exists.
func (s *Store) createMissingIndexes(ctx context.Context, coll string, models []namedIndex) error {
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
	return nil
}

func (s *Store) ensureIndexes(ctx context.Context) error {
	// Requests find every document by _id; these serve the staff's few
	// other look-ups on MongoDB. The audit trail's months get theirs when
	// first written (auditCollection).
	indexes := map[string][]namedIndex{
		collSessions: {ascending("user", "user")},
		collTokens:   {ascending("user", "user")},
	}
	if err := s.ensureTTLIndexes(ctx); err != nil {
		return err
	}
	for coll, models := range indexes {
		if err := s.createMissingIndexes(ctx, coll, models); err != nil {
			return err
		}
	}
	for _, c := range []string{collExchanges, collLinks, collCounters, collImports, collChanges, collMeta, collUsers, collSessions, collTokens, collAttempts, collMailQueue, collMailClaims, collInstruments} {
		err := s.db.CreateCollection(ctx, c)
		var ce mongo.CommandError
		if err != nil && !(errors.As(err, &ce) && ce.Code == codeNamespaceExists) {
			return fmt.Errorf("create collection %s: %w", c, err)
		}
	}
	if s.sqlite != nil {
		return s.sqlite.ensureIndexes(ctx, s.db.Name())
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
		{collResets, "expires_at_ttl", "expires_at"},
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

// Server error codes the store acts on.
const (
	codeNotImplemented  = 238
	codeNamespaceExists = 48
)

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

// unreachable reports whether err says the database could not be reached:
// no server within the selection timeout, or a connection that broke.
func unreachable(err error) bool {
	var sse topology.ServerSelectionError
	return errors.As(err, &sse) ||
		mongo.IsNetworkError(err) || mongo.IsTimeout(err)
}

// errUnreachable is what users are told when the database does not answer.
const errUnreachable = "The database does not answer at the moment; nothing was lost. Try again in a minute."

// fail wraps err with what was being done; a database that cannot be
// reached becomes an "unavailable" error, which the service answers with
// 503 and Retry-After rather than as an internal error.
func (s *Store) fail(what string, err error) error {
	if err == nil {
		return nil
	}
	var e *exchange.Error
	if errors.As(err, &e) {
		return err
	}
	if errors.Is(err, context.Canceled) {
		// The caller gave up (a client went away): nothing is wrong
		// with the database.
		return fmt.Errorf("%s: %w", what, err)
	}
	if isFull(err) {
		metrics.StoreError("full")
		s.space.filled()
		return fullError(what, err)
	}
	if unreachable(err) {
		metrics.StoreError("unreachable")
		s.outage.begin(s)
		return &exchange.Error{Code: exchange.EUNAVAILABLE, Message: errUnreachable, Cause: fmt.Errorf("%s: %w", what, err)}
	}
	metrics.StoreError("other")
	return fmt.Errorf("%s: %w", what, err)
}

// DatabaseName is the name of the database the store uses.
func (s *Store) DatabaseName() string { return s.db.Name() }

// CollectionSizes counts the documents in each of an exchange's collections,
// by kind: participants, responses, versions, signoffs, drafts.
func (s *Store) CollectionSizes(ctx context.Context, exchangeID string) (map[string]int, error) {
	out := map[string]int{}
	for _, kind := range exchangeKinds {
		n, err := s.coll(exchangeID, kind).CountDocuments(ctx, bson.D{})
		if err != nil {
			return nil, s.fail("count the "+kind+" of "+exchangeID, err)
		}
		out[kind] = int(n)
	}
	return out, nil
}

// QueryPlan is SQLite's plan for finding a document of coll by _id, on the
// embedded store: what the tests check the index by.
func (s *Store) QueryPlan(ctx context.Context, coll string) (string, error) {
	if s.sqlite == nil {
		return "", fmt.Errorf("query plans are read from the embedded store only")
	}
	return s.sqlite.queryPlan(ctx, s.db.Name(), coll)
}

// maintainEvery is how often a running service looks after the store.
const maintainEvery = 30 * time.Second

// Maintain looks after the store while a service runs, until ctx ends:
// it gives the embedded store's new tables (made by another process
// through the store's address) the index their look-ups need, and rolls
// back or finishes imports whose process has died.
func (s *Store) Maintain(ctx context.Context) {
	t := time.NewTicker(maintainEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if s.sqlite != nil {
			if err := s.sqlite.ensureIndexes(ctx, s.db.Name()); err != nil && ctx.Err() == nil {
				s.log.Warn("index the embedded store's new tables", "err", err)
			}
		}
		if err := s.recoverImports(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("recover abandoned imports", "err", err)
		}
	}
}
