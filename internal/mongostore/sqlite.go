package mongostore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	// The SQLite driver FerretDB itself runs on; registered as "sqlite".
	_ "modernc.org/sqlite"
)

// sqliteTables reaches the SQLite files under the embedded FerretDB for the
// two things FerretDB 1.24 cannot do fast, and nothing else:
//
//   - An index FerretDB's own _id look-ups can use. FerretDB pushes a filter
//     down to SQL only when it is exactly {_id: <string>}, as
//     WHERE _ferretdb_sjson->'$._id' = ?, but builds its unique _id index on
//     _ferretdb_sjson->"_id", which SQLite does not take for the same
//     expression: every look-up scans the table (EXPLAIN QUERY PLAN says
//     SCAN). An index on the very expression FerretDB queries makes it
//     SEARCH USING INDEX — measured 120 ms → 0.9 ms per look-up over 30 000
//     documents, and flat as the table grows. FerretDB does not list the
//     index and never needs to know about it; SQLite drops it with its table.
//   - The last documents stored in a table (by rowid, which is insertion
//     order), so that start-up can check the most recent writes without
//     reading every document: FerretDB sorts a non-capped collection only in
//     memory.
//
// Both depend on FerretDB's table layout, pinned by go.mod to v1.24; the
// tests check the query plan, so an upgrade that changes the layout fails
// them loudly rather than silently slowing every request down.
type sqliteTables struct {
	dir string

	mu      sync.Mutex
	dbs     map[string]*sql.DB // by database name
	indexed map[string]bool    // database/table names that have the index
}

func newSQLiteTables(dir string) *sqliteTables {
	return &sqliteTables{dir: dir, dbs: map[string]*sql.DB{}, indexed: map[string]bool{}}
}

// idPathExpr is the expression FerretDB's pushed-down _id filter compares.
const idPathExpr = `_ferretdb_sjson->'$._id'`

func (t *sqliteTables) db(database string) (*sql.DB, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if db, ok := t.dbs[database]; ok {
		return db, nil
	}
	// FerretDB keeps one SQLite file per database, named after it. mode=rw:
	// never create a file FerretDB has not made.
	path := filepath.Join(t.dir, database+".sqlite")
	q := url.Values{"mode": {"rw"}, "_pragma": {"busy_timeout(10000)"}}
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	db.SetMaxOpenConns(2)
	t.dbs[database] = db
	return db, nil
}

// table returns the SQLite table FerretDB keeps collection in; "" when the
// collection does not exist (yet).
func (t *sqliteTables) table(ctx context.Context, database, collection string) (string, error) {
	db, err := t.db(database)
	if err != nil {
		return "", err
	}
	var name string
	err = db.QueryRowContext(ctx, `SELECT table_name FROM _ferretdb_collections WHERE name = ?`, collection).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) || isNoSuchTable(err) || isCannotOpen(err) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("find the table of %s.%s: %w", database, collection, err)
	}
	return name, nil
}

// ensureIndexes gives every table of database the _id path index it lacks.
func (t *sqliteTables) ensureIndexes(ctx context.Context, database string) error {
	db, err := t.db(database)
	if err != nil {
		return err
	}
	rows, err := db.QueryContext(ctx, `SELECT table_name FROM _ferretdb_collections`)
	if isNoSuchTable(err) || isCannotOpen(err) {
		return nil // no collection yet
	}
	if err != nil {
		return fmt.Errorf("list the tables of %s: %w", database, err)
	}
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return err
		}
		tables = append(tables, name)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, table := range tables {
		key := database + "/" + table
		t.mu.Lock()
		done := t.indexed[key]
		t.mu.Unlock()
		if done {
			continue
		}
		q := fmt.Sprintf(`CREATE INDEX IF NOT EXISTS %s ON %s (%s)`, quoteIdent(table+"_id_path"), quoteIdent(table), idPathExpr)
		if _, err := db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("index table %s of %s: %w", table, database, err)
		}
		t.mu.Lock()
		t.indexed[key] = true
		t.mu.Unlock()
	}
	return nil
}

