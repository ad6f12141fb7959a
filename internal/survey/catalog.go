package survey

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
)

// Upload says where an instrument stored by an admin came from.
type Upload struct {
	By       string    // the admin's e-mail address
	At       time.Time // when
	Format   string    // "yaml" or "xlsform", or FormatFile
	Filename string    // the file uploaded
	// SourceHash is, for an instrument kept from a definition file, that
	// file's SHA-256: the hash its reports cite, whichever copy is read.
	SourceHash string
}

// Catalog is the instruments a running service knows: the built-in ones
// and those of --surveys, which never change while it runs, and those
// admins upload, which live in the store and may be added at any time —
// by this process or another. It hands out a Set that is replaced, never
// changed, so a request works with one consistent view.
type Catalog struct {
	fixed []*Instrument
	load  func(context.Context) ([]*Instrument, error)
	save  func(context.Context, *Instrument, Upload) error

	mu     sync.RWMutex
	set    *Set
	loaded time.Time       // when the stored instruments were last read
	stored map[string]bool // the keys (id@version) in the store, as last read
	// fixedHash memoises the canonical hashes of the fixed instruments,
	// which never change, by key.
	fixedHash map[string]string

	// adding lets one upload at a time number its version in this
	// process; the store's unique key settles races with other processes.
	adding sync.Mutex
}

// NewCatalog starts a catalog from the fixed instruments; load reads the
// stored ones and save stores one (both nil when there is no store: then
// nothing can be uploaded).
func NewCatalog(fixed []*Instrument, load func(context.Context) ([]*Instrument, error), save func(context.Context, *Instrument, Upload) error) *Catalog {
	return &Catalog{fixed: fixed, load: load, save: save, set: NewSet(fixed...)}
}

// ErrVersionTaken is what save returns when the version is already
// stored (another upload got there first).
var ErrVersionTaken = errors.New("version already stored")

// Add stores an uploaded instrument as the next version of its id — or,
// when it says exactly what the newest version says, stores nothing and
// returns that version with unchanged set. The version written in the
// upload is not kept: versions are numbered by the store, one after
// another, so two uploads never share one.
func (c *Catalog) Add(ctx context.Context, in *Instrument, up Upload) (stored *Instrument, unchanged bool, err error) {
	if c.save == nil {
		return nil, false, errors.New("instruments cannot be uploaded without a store")
	}
	c.adding.Lock()
	defer c.adding.Unlock()
	for range 20 {
		set, err := c.Reload(ctx)
		if err != nil {
			return nil, false, err
		}
		next, same, err := set.NextVersion(in)
		if err != nil || same {
			return next, same, err
		}
		next.Uploaded = &up
		switch err := c.save(ctx, next, up); {
		case errors.Is(err, ErrVersionTaken):
			continue // another upload took it: number again
		case err != nil:
			return nil, false, err
		}
		if _, err := c.Reload(ctx); err != nil {
			return nil, false, err
		}
		return next, false, nil
	}
	return nil, false, errors.New("instrument " + in.ID + ": too many uploads at once, try again")
}

// NextVersion returns in as the version after the newest of its id in the
// set (version 1 for a new id), parsed again from its canonical form; or
// the newest version itself, with same set, when in says exactly what it
// says.
func (s *Set) NextVersion(in *Instrument) (*Instrument, bool, error) {
	c := *in
	latest := s.Get(in.ID)
	if latest != nil {
		c.Version = latest.Version
		a, err := c.Canonical()
		if err != nil {
			return nil, false, err
		}
		b, err := latest.Canonical()
		if err != nil {
			return nil, false, err
		}
		if bytes.Equal(a, b) {
			return latest, true, nil
		}
		c.Version = latest.Version + 1
	} else {
		c.Version = 1
	}
	data, err := c.Canonical()
	if err != nil {
		return nil, false, err
	}
	out, probs := Parse(in.Source, data)
	if probs != nil {
		return nil, false, probs
	}
	return out, false, nil
}

// Set returns the instruments as last loaded.
func (c *Catalog) Set() *Set {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.set
}

