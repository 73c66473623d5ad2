//go:build browser

package e2e

import (
	"net/http"
	"strings"
	"testing"
)

// TestAdminLogin logs in as the ADMIN_EMAIL admin through the login form,
// opens the admin dashboard from the nav, and audits it with axe-core.
func TestAdminLogin(t *testing.T) {
	srv := startServer(t)
	b := newBrowser(t, srv)

	b.Step("admin-anonymous")
	if got := b.open("/admin"); got != http.StatusUnauthorized {
		b.errorf("GET /admin logged out: got status %d, want 401", got)
	}
	if _, ok := b.text(`form[action="/login"]`); !ok {
		b.errorf("GET /admin logged out: no login form, want one")
	}

	b.Step("login")
	b.openAndLogIn(adminEmail, adminPassword)

	b.Step("admin")
	b.clickNav("Admin")
	if got, want := b.path(), "/admin"; got != want {
		b.errorf("admin path: got %q, want %q", got, want)
	}
	if got, want := b.mustText("main h1"), "Admin"; got != want {
		b.errorf("admin heading: got %q, want %q", got, want)
	}
	heads := b.texts("main table thead th")
	if got, want := strings.Join(heads, "|"), "Starts|Workshop|Format|Status|Taken|Capacity|Price"; got != want {
		b.errorf("sessions table columns: got %q, want %q", got, want)
	}
	if n := len(b.texts("main table tbody tr td a")); n == 0 {
		b.errorf("sessions table: got %d session rows, want the seeded sessions", n)
	}
	b.visited("admin dashboard")
	b.shot("admin")
}
