package httpapi_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/aduan/aduan/pkg/httpapi"
	"github.com/aduan/aduan/pkg/store"
)

// Two API processes on one database behave as one: a token made on one
// works on the other, a logout on one holds on the other at once, and
// failed logins on both count together.
func TestTwoServersOneDatabase(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	other, _ := newApp(t, h.app.Config.DatabaseURL, h.app.Config.RedisURL)
	// One clock for both, so the delays cannot run out while the test runs.
	now := newClock()
	a := h.apiWith(func(c *httpapi.Config) { c.Now = now.Now })
	b := apiOn(other, func(c *httpapi.Config) { c.Now = now.Now })

	var out loginOut
	h.loginOn(t, a, h.agent.Email, testPassword).must(t, http.StatusOK).decode(t, &out)
	h.callOn(t, b, "GET", "/api/v1/me", out.Token, nil).must(t, http.StatusOK)
	h.callOn(t, a, "GET", "/api/v1/me", out.Token, nil).must(t, http.StatusOK)
	h.callOn(t, b, "POST", "/api/v1/auth/logout", out.Token, nil).must(t, http.StatusNoContent)
	h.callOn(t, a, "GET", "/api/v1/me", out.Token, nil).expectError(t, http.StatusUnauthorized, "unauthorized")

	free := httpapi.DefaultLoginPolicy().Account.Free
	for i := range free {
		api := a
		if i%2 == 1 {
			api = b
		}
		h.loginOn(t, api, h.agent2.Email, fmt.Sprint("tebakan-", i)).expectError(t, http.StatusUnauthorized, "unauthorized")
	}
	h.loginOn(t, a, h.agent2.Email, "tebakan-lagi").expectError(t, http.StatusTooManyRequests, "rate_limited")
	h.loginOn(t, b, h.agent2.Email, "tebakan-lagi").expectError(t, http.StatusTooManyRequests, "rate_limited")

	// A user disabled on one server is out on the other at once.
	victim := h.token(t, h.supervisor)
	h.callOn(t, b, "GET", "/api/v1/me", victim, nil).must(t, http.StatusOK)
	h.callOn(t, a, "POST", fmt.Sprintf("/api/v1/users/%d/disable", h.supervisor.ID), h.token(t, h.admin),
		map[string]string{"reason": "pindah tugas"}).must(t, http.StatusOK)
	h.callOn(t, b, "GET", "/api/v1/me", victim, nil).expectError(t, http.StatusUnauthorized, "unauthorized")
}

// Admins disable a user who left: no more logins, every session ends, and
// the audit log says who did it and why.
func TestDisableUser(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	path := func(id int64) string { return fmt.Sprintf("/api/v1/users/%d/disable", id) }
	agentToken := h.token(t, h.agent)
	var session loginOut
	h.login(t, h.agent.Email, testPassword).must(t, http.StatusOK).decode(t, &session)

	h.call(t, "POST", path(h.agent.ID), h.token(t, h.supervisor), nil).expectError(t, http.StatusForbidden, "forbidden")
	h.call(t, "POST", path(h.agent.ID), agentToken, nil).expectError(t, http.StatusForbidden, "forbidden")
	h.call(t, "POST", path(h.admin.ID), h.token(t, h.admin), nil).expectError(t, http.StatusConflict, "conflict")
	h.call(t, "POST", path(999999), h.token(t, h.admin), nil).expectError(t, http.StatusNotFound, "not_found")
	h.call(t, "POST", path(h.agent.ID), h.token(t, h.admin), map[string]string{"reason": strings.Repeat("x", 501)}).
		expectError(t, http.StatusUnprocessableEntity, "invalid", "reason")
	h.call(t, "GET", "/api/v1/me", agentToken, nil).must(t, http.StatusOK) // refusals changed nothing

	var u userOut
	h.call(t, "POST", path(h.agent.ID), h.token(t, h.admin), map[string]string{"reason": "keluar dari tim"}).
		must(t, http.StatusOK).decode(t, &u)
	if u.ID != h.agent.ID || u.Presence != "offline" {
		t.Errorf("disabled user answered as %+v, want them offline", u)
	}
	for _, tok := range []string{agentToken, session.Token} {
		h.call(t, "GET", "/api/v1/me", tok, nil).expectError(t, http.StatusUnauthorized, "unauthorized")
	}
	h.login(t, h.agent.Email, testPassword).expectError(t, http.StatusForbidden, "forbidden")
	h.login(t, h.agent.Email, "bukan-kata-sandinya").expectError(t, http.StatusUnauthorized, "unauthorized")

	audit, err := h.app.Store.Audit(context.Background(), fmt.Sprintf("user:%d", h.agent.ID))
	if err != nil {
		t.Fatal(err)
	}
	if len(audit) != 1 || audit[0].Action != store.AuditUserDisable || audit[0].ActorID != h.admin.ID ||
		audit[0].Reason != "keluar dari tim" {
		t.Errorf("audit = %+v, want the admin's user_disable with the reason", audit)
	}
	// Disabling again is harmless and audits nothing more.
	h.call(t, "POST", path(h.agent.ID), h.token(t, h.admin), nil).must(t, http.StatusOK)
	if audit, _ := h.app.Store.Audit(context.Background(), fmt.Sprintf("user:%d", h.agent.ID)); len(audit) != 1 {
		t.Errorf("%d audit rows after disabling twice, want 1", len(audit))
	}
}

// Nobody changes the queues or capacity of a user above their role.
func TestPatchAgentRoles(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	for _, tt := range []struct {
		name     string
		caller   string
		target   int64
		capacity int
		want     int
	}{
		{"supervisor on an admin", "supervisor", h.admin.ID, 7, http.StatusForbidden},
		{"supervisor on an agent", "supervisor", h.agent.ID, 7, http.StatusOK},
		{"supervisor on a supervisor", "supervisor", h.supervisor.ID, 7, http.StatusOK},
		{"admin on an admin", "admin", h.admin.ID, 3, http.StatusOK},
	} {
		t.Run(tt.name, func(t *testing.T) {
			caller := h.supervisor
			if tt.caller == "admin" {
				caller = h.admin
			}
			h.call(t, "PATCH", fmt.Sprintf("/api/v1/agents/%d", tt.target), h.token(t, caller),
				map[string]any{"capacity": tt.capacity}).expect(t, tt.want)
		})
	}
	if u, err := h.app.Store.UserByID(context.Background(), h.admin.ID); err != nil || u.Capacity != 3 {
		t.Errorf("admin after the changes: %+v %v; want only the admin's (capacity 3)", u, err)
	}
}
