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
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hsworkshop/hsworkshop/internal/testdb"
)

const (
	// adminEmail and adminPassword are the ADMIN_EMAIL admin every server gets.
	adminEmail    = "admin@e2e.example.com"
	adminPassword = "e2e admin password, long enough"

	healthTimeout   = 30 * time.Second
	shutdownTimeout = 10 * time.Second
)

// binary is the path of the hsworkshop binary that TestMain builds. It is
// set once, before any test runs, and only read afterwards: TestMain has no
// other way to hand a value to the tests.
var binary string

func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

// runTests builds the binary once into a temporary directory, runs the
// tests, and removes the directory; it returns the exit code.
func runTests(m *testing.M) int {
	root, err := moduleRoot()
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	tmp, err := os.MkdirTemp("", "hsworkshop-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	defer os.RemoveAll(tmp)
	bin := filepath.Join(tmp, "hsworkshop")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/hsworkshop")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "e2e: go build ./cmd/hsworkshop: %v\n%s", err, out)
		return 1
	}
	binary = bin
	return m.Run()
}

// moduleRoot walks up from the working directory to the folder with go.mod.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

// server is one running hsworkshop process.
type server struct {
	// URL is the base URL, without a trailing slash.
	URL string
	// DSN is the server's database, for reading the mail it queued.
	DSN string

	cmd  *exec.Cmd
	out  *syncBuffer
	done chan struct{} // closed when the process has exited
	err  error         // the result of cmd.Wait, valid after done
}

// syncBuffer is a bytes.Buffer safe for the writer goroutines of exec.Cmd.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startServer runs `hsworkshop serve` on a free port against a fresh, empty
// database (SQLite in t.TempDir(), or a private PostgreSQL schema when
// TEST_DATABASE_URL is set), waits for /healthz, and stops it with SIGTERM
// when the test ends. Its output is printed if the test fails.
func startServer(t *testing.T) *server {
	t.Helper()
	if binary == "" {
		t.Fatal("the hsworkshop binary was not built: TestMain did not run")
	}
	dsn := testdb.DSN(t)
	port := freePort(t)
	base := "http://127.0.0.1:" + port
	s := &server{URL: base, DSN: dsn, out: &syncBuffer{}, done: make(chan struct{})}
	s.cmd = exec.Command(binary, "serve")
	s.cmd.Env = append(baseEnv(),
		"ADDR=127.0.0.1:"+port,
		"BASE_URL="+base,
		"DATABASE_URL="+dsn,
		"RATE_LIMIT=0",
		"ADMIN_EMAIL="+adminEmail,
		"ADMIN_PASSWORD="+adminPassword,
	)
	s.cmd.Stdout, s.cmd.Stderr = s.out, s.out
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("start %s serve: %v", binary, err)
	}
	go func() {
		s.err = s.cmd.Wait()
		close(s.done)
	}()
	t.Cleanup(func() { s.stop(t) })
	if err := s.waitHealthy(healthTimeout); err != nil {
		t.Fatalf("server did not become healthy: %v\n--- server output ---\n%s", err, s.out)
	}
	return s
}

// baseEnv is the part of the test's environment the server may inherit:
// enough to run, and none of the variables the app reads, so a developer's
// own DATABASE_URL or STRIPE_SECRET_KEY cannot leak into a test server.
func baseEnv() []string {
	var env []string
	for _, k := range []string{"PATH", "HOME", "TMPDIR", "LANG", "TZ"} {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	return env
}

// freePort asks the kernel for a free port on 127.0.0.1. Another process
// could take it before the server binds it, which is unlikely enough here.
func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("find a free port: %v", err)
	}
	defer l.Close()
	_, port, err := net.SplitHostPort(l.Addr().String())
	if err != nil {
		t.Fatalf("find a free port: %v", err)
	}
	return port
}

// waitHealthy polls GET /readyz until it answers 200, the process exits or
// the timeout passes.
func (s *server) waitHealthy(timeout time.Duration) error {
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(timeout)
	var last error
	for time.Now().Before(deadline) {
		select {
		case <-s.done:
			return fmt.Errorf("the process exited early: %v", s.err)
		default:
		}
		resp, err := client.Get(s.URL + "/readyz") // ready: the tariff index has loaded too
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("GET /readyz: got status %d, want 200", resp.StatusCode)
		}
		last = err
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("no 200 from /readyz within %v (last: %v)", timeout, last)
}

// stop sends SIGTERM and checks for a graceful exit: status 0 within
// shutdownTimeout. It prints the server's output when the test failed.
func (s *server) stop(t *testing.T) {
	t.Helper()
	select {
	case <-s.done: // it exited by itself, which a server should not do
		t.Errorf("server exited before the test ended: %v", s.err)
	default:
		if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Errorf("send SIGTERM to the server: %v", err)
		}
		select {
		case <-s.done:
			if s.err != nil {
				t.Errorf("server exit after SIGTERM: got %v, want status 0", s.err)
			}
		case <-time.After(shutdownTimeout):
			_ = s.cmd.Process.Kill()
			<-s.done
			t.Errorf("server did not exit within %v of SIGTERM (graceful shutdown)", shutdownTimeout)
		}
	}
	if t.Failed() {
		t.Logf("--- server output ---\n%s", strings.TrimRight(s.out.String(), "\n"))
	}
}
