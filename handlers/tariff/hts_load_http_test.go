//go:build bench

package tariff_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hsworkshop/hsworkshop/handlers"
	ht "github.com/hsworkshop/hsworkshop/handlers/handlertest"
	"github.com/hsworkshop/hsworkshop/handlers/tariff"

	"github.com/labstack/echo/v4"

	"github.com/hsworkshop/hsworkshop/content"
	"github.com/hsworkshop/hsworkshop/internal/hts"
)

// TestHTSLoad is the latency harness of the tariff search (BENCHMARKS.md).
// It serves the real router, middleware and handlers over HTTP on a
// loopback port and drives them from 50 concurrent keep-alive connections
// in the same process (so client and server share this machine's cores),
// then reports latency percentiles for:
//
//   - the search API with the engine (GET /api/v1/hts/search),
//   - the same queries through the plain BM25 baseline engine, on a route
//     this harness adds behind the same middleware and JSON encoding,
//   - a line lookup (GET /api/v1/hts/{code}),
//   - an empty route, for the cost of HTTP and middleware alone,
//
// and the memory the loaded index holds. Run it with
//
//	go test -tags bench -run TestHTSLoad -count=1 -v ./handlers/
//
// HTS_LOAD_SECONDS sets the length of each run (default 10),
// HTS_LOAD_CONNS the connections (default 50) and HTS_LOAD_ONLY picks the
// scenarios whose name contains it. It asserts nothing about
// time: the figures go into BENCHMARKS.md.
func TestHTSLoad(t *testing.T) {
	seconds, conns := 10, 50
	if v := os.Getenv("HTS_LOAD_SECONDS"); v != "" {
		fmt.Sscan(v, &seconds)
	}
	if v := os.Getenv("HTS_LOAD_CONNS"); v != "" {
		fmt.Sscan(v, &conns)
	}
	// Offered loads of the paced runs, in requests per second over all
	// connections.
	rates := []int{500, 1000, 2000, 4000}

	// Memory of the loaded index: live heap after a GC, before and after.
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	ix, err := hts.LoadBundled(content.FS)
	if err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	t.Logf("index: %d lines; live heap %.1f MiB after loading (+%.1f MiB)", ix.Len(),
		float64(after.HeapAlloc)/(1<<20), float64(after.HeapAlloc-before.HeapAlloc)/(1<<20))

	// As `hsworkshop serve` does once the index is loaded
	// (cmd/hsworkshop/serve.go, tightenMemoryLimit): the default GOGC=100
	// and a soft memory limit of 56 MiB, or the live heap plus 16 MiB when
	// that is more.
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	live := int64(after.HeapAlloc) // #nosec G115 -- a heap size, far below MaxInt64
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(max(56<<20, live+16<<20)))
	ta := ht.New(t, func(d *handlers.Deps) {
		d.HTS = ix
		d.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	})
	// The baseline engine and an empty route, behind the same middleware.
	ta.E.GET("/bench/baseline", func(c echo.Context) error {
		out := tariff.APIHTSSearch{Results: []tariff.APIHTSResult{}, Edition: ix.Edition().Name}
		for _, h := range ix.Search(c.QueryParam("q"), hts.Options{Limit: 10, Baseline: true}) {
			out.Results = append(out.Results, tariff.APIHTSResult{Code: h.Line.Code, Level: h.Line.Level, Description: h.Line.Description, Path: h.Line.Path})
		}
		return c.JSON(http.StatusOK, out)
	})
	ta.E.GET("/bench/empty", func(c echo.Context) error { return c.JSON(http.StatusOK, map[string]string{"ok": "1"}) })
	srv := httptest.NewServer(ta.E)
	defer srv.Close()

	queries := evalQueries(t)
	codes := []string{"8471.30.01", "0101.21.00.10", "6404.11.20", "9903.88.03", "8471", "84", "7308.20.00", "8517.13.00.00"}
	for _, sc := range []struct {
		name string
		path func(i int) string
	}{
		{"empty route (HTTP + middleware)", func(int) string { return "/bench/empty" }},
		{"search API, engine", func(i int) string {
			return "/api/v1/hts/search?limit=10&q=" + url.QueryEscape(queries[i%len(queries)])
		}},
		{"search, plain BM25 baseline", func(i int) string { return "/bench/baseline?q=" + url.QueryEscape(queries[i%len(queries)]) }},
		{"line lookup API", func(i int) string { return "/api/v1/hts/" + codes[i%len(codes)] }},
	} {
		if only := os.Getenv("HTS_LOAD_ONLY"); only != "" && !strings.Contains(sc.name, only) {
			continue
		}
		r := drive(t, srv.URL, conns, time.Duration(seconds)*time.Second, 0, sc.path)
		t.Logf("%-32s conns=%d  saturated: %6.0f req/s  p50 %s  p90 %s  p99 %s  max %s  errors %d",
			sc.name, conns, r.rate, r.p(50), r.p(90), r.p(99), r.max(), r.errors)
		for _, rate := range rates {
			r := drive(t, srv.URL, conns, time.Duration(seconds)*time.Second, rate, sc.path)
			t.Logf("%-32s conns=%d  offered %5d req/s: %6.0f req/s  p50 %s  p90 %s  p99 %s  max %s  errors %d",
				sc.name, conns, rate, r.rate, r.p(50), r.p(90), r.p(99), r.max(), r.errors)
		}
	}
}

