// Package testsvc starts real external services for tests as subprocesses
// on free ports: stripe-mock for the Stripe API. The binaries are installed
// (pinned) by .ci/test; a missing binary fails the test with that hint
// rather than skipping it.
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

// Binary finds a tool on PATH or in GOPATH/bin.
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
	p := filepath.Join(gopath, "bin", name)
	if _, err := os.Stat(p); err == nil {
		return p
	}
	t.Fatalf("%s not found: run .ci/test, which installs the pinned version", name)
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
	bin := Binary(t, "stripe-mock")
	port := FreePort(t)
	// Give the HTTPS listener its own free port too: by default it takes
	// :12112, and a second stripe-mock on the machine (another package's
	// tests) would make this one exit at once.
	cmd := exec.Command(bin, "-http-addr", fmt.Sprintf("127.0.0.1:%d", port), "-https-addr", fmt.Sprintf("127.0.0.1:%d", FreePort(t)))
	if err := cmd.Start(); err != nil {
		t.Fatalf("start stripe-mock: %v", err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	waitHTTP(t, base+"/v1/charges", "stripe-mock")
	return base
}

// waitHTTP polls url until anything answers.
func waitHTTP(t testing.TB, url, name string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(url); err == nil {
			resp.Body.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s did not start within 20 s", name)
}
