package mongostore

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/csci/exchangeeval/internal/exchange"
)

// Rotating backups, as serve --backup-every takes them: named by the time
// they were begun, so they sort in that order, and the newest keep kept.

const rotationPrefix, rotationSuffix = "exchangeeval-", ".tar.gz"

// BackupInto writes a backup into dir, then removes all but the newest
// keep backups there (and what backups cut short left). It returns the
// new backup's path.
func (s *Store) BackupInto(ctx context.Context, dir string, keep int, software string) (string, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", exchange.Errorf(exchange.EINVALID, "backup directory %s: %v", dir, err)
	}
	out := filepath.Join(dir, rotationPrefix+time.Now().UTC().Format("20060102-150405.000")+rotationSuffix)
	if _, err := s.Backup(ctx, out, software, nil); err != nil {
		return "", err
	}
	return out, pruneBackups(dir, keep)
}

// pruneBackups removes all but the newest keep rotating backups in dir,
// and the partial files of backups cut short.
func pruneBackups(dir string, keep int) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	var whole []string
	for _, e := range entries {
		name := e.Name()
		switch {
		case !strings.HasPrefix(name, rotationPrefix):
		case strings.HasSuffix(name, rotationSuffix+".partial"):
			if err := os.Remove(filepath.Join(dir, name)); err != nil {
				return err
			}
		case strings.HasSuffix(name, rotationSuffix):
			whole = append(whole, name)
		}
	}
	slices.Sort(whole)
	for len(whole) > max(keep, 1) {
		if err := os.Remove(filepath.Join(dir, whole[0])); err != nil {
			return err
		}
		whole = whole[1:]
	}
	return nil
}
