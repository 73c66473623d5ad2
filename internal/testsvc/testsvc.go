// Package testsvc starts real processes for tests on free ports:
// stripe-mock for the Stripe API, and the hsworkshop binary itself (built
// once by BuildApp, run by Serve) for the black-box suites, internal/e2e
// and internal/faults. The tools are installed (pinned) by .ci/test; a
// missing binary fails the test with that hint rather than skipping it.
//
// It imports no project package, and only tests import it.
package testsvc

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// Binary finds a tool on PATH or in the bin folder of a GOPATH entry
// (where go install puts it).
func Binary(t testing.TB, name string) string {
	t.Helper()
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	gopath := os.Getenv("GOPATH")
	if gopath == "" {
		home, _ := os.UserHomeDir()
		gopath = filepath.Join(home, "go")
	}
	for _, dir := range filepath.SplitList(gopath) {
		p := filepath.Join(dir, "bin", name)
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	t.Fatalf("%s not found on PATH or in GOPATH/bin: run .ci/test, which installs the pinned version", name)
	return ""
}

// FreePort returns a TCP port that was free a moment ago.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// StripeMock starts stripe-mock and returns its base URL (for
// STRIPE_API_BASE); it is stopped when the test ends.
func StripeMock(t testing.TB) string {
	t.Helper()
	base, stop, err := StartStripeMock(t, stripeMockStart)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	return base
}

// stripeMockStart is how long StripeMock waits: start-up parses Stripe's
// whole OpenAPI spec, seconds of CPU.
const stripeMockStart = 20 * time.Second

// StartStripeMock starts stripe-mock, waits up to within for it to answer
// and returns its base URL and a func that stops it. It leaves the stop to
// the caller, so a package can share one stripe-mock between its tests.
func StartStripeMock(t testing.TB, within time.Duration) (base string, stop func(), err error) {
	t.Helper()
	bin := Binary(t, "stripe-mock")
	port := FreePort(t)
	// Give the HTTPS listener its own free port too: by default it takes
	// :12112, and a second stripe-mock on the machine (another package's
	// tests) would make this one exit at once.
	cmd := exec.Command(bin, "-http-addr", fmt.Sprintf("127.0.0.1:%d", port), "-https-addr", fmt.Sprintf("127.0.0.1:%d", FreePort(t)))
	if err := cmd.Start(); err != nil {
		return "", nil, fmt.Errorf("start stripe-mock: %w", err)
	}
	stop = func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }
	base = fmt.Sprintf("http://127.0.0.1:%d", port)
	if err := waitHTTP(base+"/v1/charges", within); err != nil {
		stop()
		return "", nil, fmt.Errorf("stripe-mock: %w", err)
	}
	return base, stop, nil
}

// waitHTTP polls url until anything answers or within has passed.
func waitHTTP(url string, within time.Duration) error {
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(url); err == nil {
			resp.Body.Close()
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("no answer from %s within %v", url, within)
}
