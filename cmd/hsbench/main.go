// Command hsbench reruns the web benchmark of issue 14 and prints its
// tables; with -write it rewrites the "Web performance" section of
// BENCHMARKS.md. The harness lives in internal/bench.
//
//	go run ./cmd/hsbench [-write BENCHMARKS.md] [-loadgen wrk|go] [-label "…"]
//	go run ./cmd/hsbench -only claims,pg          (a part; never with -write)
//	go run ./cmd/hsbench -only pages -pages workshop,catalog -pprof 127.0.0.1:6060
//	hsbench bare -addr A -snapshots F      (the bare server; started by the harness)
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/hsworkshop/hsworkshop/internal/bench"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "hsbench:", err)
		stop()
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "bare" {
		fs := flag.NewFlagSet("bare", flag.ContinueOnError)
		addr := fs.String("addr", "127.0.0.1:0", "listen address")
		snaps := fs.String("snapshots", "", "JSON file of the pages to serve")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		return bench.ServeBare(ctx, *addr, *snaps)
	}
	fs := flag.NewFlagSet("hsbench", flag.ContinueOnError)
	write := fs.String("write", "", "rewrite the web-bench section of this file (BENCHMARKS.md)")
	loadgen := fs.String("loadgen", "auto", "maximum-throughput generator: wrk, go, or auto (wrk when installed)")
	label := fs.String("label", "Current code", "what the figures are, e.g. \"Before tuning\"")
	bin := fs.String("bin", "", "prebuilt hsworkshop binary (default: build ./cmd/hsworkshop)")
	conns := fs.Int("conns", 32, "load generator connections")
	rounds := fs.Int("rounds", 2, "app/bare alternations per page")
	dur := fs.Duration("d", 3*time.Second, "duration of each throughput measurement")
	paced := fs.Duration("paced", 3*time.Second, "duration of the p99 run at half the maximum")
	clients := fs.Int("claim-clients", 100, "concurrent registration clients")
	claimDur := fs.Duration("claim-d", 8*time.Second, "duration of each seat-claim run")
	catRate := fs.Float64("catalog-rate", 25, "req/s offered to /sessions while claims run")
	pg := fs.String("pg", firstEnv("BENCH_DATABASE_URL", "TEST_DATABASE_URL"), "PostgreSQL URL to create a scratch database on (empty: SQLite only)")
	only := fs.String("only", "", "comma-separated parts to run: pages, claims, pg (default: all; not with -write)")
	pageNames := fs.String("pages", "", "comma-separated substrings of the page rows to measure (default: all; not with -write)")
	pprof := fs.String("pprof", "", "PPROF_ADDR for the app (a loopback address), to profile it under the load")
	if err := fs.Parse(args); err != nil {
		return err
	}
	parts, err := splitList(*only, bench.PartPages, bench.PartClaims, bench.PartPG)
	if err != nil {
		return fmt.Errorf("-only: %w", err)
	}
	pages, err := selectPages(bench.DefaultPages(), *pageNames)
	if err != nil {
		return fmt.Errorf("-pages: %w", err)
	}
	if *write != "" && (len(parts) > 0 || *pageNames != "") {
		return errors.New("-write rewrites the whole section: run every part (drop -only and -pages)")
	}
	var gen bench.LoadGen
	switch *loadgen {
	case "auto":
		gen = bench.DefaultLoadGen()
	case "go":
		gen = bench.GoLoad{}
	case "wrk":
		p, err := exec.LookPath("wrk")
		if err != nil {
			return fmt.Errorf("-loadgen wrk: %w (apt-get install -y wrk, or -loadgen go)", err)
		}
		gen = bench.Wrk{Path: p}
	default:
		return fmt.Errorf("-loadgen %q: want wrk, go or auto", *loadgen)
	}
	if *rounds < 1 || *conns < 1 || *clients < 2 {
		return errors.New("-rounds and -conns must be at least 1, -claim-clients at least 2")
	}
	var appEnv []string
	if *pprof != "" {
		appEnv = append(appEnv, "PPROF_ADDR="+*pprof)
	}
	self, err := os.Executable()
	if err != nil {
		return fmt.Errorf("find own executable: %w", err)
	}
	repo, err := os.Getwd()
	if err != nil {
		return fmt.Errorf("working directory: %w", err)
	}
	if _, err := os.Stat("cmd/hsworkshop"); err != nil && *bin == "" {
		return fmt.Errorf("run from the repository root (no ./cmd/hsworkshop here): %w", err)
	}
	cfg := bench.Config{Repo: repo, Bin: *bin, Self: self, LoadGen: gen, Conns: *conns, Rounds: *rounds,
		Duration: *dur, PacedDuration: *paced, ClaimClients: *clients, ClaimDuration: *claimDur,
		CatalogRate: *catRate, PGURL: *pg, Label: *label, Pages: pages, Log: stderr, Parts: parts, AppEnv: appEnv}
	rep, err := bench.Run(ctx, cfg)
	if err != nil {
		return err
	}
	fmt.Fprint(stdout, rep.Text())
	if *write == "" {
		return nil
	}
	doc, err := os.ReadFile(*write)
	if err != nil {
		return fmt.Errorf("read %s: %w", *write, err)
	}
	out, err := bench.RewriteSection(string(doc), rep.Markdown())
	if err != nil {
		return err
	}
	if err := os.WriteFile(*write, []byte(out), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", *write, err)
	}
	fmt.Fprintf(stdout, "rewrote the web-bench section of %s\n", *write)
	return nil
}

// firstEnv returns the first non-empty environment variable of names.
func firstEnv(names ...string) string {
	for _, n := range names {
		if v := os.Getenv(n); v != "" {
			return v
		}
	}
	return ""
}

// splitList parses a comma-separated list whose items must be in allowed.
func splitList(s string, allowed ...string) ([]string, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var out []string
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if !slices.Contains(allowed, f) {
			return nil, fmt.Errorf("unknown part %q: want %s", f, strings.Join(allowed, ", "))
		}
		out = append(out, f)
	}
	return out, nil
}

// selectPages keeps the pages whose name contains one of the
// comma-separated substrings in names (all pages when names is empty).
func selectPages(all []bench.Page, names string) ([]bench.Page, error) {
	if strings.TrimSpace(names) == "" {
		return all, nil
	}
	var out []bench.Page
	for _, p := range all {
		for _, n := range strings.Split(names, ",") {
			if n = strings.TrimSpace(n); n != "" && strings.Contains(p.Name, n) {
				out = append(out, p)
				break
			}
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no page name contains any of %q", names)
	}
	return out, nil
}
