// Package storetest gives tests a real store: the embedded FerretDB started
// once per test binary, or the MongoDB named by MONGODB_URI, with a fresh
// database for every test. There is no mock of MongoDB.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/csci/exchangeeval/internal/mongostore"
)

// server is the store every test's database is opened on: it owns the
// connection (and the embedded FerretDB with its SQLite indexes).
var server *mongostore.Store

// Main starts the shared server, runs the tests and stops it. Call it from
// TestMain: os.Exit(storetest.Main(m)).
func Main(m *testing.M) int {
	cfg := mongostore.Config{URI: os.Getenv("MONGODB_URI"), Database: "storetest", Command: "go test", Secret: Secret}
	if cfg.URI == "" {
		dir, err := os.MkdirTemp("", "exchangeeval-test-")
		if err != nil {
			fmt.Fprintln(os.Stderr, "storetest:", err)
			return 1
		}
		defer os.RemoveAll(dir)
		cfg.DataDir = dir
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	s, err := mongostore.Open(ctx, cfg)
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, "storetest: open the store:", err)
		return 1
	}
	defer s.Close(context.Background())
	server = s
	return m.Run()
}

// Secret is what the tests' stores seal personal links with, fixed so
// that a test can reach a database through another process or another
// Store; SecretHex is it as EXCHANGEEVAL_SECRET is written.
var Secret = []byte("exchangeeval tests only, never a real secret")[:32]

// SecretHex is Secret as 64 hexadecimal digits.
func SecretHex() string { return hex.EncodeToString(Secret) }

// URI is the address of the shared server.
func URI() string {
	if uri, ok := server.Embedded(); ok {
		return uri
	}
	return os.Getenv("MONGODB_URI")
}

// Open returns a store on a fresh database that is dropped when the test
// ends.
func Open(tb testing.TB) *mongostore.Store {
	tb.Helper()
	if server == nil {
		tb.Fatal("storetest.Open needs storetest.Main in TestMain")
	}
	s, err := server.WithDatabase(context.Background(), NewDatabaseName())
	if err != nil {
		tb.Fatalf("open store: %v", err)
	}
	tb.Cleanup(func() {
		ctx := context.Background()
		_ = s.Close(ctx)
		_ = s.Drop(ctx)
	})
	return s
}

// NewDatabaseName returns a database name no other test uses.
func NewDatabaseName() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return "t" + hex.EncodeToString(b)
}

// Reopen returns another store on the same database as s, as a second
// process would have: its own caches and locks, the same documents.
func Reopen(tb testing.TB, s *mongostore.Store) *mongostore.Store {
	tb.Helper()
	o, err := server.WithDatabase(context.Background(), s.DatabaseName())
	if err != nil {
		tb.Fatalf("reopen store: %v", err)
	}
	tb.Cleanup(func() { _ = o.Close(context.Background()) })
	return o
}