// forget drops what is remembered of a database's tables (after it is
// dropped, a new one may reuse the names).
func (t *sqliteTables) forget(database string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for k := range t.indexed {
		if strings.HasPrefix(k, database+"/") {
			delete(t.indexed, k)
		}
	}
	if db, ok := t.dbs[database]; ok {
		_ = db.Close()
		delete(t.dbs, database)
	}
}

// lastIDs returns the _ids of the last n documents stored in collection,
// newest first.
func (t *sqliteTables) lastIDs(ctx context.Context, database, collection string, n int) ([]string, error) {
	table, err := t.table(ctx, database, collection)
	if err != nil || table == "" {
		return nil, err
	}
	db, err := t.db(database)
	if err != nil {
		return nil, err
	}
	rows, err := db.QueryContext(ctx, fmt.Sprintf(`SELECT _ferretdb_sjson->>'$._id' FROM %s ORDER BY rowid DESC LIMIT ?`, quoteIdent(table)), n)
	if err != nil {
		return nil, fmt.Errorf("read the last documents of %s: %w", collection, err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id sql.NullString
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		if id.Valid {
			ids = append(ids, id.String)
		}
	}
	return ids, rows.Err()
}

// queryPlan is SQLite's plan for the query FerretDB runs to find a document
// of collection by _id: what the tests check.
func (t *sqliteTables) queryPlan(ctx context.Context, database, collection string) (string, error) {
	table, err := t.table(ctx, database, collection)
	if err != nil {
		return "", err
	}
	if table == "" {
		return "", fmt.Errorf("no table for %s.%s", database, collection)
	}
	db, err := t.db(database)
	if err != nil {
		return "", err
	}
	rows, err := db.QueryContext(ctx, fmt.Sprintf(`EXPLAIN QUERY PLAN SELECT _ferretdb_sjson FROM %s WHERE %s = ?`, quoteIdent(table), idPathExpr), `"x"`)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			return "", err
		}
		plan = append(plan, detail)
	}
	return strings.Join(plan, "; "), rows.Err()
}

func (t *sqliteTables) close() {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, db := range t.dbs {
		_ = db.Close()
	}
	t.dbs = map[string]*sql.DB{}
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

func isNoSuchTable(err error) bool {
	return err != nil && strings.Contains(err.Error(), "no such table")
}

func isCannotOpen(err error) bool {
	return err != nil && strings.Contains(err.Error(), "unable to open database file")
}

// intFields reads one integer field of the documents of collection with
// the given _ids, through the _id path index: map from _id to value.
func (t *sqliteTables) intFields(ctx context.Context, database, collection, field string, ids []string) (map[string]int, error) {
	out := map[string]int{}
	table, err := t.table(ctx, database, collection)
	if err != nil || table == "" {
		return out, err
	}
	db, err := t.db(database)
	if err != nil {
		return nil, err
	}
	q := fmt.Sprintf(`SELECT _ferretdb_sjson->>'$.%s' FROM %s WHERE %s = ?`, field, quoteIdent(table), idPathExpr)
	stmt, err := db.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	defer stmt.Close()
	for _, id := range ids {
		// FerretDB stores a string _id as its JSON text.
		var v sql.NullInt64
		err := stmt.QueryRowContext(ctx, strconv.Quote(id)).Scan(&v)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("read %s of %s in %s: %w", field, id, collection, err)
		}
		if v.Valid {
			out[id] = int(v.Int64)
		}
	}
	return out, nil
}

// vacuum rewrites a database's file, so that what was deleted or
// overwritten is not left readable in its free pages, and empties its
// write-ahead log, which holds the pages the rewrite wrote. A reader
// holding the log (a query under way) makes the checkpoint wait; it is
// tried again for a while.
func (t *sqliteTables) vacuum(ctx context.Context, database string) error {
	db, err := t.db(database)
	if err != nil {
		return err
	}
	if _, err := db.ExecContext(ctx, `VACUUM`); err != nil {
		return fmt.Errorf("VACUUM %s: %w", database, err)
	}
	for try := 0; ; try++ {
		var busy, logPages, moved int
		err := db.QueryRowContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &logPages, &moved)
		if err != nil {
			return fmt.Errorf("checkpoint %s: %w", database, err)
		}
		if busy == 0 {
			return nil
		}
		if try == 50 {
			return fmt.Errorf("checkpoint %s: the write-ahead log is still in use", database)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}
