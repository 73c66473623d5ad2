//go:build browser

// Package e2e drives the real hsworkshop binary with a headless Chromium:
// journeys through clicks and typing, a narrow-screen check, and an axe-core
// accessibility audit of every page visited. It is behind the build tag
// "browser", so the normal `go test ./...` skips it. Run it with
//
//	npm ci --prefix internal/e2e     # once: installs the pinned axe-core
//	go test -tags browser -count=1 ./internal/e2e/
//
// Set E2E_SHOTS=1 to save screenshots of selected pages in
// internal/e2e/screenshots/ (failures are always saved there).
package e2e

import (
	"os"
	"testing"

	"github.com/hsworkshop/hsworkshop/internal/testdb"
	"github.com/hsworkshop/hsworkshop/internal/testsvc"
)

const (
	// adminEmail and adminPassword are the ADMIN_EMAIL admin every server gets.
	adminEmail    = "admin@e2e.example.com"
	adminPassword = "e2e admin password, long enough"
)

// binary is the path of the hsworkshop binary that TestMain builds. It is
// set once, before any test runs, and only read afterwards: TestMain has no
// other way to hand a value to the tests.
var binary string

func TestMain(m *testing.M) {
	os.Exit(testsvc.RunWithApp(m, "e2e", &binary))
}

// server is one running hsworkshop process.
type server struct {
	*testsvc.Server
	// DSN is the server's database, for reading the mail it queued and
	// seeding what no page creates.
	DSN string
}

// startServer runs `hsworkshop serve` on a free port against a fresh, empty
// database (SQLite in t.TempDir(), or a private PostgreSQL schema when
// TEST_DATABASE_URL is set), waits for /readyz (ready: the tariff index has
// loaded too), and stops it with SIGTERM when the test ends, failing the
// test unless it exits with status 0. Its output is printed if the test
// fails.
func startServer(t *testing.T) *server {
	t.Helper()
	dsn := testdb.DSN(t)
	return &server{DSN: dsn, Server: testsvc.Serve(t, binary, testsvc.ServeOptions{
		ReadyPath: "/readyz",
		CleanExit: true,
		Env: []string{
			"DATABASE_URL=" + dsn,
			"RATE_LIMIT=0",
			"ADMIN_EMAIL=" + adminEmail,
			"ADMIN_PASSWORD=" + adminPassword,
		},
	})}
}
