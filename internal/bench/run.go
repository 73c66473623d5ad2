// Package bench is the web benchmark harness of issue 14: it builds and
// starts a real `hsworkshop serve`, a bare Echo server answering the same
// bytes from memory, drives both with wrk (or an in-process generator) and
// reports throughput ratios, paced p99, seat-claim rates against the raw
// database, resident memory and start time, as the BENCHMARKS.md section it
// rewrites.
//
// It talks to the app over HTTP only (API, forms, admin forms), so it does
// not depend on the app's packages; it imports Echo and the GORM drivers,
// nothing from this module. The long run is started by cmd/hsbench; the
// unit tests cover parsing, the load generators, the bare server and the
// report.
package bench

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Config is one run's settings.
type Config struct {
	Repo          string        // module root, where ./cmd/hsworkshop is built from
	Bin           string        // prebuilt hsworkshop binary; built when empty
	Self          string        // this executable, re-run as `bare` for the bare server
	LoadGen       LoadGen       // maximum-throughput generator
	Conns         int           // connections of the load generator (32)
	Rounds        int           // app/bare alternations per page (2)
	Duration      time.Duration // per throughput measurement
	PacedDuration time.Duration // p99 run at half the maximum
	ClaimClients  int           // concurrent registration clients (100)
	ClaimDuration time.Duration
	CatalogRate   float64 // /sessions offered load while claims run
	PGURL         string  // PostgreSQL server to create a scratch database on; empty skips
	Label         string
	Pages         []Page
	Log           io.Writer // progress lines
	// Parts limits the run to some of "pages", "claims" and "pg" (nil:
	// all). A partial run is for measuring one change quickly; its report
	// must not be written into BENCHMARKS.md.
	Parts []string
	// AppEnv is added to the app's environment (e.g. PPROF_ADDR for a
	// profile under the harness's load).
	AppEnv []string
}

// Part names what a run measures; every part when Parts is empty.
const (
	PartPages  = "pages"
	PartClaims = "claims"
	PartPG     = "pg"
)

// Runs reports whether the run includes part.
func (c Config) Runs(part string) bool { return len(c.Parts) == 0 || slices.Contains(c.Parts, part) }

const (
	adminEmail    = "bench-admin@bench.example.com"
	adminPassword = "bench-admin-password-2026"
	userEmail     = "bench-learner@bench.example.com"
	userPassword  = "bench-learner-password-2026"
)

// runner holds a run's state.
type runner struct {
	cfg Config
	dir string
	bin string
	rep Report
}

func (r *runner) logf(format string, a ...any) {
	fmt.Fprintf(r.cfg.Log, "hsbench %5.1fs: "+format+"\n", append([]any{time.Since(r.rep.Date).Seconds()}, a...)...)
}

// Run performs the whole benchmark and returns its report.
func Run(ctx context.Context, cfg Config) (Report, error) {
	dir, err := os.MkdirTemp("", "hsbench-")
	if err != nil {
		return Report{}, fmt.Errorf("temp dir: %w", err)
	}
	defer os.RemoveAll(dir) //nolint:errcheck // scratch space
	r := &runner{cfg: cfg, dir: dir, bin: cfg.Bin}
	r.rep = Report{Label: cfg.Label, Date: time.Now(), Machine: Machine(), LoadBefore: LoadAvg(),
		LoadGen: cfg.LoadGen.Name(), Conns: cfg.Conns, Rounds: cfg.Rounds, Duration: cfg.Duration,
		PacedDuration: cfg.PacedDuration, ClaimClients: cfg.ClaimClients, ClaimDuration: cfg.ClaimDuration}
	if out, err := exec.CommandContext(ctx, "git", "-C", cfg.Repo, "describe", "--always", "--dirty").Output(); err == nil {
		r.rep.Commit = strings.TrimSpace(string(out))
	} else {
		r.rep.Commit = "unknown"
	}
	if err := r.build(ctx); err != nil {
		return r.rep, err
	}
	if err := r.sqlite(ctx); err != nil {
		return r.rep, err
	}
	switch {
	case !cfg.Runs(PartPG):
	case cfg.PGURL != "":
		if err := r.postgres(ctx); err != nil {
			return r.rep, err
		}
	default:
		r.rep.Notes = append(r.rep.Notes, "PostgreSQL not measured: set BENCH_DATABASE_URL or TEST_DATABASE_URL.")
	}
	r.rep.LoadAfter = LoadAvg()
	r.rep.Took = time.Since(r.rep.Date)
	return r.rep, nil
}

