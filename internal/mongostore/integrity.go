package mongostore

import (
	"context"
	"database/sql"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/csci/exchangeeval/internal/exchange"
)

// checkFiles checks every database file of the embedded store before
// FerretDB opens it, and refuses a damaged store with what to do. A file
// copied while it was being written (cp -a of a running data dir) can miss
// index entries: a store that served it would show a delegate part of
// their history, or none, without a word. SQLite's quick_check (0.8 s for
// 10 000 delegates × 3 waves, BenchmarkStartupCheck) finds damaged pages
// but does not compare an index with its table — exactly what such a copy
// gets wrong — which integrity_check does, four times slower. So full,
// after a stop that was not clean, runs integrity_check, and a clean
// stop's files get quick_check.
func checkFiles(ctx context.Context, dir string, full bool) error {
	pragma := "quick_check"
	if full {
		pragma = "integrity_check"
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.sqlite"))
	if err != nil {
		return err
	}
	for _, path := range files {
		if problem := checkFile(ctx, path, pragma); problem != "" {
			return exchange.Errorf(exchange.EUNAVAILABLE, "the embedded store's file %s is damaged (SQLite's %s: %s), so it is not served. "+
				"Keep this data directory as it is, for an expert to look at; restore your latest backup into an empty data directory "+
				"(exchangeeval restore --data-dir NEW FILE) and start the service there, or on a copy of the data directory taken while the service was stopped", path, pragma, problem)
		}
	}
	return nil
}

// checkFile is what PRAGMA pragma (quick_check or integrity_check)
// finds wrong with the file, "" when nothing is.
func checkFile(ctx context.Context, path, pragma string) string {
	q := url.Values{"mode": {"ro"}, "_pragma": {"busy_timeout(10000)"}}
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return ""
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, "PRAGMA "+pragma+"(5)")
	if err != nil {
		return err.Error()
	}
	defer rows.Close()
	var found []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return err.Error()
		}
		if line != "ok" {
			found = append(found, line)
		}
	}
	if err := rows.Err(); err != nil {
		return err.Error()
	}
	return strings.Join(found, "; ")
}
