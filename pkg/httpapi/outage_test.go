package httpapi_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aduan/aduan/pkg/store/storetest"
	"github.com/aduan/aduan/pkg/ticket"
)

// outageHarness is a harness that also knows its database's URL, to
// disturb it.
func outageHarness(t *testing.T) (*harness, string) {
	t.Helper()
	_, dbURL := storetest.New(t)
	a, logs := newApp(t, dbURL, "redis://127.0.0.1:6379/0")
	h := &harness{app: a, handler: a.Handler(), logs: logs, spec: loadContract(t), tokens: map[int64]string{}}
	h.agent = h.addUser(t, "agen1@aduan.test", "Budi Agen", ticket.RoleAgent)
	return h, dbURL
}

// A backend terminated under a request (SQLSTATE 57P01, what a PostgreSQL
// restart or failover does to the statements in flight) is an outage: 503
// with Retry-After, whatever the route, and the next request works.
func TestDatabaseTerminatedAnswers503(t *testing.T) {
	t.Parallel()
	h, dbURL := outageHarness(t)
	tok := h.token(t, h.agent)
	tk := h.createTicket(t, tok, newCall(nikN(1), phoneN(1)))
	h.call(t, "GET", "/api/v1/complainants?nik="+nikN(1), tok, nil).must(t, http.StatusOK)

	ref := tk.Number
	cases := []struct {
		name, table, method, path, token string
		body                             any
	}{
		{"create ticket", "tickets", "POST", "/api/v1/tickets", tok, newCall(nikN(2), phoneN(2))},
		{"list tickets", "tickets", "GET", "/api/v1/tickets", tok, nil},
		{"get ticket", "tickets", "GET", "/api/v1/tickets/" + ref, tok, nil},
		{"patch ticket", "tickets", "PATCH", "/api/v1/tickets/" + ref, tok, map[string]string{"priority": "high"}},
		{"add note", "tickets", "POST", "/api/v1/tickets/" + ref + "/messages", tok,
			map[string]any{"body": "Catatan", "internal": true}},
		{"find complainants", "complainants", "GET", "/api/v1/complainants?" + url.Values{"nik": {nikN(1)}}.Encode(), tok, nil},
		{"claim", "tickets", "POST", "/api/v1/queues/umum/claim", tok, nil},
		{"login", "users", "POST", "/api/v1/auth/login", "", map[string]string{"email": "agen1@aduan.test", "password": testPassword}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			release := storetest.LockTable(t, dbURL, tc.table)
			done := make(chan reply, 1)
			go func() { done <- h.call(t, tc.method, tc.path, tc.token, tc.body) }()
			storetest.TerminateWaiting(t, dbURL, 1)
			r := <-done
			release()
			r.expectError(t, http.StatusServiceUnavailable, ticket.EUNAVAILABLE)
			if r.Header.Get("Retry-After") == "" {
				t.Errorf("503 without Retry-After")
			}
		})
	}
	h.call(t, "GET", "/api/v1/tickets/"+ref, tok, nil).must(t, http.StatusOK)
	if strings.Contains(h.logs.String(), `"status":500`) {
		t.Errorf("an outage answered 500:\n%s", h.logs.String())
	}
}

// When every connection of the pool is terminated between requests, as
// a failover does, the next requests are answered (the pool reconnects)
// or told to retry, never a 500.
func TestDatabaseConnectionsDroppedBetweenRequests(t *testing.T) {
	t.Parallel()
	h, dbURL := outageHarness(t)
	tok := h.token(t, h.agent)
	for i := range 5 {
		h.createTicket(t, tok, newCall(nikN(10+i), phoneN(10+i)))
	}
	for round := range 3 {
		if n := storetest.TerminateAll(t, dbURL); n == 0 {
			t.Fatalf("round %d: no connection to terminate; the test proves nothing", round)
		}
		for i := range 5 {
			r := h.call(t, "GET", "/api/v1/tickets?limit=5", tok, nil)
			if r.Status != http.StatusOK && r.Status != http.StatusServiceUnavailable {
				t.Errorf("round %d, request %d: %s, want 200 or 503", round, i, r)
			}
			if r.Status == http.StatusServiceUnavailable && r.Header.Get("Retry-After") == "" {
				t.Errorf("503 without Retry-After")
			}
		}
	}
	if strings.Contains(h.logs.String(), `"status":500`) {
		t.Errorf("a dropped connection answered 500")
	}
}

// /readyz is public: it names the dependency that is down, not its
// address, user or database name.
func TestReadinessSaysWhatNotWhere(t *testing.T) {
	t.Parallel()
	h := &harness{spec: loadContract(t)}
	_, dbURL := storetest.New(t)
	a, logs := newApp(t, dbURL, "redis://aduan-cache:secret@127.0.0.1:1/0")
	storetest.DropDatabase(t, dbURL)
	r := h.callOn(t, a.Handler(), "GET", "/readyz", "", nil).must(t, http.StatusServiceUnavailable)
	var ready readiness
	r.decode(t, &ready)
	if ready.Checks["postgres"] != "unavailable" || ready.Checks["redis"] != "unavailable" {
		t.Errorf("readyz %s, want postgres and redis unavailable", r.Body)
	}
	u, _ := url.Parse(dbURL)
	for _, secret := range []string{strings.TrimPrefix(u.Path, "/"), u.User.Username() + "@", "user", "127.0.0.1", "aduan-cache", "secret", "dial"} {
		if strings.Contains(string(r.Body), secret) {
			t.Errorf("readyz shows %q: %s", secret, r.Body)
		}
	}
	if r.Header.Get("Retry-After") == "" {
		t.Errorf("readyz 503 without Retry-After")
	}
	if !strings.Contains(logs.String(), "dependency unavailable") {
		t.Errorf("the cause is not logged for operators")
	}
}
