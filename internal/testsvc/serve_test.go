package testsvc

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// fakeServeEnv makes the test binary, run as `<test binary> serve`, play
// an hsworkshop server (the helper-process pattern of os/exec's tests).
const fakeServeEnv = "TESTSVC_FAKE_SERVE=1"

func TestMain(m *testing.M) {
	if os.Getenv("TESTSVC_FAKE_SERVE") == "1" {
		os.Exit(fakeServe())
	}
	os.Exit(m.Run())
}

// fakeServe listens on ADDR: /healthz answers 200 at once, /readyz 503
// for its first 300 ms, /env?k=NAME echoes a variable. On SIGTERM it exits
// with FAKE_EXIT_CODE (0 when unset).
func fakeServe() int {
	started := time.Now()
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(http.ResponseWriter, *http.Request) {})
	mux.HandleFunc("/readyz", func(w http.ResponseWriter, _ *http.Request) {
		if time.Since(started) < 300*time.Millisecond {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	})
	mux.HandleFunc("/env", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, os.Getenv(r.URL.Query().Get("k")))
	})
	srv := &http.Server{Addr: os.Getenv("ADDR"), Handler: mux, ReadHeaderTimeout: time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	go func() { _ = srv.ListenAndServe() }()
	fmt.Println("fake server listening")
	<-ctx.Done()
	_ = srv.Close()
	code, _ := strconv.Atoi(os.Getenv("FAKE_EXIT_CODE"))
	return code
}

// recorder is a testing.TB whose cleanups and errors the test runs and
// reads itself, to check what Serve's stop reports.
type recorder struct {
	testing.TB
	cleanups []func()
	errs     []string
}

func (r *recorder) Helper()          {}
func (r *recorder) Cleanup(f func()) { r.cleanups = append(r.cleanups, f) }
func (r *recorder) Errorf(format string, a ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, a...))
}
func (r *recorder) Failed() bool                    { return len(r.errs) > 0 }
func (r *recorder) Logf(format string, args ...any) {}

// end runs the cleanups as the end of a test would, last first.
func (r *recorder) end() {
	for i := len(r.cleanups) - 1; i >= 0; i-- {
		r.cleanups[i]()
	}
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	var body strings.Builder
	if _, err := io.Copy(&body, resp.Body); err != nil {
		t.Fatalf("GET %s: read the body: %v", url, err)
	}
	return resp.StatusCode, body.String()
}

func TestServeWaitsForReadyPathAndPassesOnlyItsEnv(t *testing.T) {
	t.Setenv("DATABASE_URL", "sqlite:/developer/own.db")
	s := Serve(t, os.Args[0], ServeOptions{ReadyPath: "/readyz", CleanExit: true, Env: []string{fakeServeEnv, "FAKE_GREETING=hello"}})
	if s.Name != "server" {
		t.Errorf("Name: got %q, want the default %q", s.Name, "server")
	}
	if code, _ := get(t, s.URL+"/readyz"); code != http.StatusOK {
		t.Errorf("GET /readyz after Serve: got %d, want 200 (Serve returned before ready)", code)
	}
	for k, want := range map[string]string{"FAKE_GREETING": "hello", "BASE_URL": s.URL, "DATABASE_URL": ""} {
		if _, got := get(t, s.URL+"/env?k="+k); got != want {
			t.Errorf("server's %s: got %q, want %q", k, got, want)
		}
	}
}

func TestServeStopChecksTheExitOnlyWhenCleanExit(t *testing.T) {
	cases := []struct {
		name      string
		exitCode  string
		kill      bool
		cleanExit bool
		wantErr   string // "" for none
	}{
		{name: "status 0 after SIGTERM", exitCode: "0", cleanExit: true},
		{name: "status 3 after SIGTERM", exitCode: "3", cleanExit: true, wantErr: "want status 0"},
		{name: "status 3, not checked", exitCode: "3"},
		{name: "killed during the test", kill: true, cleanExit: true, wantErr: "exited before the test ended"},
		{name: "killed, not checked", kill: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := &recorder{TB: t}
			s := Serve(r, os.Args[0], ServeOptions{Name: "fake", CleanExit: c.cleanExit, Env: []string{fakeServeEnv, "FAKE_EXIT_CODE=" + c.exitCode}})
			if c.kill {
				s.Kill(r)
			}
			r.end()
			if c.wantErr == "" && len(r.errs) != 0 {
				t.Fatalf("errors: got %q, want none", r.errs)
			}
			if c.wantErr != "" && (len(r.errs) != 1 || !strings.Contains(r.errs[0], c.wantErr)) {
				t.Fatalf("errors: got %q, want one containing %q", r.errs, c.wantErr)
			}
			select {
			case <-s.done:
			default:
				t.Fatal("the process is still running after the test's cleanup")
			}
		})
	}
}

func TestBaseEnvLeavesOutTheAppsVariables(t *testing.T) {
	t.Setenv("STRIPE_SECRET_KEY", "sk_live_developer")
	t.Setenv("TZ", "UTC")
	env := strings.Join(BaseEnv(), "\n")
	if strings.Contains(env, "STRIPE_SECRET_KEY") {
		t.Errorf("BaseEnv passes on STRIPE_SECRET_KEY:\n%s", env)
	}
	if !strings.Contains(env, "TZ=UTC") {
		t.Errorf("BaseEnv: got\n%s\nwant TZ=UTC among it", env)
	}
}

func TestModuleRootIsTwoFoldersUp(t *testing.T) {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	root, err := ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Dir(filepath.Dir(wd)); root != want { // from internal/testsvc
		t.Errorf("ModuleRoot: got %s, want %s", root, want)
	}
}

func TestBinaryLooksInEveryGOPATHEntry(t *testing.T) {
	first, second := t.TempDir(), t.TempDir()
	if err := os.Mkdir(filepath.Join(second, "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	want := filepath.Join(second, "bin", "testsvc-fake-tool")
	if err := os.WriteFile(want, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", t.TempDir())
	t.Setenv("GOPATH", first+string(filepath.ListSeparator)+second)
	if got := Binary(t, "testsvc-fake-tool"); got != want {
		t.Errorf("Binary: got %q, want %q", got, want)
	}
}
