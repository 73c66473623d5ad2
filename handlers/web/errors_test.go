package web

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
)

// TestOutageIs503: an unexpected error is a 500 while the database answers
// and a 503 with the "try again" message when it does not.
func TestOutageIs503(t *testing.T) {
	for _, c := range []struct {
		name    string
		ping    error
		want    int
		wantMsg string
	}{
		{"database up", nil, http.StatusInternalServerError, "Something went wrong"},
		{"database down", errors.New("connection refused"), http.StatusServiceUnavailable, "briefly unavailable"},
	} {
		t.Run(c.name, func(t *testing.T) {
			b := &Base{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: time.Now,
				Ping: func(ctx context.Context) error {
					if _, ok := ctx.Deadline(); !ok {
						t.Error("ping without a deadline")
					}
					return c.ping
				}}
			e := echo.New()
			req := httptest.NewRequest(http.MethodGet, "/api/v1/sessions", nil)
			rec := httptest.NewRecorder()
			b.HTTPErrorHandler(errors.New("query failed"), e.NewContext(req, rec))
			if rec.Code != c.want {
				t.Errorf("status: got %d, want %d", rec.Code, c.want)
			}
			if !strings.Contains(rec.Body.String(), c.wantMsg) {
				t.Errorf("body: got %s, want it to contain %q", rec.Body, c.wantMsg)
			}
		})
	}
}
