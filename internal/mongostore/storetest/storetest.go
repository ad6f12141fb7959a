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

var uri string

// Main starts the shared server, runs the tests and stops it. Call it from
// TestMain: os.Exit(storetest.Main(m)).
func Main(m *testing.M) int {
	uri = os.Getenv("MONGODB_URI")
	if uri != "" {
		return m.Run()
	}
	dir, err := os.MkdirTemp("", "exchangeeval-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "storetest:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	s, err := mongostore.Open(ctx, mongostore.Config{DataDir: dir, Database: "storetest", Command: "go test"})
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, "storetest: start embedded store:", err)
		return 1
	}
	defer s.Close(context.Background())
	uri, _ = s.Embedded()
	return m.Run()
}

// URI is the address of the shared server.
func URI() string { return uri }

// Open returns a store on a fresh database that is dropped when the test
// ends.
func Open(tb testing.TB) *mongostore.Store {
	tb.Helper()
	if uri == "" {
		tb.Fatal("storetest.Open needs storetest.Main in TestMain")
	}
	s, err := mongostore.Open(context.Background(), mongostore.Config{URI: uri, Database: NewDatabaseName()})
	if err != nil {
		tb.Fatalf("open store: %v", err)
	}
	tb.Cleanup(func() {
		ctx := context.Background()
		_ = s.Drop(ctx)
		_ = s.Close(ctx)
	})
	return s
}

// NewDatabaseName returns a database name no other test uses.
func NewDatabaseName() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return "t" + hex.EncodeToString(b)
}
