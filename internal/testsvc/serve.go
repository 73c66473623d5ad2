package testsvc

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

const (
	// readyTimeout bounds a server's start-up: migrations and the tariff
	// index load on a busy two-core machine.
	readyTimeout = 30 * time.Second
	// shutdownTimeout bounds a graceful exit after SIGTERM.
	shutdownTimeout = 10 * time.Second
	// outputTail is how much of a server's output a failed test prints.
	outputTail = 20000
)

// BuildApp builds ./cmd/hsworkshop (with CGO, for SQLite; without -race,
// so the binary behaves as the product does) into a new temporary
// directory whose name starts with prefix. It is for TestMain, which has
// no testing.TB: it returns the binary's path and a func that removes the
// directory.
func BuildApp(prefix string) (bin string, cleanup func(), err error) {
	root, err := ModuleRoot()
	if err != nil {
		return "", nil, err
	}
	tmp, err := os.MkdirTemp("", prefix)
	if err != nil {
		return "", nil, err
	}
	cleanup = func() { _ = os.RemoveAll(tmp) }
	bin = filepath.Join(tmp, "hsworkshop")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/hsworkshop")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		cleanup()
		return "", nil, fmt.Errorf("go build ./cmd/hsworkshop: %w\n%s", err, out)
	}
	return bin, cleanup, nil
}

// RunWithApp is the body of a black-box suite's TestMain: it builds the
// app with BuildApp, stores the binary's path in *bin for the tests, runs
// them and removes the build. It returns the exit code for os.Exit; a
// failed build is printed to stderr under suite's name and returns 1.
func RunWithApp(m *testing.M, suite string, bin *string) int {
	path, cleanup, err := BuildApp("hsworkshop-" + suite + "-")
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", suite, err)
		return 1
	}
	defer cleanup()
	*bin = path
	return m.Run()
}

// ModuleRoot walks up from the working directory to the folder with go.mod.
func ModuleRoot() (string, error) {
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

// BaseEnv is the part of the test's environment a child process may
// inherit: enough to run, and none of the variables the app reads, so a
// developer's own DATABASE_URL or STRIPE_SECRET_KEY cannot leak into a
// test server.
func BaseEnv() []string {
	var env []string
	for _, k := range []string{"PATH", "HOME", "TMPDIR", "LANG", "TZ"} {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	return env
}

// ServeOptions says how to run one `hsworkshop serve` process.
type ServeOptions struct {
	// Name names the process in messages ("server" when empty).
	Name string
	// Env is added to BaseEnv, ADDR and BASE_URL (a later entry wins).
	Env []string
	// ReadyPath is polled until it answers 200 ("/healthz" when empty).
	ReadyPath string
	// CleanExit makes the stop at the end of the test fail it when the
	// process exited by itself before, or did not exit with status 0
	// after SIGTERM. Suites that kill servers on purpose leave it off.
	CleanExit bool
}

// Server is one running `hsworkshop serve` process.
type Server struct {
	// Name names the process in messages.
	Name string
	// URL is the base URL, without a trailing slash.
	URL string

	opts ServeOptions
	cmd  *exec.Cmd
	out  *SyncBuffer
	done chan struct{} // closed when the process has exited
	err  error         // the result of cmd.Wait, valid after done
}

// Serve runs `bin serve` on a free port of 127.0.0.1, waits until
// opts.ReadyPath answers 200, and stops the process with SIGTERM when the
// test ends (unless it is gone already). Its output is printed if the test
// fails.
func Serve(t testing.TB, bin string, opts ServeOptions) *Server {
	t.Helper()
	if bin == "" {
		t.Fatal("the hsworkshop binary was not built: TestMain did not run")
	}
	if opts.Name == "" {
		opts.Name = "server"
	}
	if opts.ReadyPath == "" {
		opts.ReadyPath = "/healthz"
	}
	port := strconv.Itoa(FreePort(t))
	s := &Server{Name: opts.Name, URL: "http://127.0.0.1:" + port, opts: opts, out: &SyncBuffer{}, done: make(chan struct{})}
	s.cmd = exec.Command(bin, "serve")
	s.cmd.Env = append(BaseEnv(), "ADDR=127.0.0.1:"+port, "BASE_URL="+s.URL)
	s.cmd.Env = append(s.cmd.Env, opts.Env...)
	s.cmd.Stdout, s.cmd.Stderr = s.out, s.out
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("start %s (%s serve): %v", s.Name, bin, err)
	}
	go func() {
		s.err = s.cmd.Wait()
		close(s.done)
	}()
	t.Cleanup(func() { s.stop(t) })
	if err := s.waitReady(readyTimeout); err != nil {
		t.Fatalf("%s did not become ready: %v\n--- %s output ---\n%s", s.Name, err, s.Name, s.out)
	}
	return s
}

// waitReady polls ReadyPath until it answers 200, the process exits or
// the timeout passes.
func (s *Server) waitReady(timeout time.Duration) error {
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(timeout)
	var last error
	for time.Now().Before(deadline) {
		select {
		case <-s.done:
			return fmt.Errorf("the process exited early: %v", s.err)
		default:
		}
		resp, err := client.Get(s.URL + s.opts.ReadyPath)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("GET %s: got status %d, want 200", s.opts.ReadyPath, resp.StatusCode)
		}
		last = err
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("no 200 from %s within %v (last: %v)", s.opts.ReadyPath, timeout, last)
}

// Kill sends SIGKILL and waits for the process to be gone.
func (s *Server) Kill(t testing.TB) {
	t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatalf("kill %s: %v", s.Name, err)
	}
	<-s.done
}

// stop ends the process with SIGTERM (a graceful shutdown) unless it is
// already gone, checks the exit when CleanExit is set, and prints the
// tail of its output when the test failed.
func (s *Server) stop(t testing.TB) {
	t.Helper()
	select {
	case <-s.done:
		if s.opts.CleanExit { // a server should not exit by itself
			t.Errorf("%s exited before the test ended: %v", s.Name, s.err)
		}
	default:
		if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Errorf("send SIGTERM to %s: %v", s.Name, err)
		}
		select {
		case <-s.done:
			if s.opts.CleanExit && s.err != nil {
				t.Errorf("%s exit after SIGTERM: got %v, want status 0", s.Name, s.err)
			}
		case <-time.After(shutdownTimeout):
			_ = s.cmd.Process.Kill()
			<-s.done
			t.Errorf("%s did not exit within %v of SIGTERM (graceful shutdown)", s.Name, shutdownTimeout)
		}
	}
	if t.Failed() {
		out := s.out.String()
		if len(out) > outputTail {
			out = "…" + out[len(out)-outputTail:]
		}
		t.Logf("--- %s output ---\n%s", s.Name, strings.TrimRight(out, "\n"))
	}
}

// SyncBuffer is a bytes.Buffer safe for the writer goroutines of exec.Cmd.
type SyncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *SyncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *SyncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
