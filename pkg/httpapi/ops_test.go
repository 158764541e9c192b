package httpapi_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aduan/aduan/pkg/store/storetest"
)

type readiness struct {
	Status string            `json:"status"`
	Checks map[string]string `json:"checks"`
}

func TestHealthAndReadiness(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	var health struct{ Status string }
	h.call(t, "GET", "/healthz", "", nil).must(t, http.StatusOK).decode(t, &health)
	if health.Status != "ok" {
		t.Errorf("healthz status %q", health.Status)
	}
	var ready readiness
	h.call(t, "GET", "/readyz", "", nil).must(t, http.StatusOK).decode(t, &ready)
	if ready.Status != "ok" || ready.Checks["postgres"] != "ok" || ready.Checks["redis"] != "ok" {
		t.Errorf("readyz %+v, want ok with postgres and redis ok", ready)
	}
}

func TestReadinessWithoutRedis(t *testing.T) {
	t.Parallel()
	h := &harness{spec: loadContract(t)}
	_, dbURL := storetest.New(t)
	a, _ := newApp(t, dbURL, "redis://127.0.0.1:1/0")
	var ready readiness
	h.callOn(t, a.Handler(), "GET", "/readyz", "", nil).must(t, http.StatusServiceUnavailable).decode(t, &ready)
	if ready.Status != "unavailable" || ready.Checks["postgres"] != "ok" || ready.Checks["redis"] == "ok" || ready.Checks["redis"] == "" {
		t.Errorf("readyz %+v, want unavailable with redis failing and postgres ok", ready)
	}
	// Liveness does not depend on Redis.
	h.callOn(t, a.Handler(), "GET", "/healthz", "", nil).expect(t, http.StatusOK)
}

func TestMetrics(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.createTicket(t, h.token(t, h.agent), newCall(nikN(1), phoneN(1)))
	r := h.call(t, "GET", "/metrics", "", nil).must(t, http.StatusOK)
	text := string(r.Body)
	for _, want := range []string{
		`aduan_http_requests_total{method="POST",route="/api/v1/tickets",status="201"} 1`,
		`aduan_tickets_created_total{channel="callcenter"} 1`,
		`aduan_http_request_duration_seconds_bucket`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

func TestRequestID(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	tok := h.token(t, h.agent)
	requests := []struct {
		name, method, path, token string
		body                      any
		status                    int
	}{
		{"healthz", "GET", "/healthz", "", nil, 200},
		{"metrics", "GET", "/metrics", "", nil, 200},
		{"me", "GET", "/api/v1/me", tok, nil, 200},
		{"unauthorized", "GET", "/api/v1/me", "", nil, 401},
		{"forbidden", "GET", "/api/v1/agents", tok, nil, 403},
		{"not found", "GET", "/api/v1/tickets/999999", tok, nil, 404},
		{"malformed", "POST", "/api/v1/tickets", tok, "{", 400},
		{"invalid", "POST", "/api/v1/tickets", tok, callIn{}, 422},
	}
	seen := map[string]bool{}
	for _, tt := range requests {
		t.Run(tt.name, func(t *testing.T) {
			// call itself checks the header and the error's request_id.
			r := h.call(t, tt.method, tt.path, tt.token, tt.body)
			r.expect(t, tt.status)
			id := r.Header.Get("X-Request-Id")
			if seen[id] {
				t.Errorf("request id %q given twice", id)
			}
			seen[id] = true

			sent := "client-" + strings.ReplaceAll(tt.name, " ", "_") + ".42"
			r = h.call(t, tt.method, tt.path, tt.token, tt.body, withHeader("X-Request-Id", sent))
			if got := r.Header.Get("X-Request-Id"); got != sent {
				t.Errorf("sent X-Request-Id %q, got %q back", sent, got)
			}
		})
	}
	for _, insane := range []string{"has spaces in it", strings.Repeat("a", 65), "id\"<script>", "ünïcode"} {
		t.Run(fmt.Sprintf("insane %.20s", insane), func(t *testing.T) {
			r := h.call(t, "GET", "/api/v1/me", "", nil, withHeader("X-Request-Id", insane))
			if got := r.Header.Get("X-Request-Id"); got == insane || got == "" {
				t.Errorf("X-Request-Id %q was echoed or dropped (got %q), want a fresh id", insane, got)
			}
		})
	}
}

func TestPersonalDataNotLogged(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	tok := h.token(t, h.agent)
	const (
		nik   = "3578015012920003"
		name  = "Rina Wulandari"
		local = "0857-1111-2222"
	)
	body := newCall(nik, local)
	body.Complainant.Name = name
	tk := h.createTicket(t, tok, body)
	h.call(t, "POST", "/api/v1/tickets", tok, body, withHeader("Idempotency-Key", "k1")).must(t, http.StatusCreated)
	h.call(t, "POST", "/api/v1/tickets", tok, body, withHeader("Idempotency-Key", "k1")).must(t, http.StatusCreated)
	h.call(t, "GET", "/api/v1/complainants?"+url.Values{"nik": {nik}}.Encode(), tok, nil).must(t, http.StatusOK)
	h.call(t, "GET", "/api/v1/complainants?"+url.Values{"phone": {local}}.Encode(), tok, nil).must(t, http.StatusOK)
	h.call(t, "GET", "/api/v1/complainants?"+url.Values{"nik": {nik}, "phone": {local}}.Encode(), tok, nil).
		must(t, http.StatusUnprocessableEntity)
	h.call(t, "GET", "/api/v1/tickets?"+url.Values{"q": {nik}}.Encode(), tok, nil).must(t, http.StatusOK)
	h.call(t, "GET", "/api/v1/tickets?"+url.Values{"q": {local}}.Encode(), tok, nil).must(t, http.StatusOK)
	h.call(t, "POST", fmt.Sprintf("/api/v1/complainants/%d/reveal", tk.Complainant.ID), tok,
		map[string]string{"reason": "verifikasi"}).must(t, http.StatusOK)

	logs := h.logs.String()
	if !strings.Contains(logs, `"route":"/api/v1/complainants"`) || !strings.Contains(logs, `"request_id"`) {
		t.Fatalf("the requests were not logged (or not with route and request id); log:\n%s", logs)
	}
	for _, secret := range []string{nik, "+6285711112222", "085711112222", "0857-1111-2222", "85711112222", name} {
		if strings.Contains(logs, secret) {
			t.Errorf("the log carries %q", secret)
		}
	}
}
