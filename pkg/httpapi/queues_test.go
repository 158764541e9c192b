package httpapi_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/aduan/aduan/pkg/httpapi"
	"github.com/aduan/aduan/pkg/routing"
	"github.com/aduan/aduan/pkg/ticket"
)

// withRouting returns an API over the harness's app with routing on the
// shipped rules, and the router.
func (h *harness) withRouting(t *testing.T) (http.Handler, *routing.Router) {
	t.Helper()
	b, err := os.ReadFile("../../configs/routing.yaml")
	if err != nil {
		t.Fatal(err)
	}
	rules, err := routing.ParseRules(b)
	if err != nil {
		t.Fatal(err)
	}
	a := h.app
	r := routing.NewRouter(a.Store, rules)
	return httpapi.New(httpapi.Config{Users: a.Store, Tickets: a.Store, Ingester: a.Ingester, Desk: a.Desk,
		Queues: r, Log: a.Log, TokenTTL: a.Config.TokenTTL}), r
}

// queuedCall opens a call-center ticket and routes it; with every agent
// away it waits in its queue.
func (h *harness) queuedCall(t *testing.T, r *routing.Router, n int, category, priority string) ticketOut {
	t.Helper()
	call := newCall(nikN(n), phoneN(n))
	call.Category = category
	body := map[string]any{"channel": call.Channel, "category": call.Category, "description": call.Description,
		"complainant": call.Complainant}
	if priority != "" {
		body["priority"] = priority
	}
	var tk ticketOut
	h.call(t, "POST", "/api/v1/tickets", h.token(t, h.supervisor), body).must(t, http.StatusCreated).decode(t, &tk)
	out, err := r.Route(context.Background(), tk.ID)
	if err != nil || out.AssigneeID != nil {
		t.Fatalf("route %d: %+v, %v; want it waiting in its queue", tk.ID, out, err)
	}
	return tk
}

func (h *harness) setPresence(t *testing.T, api http.Handler, u ticket.User, p ticket.Presence) {
	t.Helper()
	h.callOn(t, api, "PUT", "/api/v1/agents/me/presence", h.token(t, u), map[string]string{"presence": string(p)}).
		must(t, http.StatusOK)
}

func TestClaimEndpoint(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	api, r := h.withRouting(t)
	for _, u := range []ticket.User{h.agent, h.agent2} {
		h.setPresence(t, api, u, ticket.PresenceAway) // nothing is pushed: everything waits for a claim
	}
	normal := h.queuedCall(t, r, 1, "certificate_missing", "")
	high := h.queuedCall(t, r, 2, "certificate_data_error", "high")
	tok := h.token(t, h.agent)
	claim := func(api http.Handler, tok, queue string) reply {
		return h.callOn(t, api, "POST", "/api/v1/queues/"+queue+"/claim", tok, nil)
	}

	for _, want := range []ticketOut{high, normal} {
		var got ticketOut
		claim(api, tok, "sertifikat").must(t, http.StatusOK).decode(t, &got)
		if got.ID != want.ID || got.AssigneeID == nil || *got.AssigneeID != h.agent.ID {
			t.Fatalf("claimed %d (assignee %v), want %d assigned to the caller", got.ID, got.AssigneeID, want.ID)
		}
		last := got.Events[len(got.Events)-1]
		if last.Kind != "assigned" || last.Data["by"] != "claim" || last.ActorID == nil || *last.ActorID != h.agent.ID {
			t.Errorf("last event %+v, want assigned by claim", last)
		}
	}
	if r := claim(api, tok, "sertifikat"); r.expect(t, http.StatusNoContent) && len(r.Body) != 0 {
		t.Errorf("204 with a body: %s", r.Body)
	}

	h.call(t, "PATCH", fmt.Sprintf("/api/v1/agents/%d", h.agent2.ID), h.token(t, h.supervisor),
		map[string]any{"queues": []string{"data-diri"}}).must(t, http.StatusOK)
	h.queuedCall(t, r, 3, "certificate_missing", "")
	h.call(t, "PATCH", fmt.Sprintf("/api/v1/agents/%d", h.agent.ID), h.token(t, h.supervisor),
		map[string]any{"capacity": 2}).must(t, http.StatusOK)
	refusals := []struct {
		name   string
		api    http.Handler
		token  string
		queue  string
		status int
		code   string
	}{
		{"a queue the agent does not serve", api, h.token(t, h.agent2), "sertifikat", http.StatusForbidden, "forbidden"},
		{"admins do not claim", api, h.token(t, h.admin), "sertifikat", http.StatusForbidden, "forbidden"},
		{"unknown queue", api, tok, "vaksin", http.StatusNotFound, "not_found"},
		{"at capacity", api, tok, "sertifikat", http.StatusConflict, "conflict"},
		{"not logged in", api, "", "sertifikat", http.StatusUnauthorized, "unauthorized"},
		{"routing not wired", httpapi.New(httpapi.Config{Users: h.app.Store, Tickets: h.app.Store, Desk: h.app.Desk,
			Log: h.app.Log, TokenTTL: h.app.Config.TokenTTL}), tok, "sertifikat", http.StatusServiceUnavailable, "unavailable"},
	}
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			e := claim(tt.api, tt.token, tt.queue).expectError(t, tt.status, tt.code)
			if tt.code == "conflict" && !strings.Contains(e.Error.Message, "kapasitas Anda 2") {
				t.Errorf("message %q does not say the capacity", e.Error.Message)
			}
		})
	}
	var left ticketOut
	claim(api, h.token(t, h.supervisor), "sertifikat").must(t, http.StatusOK).decode(t, &left)
	if left.AssigneeID == nil || *left.AssigneeID != h.supervisor.ID {
		t.Errorf("supervisor's claim: assignee %v", left.AssigneeID)
	}
}

