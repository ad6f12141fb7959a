package mongostore

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/csci/exchangeeval/internal/exchange"
)

// A backup is the whole database — every collection: exchanges,
// participants, answers and their history, instruments, accounts, the
// audit trail, the mail queue — as one gzip-compressed tar in mongodump's
// directory layout:
//
//	dump/<database>/<collection>.bson   the documents, BSON, one after another
//	dump/exchangeeval-backup.json       the manifest, last: format, database,
//	                                    when, and each collection's document
//	                                    count, size and SHA-256
//
// so `tar xzf F` gives a directory `mongorestore --dir dump` reads, and
// Restore reads it back into the embedded store or any MongoDB. It is
// written beside its name as NAME.partial and renamed only when whole: a
// backup cut short (kill -9, a full disk) leaves no file that looks
// complete.

// BackupFormat is the version of the layout above.
const BackupFormat = 1

// BackupManifest describes a backup.
type BackupManifest struct {
	Format      int                `json:"format"`
	Software    string             `json:"software"`
	Database    string             `json:"database"`
	Created     time.Time          `json:"created"`
	Collections []BackupCollection `json:"collections"`
	// Reapplied counts the erasures a restore applied again: made in the
	// database it replaced after the backup was taken. Not in the archive.
	Reapplied int `json:"-"`
}

// BackupCollection is one collection of a backup.
type BackupCollection struct {
	Name      string `json:"name"`
	Documents int64  `json:"documents"`
	Bytes     int64  `json:"bytes"`
	SHA256    string `json:"sha256"`
}

const (
	dumpDir      = "dump"
	manifestName = "exchangeeval-backup.json"
	// restoringColl marks a restore under way: one cut short is run
	// again without --drop.
	restoringColl = "restoring"
)

// Progress is told, as a backup or restore goes, the collection it is at
// and how many of how many collections are done.
type Progress func(collection string, done, total int)

// Backup writes the whole database to the file at out while the service
// goes on. Each exchange's current answers are read before their history,
// so every current answer finds its version in the backup; a version
// stored meanwhile without its current answers is made current when the
// restored store opens, as after a crash.
func (s *Store) Backup(ctx context.Context, out, software string, progress Progress) (*BackupManifest, error) {
	names, err := s.db.ListCollectionNames(ctx, bson.D{})
	if err != nil {
		return nil, s.fail("list collections", err)
	}
	names = slices.DeleteFunc(names, func(n string) bool { return strings.HasPrefix(n, "system.") || n == restoringColl })
	slices.SortStableFunc(names, func(a, b string) int {
		av, bv := strings.HasSuffix(a, "."+kindVersions), strings.HasSuffix(b, "."+kindVersions)
		switch {
		case av == bv:
			return strings.Compare(a, b)
		case av:
			return 1
		}
		return -1
	})
	partial := out + ".partial"
	f, err := os.OpenFile(partial, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, exchange.Errorf(exchange.EINVALID, "cannot write the backup: %v", err)
	}
	done := false
	defer func() {
		if !done {
			f.Close()
			os.Remove(partial)
		}
	}()
	gz := gzip.NewWriter(f)
	tw := tar.NewWriter(gz)
	m := &BackupManifest{Format: BackupFormat, Software: software, Database: s.db.Name(), Created: time.Now().UTC()}
	scratch, err := os.CreateTemp(filepath.Dir(out), ".exchangeeval-backup-*")
	if err != nil {
		return nil, exchange.Errorf(exchange.EINVALID, "cannot write the backup: %v", err)
	}
	defer func() { scratch.Close(); os.Remove(scratch.Name()) }()
	for i, name := range names {
		if progress != nil {
			progress(name, i, len(names))
		}
		c, err := s.dumpCollection(ctx, name, scratch)
		if err != nil {
			return nil, err
		}
		if err := addFile(tw, path.Join(dumpDir, m.Database, name+".bson"), scratch, c.Bytes); err != nil {
			return nil, exchange.Errorf(exchange.EINVALID, "cannot write the backup: %v", err)
		}
		m.Collections = append(m.Collections, c)
	}
	manifest, _ := json.MarshalIndent(m, "", "  ")
	err = tw.WriteHeader(&tar.Header{Name: path.Join(dumpDir, manifestName), Mode: 0o600, Size: int64(len(manifest)), ModTime: m.Created})
	if err == nil {
		_, err = tw.Write(manifest)
	}
	if err == nil {
		err = errors.Join(tw.Close(), gz.Close(), f.Sync(), f.Close())
	}
	if err == nil {
		err = os.Rename(partial, out)
	}
	if err != nil {
		return nil, exchange.Errorf(exchange.EINVALID, "cannot write the backup: %v", err)
	}
	done = true
	if progress != nil {
		progress("", len(names), len(names))
	}
	return m, nil
}

