package httpapi_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/aduan/aduan/api"
)

// route is one operation of the API, its path parameters filled in.
type route struct{ method, path string }

// specRoutes lists every operation in api/openapi.yaml, so a route added
// there is covered by the tests that walk them.
func specRoutes(t *testing.T) []route {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(api.OpenAPI)
	if err != nil {
		t.Fatal(err)
	}
	fill := strings.NewReplacer("{ref}", "1", "{aid}", "1", "{id}", "1", "{queue}", "umum")
	var out []route
	for _, p := range doc.Paths.InMatchingOrder() {
		for method := range doc.Paths.Value(p).Operations() {
			out = append(out, route{method, fill.Replace(p)})
		}
	}
	slices.SortFunc(out, func(a, b route) int { return strings.Compare(a.method+a.path, b.method+b.path) })
	return out
}

// A NUL byte or invalid UTF-8 in the path, a query parameter or a header
// is the client's error on every route: 400 naming where, never a 500 or
// an ERROR in the log, and nothing behind the edge sees it.
func TestBadBytesInRequestAreMalformed(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	tok := h.token(t, h.admin)
	routes := append(specRoutes(t), route{"GET", "/"}, route{"GET", "/admin/tasks"}, route{"GET", "/api/openapi.yaml"})
	if len(routes) < 20 {
		t.Fatalf("only %d routes in the spec", len(routes))
	}
	type probe struct {
		name, field string
		apply       func(r *http.Request)
	}
	probes := []probe{
		{"q=%00", "q", func(r *http.Request) { r.URL.RawQuery = "q=%00" }},
		{"q=%C0%AF", "q", func(r *http.Request) { r.URL.RawQuery = "limit=5&q=%C0%AF" }},
		{"NUL in a parameter's name", "query", func(r *http.Request) { r.URL.RawQuery = "a%00b=1" }},
		{"NUL in Idempotency-Key", "Idempotency-Key", func(r *http.Request) { r.Header.Set("Idempotency-Key", "abc\x00") }},
		{"invalid UTF-8 in Idempotency-Key", "Idempotency-Key", func(r *http.Request) { r.Header.Set("Idempotency-Key", "abc\xc0\xaf") }},
		{"invalid UTF-8 in User-Agent", "User-Agent", func(r *http.Request) { r.Header.Set("User-Agent", "\xff\xfe") }},
		{"NUL in the path", "path", func(r *http.Request) { r.URL.Path += "/\x00" }},
	}
	for _, rt := range routes {
		for _, p := range probes {
			t.Run(rt.method+" "+rt.path+" "+p.name, func(t *testing.T) {
				req := httptest.NewRequest(rt.method, rt.path, strings.NewReader(`{}`))
				req.Header.Set("Authorization", "Bearer "+tok)
				req.Header.Set("Content-Type", "application/json")
				p.apply(req)
				rec := httptest.NewRecorder()
				h.handler.ServeHTTP(rec, req)
				r := reply{Status: rec.Code, Header: rec.Result().Header, Body: rec.Body.Bytes()}
				r.expectError(t, http.StatusBadRequest, "malformed", p.field)
			})
		}
	}
	if logs := h.logs.String(); strings.Contains(logs, `"level":"ERROR"`) {
		t.Errorf("bad bytes logged an ERROR:\n%s", logs)
	}
}

// A JSON string holding \u0000 or invalid UTF-8 is refused with 400 naming
// its path, in every body the API reads.
func TestBadBytesInJSONAreMalformed(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	tok := h.token(t, h.admin)
	tk := h.createTicket(t, tok, newCall(nikN(1), phoneN(1)))
	ref := "/api/v1/tickets/" + tk.Number
	bodies := []struct {
		method, path, body, field string
	}{
		{"POST", "/api/v1/auth/login", `{"email":"§","password":"kata-sandi"}`, "email"},
		{"POST", "/api/v1/auth/login", `{"email":"a@b.id","password":"§"}`, "password"},
		{"POST", "/api/v1/tickets", `{"channel":"callcenter","category":"other","description":"§","complainant":{"name":"Siti","phone":"081234567890"}}`, "description"},
		{"POST", "/api/v1/tickets", `{"channel":"callcenter","category":"other","description":"x","call_ref":"§","complainant":{"name":"Siti","phone":"081234567890"}}`, "call_ref"},
		{"POST", "/api/v1/tickets", `{"channel":"callcenter","category":"other","description":"x","complainant":{"name":"§","phone":"081234567890"}}`, "complainant.name"},
		{"POST", "/api/v1/tickets", `{"channel":"callcenter","category":"other","description":"x","complainant":{"name":"Siti","birth_place":"§","phone":"081234567890"}}`, "complainant.birth_place"},
		{"PATCH", ref, `{"category":"§"}`, "category"},
		{"POST", ref + "/messages", `{"body":"§","internal":true}`, "body"},
		{"POST", "/api/v1/complainants/1/reveal", `{"reason":"§"}`, "reason"},
		{"PATCH", "/api/v1/agents/1", `{"queues":["umum","§"]}`, "queues.1"},
		{"PUT", "/api/v1/agents/me/presence", `{"presence":"§"}`, "presence"},
	}
	for _, b := range bodies {
		for _, bad := range []string{`ab\u0000c`, "ab\xc0\xafc", "\xff"} {
			t.Run(b.method+" "+b.path+" "+b.field+" "+strings.ToValidUTF8(bad, "?"), func(t *testing.T) {
				body := []byte(strings.Replace(b.body, "§", bad, 1))
				r := h.call(t, b.method, b.path, tok, body)
				r.expectError(t, http.StatusBadRequest, "malformed", b.field)
			})
		}
	}
	// Escapes that decode to clean text pass, and U+FFFD itself is text.
	ok := h.call(t, "POST", ref+"/messages", tok, []byte(`{"body":"Terima kasih \u00e9 \ufffd","internal":true}`))
	if ok.Status != http.StatusCreated {
		t.Errorf("clean note: %s", ok)
	}
	if logs := h.logs.String(); strings.Contains(logs, `"level":"ERROR"`) {
		t.Errorf("bad bytes logged an ERROR:\n%s", logs)
	}
	if n := bytes.Count([]byte(h.logs.String()), []byte(`"status":500`)); n > 0 {
		t.Errorf("%d answers were 500", n)
	}
}
