package pagecache

import (
	"testing"
	"time"
)

func TestVersionAndExpiry(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	c := New()
	c.Put("/sessions", 5, &Page{Status: 200, Body: []byte("v5"), Expires: now.Add(time.Minute)})
	if p, ok := c.Get("/sessions", 5, now); !ok || string(p.Body) != "v5" {
		t.Fatalf("same version: got %v %v, want the v5 page", p, ok)
	}
	if _, ok := c.Get("/sessions", 6, now); ok {
		t.Errorf("newer version: got a hit, want a miss")
	}
	if _, ok := c.Get("/sessions", 5, now.Add(time.Minute)); ok {
		t.Errorf("at its expiry: got a hit, want a miss")
	}
	c.Put("/", 6, &Page{Status: 200, Body: []byte("home v6"), Expires: now.Add(time.Minute)})
	if _, ok := c.Get("/sessions", 5, now); ok {
		t.Errorf("after a newer version was stored: got a v5 hit, want a miss")
	}
	c.Put("/sessions", 5, &Page{Status: 200, Body: []byte("late v5"), Expires: now.Add(time.Minute)})
	if _, ok := c.Get("/sessions", 5, now); ok {
		t.Errorf("a late v5 render: got stored, want dropped")
	}
	if got := c.Len(); got != 1 {
		t.Errorf("pages: got %d, want 1", got)
	}
}

func TestBounded(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	c := New()
	for i := range MaxPages + 10 {
		c.Put(string(rune('a'+i%26))+time.Duration(i).String(), 1, &Page{Expires: now.Add(time.Minute)})
	}
	if got := c.Len(); got > MaxPages || got == 0 {
		t.Errorf("pages: got %d, want between 1 and %d", got, MaxPages)
	}
}
