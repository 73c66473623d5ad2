package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const wrkOK = `Running 1s test @ http://127.0.0.1:18099/
  1 threads and 4 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     8.76ms    9.47ms  70.02ms   92.68%
    Req/Sec   551.10    174.76     0.86k    60.00%
  Latency Distribution
     50%    6.52ms
     75%    9.90ms
     90%   15.01ms
     99%   55.43ms
  552 requests in 1.01s, 1.99MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 4
Requests/sec:    548.25
Transfer/sec:      1.98MB
`

func TestParseWrk(t *testing.T) {
	got, err := ParseWrk(wrkOK)
	if err != nil {
		t.Fatalf("ParseWrk: %v", err)
	}
	want := LoadResult{Requests: 552, Errors: 7, Elapsed: 1010 * time.Millisecond, Rate: 548.25,
		P50: 6520 * time.Microsecond, P99: 55430 * time.Microsecond, Max: 70020 * time.Microsecond}
	if got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
	if _, err := ParseWrk(strings.Replace(wrkOK, "  Latency Distribution", "", 1)[:200]); err == nil {
		t.Error("got no error for truncated output, want one")
	}
	noLatency := strings.NewReplacer("     50%    6.52ms\n", "", "     99%   55.43ms\n", "").Replace(wrkOK)
	if _, err := ParseWrk(noLatency); err == nil {
		t.Error("got no error without the latency distribution, want one")
	}
}

func TestPercentile(t *testing.T) {
	var lat []time.Duration
	for i := 1; i <= 100; i++ {
		lat = append(lat, time.Duration(i)*time.Millisecond)
	}
	for _, tc := range []struct {
		p    float64
		want time.Duration
	}{{50, 50 * time.Millisecond}, {99, 99 * time.Millisecond}, {100, 100 * time.Millisecond}, {0, time.Millisecond}} {
		if got := Percentile(lat, tc.p); got != tc.want {
			t.Errorf("Percentile(1..100 ms, %v): got %v, want %v", tc.p, got, tc.want)
		}
	}
	if got := Percentile(nil, 99); got != 0 {
		t.Errorf("Percentile(nil): got %v, want 0", got)
	}
}

func TestParseProcFiles(t *testing.T) {
	rss, err := ParseVmRSS("Name:\thsworkshop\nVmPeak:\t  900000 kB\nVmRSS:\t  143360 kB\nThreads:\t9\n")
	if err != nil {
		t.Fatalf("ParseVmRSS: %v", err)
	}
	if want := int64(143360 * 1024); rss != want {
		t.Errorf("VmRSS: got %d, want %d", rss, want)
	}
	if _, err := ParseVmRSS("Name:\tx\n"); err == nil {
		t.Error("got no error without VmRSS, want one")
	}
	cpu := "processor\t: 0\nmodel name\t: AMD EPYC 7B13\n\nprocessor\t: 1\nmodel name\t: AMD EPYC 7B13\n"
	if got, want := ParseCPUInfo(cpu), "AMD EPYC 7B13, 2 cores"; got != want {
		t.Errorf("ParseCPUInfo: got %q, want %q", got, want)
	}
}

func TestRewriteSection(t *testing.T) {
	sec := MarkerStart + "\nnew\n" + MarkerEnd + "\n"
	doc := "# Benchmarks\n\nsearch\n\n" + MarkerStart + "\nold\n" + MarkerEnd + "\n\n## After\n"
	got, err := RewriteSection(doc, sec)
	if err != nil {
		t.Fatalf("RewriteSection: %v", err)
	}
	if want := "# Benchmarks\n\nsearch\n\n" + MarkerStart + "\nnew\n" + MarkerEnd + "\n\n## After\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	got, err = RewriteSection("# Benchmarks\n", sec)
	if err != nil {
		t.Fatalf("RewriteSection without markers: %v", err)
	}
	if want := "# Benchmarks\n\n" + sec; got != want {
		t.Errorf("appended: got %q, want %q", got, want)
	}
	if _, err := RewriteSection("x "+MarkerEnd+" "+MarkerStart, sec); err == nil {
		t.Error("got no error for markers out of order, want one")
	}
}