// Reload reads the stored instruments again. Uploads get versions of
// their own, after every fixed one. A fixed version that is stored too
// must say the same as the stored one — exchanges may have been run with
// it — and is otherwise refused with both hashes (see Conflict); when they
// agree, the fixed one is used, with its file's name and hash.
func (c *Catalog) Reload(ctx context.Context) (*Set, error) {
	if c.load == nil {
		return c.Set(), nil
	}
	stored, err := c.load(ctx)
	if err != nil {
		return c.Set(), err
	}
	keys := make(map[string]bool, len(stored))
	var conflicts Conflicts
	for _, in := range stored {
		keys[in.Key()] = true
		f := c.fixedVersion(in.Key())
		if f == nil {
			continue
		}
		fh, err := c.canonicalHash(f)
		if err != nil {
			return c.Set(), err
		}
		sh, err := in.CanonicalHash()
		if err != nil {
			return c.Set(), err
		}
		if fh != sh {
			conflicts = append(conflicts, Conflict{Key: in.Key(), File: f.Source, FileHash: fh, StoredHash: sh})
		}
	}
	if conflicts != nil {
		return c.Set(), conflicts
	}
	set := NewSet(append(stored, c.fixed...)...)
	c.mu.Lock()
	c.set, c.loaded, c.stored = set, time.Now(), keys
	c.mu.Unlock()
	return set, nil
}

// Conflict is a definition file whose instrument version is stored with
// other content.
type Conflict struct {
	Key, File, FileHash, StoredHash string
}

// Conflicts are what Reload refuses: the service does not start on them.
type Conflicts []Conflict

func (cs Conflicts) Error() string {
	var b strings.Builder
	for i, c := range cs {
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "%s: instrument %s is stored with other content (stored canonical sha256 %s, this file's %s); "+
			"an exchange may have been run with the stored one: give the file a new version, or remove it", c.File, c.Key, c.StoredHash, c.FileHash)
	}
	return b.String()
}

// fixedVersion is the fixed instrument with key, or nil.
func (c *Catalog) fixedVersion(key string) *Instrument {
	for _, in := range c.fixed {
		if in.Key() == key {
			return in
		}
	}
	return nil
}

// canonicalHash is a fixed instrument's canonical hash, computed once.
func (c *Catalog) canonicalHash(in *Instrument) (string, error) {
	c.mu.RLock()
	h, ok := c.fixedHash[in.Key()]
	c.mu.RUnlock()
	if ok {
		return h, nil
	}
	// Computed outside the lock: requests reading the set do not wait.
	h, err := in.CanonicalHash()
	if err != nil {
		return "", err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.fixedHash == nil {
		c.fixedHash = map[string]string{}
	}
	c.fixedHash[in.Key()] = h
	return h, nil
}

// Keep stores a fixed instrument version (built in, or from --surveys)
// when an exchange uses it, so that the service and every command find it
// later whatever flags they are started with. A version stored already is
// left as it is. at is when it was kept.
func (c *Catalog) Keep(ctx context.Context, in *Instrument, at time.Time) error {
	if c.save == nil {
		return nil
	}
	c.mu.RLock()
	stored := c.stored[in.Key()]
	c.mu.RUnlock()
	if stored {
		return nil
	}
	err := c.save(ctx, in, Upload{Format: FormatFile, Filename: in.Source, SourceHash: in.Hash, At: at})
	if err != nil && !errors.Is(err, ErrVersionTaken) {
		return fmt.Errorf("keep instrument %s: %w", in.Key(), err)
	}
	// Taken: another process kept it first; reading it back checks that
	// it says the same.
	_, err = c.Reload(ctx)
	return err
}

// FormatFile is the Upload format of an instrument kept from a definition
// file, not uploaded by an admin.
const FormatFile = "file"

// Refresh reads the stored instruments again unless they were read less
// than minAge ago: what a request for an unknown version calls, so that a
// stream of such requests (a link to an exchange whose version is gone)
// does not read the collection for each.
func (c *Catalog) Refresh(ctx context.Context, minAge time.Duration) (*Set, error) {
	c.mu.RLock()
	fresh := time.Since(c.loaded) < minAge
	c.mu.RUnlock()
	if fresh {
		return c.Set(), nil
	}
	return c.Reload(ctx)
}

// Source is what hands out the current instruments: a Catalog, or a
// fixed Set.
type Source interface{ Set() *Set }

// Set makes a fixed set a Source.
func (s *Set) Set() *Set { return s }