// build compiles cmd/hsworkshop as .ci/build does and records the Go version.
func (r *runner) build(ctx context.Context) error {
	out, err := exec.CommandContext(ctx, "go", "version").Output()
	if err != nil {
		return fmt.Errorf("go version: %w", err)
	}
	r.rep.GoVersion = strings.TrimPrefix(strings.Fields(string(out))[2], "go")
	r.rep.GoVersion = "Go " + r.rep.GoVersion
	if r.bin != "" {
		return nil
	}
	r.bin = filepath.Join(r.dir, "hsworkshop")
	r.logf("building ./cmd/hsworkshop")
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-o", r.bin, "./cmd/hsworkshop")
	cmd.Dir = r.cfg.Repo
	cmd.Env = append(os.Environ(), "CGO_ENABLED=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("build hsworkshop: %w: %s", err, out)
	}
	return nil
}

// startApp starts hsworkshop serve on dsn.
func (r *runner) startApp(ctx context.Context, dsn, logName string) (*Proc, error) {
	addr, err := FreeAddr()
	if err != nil {
		return nil, err
	}
	base := "http://" + addr
	env := []string{"DATABASE_URL=" + dsn, "ADDR=" + addr, "BASE_URL=" + base, "RATE_LIMIT=0", "INVOICE_SEATS_PER_IP=1000000", "GOMAXPROCS=2",
		"ADMIN_EMAIL=" + adminEmail, "ADMIN_PASSWORD=" + adminPassword}
	env = append(env, r.cfg.AppEnv...)
	return StartProc(ctx, r.bin, []string{"serve"}, env, filepath.Join(r.dir, logName), base, "/healthz", 2*time.Minute)
}

// sqlite is the main run: start times, pages, memory and claims on SQLite.
func (r *runner) sqlite(ctx context.Context) error {
	dsn := "sqlite:" + filepath.Join(r.dir, "app.db")
	r.logf("first start on an empty SQLite database")
	p, err := r.startApp(ctx, dsn, "first.log")
	if err != nil {
		return err
	}
	r.rep.FirstStart = p.Ready
	p.Stop()
	r.logf("start on the existing database")
	app, err := r.startApp(ctx, dsn, "app.log")
	if err != nil {
		return err
	}
	defer app.Stop()
	r.rep.Start = app.Ready
	// /healthz is liveness; the tariff index loads in the background and
	// /readyz says when every page can answer (404 from a server without it).
	if r.rep.FullyReady, err = waitReady(ctx, app.Base+"/readyz", 2*time.Minute); err != nil {
		return err
	}
	r.rep.FullyReady += app.Ready
	time.Sleep(2 * time.Second) // let start-up garbage be collected
	if r.rep.RSSIdle, err = app.RSS(); err != nil {
		return err
	}
	admin, user, fx, err := r.prepare(ctx, app.Base, dsn)
	if err != nil {
		return err
	}
	if r.cfg.Runs(PartPages) {
		if err := r.pages(ctx, app, user, fx); err != nil {
			return err
		}
		if r.rep.RSSLoaded, err = app.RSS(); err != nil {
			return err
		}
	}
	if !r.cfg.Runs(PartClaims) {
		return nil
	}
	row, err := r.claims(ctx, "SQLite", app.Base, admin, "sqlite:"+filepath.Join(r.dir, "raw.db"))
	if err != nil {
		return err
	}
	r.rep.Claims = append(r.rep.Claims, row)
	return nil
}

