package mongostore

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/url"
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
}

const (
	lockName = "exchangeeval.lock"
	// addressName records the port the store listened on, so it listens
	// there again after a restart: other processes pointed at it (the
	// command line, a second service) reconnect by themselves.
	addressName = "store-address"
)

// startEmbedded locks dataDir, starts FerretDB on a loopback port and records
// that port in the lock file, so a second process is told where to connect.
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
	lock, holder, err := lockDir(filepath.Join(abs, lockName))
	if err != nil {
		return nil, err
	}
	if lock == nil {
		return nil, inUse(abs, holder)
	}
	// FerretDB logs every failed command at WARN with the whole wire message;
	// our own code reports what matters, so only its errors are let through.
	fdbLog := slog.New(log.Handler()).With("component", "ferretdb")
	start := func(addr string) (*ferretdb.FerretDB, error) {
		return ferretdb.New(&ferretdb.Config{
			Listener:  ferretdb.ListenerConfig{TCP: addr},
			Handler:   "sqlite",
			SQLiteURL: "file:" + abs + "/",
			Logger:    slog.New(levelFilter{fdbLog.Handler(), slog.LevelError}),
		})
	}
	addrFile := filepath.Join(abs, addressName)
	var f *ferretdb.FerretDB
	if b, rerr := os.ReadFile(addrFile); rerr == nil {
		if prev := strings.TrimSpace(string(b)); validLoopback(prev) {
			if f, err = start(prev); err != nil {
				log.Warn("the embedded store's previous port is taken; listening on another, so processes pointed at the old address must be given the new one",
					"previous", prev, "err", err)
				f = nil
			}
		}
	}
	if f == nil {
		if f, err = start("127.0.0.1:0"); err != nil {
			lock.release()
			return nil, exchange.Errorf(exchange.EUNAVAILABLE, "cannot start the embedded store in %s: %v", abs, err)
		}
	}
	runCtx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = f.Run(runCtx)
	}()
	uri := f.MongoDBURI()
	if u, perr := url.Parse(uri); perr == nil {
		if err := os.WriteFile(addrFile, []byte(u.Host+"\n"), 0o600); err != nil {
			log.Warn("could not record the embedded store's address", "err", err)
		}
	}
	if err := lock.write(lockInfo{PID: os.Getpid(), URI: uri, Command: command, Started: time.Now().UTC()}); err != nil {
		log.Warn("could not record the embedded store's address in the lock file", "err", err)
	}
	log.Info("embedded store started", "data_dir", abs, "uri", uri)
	return &embedded{dir: abs, uri: uri, cancel: cancel, done: done, lock: lock}, nil
}

// validLoopback accepts only a loopback host and port: the address file is
// read back, and the store must never be opened to the network by it.
func validLoopback(addr string) bool {
	host, port, err := net.SplitHostPort(addr)
	if err != nil || host != "127.0.0.1" {
		return false
	}
	n, err := strconv.Atoi(port)
	return err == nil && n > 0 && n < 65536
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
