// Package cache is HAProxy 2.6's small object cache (the `cache` section,
// `http-request cache-use`, `http-response cache-store`): a store of whole
// responses keyed by the SHA-1 of the request's host and target, bounded
// by total-max-size in 1 kB blocks and emptied oldest-used first, with the
// storing and serving rules of HAProxy's cache.c and http_ana.c
// (policy.go) and its Vary processing (vary.go: several entries per key,
// told apart by a secondary key). It holds no connection: the proxy's
// HTTP session looks entries up, serves them and feeds the responses it
// stores (proxy/cache_use.go, cache_store.go, cache_comp.go).
package cache

import (
	"container/list"
	"sync"
	"time"
)

// BlockSize is HAProxy's cache block: entries take whole blocks.
const BlockSize = 1024

// maxAgeHeader caps an origin's Age value (CACHE_ENTRY_MAX_AGE).
const maxAgeHeader = 2147483648

// Config is one `cache` section.
type Config struct {
	Name string
	// TotalMaxSize is in megabytes; MaxObjectSize in bytes (0: a 256th
	// of the total); MaxAge in seconds.
	TotalMaxSize  int
	MaxObjectSize int
	MaxAge        int
	// ProcessVary stores responses with a Vary header on Accept-Encoding
	// or Referer, up to MaxSecondaryEntries per primary key (vary.go).
	ProcessVary         bool
	MaxSecondaryEntries int
}

// Cache is one cache section's store, shared by the proxies using it;
// safe for concurrent use.
type Cache struct {
	name   string
	maxAge int64
	maxObj int
	blocks int
	vary   bool
	maxSec int

	mu sync.Mutex
	// entries are the entries of each primary key, in the order they
	// were stored: several only under process-vary.
	entries map[[20]byte][]*Entry
	lru     list.List // of *Entry, least recently used first
	used    int       // blocks held by complete entries
	now     func() time.Time
}

// New makes the store of cfg.
func New(cfg Config) *Cache {
	c := &Cache{name: cfg.Name, maxAge: int64(cfg.MaxAge), maxObj: cfg.MaxObjectSize,
		blocks: cfg.TotalMaxSize * (1 << 20) / BlockSize, entries: map[[20]byte][]*Entry{}, now: time.Now,
		vary: cfg.ProcessVary, maxSec: cfg.MaxSecondaryEntries}
	if c.maxObj == 0 {
		c.maxObj = c.blocks * BlockSize >> 8
	}
	return c
}

// Name is the cache section's name (res.cache_name).
func (c *Cache) Name() string { return c.name }

// MaxObjectSize is the largest entry stored, in bytes.
func (c *Cache) MaxObjectSize() int { return c.maxObj }

// Entry is a stored response: immutable once complete, so a session may
// serve it after it was evicted.
type Entry struct {
	key [20]byte
	// Head is the status line and header lines (each ending in CRLF,
	// without the blank line) as the cache-store rule saw them, without
	// the origin's Age header.
	Head []byte
	// Body is the response's payload (dechunked); Chunked says it came
	// framed in chunks (it is served so).
	Body    []byte
	Chunked bool
	// HeaderBytes is the length of the stored headers' names and values
	// (what HAProxy's HTX counts of them).
	HeaderBytes int64

	ETag         []byte
	lastModified int64
	validated    int64 // when it was stored (unix seconds)
	age          int64 // the origin's Age
	expire       int64
	size, nblk   int
	complete     bool
	elem         *list.Element
	// sig and sec are the Vary signature and secondary key (zero
	// without Vary).
	sig uint
	sec SecondaryKey
}

// Age is the Age header value a hit carries at now.
func (e *Entry) Age(now time.Time) int64 {
	a := max(0, now.Unix()-e.validated) + e.age
	return min(a, maxAgeHeader)
}

// Vary says whether the cache processes Vary headers.
func (c *Cache) Vary() bool { return c.vary }

// Lookup returns the complete, fresh entry of key, marking it the most
// recently used; nil when there is none. As in HAProxy, the first entry
// stored for key decides: when it varies, secKey builds the request's
// secondary key for its signature and the first entry whose key the
// request's matches is the one (false: no key, no entry).
//
// primary says whether key had a fresh entry at all (HAProxy prebuilds
// the request's whole secondary key only when it had none).
func (c *Cache) Lookup(key [20]byte, secKey func(sig uint) (SecondaryKey, bool)) (e *Entry, primary bool) {
	now := c.now().Unix()
	c.mu.Lock()
	defer c.mu.Unlock()
	list := c.entries[key]
	if len(list) == 0 || list[0].expire <= now {
		return nil, false
	}
	if e = list[0]; !e.complete {
		return nil, true
	}
	if e.sig != 0 {
		sk, ok := secKey(e.sig)
		if !ok {
			return nil, true
		}
		e = nil
		for _, x := range list {
			if x.sec.matches(sk) {
				e = x
				break
			}
		}
		if e == nil || !e.complete || e.expire <= now {
			return nil, true
		}
	}
	c.lru.MoveToBack(e.elem)
	return e, true
}

