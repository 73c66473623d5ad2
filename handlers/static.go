package handlers

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/hsworkshop/hsworkshop/models"
	"github.com/labstack/echo/v4"
)

// healthz answers 200 when the database does, 503 otherwise.
func (a *App) healthz(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
	defer cancel()
	if err := models.Ping(ctx, a.db); err != nil {
		a.log.Warn("health check failed", "err", err)
		return c.JSON(http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "error": "database_unavailable"})
	}
	return c.JSON(http.StatusOK, map[string]string{"status": "ok", "tariff_index": a.tariffState()})
}

// readyz is readiness: 200 only when every part is serving, the tariff
// index included (it loads in the background after start, while /healthz
// already answers 200 because the catalog, bookings and accounts work).
func (a *App) readyz(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
	defer cancel()
	if err := models.Ping(ctx, a.db); err != nil {
		return c.JSON(http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "error": "database_unavailable"})
	}
	if !a.htsLoaded.Load() {
		return c.JSON(http.StatusServiceUnavailable, map[string]string{"status": "starting", "tariff_index": a.tariffState()})
	}
	return c.JSON(http.StatusOK, map[string]string{"status": "ready", "tariff_index": a.tariffState()})
}

// tariffState says whether the tariff index is in place.
func (a *App) tariffState() string {
	if a.htsLoaded.Load() {
		return "loaded"
	}
	return "loading"
}

// serveStatic serves embedded assets; a request whose ?v= matches the
// content hash may be cached for a year, anything else must revalidate.
func (a *App) serveStatic(c echo.Context) error {
	p := strings.TrimPrefix(c.Param("*"), "/")
	h, ok := a.hashes[p]
	if !ok {
		return echo.NewHTTPError(http.StatusNotFound, "No such file.")
	}
	if v := c.QueryParam("v"); v != "" && v == h {
		c.Response().Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		c.Response().Header().Set("Cache-Control", "no-cache")
	}
	c.Response().Header().Set("ETag", `"`+h+`"`)
	req := c.Request().Clone(c.Request().Context())
	req.URL.Path = "/" + p
	http.FileServerFS(a.static).ServeHTTP(c.Response(), req)
	return nil
}
