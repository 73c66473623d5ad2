package bench

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// LoadResult is what one load run measured against one URL.
type LoadResult struct {
	Requests int           // responses received
	Errors   int           // transport errors and non-2xx/3xx answers
	Elapsed  time.Duration // wall time of the run
	Rate     float64       // responses per second
	P50, P99 time.Duration // latency percentiles (from the scheduled send time when paced)
	Max      time.Duration
}

// Request is one request a generator sends over and over.
type Request struct {
	URL    string
	Cookie string // Cookie header, empty for anonymous pages
}

// LoadGen measures the maximum throughput of a URL with a fixed number of
// keep-alive connections, each sending its next request as soon as the
// previous answer is read (closed loop).
type LoadGen interface {
	Name() string
	Max(ctx context.Context, r Request, conns int, d time.Duration) (LoadResult, error)
}

// newClient returns a keep-alive client for conns parallel connections
// that never follows redirects nor decompresses.
func newClient(conns int) *http.Client {
	tr := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		MaxIdleConns:        conns,
		MaxIdleConnsPerHost: conns,
		MaxConnsPerHost:     conns,
		DisableCompression:  true,
		IdleConnTimeout:     30 * time.Second,
	}
	return &http.Client{Transport: tr, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// get sends one GET and reads the whole body; ok is false for transport
// errors and answers outside 2xx/3xx.
func get(ctx context.Context, c *http.Client, r Request) bool {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.URL, nil)
	if err != nil {
		return false
	}
	if r.Cookie != "" {
		req.Header.Set("Cookie", r.Cookie)
	}
	resp, err := c.Do(req)
	if err != nil {
		return false
	}
	_, err = io.Copy(io.Discard, resp.Body)
	cerr := resp.Body.Close()
	return err == nil && cerr == nil && resp.StatusCode < 400
}

// GoLoad is the in-process closed-loop generator, used where wrk is not
// installed.
type GoLoad struct{}

// Name implements LoadGen.
func (GoLoad) Name() string { return "go" }

// Max implements LoadGen.
func (GoLoad) Max(ctx context.Context, r Request, conns int, d time.Duration) (LoadResult, error) {
	c := newClient(conns)
	defer c.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var mu sync.Mutex
	var all []time.Duration
	errs := 0
	start := time.Now()
	var wg sync.WaitGroup
	for range conns {
		wg.Go(func() {
			var lat []time.Duration
			bad := 0
			for ctx.Err() == nil {
				t0 := time.Now()
				ok := get(ctx, c, r)
				if ctx.Err() != nil {
					break // cut off by the deadline, not an answer
				}
				if !ok {
					bad++
				}
				lat = append(lat, time.Since(t0))
			}
			mu.Lock()
			all = append(all, lat...)
			errs += bad
			mu.Unlock()
		})
	}
	wg.Wait()
	return summarize(all, errs, time.Since(start)), nil
}

// summarize turns latencies into a LoadResult.
func summarize(lat []time.Duration, errs int, elapsed time.Duration) LoadResult {
	slices.Sort(lat)
	res := LoadResult{Requests: len(lat), Errors: errs, Elapsed: elapsed,
		P50: Percentile(lat, 50), P99: Percentile(lat, 99)}
	if len(lat) > 0 {
		res.Max = lat[len(lat)-1]
	}
	if elapsed > 0 {
		res.Rate = float64(len(lat)) / elapsed.Seconds()
	}
	return res
}

// Percentile returns the nearest-rank p-th percentile of sorted latencies,
// or 0 when there are none.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(float64(len(sorted))*p/100+0.999999) - 1
	return sorted[min(max(rank, 0), len(sorted)-1)]
}

// Paced offers rate requests per second for d over conns connections
// (open loop) and measures each latency from the request's scheduled send
// time, so a server that falls behind is charged for the queueing
// (no coordinated omission). Requests still unanswered 5 s after the run
// count as errors.
func Paced(ctx context.Context, r Request, conns int, rate float64, d time.Duration) (LoadResult, error) {
	if rate <= 0 {
		return LoadResult{}, fmt.Errorf("paced run of %s: rate %v must be positive", r.URL, rate)
	}
	n := int(rate * d.Seconds())
	c := newClient(conns)
	defer c.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(ctx, d+5*time.Second)
	defer cancel()
	sched := make(chan time.Time, n)
	start := time.Now()
	interval := time.Duration(float64(time.Second) / rate)
	go func() {
		defer close(sched)
		for i := range n {
			at := start.Add(time.Duration(i) * interval)
			if w := time.Until(at); w > 0 {
				select {
				case <-time.After(w):
				case <-ctx.Done():
					return
				}
			}
			sched <- at
		}
	}()
	var mu sync.Mutex
	var all []time.Duration
	errs := 0
	var wg sync.WaitGroup
	for range conns {
		wg.Go(func() {
			var lat []time.Duration
			bad := 0
			for at := range sched {
				if ctx.Err() != nil {
					bad++
					continue
				}
				if !get(ctx, c, r) {
					bad++
					continue
				}
				lat = append(lat, time.Since(at))
			}
			mu.Lock()
			all = append(all, lat...)
			errs += bad
			mu.Unlock()
		})
	}
	wg.Wait()
	res := summarize(all, errs, time.Since(start))
	res.Rate = float64(res.Requests) / d.Seconds()
	if lost := n - res.Requests - res.Errors; lost > 0 {
		res.Errors += lost // never scheduled: the run was cancelled
	}
	return res, nil
}

