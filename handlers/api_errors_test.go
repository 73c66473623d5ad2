package handlers

import (
	"encoding/json"
	"net/http/httptest"
	"testing"
)

// TestAPIValidationShape checks that every API endpoint answers field
// errors the same way: 422 {"error":"validation","fields":{…}} naming the
// field as the caller sent it, including a malformed path parameter.
func TestAPIValidationShape(t *testing.T) {
	t.Parallel()
	shape := func(field string) func(*testing.T, *testApp, *httptest.ResponseRecorder) {
		return func(t *testing.T, _ *testApp, rec *httptest.ResponseRecorder) {
			var body struct {
				Error  string            `json:"error"`
				Fields map[string]string `json:"fields"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
				t.Fatalf("body %q: %v", rec.Body.String(), err)
			}
			if body.Error != "validation" || body.Fields[field] == "" {
				t.Errorf("got error %q fields %v, want validation with %q", body.Error, body.Fields, field)
			}
		}
	}
	runScenarios(t, []scenario{
		{name: "duty query", req: request{path: "/api/v1/duty?code=12&country=CA&date=2025-07-01&value=100"}, wantStatus: 422, check: shape("code")},
		{name: "tariff search query", req: request{path: "/api/v1/hts/search?q=tea&limit=99"}, wantStatus: 422, check: shape("limit")},
		{name: "tariff lookup path", req: request{path: "/api/v1/hts/84x1"}, wantStatus: 422, check: shape("code")},
		{name: "order body", setup: func(t *testing.T, ta *testApp) { mustSession(t, ta.db, mustWorkshop(t, ta.db)) },
			req:        request{method: "POST", path: "/api/v1/sessions/1/orders", body: `{"buyer":{"name":"","email":"a@b.example"},"attendees":[{"name":"A","email":"a@b.example"}],"payment_method":"invoice"}`},
			wantStatus: 422, check: shape("buyer.name")},
		{name: "unreadable body is 400", setup: func(t *testing.T, ta *testApp) { mustSession(t, ta.db, mustWorkshop(t, ta.db)) },
			req: request{method: "POST", path: "/api/v1/sessions/1/orders", body: `{`}, wantStatus: 400},
		{name: "well-formed unknown code is 404", req: request{path: "/api/v1/hts/0101.99.99"}, wantStatus: 404, wantBody: []string{`"error":"not_found"`}},
	}, withHTS(t))
}
