//go:build unix

package mongostore

import (
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"
)

// dirLock is an exclusive advisory lock on a file in the data directory. The
// kernel releases it when the process dies, so a crash never leaves a stale
// lock behind.
type dirLock struct{ f *os.File }

// lockDir takes the lock at path. When another process holds it, it returns
// a nil lock and what the holder wrote in the file; when it takes it, what
// the last holder left there: nothing after a clean stop (release empties
// the file), its record after a crash, a kill -9, or in a copy of a data
// dir taken while it ran.
func lockDir(path string) (*dirLock, lockInfo, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, lockInfo{}, fmt.Errorf("open lock %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		defer f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			b, _ := io.ReadAll(f)
			return nil, parseLockInfo(string(b)), nil
		}
		return nil, lockInfo{}, fmt.Errorf("lock %s: %w", path, err)
	}
	b, _ := io.ReadAll(f)
	return &dirLock{f: f}, parseLockInfo(string(b)), nil
}

func (l *dirLock) write(info lockInfo) error {
	if err := l.f.Truncate(0); err != nil {
		return err
	}
	_, err := l.f.WriteAt([]byte(info.String()), 0)
	return err
}

func (l *dirLock) release() {
	_ = l.f.Truncate(0)
	_ = syscall.Flock(int(l.f.Fd()), syscall.LOCK_UN)
	_ = l.f.Close()
}

// processAlive reports whether a process with that id runs on this host;
// known is whether the system could tell.
func processAlive(pid int) (alive, known bool) {
	if pid <= 0 {
		return false, true
	}
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM), true
}