type loadResult struct {
	lat    []time.Duration
	n      int
	errors int
	rate   float64
}

func (r loadResult) p(q int) time.Duration {
	if len(r.lat) == 0 {
		return 0
	}
	return r.lat[min(len(r.lat)-1, len(r.lat)*q/100)].Round(10 * time.Microsecond)
}

func (r loadResult) max() time.Duration {
	if len(r.lat) == 0 {
		return 0
	}
	return r.lat[len(r.lat)-1].Round(10 * time.Microsecond)
}

// drive runs conns clients, each on its own keep-alive connection, for d
// after a one-second warm-up, and collects latencies. With rate 0 each
// client sends its next Request as soon as the last one is answered
// (saturation); otherwise the clients together offer rate requests per
// second on a fixed schedule, and a latency counts from the scheduled
// time, so a server that falls behind is charged for the wait
// (no coordinated omission).
func drive(t *testing.T, base string, conns int, d time.Duration, rate int, path func(int) string) loadResult {
	t.Helper()
	tr := &http.Transport{MaxIdleConns: conns, MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns, DisableCompression: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	var mu sync.Mutex
	var all []time.Duration
	errs := 0
	warm := time.Now().Add(time.Second)
	end := warm.Add(d)
	ctx, cancel := context.WithDeadline(context.Background(), end)
	defer cancel()
	var wg sync.WaitGroup
	for w := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var lat []time.Duration
			bad := 0
			var every time.Duration
			next := time.Now()
			if rate > 0 {
				every = time.Duration(float64(time.Second) * float64(conns) / float64(rate))
				next = next.Add(time.Duration(w) * every / time.Duration(conns))
			}
			for i := w * 7919; ; i++ {
				if rate > 0 {
					time.Sleep(time.Until(next))
				}
				start := time.Now()
				if rate > 0 {
					start = next
					next = next.Add(every)
				}
				if !start.Before(end) {
					break
				}
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+path(i), nil)
				resp, err := client.Do(req)
				if err == nil {
					_, err = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != http.StatusOK {
						err = fmt.Errorf("status %d", resp.StatusCode)
					}
				}
				took := time.Since(start)
				if start.Before(warm) {
					continue
				}
				if err != nil {
					if ctx.Err() == nil {
						bad++
					}
					continue
				}
				lat = append(lat, took)
			}
			mu.Lock()
			all = append(all, lat...)
			errs += bad
			mu.Unlock()
		}()
	}
	wg.Wait()
	slices.Sort(all)
	return loadResult{lat: all, n: len(all), errors: errs, rate: float64(len(all)) / d.Seconds()}
}
