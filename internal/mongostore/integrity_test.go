package mongostore

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/csci/exchangeeval/internal/exchange"
)

// TestADamagedStoreIsRefused: an embedded store whose SQLite file is
// damaged — as a copy taken while it was written can be — is refused at
// start with what to do, never served; the same store undamaged opens.
func TestADamagedStoreIsRefused(t *testing.T) {
	if os.Getenv("MONGODB_URI") != "" {
		t.Skip("MONGODB_URI is set: the embedded store's files are unavailable to damage")
	}
	ctx := context.Background()
	dir := t.TempDir()
	cfg := Config{Database: "damaged", DataDir: dir, Secret: testSecret}
	s, err := Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	createExchange(t, s)
	for i := range 300 {
		if _, err := s.SaveResponse(ctx, submission("P0001", i%5+1)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}
	// Opened again, whole: it serves.
	s, err = Open(ctx, cfg)
	if err != nil {
		t.Fatalf("the store, undamaged: %v", err)
	}
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}

	// A page in the middle overwritten, as a torn copy leaves it.
	path := filepath.Join(dir, "damaged.sqlite")
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	fi, _ := f.Stat()
	t.Logf("%s: %d bytes", path, fi.Size())
	for page := fi.Size() / 4096 / 2 * 4096; page < fi.Size()*3/4; page += 4096 {
		if _, err := f.WriteAt([]byte(strings.Repeat("\xff", 16)), page); err != nil {
			t.Fatal(err)
		}
	}
	f.Close()
	_, err = Open(ctx, cfg)
	if err == nil {
		t.Fatal("a damaged store was opened")
	}
	if msg := err.Error(); !strings.Contains(msg, "damaged.sqlite is damaged (SQLite's quick_check: ") || !strings.Contains(msg, "a copy of the data directory taken while the service was stopped") || exchange.ErrorCode(err) != exchange.EUNAVAILABLE {
		t.Errorf("the refusal: %v (%s)", err, exchange.ErrorCode(err))
	}
	// After a stop that was not clean — the lock file keeps the last
	// holder's record — the files get the full check.
	if err := os.WriteFile(filepath.Join(dir, lockName), []byte("pid=4242\ncommand=serve\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(ctx, cfg); err == nil || !strings.Contains(err.Error(), "(SQLite's integrity_check: ") {
		t.Errorf("after an unclean stop: %v", err)
	}
}

// BenchmarkStartupCheck checks the files of an embedded store of 10 000
// participants × 3 waves, as a start after a clean stop does
// (quick_check) and one after a crash (integrity_check):
//
//	go test ./internal/mongostore -run '^$' -bench StartupCheck -benchtime 3x
func BenchmarkStartupCheck(b *testing.B) {
	if os.Getenv("MONGODB_URI") != "" {
		b.Skip("MONGODB_URI is set: there are no embedded store files to check")
	}
	s, _, _ := loadedStore(b, "bench_check", 10_000)
	dir := s.embedded.dir
	var size int64
	files, _ := filepath.Glob(filepath.Join(dir, "*.sqlite"))
	for _, f := range files {
		if fi, err := os.Stat(f); err == nil {
			size += fi.Size()
		}
	}
	b.Logf("%.1f MiB of SQLite files", float64(size)/(1<<20))
	for _, full := range []bool{false, true} {
		b.Run(map[bool]string{false: "quick_check", true: "integrity_check"}[full], func(b *testing.B) {
			for b.Loop() {
				if err := checkFiles(context.Background(), dir, full); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