// dumpCollection writes a collection's documents into scratch (emptied
// first), counting and hashing them.
func (s *Store) dumpCollection(ctx context.Context, name string, scratch *os.File) (BackupCollection, error) {
	c := BackupCollection{Name: name}
	if err := scratch.Truncate(0); err != nil {
		return c, err
	}
	if _, err := scratch.Seek(0, io.SeekStart); err != nil {
		return c, err
	}
	h := sha256.New()
	w := io.MultiWriter(scratch, h)
	cur, err := s.db.Collection(name).Find(ctx, bson.D{})
	if err != nil {
		return c, s.fail("read "+name, err)
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		n, err := w.Write(cur.Current)
		if err != nil {
			return c, exchange.Errorf(exchange.EINVALID, "cannot write the backup: %v", err)
		}
		c.Documents++
		c.Bytes += int64(n)
	}
	if err := cur.Err(); err != nil {
		return c, s.fail("read "+name, err)
	}
	c.SHA256 = hex.EncodeToString(h.Sum(nil))
	_, err = scratch.Seek(0, io.SeekStart)
	return c, err
}

func addFile(tw *tar.Writer, name string, r io.Reader, size int64) error {
	if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o600, Size: size, ModTime: time.Now().UTC()}); err != nil {
		return err
	}
	_, err := io.CopyN(tw, r, size)
	return err
}

// maxBackupDocument bounds one document read from a backup: MongoDB's own
// limit, 16 MiB.
const maxBackupDocument = 16 << 20

// readBackup walks a backup, giving each collection's documents to each
// (which may be nil) and checking them against the manifest at the end:
// counts, sizes and SHA-256. Any difference, or anything that is not a
// backup, is an error naming it.
func readBackup(file string, each func(coll string, doc bson.Raw) error) (*BackupManifest, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, exchange.Errorf(exchange.ENOTFOUND, "cannot read the backup: %v", err)
	}
	defer f.Close()
	bad := func(format string, args ...any) error {
		return exchange.Errorf(exchange.EINVALID, "%s is not a whole exchangeeval backup: "+format, append([]any{file}, args...)...)
	}
	gz, err := gzip.NewReader(f)
	if err != nil {
		return nil, bad("%v", err)
	}
	tr := tar.NewReader(gz)
	seen := map[string]BackupCollection{}
	var m *BackupManifest
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, bad("%v", err)
		}
		if hdr.Name == path.Join(dumpDir, manifestName) {
			m = &BackupManifest{}
			if err := json.NewDecoder(io.LimitReader(tr, 1<<20)).Decode(m); err != nil {
				return nil, bad("its manifest: %v", err)
			}
			continue
		}
		dir, base := path.Split(hdr.Name)
		coll, ok := strings.CutSuffix(base, ".bson")
		if !ok || !strings.HasPrefix(dir, dumpDir+"/") {
			return nil, bad("it holds %s", hdr.Name)
		}
		c := BackupCollection{Name: coll}
		h := sha256.New()
		if err := readDocuments(tr, h, func(doc bson.Raw) error {
			c.Documents++
			c.Bytes += int64(len(doc))
			if each != nil {
				return each(coll, doc)
			}
			return nil
		}); err != nil {
			var e *exchange.Error
			if errors.As(err, &e) {
				return nil, err
			}
			return nil, bad("collection %s: %v", coll, err)
		}
		c.SHA256 = hex.EncodeToString(h.Sum(nil))
		seen[coll] = c
	}
	if m == nil {
		return nil, bad("it has no manifest (a backup cut short?)")
	}
	if m.Format != BackupFormat {
		return nil, exchange.Errorf(exchange.EINVALID, "%s is a backup in format %d; this release reads format %d", file, m.Format, BackupFormat)
	}
	for _, want := range m.Collections {
		if got := seen[want.Name]; got != want {
			return nil, bad("collection %s holds %d documents (%d bytes, SHA-256 %.12s…), the manifest says %d (%d bytes, %.12s…)",
				want.Name, got.Documents, got.Bytes, got.SHA256, want.Documents, want.Bytes, want.SHA256)
		}
		delete(seen, want.Name)
	}
	for name := range seen {
		return nil, bad("collection %s is not in its manifest", name)
	}
	return m, nil
}