// postgres repeats the claims on a scratch PostgreSQL database.
func (r *runner) postgres(ctx context.Context) error {
	name := fmt.Sprintf("hsbench_%d_%d", time.Now().Unix(), os.Getpid())
	dsn, drop, err := CreateDatabase(ctx, r.cfg.PGURL, name)
	if err != nil {
		return err
	}
	defer func() {
		if err := drop(); err != nil {
			r.logf("%v", err)
		}
	}()
	r.logf("starting on PostgreSQL database %s", name)
	app, err := r.startApp(ctx, dsn, "pg.log")
	if err != nil {
		return err
	}
	defer app.Stop()
	admin, _, _, err := r.prepare(ctx, app.Base, dsn)
	if err != nil {
		return err
	}
	row, err := r.claims(ctx, "PostgreSQL", app.Base, admin, dsn)
	if err != nil {
		return err
	}
	r.rep.Claims = append(r.rep.Claims, row)
	return nil
}

// prepare signs in the admin and a fresh learner and finds the page
// fixtures. The learner gets where a real one would: signs up, confirms the
// address by the emailed link (an unproven account sees nothing bought
// under its address, issue 8), buys a seat by invoice through the orders
// API and confirms that order by its emailed link too, so "My
// registrations" lists it; then starts a practice quiz. dsn is the app's
// database, whose outbox stands in for the mailbox.
func (r *runner) prepare(ctx context.Context, base, dsn string) (admin, user *Site, fx Fixtures, err error) {
	if admin, err = NewSite(base); err != nil {
		return
	}
	if err = admin.Login(ctx, adminEmail, adminPassword); err != nil {
		return
	}
	if user, err = NewSite(base); err != nil {
		return
	}
	if err = user.Signup(ctx, "Bench Learner", userEmail, userPassword); err != nil {
		return
	}
	link, err := MailLink(ctx, dsn, "email_verification", userEmail, verifyLinkRe)
	if err != nil {
		return
	}
	if err = user.FollowMailLink(ctx, link, "/account/verify"); err != nil {
		return
	}
	sessions, err := user.Sessions(ctx)
	if err != nil {
		return
	}
	fx = Fixtures{SessionID: sessions[0].ID, WorkshopPath: "/workshops/" + sessions[0].Workshop.Slug}
	if err = r.buy(ctx, user, dsn, sessions); err != nil {
		return
	}
	if fx.AttemptID, err = user.StartPractice(ctx); err != nil {
		return
	}
	// Consume the one-shot flash cookies so the fetched pages are the
	// ones every later request gets.
	for _, s := range []*Site{admin, user} {
		if _, _, _, err = s.Do(ctx, "GET", "/", nil, ""); err != nil {
			return
		}
	}
	return
}

// buy places an invoice order for the learner (buyer and attendee) on the
// first session that takes it, and confirms it by the emailed link.
func (r *runner) buy(ctx context.Context, user *Site, dsn string, sessions []APISession) error {
	var last string
	for _, s := range sessions {
		st, body, err := user.Order(ctx, s.ID, time.Now().UnixNano(), userEmail, userEmail)
		if err != nil {
			return err
		}
		if st != http.StatusCreated {
			last = fmt.Sprintf("session %d: status %d: %.200s", s.ID, st, body)
			continue
		}
		link, err := MailLink(ctx, dsn, "order_verification", userEmail, orderLinkRe)
		if err != nil {
			return err
		}
		return user.FollowMailLink(ctx, link, "/orders/confirm")
	}
	return fmt.Errorf("the learner's order: no session took it (%s)", last)
}

