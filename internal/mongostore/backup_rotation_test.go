package mongostore

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// TestRotatingBackupsKeepTheNewest: backups into a directory keep the
// newest n, whole, and clear away what a backup cut short left.
func TestRotatingBackupsKeepTheNewest(t *testing.T) {
	s, _ := loadedForBackup(t, 3)
	dir := t.TempDir()
	cut := filepath.Join(dir, "exchangeeval-20260101-000000.000.tar.gz.partial")
	if err := os.WriteFile(cut, []byte("cut short"), 0o600); err != nil {
		t.Fatal(err)
	}
	var made []string
	for range 4 {
		out, err := s.BackupInto(context.Background(), dir, 2, "test")
		if err != nil {
			t.Fatal(err)
		}
		made = append(made, out)
	}
	entries, _ := os.ReadDir(dir)
	var left []string
	for _, e := range entries {
		left = append(left, filepath.Join(dir, e.Name()))
	}
	if len(left) != 2 || left[0] != made[2] || left[1] != made[3] {
		t.Errorf("left %q, want the newest two of %q", left, made)
	}
	if _, err := readBackup(made[3], nil); err != nil {
		t.Errorf("the newest backup: %v", err)
	}
}
