package mongostore

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"

	"github.com/csci/exchangeeval/internal/exchange"
)

// embedded is a FerretDB running inside this process over SQLite files.
type embedded struct {
	dir    string
	uri    string
	cancel context.CancelFunc
	done   chan struct{}
	lock   *dirLock
	// secret is the data dir's (see dataDirSecret).
	secret []byte
}

const (
	lockName = "exchangeeval.lock"
	// socketName is the embedded store's Unix socket; maxSocketPath the
	// longest path of one that every system takes.
	socketName    = "store.sock"
	maxSocketPath = 100
)

// startEmbedded locks dataDir, starts FerretDB on a Unix socket in it and
// records the socket's URI in the lock file, so a second process is told
// where to connect.
func startEmbedded(ctx context.Context, dataDir, command string, log *slog.Logger) (*embedded, error) {
	if dataDir == "" {
		dataDir = "data"
	}
	abs, err := filepath.Abs(dataDir)
	if err != nil {
		return nil, fmt.Errorf("data dir %s: %w", dataDir, err)
	}
	if err := os.MkdirAll(abs, 0o700); err != nil {
		return nil, exchange.Errorf(exchange.EUNAVAILABLE, "cannot create data directory %s: %v", abs, err)
	}
	// The store's files and its socket are this user's alone: a data dir
	// made by an older release, or by hand, is closed to others now.
	if fi, err := os.Stat(abs); err == nil && fi.Mode().Perm() != 0o700 {
		if err := os.Chmod(abs, 0o700); err != nil {
			return nil, exchange.Errorf(exchange.EUNAVAILABLE, "cannot make data directory %s private (mode 0700): %v", abs, err)
		}
		log.Warn("the data directory was open to other users; it is now private to this one (mode 0700)", "data_dir", abs, "was", fi.Mode().Perm().String())
	}
	lock, holder, err := lockDir(filepath.Join(abs, lockName))
	if err != nil {
		return nil, err
	}
	if lock == nil {
		return nil, inUse(abs, holder)
	}
	// The last process did not stop cleanly (or the dir was copied while
	// it ran): its files get the full check, otherwise the quick one.
	if err := checkFiles(ctx, abs, holder.PID != 0); err != nil {
		lock.release()
		return nil, err
	}
	secret, err := dataDirSecret(abs)
	if err != nil {
		lock.release()
		return nil, err
	}
	// FerretDB logs every failed command at WARN with the whole wire message;
	// our own code reports what matters, so only its errors are let through.
	fdbLog := slog.New(log.Handler()).With("component", "ferretdb")
	start := func(sock string) (*ferretdb.FerretDB, error) {
		return ferretdb.New(&ferretdb.Config{
			Listener:  ferretdb.ListenerConfig{Unix: sock},
			Handler:   "sqlite",
			SQLiteURL: "file:" + abs + "/",
			Logger:    slog.New(levelFilter{fdbLog.Handler(), slog.LevelError}),
		})
	}
	sock, cleanup, err := socketPath(abs)
	if err != nil {
		lock.release()
		return nil, exchange.Errorf(exchange.EUNAVAILABLE, "cannot start the embedded store in %s: %v", abs, err)
	}
	f, err := start(sock)
	if err != nil {
		cleanup()
		lock.release()
		return nil, exchange.Errorf(exchange.EUNAVAILABLE, "cannot start the embedded store in %s: %v", abs, err)
	}
	runCtx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer cleanup()
		_ = f.Run(runCtx)
	}()
	uri := f.MongoDBURI()
	if err := lock.write(lockInfo{PID: os.Getpid(), URI: uri, Command: command, Started: time.Now().UTC()}); err != nil {
		log.Warn("could not record the embedded store's address in the lock file", "err", err)
	}
	log.Info("embedded store started", "data_dir", abs, "uri", uri)
	return &embedded{dir: abs, uri: uri, cancel: cancel, done: done, lock: lock, secret: secret}, nil
}

// socketPath is where the embedded store listens: a Unix socket in the data
// dir, whose mode 0700 keeps every other local user out (a TCP port on
// 127.0.0.1 let any of them read and change everything). A data dir whose
// path is too long for a socket (the system allows about 100 bytes) gets
// one in a private temporary directory instead, removed by cleanup.
func socketPath(dataDir string) (path string, cleanup func(), err error) {
	path = filepath.Join(dataDir, socketName)
	if len(path) <= maxSocketPath {
		_ = os.Remove(path) // left by a process that was killed: the lock is ours
		return path, func() { _ = os.Remove(path) }, nil
	}
	dir, err := os.MkdirTemp("", "exchangeeval-")
	if err != nil {
		return "", nil, err
	}
	// Commands reaching the store through the socket find its secret
	// beside it (see secretBeside).
	if err := os.Symlink(filepath.Join(dataDir, secretName), filepath.Join(dir, secretName)); err != nil {
		_ = os.RemoveAll(dir)
		return "", nil, err
	}
	return filepath.Join(dir, socketName), func() { _ = os.RemoveAll(dir) }, nil
}

func (e *embedded) stop() {
	e.cancel()
	select {
	case <-e.done:
	case <-time.After(10 * time.Second):
	}
	e.lock.release()
}

type lockInfo struct {
	PID     int
	URI     string
	Command string
	Started time.Time
}

func (l lockInfo) String() string {
	return fmt.Sprintf("pid=%d\nuri=%s\ncommand=%s\nstarted=%s\n", l.PID, l.URI, l.Command, l.Started.Format(time.RFC3339))
}

func parseLockInfo(s string) lockInfo {
	var l lockInfo
	for _, line := range strings.Split(s, "\n") {
		k, v, _ := strings.Cut(line, "=")
		switch k {
		case "pid":
			l.PID, _ = strconv.Atoi(v)
		case "uri":
			l.URI = v
		case "command":
			l.Command = v
		case "started":
			l.Started, _ = time.Parse(time.RFC3339, v)
		}
	}
	return l
}

func inUse(dir string, h lockInfo) error {
	who := "another exchangeeval process"
	if h.PID != 0 {
		who = fmt.Sprintf("exchangeeval process %d", h.PID)
		if h.Command != "" {
			who += fmt.Sprintf(" (%q, started %s)", h.Command, h.Started.Format(time.RFC3339))
		}
	}
	msg := fmt.Sprintf("the data directory %s is in use by %s; two processes must not open one embedded store. ", dir, who)
	if h.URI != "" {
		msg += fmt.Sprintf("To work on it while that process runs, point at its store: MONGODB_URI=%s exchangeeval … ; or stop it, or use another --data-dir.", h.URI)
	} else {
		msg += "Stop that process, or use another --data-dir."
	}
	return exchange.Errorf(exchange.ECONFLICT, "%s", msg)
}

// levelFilter drops records below a level.
type levelFilter struct {
	slog.Handler
	min slog.Level
}

func (h levelFilter) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.min && h.Handler.Enabled(ctx, l)
}

func (h levelFilter) WithAttrs(a []slog.Attr) slog.Handler {
	return levelFilter{h.Handler.WithAttrs(a), h.min}
}

func (h levelFilter) WithGroup(n string) slog.Handler {
	return levelFilter{h.Handler.WithGroup(n), h.min}
}