func TestBareServesSnapshotBytes(t *testing.T) {
	body := []byte("<html>exact bytes</html>")
	path := filepath.Join(t.TempDir(), "snaps.json")
	if err := WriteSnapshots(path, []Snapshot{{URI: "/hts/search?q=laptop", ContentType: "text/html; charset=UTF-8", Body: body}}); err != nil {
		t.Fatal(err)
	}
	snaps, err := ReadSnapshots(path)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(BareHandler(snaps))
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/hts/search?q=laptop")
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(resp.Body)
	if cerr := resp.Body.Close(); err != nil || cerr != nil {
		t.Fatalf("read: %v %v", err, cerr)
	}
	if resp.StatusCode != http.StatusOK || !bytes.Equal(got, body) {
		t.Errorf("got %d %q, want 200 %q", resp.StatusCode, got, body)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "text/html; charset=UTF-8" {
		t.Errorf("content type: got %q, want the snapshot's", ct)
	}
	resp, err = http.Get(srv.URL + "/hts/search?q=other")
	if err != nil {
		t.Fatal(err)
	}
	if err := resp.Body.Close(); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown URI: got %d, want 404", resp.StatusCode)
	}
}

func TestGoGenerators(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Cookie") != "s=1" {
			http.Error(w, "no cookie", http.StatusForbidden)
			return
		}
		_, _ = w.Write([]byte("ok")) // test server
	}))
	defer srv.Close()
	ctx := context.Background()
	res, err := GoLoad{}.Max(ctx, Request{URL: srv.URL, Cookie: "s=1"}, 4, 200*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests == 0 || res.Errors != 0 || res.Rate <= 0 {
		t.Errorf("Max: got %+v, want requests, no errors", res)
	}
	res, err = Paced(ctx, Request{URL: srv.URL, Cookie: "s=1"}, 4, 200, 300*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests != 60 || res.Errors != 0 || res.P99 <= 0 {
		t.Errorf("Paced at 200/s for 0.3 s: got %+v, want 60 requests, no errors", res)
	}
	res, err = GoLoad{}.Max(ctx, Request{URL: srv.URL}, 2, 100*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	if res.Errors == 0 || res.Errors != res.Requests {
		t.Errorf("without cookie: got %+v, want every request an error", res)
	}
}

func TestRawClaimsNeverOversell(t *testing.T) {
	ctx := context.Background()
	raw, err := OpenRaw("sqlite:"+filepath.Join(t.TempDir(), "raw.db"), 4)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close() //nolint:errcheck // test pool
	if err := raw.Setup(ctx, 7); err != nil {
		t.Fatal(err)
	}
	res, err := raw.Claims(ctx, 10, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if res.OK != 7 || res.SoldOut == 0 || res.Failed != 0 {
		t.Errorf("capacity 7: got %+v, want 7 committed, then sold out, no failures", res)
	}
	if err := raw.Drop(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestPagesAndFixtures(t *testing.T) {
	pages := DefaultPages()
	if len(pages) < 6 {
		t.Fatalf("got %d default pages, want at least 6", len(pages))
	}
	fx := Fixtures{SessionID: 12, WorkshopPath: "/workshops/x", AttemptID: 7}
	seen := map[string]bool{}
	for _, p := range pages {
		uri := fx.Resolve(p.Path)
		if !strings.HasPrefix(uri, "/") || strings.Contains(uri, "{") {
			t.Errorf("page %s: resolved to %q, want a path without placeholders", p.Name, uri)
		}
		if seen[uri] {
			t.Errorf("page %s: %q listed twice (the bare server keys pages by URI)", p.Name, uri)
		}
		seen[uri] = true
	}
	if got := fx.Resolve("/sessions/{session}"); got != "/sessions/12" {
		t.Errorf("got %q, want /sessions/12", got)
	}
	if got := fx.Resolve("/quiz/attempts/{attempt}"); got != "/quiz/attempts/7" {
		t.Errorf("got %q, want /quiz/attempts/7", got)
	}
	// Every signed-in row proves it was served signed in (issue 14's
	// lesson and quiz rows too).
	for _, p := range pages {
		if p.Auth && p.Want == "" {
			t.Errorf("page %s: signed in without a Want string", p.Name)
		}
	}
	var a, b map[string]any
	if err := json.Unmarshal(orderBody(1, "", ""), &a); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(orderBody(2, "", ""), &b); err != nil {
		t.Fatal(err)
	}
	if a["payment_method"] != "invoice" || a["buyer"].(map[string]any)["email"] == b["buyer"].(map[string]any)["email"] {
		t.Errorf("order bodies: got %v and %v, want invoice orders with distinct addresses", a, b)
	}
}

func TestReportMarkdown(t *testing.T) {
	rep := Report{Label: "Before tuning", Date: time.Date(2026, 11, 30, 1, 0, 0, 0, time.UTC), Machine: "AMD EPYC, 2 cores",
		GoVersion: "Go 1.26.8", LoadBefore: "1.00 / 1.00 / 1.00", LoadAfter: "2.00 / 2.00 / 2.00", LoadGen: "wrk", Conns: 32,
		Rounds: 2, Duration: 3 * time.Second, PacedDuration: 4 * time.Second, ClaimClients: 100, ClaimDuration: 8 * time.Second,
		Pages: []PageResult{{Page: Page{Name: "catalog", Catalog: true}, URI: "/sessions", Bytes: 13400, AppMax: 550, BareMax: 55000,
			Paced: LoadResult{P50: 5 * time.Millisecond, P99: 114 * time.Millisecond, Rate: 275}}},
		Claims:  []ClaimRow{{Database: "SQLite", App: ClaimResult{Rate: 150}, Raw: ClaimResult{Rate: 2000}, BurstSeats: 50, Burst: ClaimResult{OK: 50, SoldOut: 50}}},
		RSSIdle: 140 << 20, RSSLoaded: 290 << 20, Start: 1200 * time.Millisecond}
	md := rep.Markdown()
	for _, want := range []string{MarkerStart, MarkerEnd, "**0.010**", "ratio missed, p99 missed", "| SQLite | 150 ", "**0.075**",
		"147 MB", "1200 ms", "2026-11-30 01:00 UTC", "1.00 / 1.00 / 1.00"} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	if !strings.HasPrefix(md, MarkerStart) || !strings.HasSuffix(md, MarkerEnd+"\n") {
		t.Errorf("markdown must start and end with the markers:\n%s", md)
	}
	if txt := rep.Text(); !strings.Contains(txt, "catalog") || !strings.Contains(txt, "0.010") {
		t.Errorf("text report lacks the catalog row:\n%s", txt)
	}
}

func TestConfigRuns(t *testing.T) {
	all := Config{}
	for _, p := range []string{PartPages, PartClaims, PartPG} {
		if !all.Runs(p) {
			t.Errorf("a run without Parts skips %s", p)
		}
	}
	some := Config{Parts: []string{PartClaims}}
	if !some.Runs(PartClaims) || some.Runs(PartPages) || some.Runs(PartPG) {
		t.Errorf("Parts [claims]: got pages %v claims %v pg %v, want only claims", some.Runs(PartPages), some.Runs(PartClaims), some.Runs(PartPG))
	}
}

// TestReportBareP99Column: the pages table shows the bare server's p99 at
// the app's paced rate beside the app's p99, the setup text says it is the
// floor of the measurement, and the verdict stays on the app's own p99.
func TestReportBareP99Column(t *testing.T) {
	rep := Report{Pages: []PageResult{
		{Page: Page{Name: "catalog", Catalog: true}, URI: "/sessions", Bytes: 13400, AppMax: 4000, BareMax: 6000,
			Paced:     LoadResult{P50: 2 * time.Millisecond, P99: 8 * time.Millisecond, Rate: 2000},
			PacedBare: LoadResult{P50: 1 * time.Millisecond, P99: 23400 * time.Microsecond, Rate: 2000}},
		{Page: Page{Name: "lesson tracks"}, URI: "/learn", Bytes: 900, AppMax: 3000, BareMax: 6000,
			Paced:     LoadResult{P50: 3 * time.Millisecond, P99: 12 * time.Millisecond, Rate: 1500},
			PacedBare: LoadResult{P99: 4500 * time.Microsecond, Rate: 1500, Errors: 2}},
		{Page: Page{Name: "home", Catalog: true}, URI: "/", Bytes: 900, AppMax: 3000, BareMax: 6000,
			Paced: LoadResult{P99: 30 * time.Millisecond, Rate: 1500}},
	}}
	md := rep.Markdown()
	for _, want := range []string{
		"| app p50 / **p99** at ½ max | bare p99 at the same rate (floor) | target",
		"|---|---|---|---|---|---|---|---|\n",
		"**Bare p99 at the same\nrate** is the bare server paced the same way", "of this measurement on this machine",
		"at 2000 req/s | 23.4 ms | ratio met, p99 met |", // app 8 ms meets the target although the floor is above it
		"at 1500 req/s | 4.50 ms (2 errors) | no target yet |",
		"at 1500 req/s | – | ratio met, p99 missed |", // not measured: a dash, verdict on the app's 30 ms
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	for _, l := range strings.Split(md, "\n") {
		if strings.HasPrefix(l, "| catalog ") || strings.HasPrefix(l, "| page ") {
			if n := strings.Count(l, "|"); n != 9 {
				t.Errorf("pages row has %d cell borders, want 9 (8 columns): %s", n, l)
			}
		}
	}
	txt := rep.Text()
	for _, want := range []string{"bare p99", "23.4 ms", "4.50 ms (2 errors)"} {
		if !strings.Contains(txt, want) {
			t.Errorf("text report lacks %q:\n%s", want, txt)
		}
	}
}
