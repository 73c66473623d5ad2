package catalog_test

import (
	"fmt"
	"strings"
	"testing"

	ht "github.com/hsworkshop/hsworkshop/handlers/handlertest"
	"github.com/hsworkshop/hsworkshop/models"
)

// TestPageCache: anonymous catalog pages come from memory until the data
// version (bumped by triggers on a seat change made straight in the
// database, as another instance would) or the clock says otherwise; a
// signed-in visitor never gets, nor leaves, a cached page.
func TestPageCache(t *testing.T) {
	ta := ht.New(t)
	w := ht.MustWorkshop(t, ta.DB)
	s := ht.MustSession(t, ta.DB, w, func(s *models.Session) { s.Capacity = 10 })
	path := fmt.Sprintf("/sessions/%d", s.ID)
	get := func(r ht.Request, wantHit bool, want, wantNot string) {
		t.Helper()
		rec := ta.Do(t, r)
		if rec.Code != 200 {
			t.Fatalf("GET %s: got %d, want 200", r.Path, rec.Code)
		}
		if hit := rec.Header().Get("X-Page-Cache") == "hit"; hit != wantHit {
			t.Errorf("GET %s: got cache hit %v, want %v", r.Path, hit, wantHit)
		}
		if body := rec.Body.String(); !strings.Contains(body, want) || (wantNot != "" && strings.Contains(body, wantNot)) {
			t.Errorf("GET %s: body lacks %q or has %q", r.Path, want, wantNot)
		}
	}
	get(ht.Request{Path: path}, false, "Register 1 to 10 people", "")
	get(ht.Request{Path: path}, true, "Register 1 to 10 people", "")

	if err := ta.DB.Model(&models.Session{}).Where("id = ?", s.ID).Update("seats_taken", 4).Error; err != nil {
		t.Fatal(err)
	}
	get(ht.Request{Path: path}, false, "Register 1 to 6 people", "")
	get(ht.Request{Path: path}, true, "Register 1 to 6 people", "")

	u := ht.MustUser(t, ta.DB, models.RoleLearner, "correct horse battery staple")
	get(ht.Request{Path: path, As: u}, false, "Log out", "")
	get(ht.Request{Path: path}, true, "Register 1 to 6 people", "Log out")

	// The clock alone closes registration: the cached page is not used.
	ta.SetNow(s.RegistrationClosesAt.Add(1))
	rec := ta.Do(t, ht.Request{Path: path})
	if rec.Header().Get("X-Page-Cache") == "hit" || strings.Contains(rec.Body.String(), "Register 1 to 6 people") {
		t.Errorf("GET %s after registration closed: got the cached open page", path)
	}
}

// TestWorkshopPageCached: a workshop's page is cached like the catalog
// (its key is the path alone, nothing per request), a change to the
// workshop is shown at once, and a cached page is sent with its length:
// no chunked encoding, so no separate write for the closing chunk.
func TestWorkshopPageCached(t *testing.T) {
	ta := ht.New(t)
	w := ht.MustWorkshop(t, ta.DB)
	ht.MustSession(t, ta.DB, w)
	path := "/workshops/" + w.Slug
	for i, wantHit := range []bool{false, true, true} {
		rec := ta.Do(t, ht.Request{Path: path})
		if rec.Code != 200 {
			t.Fatalf("GET %s: got %d, want 200", path, rec.Code)
		}
		if hit := rec.Header().Get("X-Page-Cache") == "hit"; hit != wantHit {
			t.Errorf("GET %s #%d: got cache hit %v, want %v", path, i+1, hit, wantHit)
		}
		if wantHit && rec.Header().Get("Content-Length") != fmt.Sprint(rec.Body.Len()) {
			t.Errorf("GET %s #%d: Content-Length %q for a %d-byte page", path, i+1, rec.Header().Get("Content-Length"), rec.Body.Len())
		}
	}
	if err := ta.DB.Model(&models.Workshop{}).Where("id = ?", w.ID).Update("title", "Renamed Workshop Title").Error; err != nil {
		t.Fatal(err)
	}
	rec := ta.Do(t, ht.Request{Path: path})
	if rec.Header().Get("X-Page-Cache") == "hit" || !strings.Contains(rec.Body.String(), "Renamed Workshop Title") {
		t.Errorf("GET %s after a rename: got the cached page", path)
	}
}