// Going offline through the API returns the caller's unstarted tickets
// to their queue and keeps those they worked on.
func TestOfflineReturnsUnstartedTickets(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	api, r := h.withRouting(t)
	h.setPresence(t, api, h.agent2, ticket.PresenceAway)
	h.setPresence(t, api, h.agent, ticket.PresenceAway)
	tok := h.token(t, h.agent)
	var ids []int64
	for n := range 3 {
		h.queuedCall(t, r, 10+n, "personal_data_change", "")
		var got ticketOut
		h.callOn(t, api, "POST", "/api/v1/queues/data-diri/claim", tok, nil).must(t, http.StatusOK).decode(t, &got)
		ids = append(ids, got.ID)
	}
	noted, changed, untouched := ids[0], ids[1], ids[2]
	h.callOn(t, api, "POST", fmt.Sprintf("/api/v1/tickets/%d/messages", noted), tok,
		map[string]any{"body": "KTP sudah dicek, menunggu Dukcapil.", "internal": true}).must(t, http.StatusCreated)
	h.callOn(t, api, "PATCH", fmt.Sprintf("/api/v1/tickets/%d", changed), tok,
		map[string]any{"status": "open"}).must(t, http.StatusOK)
	// Someone else's note does not make it the agent's work.
	h.callOn(t, api, "POST", fmt.Sprintf("/api/v1/tickets/%d/messages", untouched), h.token(t, h.supervisor),
		map[string]any{"body": "Tolong dicek.", "internal": true}).must(t, http.StatusCreated)

	h.setPresence(t, api, h.agent, ticket.PresenceOffline)
	for _, id := range []int64{noted, changed} {
		if got := h.ticket(t, tok, fmt.Sprint(id)); got.AssigneeID == nil || *got.AssigneeID != h.agent.ID {
			t.Errorf("ticket %d the agent worked on went back (assignee %v)", id, got.AssigneeID)
		}
	}
	got := h.ticket(t, tok, fmt.Sprint(untouched))
	kinds := make([]string, len(got.Events))
	for i, e := range got.Events {
		kinds[i] = e.Kind
	}
	if got.AssigneeID != nil || !slices.Contains(kinds, routing.EventReturnedToQueue) {
		t.Errorf("untouched ticket: assignee %v, events %v; want it back in its queue", got.AssigneeID, kinds)
	}
	var again ticketOut
	h.callOn(t, api, "POST", "/api/v1/queues/data-diri/claim", h.token(t, h.supervisor), nil).
		must(t, http.StatusOK).decode(t, &again)
	if again.ID != untouched {
		t.Errorf("next claim in data-diri gave %d, want the returned ticket %d", again.ID, untouched)
	}
}
