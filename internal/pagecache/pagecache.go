// Package pagecache keeps rendered pages in memory, each valid for one
// data version and until its own expiry. The version comes from the
// caller (the database's catalog version, bumped by triggers in the same
// transaction as any change), so a page is never served after the data it
// shows changed, on any instance; the expiry covers what changes with the
// clock alone (a session starting, registration closing, an early-bird
// deadline).
//
// It is an adapter: it imports no project package. What may be cached
// (anonymous requests only) is decided by its caller, the HTTP layer.
package pagecache

import (
	"sync"
	"time"
)

// Page is one cached answer.
type Page struct {
	Status      int
	ContentType string
	Body        []byte
	// Expires is when the page stops being valid whatever the version.
	Expires time.Time
}

// Cache holds the pages of the current version. A new version empties it;
// so does reaching MaxPages (the query strings of a filtered catalog are
// the only unbounded part of the key).
type Cache struct {
	mu      sync.RWMutex
	version int64
	pages   map[string]*Page
	max     int
}

// MaxPages bounds the number of cached pages.
const MaxPages = 2000

// New returns an empty cache.
func New() *Cache { return &Cache{pages: map[string]*Page{}, max: MaxPages} }

// Get returns the page stored under key for version, if it has not
// expired at now.
func (c *Cache) Get(key string, version int64, now time.Time) (*Page, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if version != c.version {
		return nil, false
	}
	p, ok := c.pages[key]
	if !ok || !now.Before(p.Expires) {
		return nil, false
	}
	return p, true
}

// Put stores p under key for version. A page of an older version than the
// cache holds is dropped (a slow render must not overwrite newer data); a
// newer version replaces every page.
func (c *Cache) Put(key string, version int64, p *Page) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case version < c.version:
		return
	case version > c.version || len(c.pages) >= c.max:
		c.version = version
		c.pages = make(map[string]*Page, len(c.pages))
	}
	c.pages[key] = p
}

// Len is the number of pages held.
func (c *Cache) Len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.pages)
}
