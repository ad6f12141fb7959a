package survey

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"sync"
	"time"
)

// Upload says where an instrument stored by an admin came from.
type Upload struct {
	By       string    // the admin's e-mail address
	At       time.Time // when
	Format   string    // "yaml" or "xlsform"
	Filename string    // the file uploaded
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
	loaded time.Time // when the stored instruments were last read

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
// their own, after every fixed one; should a later release ship a file
// with a version an admin had already uploaded, the stored one is kept:
// exchanges may have been run with it.
func (c *Catalog) Reload(ctx context.Context) (*Set, error) {
	if c.load == nil {
		return c.Set(), nil
	}
	stored, err := c.load(ctx)
	if err != nil {
		return c.Set(), err
	}
	set := NewSet(append(slices.Clone(c.fixed), stored...)...)
	c.mu.Lock()
	c.set, c.loaded = set, time.Now()
	c.mu.Unlock()
	return set, nil
}

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