// pages measures every page of the list against the bare server.
func (r *runner) pages(ctx context.Context, app *Proc, user *Site, fx Fixtures) error {
	anon, err := NewSite(app.Base)
	if err != nil {
		return err
	}
	cookie, err := user.CookieHeader()
	if err != nil {
		return err
	}
	var snaps []Snapshot
	for _, pg := range r.cfg.Pages {
		uri := fx.Resolve(pg.Path)
		s := anon
		if pg.Auth {
			s = user
		}
		st, ct, body, err := s.Do(ctx, "GET", uri, nil, "")
		if err != nil {
			return err
		}
		if st != 200 {
			return fmt.Errorf("page %s (%s): status %d, want 200", pg.Name, uri, st)
		}
		if pg.Want != "" && !strings.Contains(string(body), pg.Want) {
			return fmt.Errorf("page %s (%s): %q not in the page", pg.Name, uri, pg.Want)
		}
		snaps = append(snaps, Snapshot{URI: uri, ContentType: ct, Body: body})
	}
	path := filepath.Join(r.dir, "snapshots.json")
	if err := WriteSnapshots(path, snaps); err != nil {
		return err
	}
	addr, err := FreeAddr()
	if err != nil {
		return err
	}
	bare, err := StartProc(ctx, r.cfg.Self, []string{"bare", "-addr", addr, "-snapshots", path},
		[]string{"GOMAXPROCS=2"}, filepath.Join(r.dir, "bare.log"), "http://"+addr, snaps[0].URI, 30*time.Second)
	if err != nil {
		return err
	}
	defer bare.Stop()
	for i, pg := range r.cfg.Pages {
		res := PageResult{Page: pg, URI: snaps[i].URI, Bytes: len(snaps[i].Body)}
		appReq := Request{URL: app.Base + res.URI}
		if pg.Auth {
			appReq.Cookie = cookie
		}
		bareReq := Request{URL: bare.Base + res.URI}
		r.logf("page %s (%s)", pg.Name, res.URI)
		warm := []Request{appReq}
		if i == 0 {
			warm = append(warm, bareReq) // the bare server needs warming once
		}
		for _, w := range warm {
			if _, err := r.cfg.LoadGen.Max(ctx, w, r.cfg.Conns, time.Second); err != nil {
				return err
			}
		}
		for range r.cfg.Rounds {
			a, err := r.cfg.LoadGen.Max(ctx, appReq, r.cfg.Conns, r.cfg.Duration)
			if err != nil {
				return err
			}
			b, err := r.cfg.LoadGen.Max(ctx, bareReq, r.cfg.Conns, r.cfg.Duration)
			if err != nil {
				return err
			}
			res.App, res.Bare = append(res.App, a), append(res.Bare, b)
		}
		res.AppMax, res.BareMax = medianRate(res.App), medianRate(res.Bare)
		rate := max(res.AppMax/2, 1)
		if res.Paced, err = Paced(ctx, appReq, r.cfg.Conns, rate, r.cfg.PacedDuration); err != nil {
			return err
		}
		// The bare server at the same rate, right after: the floor of the
		// p99 measurement on this machine (the generator shares the cores).
		if res.PacedBare, err = Paced(ctx, bareReq, r.cfg.Conns, rate, r.cfg.PacedDuration); err != nil {
			return err
		}
		r.logf("  app %s/s bare %s/s ratio %.3f p99 %s at %s/s (bare p99 at the same rate %s)", num(res.AppMax), num(res.BareMax), res.Ratio(),
			ms(res.Paced.P99), num(res.Paced.Rate), ms(res.PacedBare.P99))
		r.rep.Pages = append(r.rep.Pages, res)
	}
	return nil
}

// medianRate is the median throughput of some runs.
func medianRate(rs []LoadResult) float64 {
	if len(rs) == 0 {
		return 0
	}
	v := make([]float64, len(rs))
	for i, x := range rs {
		v[i] = x.Rate
	}
	slices.Sort(v)
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}