// Wrk drives wrk (https://github.com/wg/wrk) with one thread.
type Wrk struct{ Path string }

// Name implements LoadGen.
func (Wrk) Name() string { return "wrk" }

// Max implements LoadGen.
func (w Wrk) Max(ctx context.Context, r Request, conns int, d time.Duration) (LoadResult, error) {
	secs := max(int(d.Round(time.Second)/time.Second), 1)
	args := []string{"-t1", "-c" + strconv.Itoa(conns), "-d" + strconv.Itoa(secs) + "s", "--latency", "--timeout", "10s"}
	if r.Cookie != "" {
		args = append(args, "-H", "Cookie: "+r.Cookie)
	}
	args = append(args, r.URL)
	out, err := exec.CommandContext(ctx, w.Path, args...).CombinedOutput()
	if err != nil {
		return LoadResult{}, fmt.Errorf("wrk %s: %w: %s", r.URL, err, out)
	}
	res, err := ParseWrk(string(out))
	if err != nil {
		return LoadResult{}, fmt.Errorf("wrk %s: %w", r.URL, err)
	}
	return res, nil
}

var (
	wrkRequests = regexp.MustCompile(`(?m)^\s*(\d+) requests in ([0-9.]+)(us|ms|s|m),`)
	wrkRate     = regexp.MustCompile(`(?m)^Requests/sec:\s*([0-9.]+)`)
	wrkPct      = regexp.MustCompile(`(?m)^\s*(50|99)%\s+([0-9.]+)(us|ms|s|m)\s*$`)
	wrkMax      = regexp.MustCompile(`(?m)^\s*Latency\s+\S+\s+\S+\s+([0-9.]+)(us|ms|s|m)`)
	wrkNon2xx   = regexp.MustCompile(`(?m)^\s*Non-2xx or 3xx responses:\s*(\d+)`)
	wrkSocket   = regexp.MustCompile(`(?m)^\s*Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)`)
)

// wrkDuration reads a number with one of wrk's units.
func wrkDuration(num, unit string) (time.Duration, error) {
	f, err := strconv.ParseFloat(num, 64)
	if err != nil {
		return 0, fmt.Errorf("parse %q: %w", num, err)
	}
	mult := map[string]float64{"us": 1e3, "ms": 1e6, "s": 1e9, "m": 60e9}[unit]
	return time.Duration(f * mult), nil
}

// ParseWrk reads the output of `wrk --latency`.
func ParseWrk(out string) (LoadResult, error) {
	var res LoadResult
	m := wrkRequests.FindStringSubmatch(out)
	if m == nil {
		return res, fmt.Errorf("no request count in wrk output: %q", out)
	}
	n, err := strconv.Atoi(m[1])
	if err != nil {
		return res, fmt.Errorf("request count: %w", err)
	}
	res.Requests = n
	if res.Elapsed, err = wrkDuration(m[2], m[3]); err != nil {
		return res, err
	}
	if m := wrkRate.FindStringSubmatch(out); m != nil {
		if res.Rate, err = strconv.ParseFloat(m[1], 64); err != nil {
			return res, fmt.Errorf("requests/sec: %w", err)
		}
	} else {
		return res, fmt.Errorf("no Requests/sec in wrk output")
	}
	pcts := wrkPct.FindAllStringSubmatch(out, -1)
	if len(pcts) < 2 {
		return res, fmt.Errorf("no latency distribution in wrk output (run with --latency)")
	}
	for _, p := range pcts {
		d, err := wrkDuration(p[2], p[3])
		if err != nil {
			return res, err
		}
		if p[1] == "50" {
			res.P50 = d
		} else {
			res.P99 = d
		}
	}
	if m := wrkMax.FindStringSubmatch(out); m != nil {
		if res.Max, err = wrkDuration(m[1], m[2]); err != nil {
			return res, err
		}
	}
	if m := wrkNon2xx.FindStringSubmatch(out); m != nil {
		k, _ := strconv.Atoi(m[1]) // the regexp admits digits only
		res.Errors += k
	}
	if m := wrkSocket.FindStringSubmatch(out); m != nil {
		for _, s := range m[1:] {
			k, _ := strconv.Atoi(s) // digits only
			res.Errors += k
		}
	}
	return res, nil
}

// readLines returns the lines of a small text, trimmed.
func readLines(s string) []string {
	var out []string
	sc := bufio.NewScanner(strings.NewReader(s))
	for sc.Scan() {
		out = append(out, strings.TrimSpace(sc.Text()))
	}
	return out
}
