package mongostore_test

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/csci/exchangeeval/internal/mongostore"
)

// TestTheEmbeddedStoreIsPrivate: the embedded store listens on a Unix
// socket in a directory only its user may enter — never on a TCP port any
// local user reaches — and a data dir left open by an older release is
// closed. A data dir whose path is too long for a socket still works, its
// socket in a private temporary directory.
func TestTheEmbeddedStoreIsPrivate(t *testing.T) {
	ctx := context.Background()
	short := filepath.Join(t.TempDir(), "data")
	long := filepath.Join(t.TempDir(), strings.Repeat("a-very-long-folder-name/", 5), "data")
	for _, dir := range []string{short, long} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		s, err := mongostore.Open(ctx, mongostore.Config{DataDir: dir})
		if err != nil {
			t.Fatal(err)
		}
		uri, _ := s.Embedded()
		host := strings.TrimSuffix(strings.TrimPrefix(uri, "mongodb://"), "/")
		sock, err := url.PathUnescape(host)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(sock, "/") || strings.Contains(uri, "127.0.0.1") {
			t.Errorf("%s: the store listens at %s, not on a Unix socket", dir, uri)
		}
		for _, d := range []string{dir, filepath.Dir(sock)} {
			if fi, err := os.Stat(d); err != nil || fi.Mode().Perm() != 0o700 {
				t.Errorf("%s: mode %v (%v), want 0700", d, fi.Mode().Perm(), err)
			}
		}
		if fi, err := os.Stat(sock); err != nil || fi.Mode()&os.ModeSocket == 0 {
			t.Errorf("%s: no socket at %s (%v)", dir, sock, err)
		}
		if err := s.Ping(ctx); err != nil {
			t.Error(err)
		}
		if err := s.Close(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(sock); !os.IsNotExist(err) {
			t.Errorf("%s: the socket is left after closing (%v)", dir, err)
		}
	}
}