// claims measures registrations against the raw database on one backend.
func (r *runner) claims(ctx context.Context, dbName, base string, admin *Site, rawDSN string) (ClaimRow, error) {
	row := ClaimRow{Database: dbName, CatalogRate: r.cfg.CatalogRate}
	sessions, err := admin.Sessions(ctx)
	if err != nil {
		return row, err
	}
	if len(sessions) < 2 {
		return row, fmt.Errorf("claims need two published sessions, found %d", len(sessions))
	}
	big, small := sessions[len(sessions)-1], sessions[len(sessions)-2]
	if err := admin.SetCapacity(ctx, big.ID, 10000); err != nil {
		return row, err
	}
	before, err := admin.Session(ctx, big.ID)
	if err != nil {
		return row, err
	}
	r.logf("claims on %s: session %d, %d seats left", dbName, big.ID, before.Left)
	catalog := make(chan LoadResult, 1)
	cctx, cancel := context.WithCancel(ctx)
	go func() {
		res, err := Paced(cctx, Request{URL: base + "/sessions"}, 8, r.cfg.CatalogRate, r.cfg.ClaimDuration)
		if err != nil {
			r.logf("catalog during claims: %v", err)
		}
		catalog <- res
	}()
	row.App = Claims(ctx, base, big.ID, r.cfg.ClaimClients, r.cfg.ClaimDuration)
	row.CatalogPaced = <-catalog
	cancel()
	after, err := admin.Session(ctx, big.ID)
	if err != nil {
		return row, err
	}
	if taken := before.Left - after.Left; taken != row.App.OK {
		row.Mismatch = fmt.Sprintf("%d seats taken for %d orders acknowledged", taken, row.App.OK)
	}
	if after.Left < 0 || after.Left > after.Capacity {
		row.Oversold += -after.Left
	}
	// Oversell check: fewer seats than clients.
	s, err := admin.Session(ctx, small.ID)
	if err != nil {
		return row, err
	}
	if err := admin.SetCapacity(ctx, small.ID, s.Capacity-s.Left+min(r.cfg.ClaimClients/2, 50)); err != nil {
		return row, err
	}
	if s, err = admin.Session(ctx, small.ID); err != nil { // a waiting list may have taken some
		return row, err
	}
	want := s.Left
	row.BurstSeats = want
	row.Burst = Burst(ctx, base, small.ID, r.cfg.ClaimClients)
	if row.Burst.OK > want {
		row.Oversold += row.Burst.OK - want
	}
	if s, err = admin.Session(ctx, small.ID); err != nil {
		return row, err
	}
	if s.Left != want-row.Burst.OK {
		row.Mismatch += fmt.Sprintf(" burst: %d seats left after %d of %d sold", s.Left, row.Burst.OK, want)
	}
	r.logf("  app %s registrations/s (failed %d), burst %d of %d", num(row.App.Rate), row.App.Failed, row.Burst.OK, want)
	raw, err := OpenRaw(rawDSN, 25)
	if err != nil {
		return row, err
	}
	defer raw.Close() //nolint:errcheck // scratch pool
	if err := raw.Setup(ctx, 1_000_000); err != nil {
		return row, err
	}
	if row.Raw, err = raw.Claims(ctx, r.cfg.ClaimClients, r.cfg.ClaimDuration); err != nil {
		return row, err
	}
	if err := raw.Drop(ctx); err != nil {
		return row, err
	}
	r.logf("  raw %s transactions/s (failed %d)", num(row.Raw.Rate), row.Raw.Failed)
	return row, nil
}

// DefaultLoadGen is wrk when installed, else the in-process generator.
func DefaultLoadGen() LoadGen {
	if p, err := exec.LookPath("wrk"); err == nil {
		return Wrk{Path: p}
	}
	return GoLoad{}
}

// waitReady polls a readiness URL until it answers 200 (or 404: a server
// without one) and returns how long that took.
func waitReady(ctx context.Context, url string, timeout time.Duration) (time.Duration, error) {
	start := time.Now()
	c := &http.Client{Timeout: 2 * time.Second}
	for time.Since(start) < timeout {
		resp, err := c.Get(url)
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusNotFound {
				return time.Since(start), nil
			}
		}
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
	return 0, fmt.Errorf("%s not 200 after %v", url, timeout)
}
