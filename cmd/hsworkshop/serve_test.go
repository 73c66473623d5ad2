package main

import (
	"context"
	"go/parser"
	"go/token"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hsworkshop/hsworkshop/internal/testdb"
)

// TestServeFailsFastWhenPortTaken checks that a listener that cannot start
// ends serve at once with an error (main turns it into exit status 1).
func TestServeFailsFastWhenPortTaken(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	done := make(chan error, 1)
	start := time.Now()
	go func() {
		done <- run(context.Background(), nil, env(map[string]string{"ADDR": l.Addr().String(), "DATABASE_URL": testdb.DSN(t)}), nil, io.Discard)
	}()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "cannot listen") {
			t.Fatalf("got %v, want a listen error", err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("got %v, want under 5 s", d)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("serve still running 5 s after its port was found taken")
	}
}

// TestServeBinaryExitsNonZeroWhenPortTaken runs the built binary, as an
// operator would, and checks the exit status and the message.
func TestServeBinaryExitsNonZeroWhenPortTaken(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "hsworkshop")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "serve")
	cmd.Env = append(os.Environ(), "ADDR="+l.Addr().String(), "DATABASE_URL="+testdb.DSN(t))
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		t.Fatalf("still running after 5 s: %s", out)
	}
	ee, ok := err.(*exec.ExitError)
	if !ok || ee.ExitCode() == 0 {
		t.Fatalf("got %v, want a non-zero exit", err)
	}
	if !strings.Contains(string(out), "cannot listen on ADDR") {
		t.Errorf("got %q, want the listen error", out)
	}
}

// TestOnlyServeImportsHandlers keeps the operator commands independent of
// the web app: only serve.go may import handlers (templates, assets and
// the tariff data come with it).
func TestOnlyServeImportsHandlers(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("*.go")
	if err != nil || len(files) < 3 {
		t.Fatalf("got %d files (%v), want the command's sources", len(files), err)
	}
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") || f == "serve.go" {
			continue
		}
		af, err := parser.ParseFile(fset, f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range af.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if strings.HasPrefix(p, "github.com/hsworkshop/hsworkshop/handlers") {
				t.Errorf("%s imports %s; only serve.go may", f, p)
			}
		}
	}
}
