package web

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/hsworkshop/hsworkshop/models"
)

// JSONError is the shape of every JSON error: an "error" code plus detail.
type JSONError struct {
	Error   string            `json:"error"`
	Message string            `json:"message,omitempty"`
	Fields  map[string]string `json:"fields,omitempty"`
}

// ValidationJSON answers field errors the one way every API endpoint does:
// 422 {"error":"validation","message":…,"fields":{name: problem}}. Fields
// are named as the caller sent them (query parameter, JSON path, or the
// path parameter, e.g. "code" in /api/v1/hts/{code}).
func ValidationJSON(c echo.Context, fields map[string]string) error {
	return c.JSON(http.StatusUnprocessableEntity, JSONError{Error: "validation", Message: "Some fields need attention.", Fields: fields})
}

// WantsJSON reports whether the caller expects JSON: API paths always do,
// other paths when the Accept header asks for JSON and not HTML.
func WantsJSON(c echo.Context) bool {
	p := c.Request().URL.Path
	if strings.HasPrefix(p, "/api/") || strings.HasPrefix(p, "/webhooks/") || p == "/healthz" {
		return true
	}
	acc := c.Request().Header.Get(echo.HeaderAccept)
	return strings.Contains(acc, "application/json") && !strings.Contains(acc, "text/html")
}

// errorCode names a status for JSON clients.
func errorCode(status int) string {
	switch status {
	case http.StatusBadRequest:
		return "bad_request"
	case http.StatusUnauthorized:
		return "unauthorized"
	case http.StatusForbidden:
		return "forbidden"
	case http.StatusNotFound:
		return "not_found"
	case http.StatusMethodNotAllowed:
		return "method_not_allowed"
	case http.StatusConflict:
		return "conflict"
	case http.StatusRequestEntityTooLarge:
		return "too_large"
	case http.StatusUnprocessableEntity:
		return "validation"
	case http.StatusTooManyRequests:
		return "rate_limited"
	case http.StatusServiceUnavailable:
		return "unavailable"
	}
	if status >= 500 {
		return "internal"
	}
	return strings.ToLower(strings.ReplaceAll(http.StatusText(status), " ", "_"))
}

// HTTPErrorHandler turns any error a handler returns into a status and a
// page (or JSON). Unknown errors are 500s, logged with the request ID and
// never shown in detail unless in dev mode.
func (b *Base) HTTPErrorHandler(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	status, msg := http.StatusInternalServerError, "Something went wrong on our side. It has been logged; please try again."
	var he *echo.HTTPError
	var ve *models.ValidationError
	switch {
	case errors.As(err, &ve):
		status, msg = http.StatusUnprocessableEntity, "Some fields need attention."
	case errors.As(err, &he):
		status = he.Code
		if m, ok := he.Message.(string); ok {
			msg = m
		} else {
			msg = http.StatusText(status)
		}
		if status == http.StatusNotFound && !WantsJSON(c) {
			msg = friendlyStatusMessage(status, msg)
		}
	case errors.Is(err, models.ErrNotFound):
		status, msg = http.StatusNotFound, "We could not find that page."
	case errors.Is(err, models.ErrForbidden):
		status, msg = http.StatusForbidden, "Your account does not have access to this page."
	case errors.Is(err, models.ErrSeatsFull):
		status, msg = http.StatusConflict, "There are not enough seats left."
	case errors.Is(err, models.ErrDeadlinePassed):
		status, msg = http.StatusConflict, "The deadline for this has passed."
	case errors.Is(err, models.ErrConflict):
		status, msg = http.StatusConflict, "That conflicts with existing data."
	case errors.Is(err, models.ErrInvalid):
		status, msg = http.StatusUnprocessableEntity, "The request was not valid."
	case errors.Is(err, context.DeadlineExceeded):
		status, msg = http.StatusServiceUnavailable, "The server took too long to answer. Please try again."
	}
	if status == http.StatusInternalServerError && b.databaseDown(c.Request().Context()) {
		status, msg = http.StatusServiceUnavailable, "The service is briefly unavailable. Please try again in a minute."
	}
	if status >= 500 {
		b.Log.Error("request failed", "id", c.Response().Header().Get(echo.HeaderXRequestID),
			"method", c.Request().Method, "route", LogRoute(c), "err", models.RedactSecretLinks(err.Error()))
		if b.Dev {
			msg = err.Error()
		}
	}
	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(status)
		return
	}
	if WantsJSON(c) {
		body := JSONError{Error: errorCode(status), Message: msg}
		if ve != nil {
			body.Fields = ve.Fields
		}
		_ = c.JSON(status, body)
		return
	}
	title := http.StatusText(status)
	if status == http.StatusNotFound {
		title = "Page not found"
	}
	if rerr := b.Render(c, status, TplError, PageData{Title: title, Data: errorPage{Status: status, Message: msg}}); rerr != nil {
		b.Log.Error("render error page", "err", rerr)
		_ = c.String(status, msg)
	}
}

// errorPage is the data of the error template.
type errorPage struct {
	Status  int
	Message string
}

func friendlyStatusMessage(status int, msg string) string {
	if status == http.StatusNotFound {
		return "We could not find that page. It may have moved, or the session may no longer be listed."
	}
	return msg
}

// databaseDown reports whether the database fails a 1 s ping. It runs only
// for a 500, with the request's values but not its deadline (which may be
// what expired).
func (b *Base) databaseDown(ctx context.Context) bool {
	if b.Ping == nil {
		return false
	}
	pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
	defer cancel()
	return b.Ping(pctx) != nil
}

// LogRoute is what logs record of a request's address: the route pattern
// ("/orders/:ref"), or for an unrouted request its path with secrets
// redacted; never the query string, which may carry tokens.
func LogRoute(c echo.Context) string {
	if p := c.Path(); p != "" && p != "/*" && !strings.HasSuffix(p, "/*") {
		return p
	}
	return models.RedactSecretLinks(c.Request().URL.Path)
}
