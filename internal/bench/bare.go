package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/labstack/echo/v4"
)

// Snapshot is one page as the app served it before the run: the bare
// server answers its URI with exactly these bytes.
type Snapshot struct {
	URI         string `json:"uri"` // path and query
	ContentType string `json:"content_type"`
	Body        []byte `json:"body"`
}

// WriteSnapshots stores snapshots for the bare server process.
func WriteSnapshots(path string, snaps []Snapshot) error {
	b, err := json.Marshal(snaps)
	if err != nil {
		return fmt.Errorf("encode snapshots: %w", err)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		return fmt.Errorf("write snapshots: %w", err)
	}
	return nil
}

// ReadSnapshots loads what WriteSnapshots stored.
func ReadSnapshots(path string) ([]Snapshot, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read snapshots: %w", err)
	}
	var snaps []Snapshot
	if err := json.Unmarshal(b, &snaps); err != nil {
		return nil, fmt.Errorf("decode snapshots %s: %w", path, err)
	}
	return snaps, nil
}

// BareHandler is the bare server: Echo (the app's version) with no
// middleware, answering each snapshot's URI from memory.
func BareHandler(snaps []Snapshot) *echo.Echo {
	byURI := make(map[string]Snapshot, len(snaps))
	for _, s := range snaps {
		byURI[s.URI] = s
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.GET("/*", func(c echo.Context) error {
		s, ok := byURI[c.Request().RequestURI]
		if !ok {
			return echo.ErrNotFound
		}
		return c.Blob(http.StatusOK, s.ContentType, s.Body)
	})
	return e
}

// ServeBare runs the bare server on addr until ctx ends.
func ServeBare(ctx context.Context, addr, snapshotPath string) error {
	snaps, err := ReadSnapshots(snapshotPath)
	if err != nil {
		return err
	}
	e := BareHandler(snaps)
	srv := &http.Server{Addr: addr, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- e.StartServer(srv) }()
	select {
	case err := <-errc:
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return fmt.Errorf("bare server: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := e.Shutdown(sctx); err != nil {
		return fmt.Errorf("bare server shutdown: %w", err)
	}
	return nil
}