// Invalidate drops the first entry of key (a successful unsafe request
// on it).
func (c *Cache) Invalidate(key [20]byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if list := c.entries[key]; len(list) > 0 && list[0].expire > c.now().Unix() {
		c.remove(list[0])
	}
}

func (c *Cache) remove(e *Entry) {
	list := c.entries[e.key]
	for i, x := range list {
		if x == e {
			list = append(list[:i:i], list[i+1:]...)
			break
		}
	}
	if len(list) == 0 {
		delete(c.entries, e.key)
	} else {
		c.entries[e.key] = list
	}
	if e.elem != nil {
		c.lru.Remove(e.elem)
		e.elem = nil
		c.used -= e.nblk
	}
}

// Pending is an entry being stored: its head is known, its body arrives.
type Pending struct {
	c      *Cache
	e      *Entry
	maxAge int64
	size   int // the entry's size so far (e.size is set under the lock)
	done   bool
}

// Meta is what the response head tells the store.
type Meta struct {
	// MaxAge is MaxAge's result, capped by the cache's max-age already.
	MaxAge int64
	// OriginAge is the server's Age header (0: none or not positive).
	OriginAge    int64
	ETag         []byte
	LastModified int64
	// Size is the entry's size before its body, as HAProxy counts it.
	Size int
	// HeaderBytes: see Entry.
	HeaderBytes int64
	// Sig is the response's Vary signature (0: none); ReqKey the
	// request's secondary key for it, Key the entry's (ReqKey with the
	// response's encodings in place of the accepted ones).
	Sig         uint
	ReqKey, Key SecondaryKey
}

// Begin starts storing a response for key, as HAProxy's cache-store does:
// nil when an entry for key is being stored already; a complete entry of
// key is dropped first. The entry is findable (though not served) until
// Commit or Abort, so that concurrent misses do not store it twice.
func (c *Cache) Begin(key [20]byte, head []byte, chunked bool, m Meta) *Pending {
	now := c.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	if m.Size > c.maxObj {
		return nil
	}
	if list := c.entries[key]; len(list) > 0 && list[0].expire > now.Unix() {
		old := list[0]
		if m.Sig != 0 {
			old = nil
			for _, x := range list {
				if x.sec.matches(m.ReqKey) {
					old = x
					break
				}
			}
		}
		if old != nil && old.expire > now.Unix() {
			if !old.complete {
				return nil
			}
			c.remove(old)
		}
	}
	if list := c.entries[key]; m.Sig != 0 && len(list) > 0 {
		live := 0
		for _, x := range list {
			if x.expire > now.Unix() {
				live++
			}
		}
		if live >= c.maxSec {
			return nil // max-secondary-entries
		}
	}
	e := &Entry{key: key, Head: head, Chunked: chunked, HeaderBytes: m.HeaderBytes, ETag: m.ETag, lastModified: m.LastModified,
		validated: now.Unix(), age: m.OriginAge, expire: now.Unix() + 2, size: m.Size, sig: m.Sig, sec: m.Key}
	c.entries[key] = append(c.entries[key], e)
	return &Pending{c: c, e: e, maxAge: m.MaxAge, size: e.size}
}

// owns reports whether e is among the entries of its key.
func (c *Cache) owns(e *Entry) bool {
	for _, x := range c.entries[e.key] {
		if x == e {
			return true
		}
	}
	return false
}

// Write appends body bytes; false (and the entry dropped) once the entry
// would exceed max-object-size.
func (p *Pending) Write(b []byte) bool {
	if p == nil || p.done {
		return false
	}
	if p.size+len(b) > p.c.maxObj {
		p.Abort()
		return false
	}
	p.e.Body = append(p.e.Body, b...)
	p.size += len(b)
	return true
}

// Commit makes the entry servable, evicting the least recently used
// entries until its blocks fit.
func (p *Pending) Commit() {
	if p == nil || p.done {
		return
	}
	p.done = true
	c, e := p.c, p.e
	size := p.size
	if len(e.Body) > 0 {
		size += 4 // the data block's header
	}
	nblk := (size + BlockSize - 1) / BlockSize
	c.mu.Lock()
	defer c.mu.Unlock()
	e.size, e.nblk = size, nblk
	if !c.owns(e) || e.nblk > c.blocks || e.size > c.maxObj {
		c.remove(e)
		return
	}
	for c.used+e.nblk > c.blocks {
		oldest := c.lru.Front()
		if oldest == nil {
			break
		}
		c.remove(oldest.Value.(*Entry))
	}
	e.expire = c.now().Unix() + p.maxAge
	e.complete = true
	e.elem = c.lru.PushBack(e)
	c.used += e.nblk
}

// Abort drops the entry (the response was cut short or grew too big).
func (p *Pending) Abort() {
	if p == nil || p.done {
		return
	}
	p.done = true
	c := p.c
	c.mu.Lock()
	c.remove(p.e)
	c.mu.Unlock()
}

// MaxAge is the cache's max-age setting, in seconds.
func (c *Cache) MaxAge() int64 { return c.maxAge }
