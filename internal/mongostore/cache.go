package mongostore

import (
	"sync"
	"time"
)

// ttlCache is a small concurrent map whose entries expire. The store keeps
// in it what a delegate's request would otherwise read on every hit — who
// owns a link, an exchange's open waves — and drops an entry at once when
// this process changes what it holds; changes made by another process are
// seen when the entry expires.
type ttlCache[V any] struct {
	ttl time.Duration
	max int

	mu sync.Mutex
	m  map[string]ttlEntry[V]
}

type ttlEntry[V any] struct {
	v       V
	expires time.Time
}

func newTTLCache[V any](ttl time.Duration, max int) *ttlCache[V] {
	return &ttlCache[V]{ttl: ttl, max: max, m: map[string]ttlEntry[V]{}}
}

func (c *ttlCache[V]) get(k string) (V, bool) {
	v, fresh, ok := c.getStale(k)
	return v, ok && fresh
}

// getStale returns an entry even when it has expired (fresh is false then):
// better than nothing when the database does not answer.
func (c *ttlCache[V]) getStale(k string) (v V, fresh, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[k]
	if !ok {
		return v, false, false
	}
	return e.v, !time.Now().After(e.expires), true
}

func (c *ttlCache[V]) put(k string, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= c.max {
		// Full: forget a tenth, whichever the map yields first. A cache
		// miss costs one read; no entry is worth bookkeeping for.
		n := c.max / 10
		for key := range c.m {
			if n--; n < 0 {
				break
			}
			delete(c.m, key)
		}
	}
	c.m[k] = ttlEntry[V]{v: v, expires: time.Now().Add(c.ttl)}
}

func (c *ttlCache[V]) del(k string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.m, k)
}

// keyLocks gives one mutex per key, alive only while someone holds or
// waits for it: writers of the same response in this process take turns.
type keyLocks struct {
	mu sync.Mutex
	m  map[string]*keyLock
}

type keyLock struct {
	sync.Mutex
	users int
}

func (l *keyLocks) lock(k string) (unlock func()) {
	l.mu.Lock()
	if l.m == nil {
		l.m = map[string]*keyLock{}
	}
	kl := l.m[k]
	if kl == nil {
		kl = &keyLock{}
		l.m[k] = kl
	}
	kl.users++
	l.mu.Unlock()
	kl.Lock()
	return func() {
		kl.Unlock()
		l.mu.Lock()
		if kl.users--; kl.users == 0 {
			delete(l.m, k)
		}
		l.mu.Unlock()
	}
}