// readDocuments reads BSON documents one after another from r, hashing
// them into h.
func readDocuments(r io.Reader, h hash.Hash, each func(bson.Raw) error) error {
	var size [4]byte
	for {
		if _, err := io.ReadFull(r, size[:]); err == io.EOF {
			return nil
		} else if err != nil {
			return err
		}
		n := int(binary.LittleEndian.Uint32(size[:]))
		if n < 5 || n > maxBackupDocument {
			return fmt.Errorf("a document of %d bytes", n)
		}
		doc := make([]byte, n)
		copy(doc, size[:])
		if _, err := io.ReadFull(r, doc[4:]); err != nil {
			return err
		}
		if err := bson.Raw(doc).Validate(); err != nil {
			return err
		}
		h.Write(doc)
		if err := each(doc); err != nil {
			return err
		}
	}
}

// Restore loads a backup into this store's database. The backup is read
// through once and checked whole before anything is written. The database
// must hold nothing but what opening it made — unless drop says to
// replace what it holds, or a restore into it was cut short, which is
// then run again. The seals in the backup must be this store's: the
// backup holds no secret, and links sealed with another would not open.
func (s *Store) Restore(ctx context.Context, file string, drop bool, progress Progress) (*BackupManifest, error) {
	var mark string
	m, err := readBackup(file, func(coll string, doc bson.Raw) error {
		if coll == collMeta {
			if id, _ := doc.Lookup("_id").StringValueOK(); id == sealMeta {
				mark, _ = doc.Lookup("mark").StringValueOK()
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if mark != "" && mark != s.sealer.Mark() {
		return nil, exchange.Errorf(exchange.EINVALID,
			"the backup's personal links are sealed with another secret (key %s; this store's is %s): restore with the EXCHANGEEVAL_SECRET of the service it came from — or, into an embedded store, with that data dir's %s file copied into the new data dir first",
			mark, s.sealer.Mark(), secretName)
	}
	names, err := s.db.ListCollectionNames(ctx, bson.D{})
	if err != nil {
		return nil, s.fail("list collections", err)
	}
	if !slices.Contains(names, restoringColl) && !drop {
		held := int64(0)
		for _, name := range names {
			if name == collMeta || strings.HasPrefix(name, "system.") {
				continue
			}
			n, err := s.db.Collection(name).EstimatedDocumentCount(ctx)
			if err != nil {
				return nil, s.fail("count "+name, err)
			}
			held += n
		}
		if held > 0 {
			return nil, exchange.Errorf(exchange.ECONFLICT, "database %s holds %d documents already: restore into an empty one, or give --drop to replace what it holds", s.db.Name(), held)
		}
	}
	// The erasures the database holds — made, perhaps, after the backup
	// was taken — are kept in the mark, and applied again once the backup
	// is in: what was erased stays erased.
	later, err := s.erasuresToKeep(ctx, names)
	if err != nil {
		return nil, err
	}
	// The mark first: from here a restore cut short is run again.
	if _, err := s.db.Collection(restoringColl).ReplaceOne(ctx, byID("restore"), restoreMark{ID: "restore", From: file, At: time.Now().UTC(), Erasures: later}, upsert()); err != nil {
		return nil, s.fail("mark the restore", err)
	}
	for _, name := range names {
		if name == restoringColl || strings.HasPrefix(name, "system.") {
			continue
		}
		if err := s.db.Collection(name).Drop(ctx); err != nil {
			return nil, s.fail("drop "+name, err)
		}
	}
	if s.sqlite != nil {
		s.sqlite.forget(s.db.Name())
	}
	var batch []any
	batchBytes := 0
	current := ""
	place := map[string]int{} // a collection's place in the backup, for progress
	for i, c := range m.Collections {
		place[c.Name] = i
	}
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		_, err := s.db.Collection(current).InsertMany(ctx, batch)
		batch, batchBytes = batch[:0], 0
		return s.fail("restore "+current, err)
	}
	if _, err := readBackup(file, func(coll string, doc bson.Raw) error {
		if coll != current {
			if err := flush(); err != nil {
				return err
			}
			if progress != nil {
				progress(coll, place[coll], len(m.Collections))
			}
			current = coll
		}
		// Batches of 500 documents or 16 MiB, whichever comes first:
		// memory stays bounded whatever the documents' sizes.
		batch, batchBytes = append(batch, doc), batchBytes+len(doc)
		if len(batch) == 500 || batchBytes >= maxBackupDocument {
			return flush()
		}
		return nil
	}); err != nil {
		return nil, err
	}
	if err := flush(); err != nil {
		return nil, err
	}
	for _, c := range m.Collections {
		n, err := s.db.Collection(c.Name).CountDocuments(ctx, bson.D{})
		if err != nil {
			return nil, s.fail("count "+c.Name, err)
		}
		if n != c.Documents {
			return nil, exchange.Errorf(exchange.EUNAVAILABLE, "collection %s holds %d documents after the restore, the backup %d: run the restore again", c.Name, n, c.Documents)
		}
	}
	if m.Reapplied, err = s.reapplyErasures(ctx, later); err != nil {
		return nil, err
	}
	if err := s.db.Collection(restoringColl).Drop(ctx); err != nil {
		return nil, s.fail("finish the restore", err)
	}
	if progress != nil {
		progress("", len(m.Collections), len(m.Collections))
	}
	return m, nil
}

// restoreMark is the document that marks a restore under way.
type restoreMark struct {
	ID   string    `bson:"_id"`
	From string    `bson:"from"`
	At   time.Time `bson:"at"`
	// Erasures is the erasure log of the database being replaced.
	Erasures []Erasure `bson:"erasures"`
}

// erasuresToKeep reads the erasure log of the database about to be
// replaced, with the one an earlier restore cut short kept in its mark.
func (s *Store) erasuresToKeep(ctx context.Context, names []string) ([]Erasure, error) {
	var out []Erasure
	if slices.Contains(names, restoringColl) {
		mark, err := findByID[restoreMark](ctx, s, s.db.Collection(restoringColl), "restore", "the mark of a restore")
		if err != nil {
			return nil, err
		}
		if mark != nil {
			out = append(out, mark.Erasures...)
		}
	}
	if slices.Contains(names, collErasures) {
		log, err := findAll[Erasure](ctx, s, s.db.Collection(collErasures), bson.D{}, nil, "the erasure log")
		if err != nil {
			return nil, err
		}
		for _, e := range log {
			out = append(out, *e)
		}
	}
	return out, nil
}

// reapplyErasures erases again, in the restored database, what the
// erasures erased (a delegate the backup does not hold is passed over),
// and says how many the backup did not have already.
func (s *Store) reapplyErasures(ctx context.Context, erasures []Erasure) (int, error) {
	if len(erasures) == 0 {
		return 0, nil
	}
	restored := map[string]bool{}
	log, err := findAll[Erasure](ctx, s, s.db.Collection(collErasures), bson.D{}, nil, "the erasure log")
	if err != nil {
		return 0, err
	}
	for _, e := range log {
		restored[e.ID] = e.Answers // one entry a delegate: the widest erasure
	}
	n := 0
	for _, e := range erasures {
		if answers, had := restored[e.ID]; had && (answers || !e.Answers) {
			continue
		}
		_, err := s.eraseParticipant(ctx, e.Exchange, e.PID, e.Answers, e.By, e.At)
		if exchange.ErrorCode(err) == exchange.ENOTFOUND {
			continue
		}
		if err != nil {
			return n, err
		}
		n++
	}
	if n == 0 {
		return 0, nil
	}
	return n, s.rewriteFiles(ctx, "the erasures made since the backup")
}

// ErasuresIn reads the erasure log of a backup — a newer one, when an
// older is restored into a new store (the newer damaged, say) — checking
// the whole backup first.
func ErasuresIn(file string) ([]Erasure, error) {
	var erasures []Erasure
	_, err := readBackup(file, func(coll string, doc bson.Raw) error {
		if coll != collErasures {
			return nil
		}
		var e Erasure
		if err := bson.Unmarshal(doc, &e); err != nil {
			return exchange.Errorf(exchange.EINVALID, "%s: an erasure log entry does not read: %v", file, err)
		}
		erasures = append(erasures, e)
		return nil
	})
	return erasures, err
}

// ReapplyErasures applies erasures (ErasuresIn) again to this store: what
// was erased stays erased. It says how many the store had not had.
func (s *Store) ReapplyErasures(ctx context.Context, erasures []Erasure) (int, error) {
	return s.reapplyErasures(ctx, erasures)
}
