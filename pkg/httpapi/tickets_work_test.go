package httpapi_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/aduan/aduan/pkg/intake"
	"github.com/aduan/aduan/pkg/ticket"
)

func TestListTicketsFilters(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	tok := h.token(t, h.agent)
	call := func(n int, category string) ticketOut {
		body := newCall(nikN(n), phoneN(n))
		body.Category = category
		return h.createTicket(t, tok, body)
	}
	t1 := call(1, "certificate_missing")
	t2 := call(2, "app_issue")
	t3 := call(3, "other")
	res, err := h.app.Ingester.Ingest(context.Background(), intake.Inbound{Channel: ticket.ChannelEmail,
		SourceID: "<m1@mail.test>", Category: ticket.CategoryVaccinationStatus, Body: "Status vaksin saya?",
		Complainant: ticket.Complainant{Name: "Ani", Email: "ani@mail.test"}})
	if err != nil {
		t.Fatalf("ingest email: %v", err)
	}
	mail := res.Ticket.ID
	h.call(t, "PATCH", "/api/v1/tickets/"+fmt.Sprint(t2.ID), tok, map[string]any{"status": "open"}).must(t, http.StatusOK)
	h.call(t, "PATCH", "/api/v1/tickets/"+fmt.Sprint(t3.ID), tok, map[string]any{"assignee_id": h.agent.ID}).must(t, http.StatusOK)

	tests := []struct {
		query string
		want  []int64
	}{
		{"", []int64{mail, t3.ID, t2.ID, t1.ID}},
		{"status=open", []int64{t2.ID}},
		{"status=new", []int64{mail, t3.ID, t1.ID}},
		{"status=new,open", []int64{mail, t3.ID, t2.ID, t1.ID}},
		{"status=closed", []int64{}},
		{"channel=email", []int64{mail}},
		{"channel=callcenter", []int64{t3.ID, t2.ID, t1.ID}},
		{"category=app_issue", []int64{t2.ID}},
		{"category=vaccination_status", []int64{mail}},
		{"assignee=me", []int64{t3.ID}},
		{"assignee=none", []int64{mail, t2.ID, t1.ID}},
		{"assignee=" + fmt.Sprint(h.agent.ID), []int64{t3.ID}},
		{"status=new&channel=callcenter&assignee=none", []int64{t1.ID}},
		{"q=" + t2.Number, []int64{t2.ID}},
		{"q=" + strings.ToLower(t2.Number), []int64{t2.ID}},
		{"q=" + nikN(1), []int64{t1.ID}},
		{"q=" + url.QueryEscape("3201 0101 0190 0003"), []int64{t3.ID}},
		{"q=" + phoneN(2), []int64{t2.ID}},
		{"q=" + url.QueryEscape("+62812 0000 0002"), []int64{t2.ID}},
		{"q=" + nikN(99), []int64{}},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			var p pageOut
			h.call(t, "GET", "/api/v1/tickets?"+tt.query, tok, nil).must(t, http.StatusOK).decode(t, &p)
			if got := ids(p.Items); !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
			if p.NextCursor != nil {
				t.Errorf("next_cursor %q on the only page", *p.NextCursor)
			}
		})
	}
	for _, q := range []string{"status=bogus", "channel=fax", "category=lain", "priority=asap", "assignee=someone"} {
		t.Run(q, func(t *testing.T) {
			field := strings.SplitN(q, "=", 2)[0]
			h.call(t, "GET", "/api/v1/tickets?"+q, tok, nil).expectError(t, http.StatusUnprocessableEntity, "invalid", field)
		})
	}
}

func TestListTicketsPaging(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	tok := h.token(t, h.agent)
	var created []int64
	for i := 1; i <= 30; i++ {
		created = append(created, h.createTicket(t, tok, newCall(nikN(i), phoneN(i))).ID)
	}
	slices.Reverse(created) // newest first

	t.Run("default limit 25", func(t *testing.T) {
		p := h.list(t, tok, nil)
		if len(p.Items) != 25 || p.NextCursor == nil {
			t.Errorf("%d items, next_cursor %v; want 25 and a cursor", len(p.Items), p.NextCursor)
		}
	})
	for _, limit := range []string{"0", "101", "-1", "ten"} {
		t.Run("limit "+limit, func(t *testing.T) {
			h.call(t, "GET", "/api/v1/tickets?limit="+limit, tok, nil).
				expectError(t, http.StatusUnprocessableEntity, "invalid", "limit")
		})
	}
	for _, tt := range []struct{ limit, want int }{{1, 1}, {99, 30}, {100, 30}} {
		t.Run(fmt.Sprint("limit ", tt.limit), func(t *testing.T) {
			if p := h.list(t, tok, url.Values{"limit": {fmt.Sprint(tt.limit)}}); len(p.Items) != tt.want {
				t.Errorf("%d items, want %d", len(p.Items), tt.want)
			}
		})
	}
	t.Run("pages of 7", func(t *testing.T) {
		var seen []int64
		q := url.Values{"limit": {"7"}}
		for page := 1; ; page++ {
			p := h.list(t, tok, q)
			if len(p.Items) == 0 || len(p.Items) > 7 {
				t.Fatalf("page %d has %d items", page, len(p.Items))
			}
			seen = append(seen, ids(p.Items)...)
			if p.NextCursor == nil {
				break
			}
			if page > 10 {
				t.Fatalf("paging does not end")
			}
			q.Set("cursor", *p.NextCursor)
		}
		if !slices.Equal(seen, created) {
			t.Errorf("pages gave %v, want each of %v once, newest first", seen, created)
		}
	})
	bad := []string{"!!!", "t:5", base64.RawURLEncoding.EncodeToString([]byte("t:abc")), base64.RawURLEncoding.EncodeToString([]byte("x:5")),
		base64.RawURLEncoding.EncodeToString([]byte("t:0")), base64.RawURLEncoding.EncodeToString([]byte("t:-4"))}
	for _, cursor := range bad {
		t.Run("cursor "+cursor, func(t *testing.T) {
			h.call(t, "GET", "/api/v1/tickets?cursor="+url.QueryEscape(cursor), tok, nil).
				expectError(t, http.StatusUnprocessableEntity, "invalid", "cursor")
		})
	}
}

func TestGetTicket(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	tok := h.token(t, h.agent)
	created := h.createTicket(t, tok, newCall(nikN(1), phoneN(1)))
	for _, ref := range []string{fmt.Sprint(created.ID), created.Number, strings.ToLower(created.Number)} {
		t.Run(ref, func(t *testing.T) {
			got := h.ticket(t, tok, ref)
			if got.ID != created.ID || got.Number != created.Number || len(got.Messages) != 1 || len(got.Events) == 0 {
				t.Errorf("GET %s answered %+v", ref, got)
			}
		})
	}
	for _, ref := range []string{"999999", "PL-000101-999999", "nope", "0"} {
		t.Run(ref, func(t *testing.T) {
			h.call(t, "GET", "/api/v1/tickets/"+ref, tok, nil).expectError(t, http.StatusNotFound, "not_found")
		})
	}
}

func TestPatchTicketStatus(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	tok := h.token(t, h.agent)
	tk := h.createTicket(t, tok, newCall(nikN(1), phoneN(1)))
	path := "/api/v1/tickets/" + tk.Number

	var opened ticketOut
	h.call(t, "PATCH", path, tok, map[string]any{"status": "open"}).must(t, http.StatusOK).decode(t, &opened)
	if opened.Status != "open" {
		t.Errorf("status %q after new→open", opened.Status)
	}
	last := opened.Events[len(opened.Events)-1]
	if last.Kind != "status_changed" || last.Data["from"] != "new" || last.Data["to"] != "open" ||
		last.ActorID == nil || *last.ActorID != h.agent.ID {
		t.Errorf("last event %+v, want status_changed new→open by the agent", last)
	}

	e := h.call(t, "PATCH", path, tok, map[string]any{"status": "closed"}).expectError(t, http.StatusConflict, "conflict")
	if !strings.Contains(e.Error.Message, "open") || !strings.Contains(e.Error.Message, "closed") {
		t.Errorf("conflict message %q does not name both states", e.Error.Message)
	}
	h.call(t, "PATCH", path, tok, map[string]any{"status": "archived"}).
		expectError(t, http.StatusUnprocessableEntity, "invalid", "status")
	h.call(t, "PATCH", path, tok, map[string]any{"priority": "asap"}).
		expectError(t, http.StatusUnprocessableEntity, "invalid", "priority")
	if got := h.ticket(t, tok, tk.Number); got.Status != "open" || len(got.Events) != len(opened.Events) {
		t.Errorf("refused changes changed the ticket: status %q, %d events", got.Status, len(got.Events))
	}
	h.call(t, "PATCH", "/api/v1/tickets/999999", tok, map[string]any{"status": "open"}).
		expectError(t, http.StatusNotFound, "not_found")
}

func TestPatchTicketAssign(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	agent, agent2, sup := h.token(t, h.agent), h.token(t, h.agent2), h.token(t, h.supervisor)
	tk := h.createTicket(t, agent, newCall(nikN(1), phoneN(1)))
	path := "/api/v1/tickets/" + fmt.Sprint(tk.ID)
	assign := func(id int64) map[string]any { return map[string]any{"assignee_id": id} }
	assignee := func() *int64 { return h.ticket(t, sup, tk.Number).AssigneeID }

	h.call(t, "PATCH", path, agent, assign(h.agent2.ID)).expectError(t, http.StatusForbidden, "forbidden")
	if a := assignee(); a != nil {
		t.Errorf("a refused assignment assigned %d", *a)
	}
	var got ticketOut
	h.call(t, "PATCH", path, agent, assign(h.agent.ID)).must(t, http.StatusOK).decode(t, &got)
	if got.AssigneeID == nil || *got.AssigneeID != h.agent.ID {
		t.Errorf("assignee %v after the agent took it, want %d", got.AssigneeID, h.agent.ID)
	}
	h.call(t, "PATCH", path, agent2, map[string]any{"status": "open"}).expectError(t, http.StatusForbidden, "forbidden")
	h.call(t, "PATCH", path, agent2, assign(h.agent2.ID)).expectError(t, http.StatusForbidden, "forbidden")

	h.call(t, "PATCH", path, sup, assign(h.agent2.ID)).must(t, http.StatusOK).decode(t, &got)
	if got.AssigneeID == nil || *got.AssigneeID != h.agent2.ID {
		t.Errorf("assignee %v after the supervisor assigned agent 2, want %d", got.AssigneeID, h.agent2.ID)
	}
	h.call(t, "PATCH", path, agent, map[string]any{"status": "open"}).expectError(t, http.StatusForbidden, "forbidden")
	h.call(t, "PATCH", path, sup, map[string]any{"assignee_id": nil}).must(t, http.StatusOK).decode(t, &got)
	if got.AssigneeID != nil {
		t.Errorf("assignee_id null left %d", *got.AssigneeID)
	}
	h.call(t, "PATCH", path, sup, assign(987654)).expectError(t, http.StatusUnprocessableEntity, "invalid", "assignee_id")
}

func TestAddNote(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	tok := h.token(t, h.agent)
	tk := h.createTicket(t, tok, newCall(nikN(1), phoneN(1)))
	path := "/api/v1/tickets/" + tk.Number + "/messages"

	var note messageOut
	h.call(t, "POST", path, tok, map[string]any{"body": "Sudah dicek di PCare, dosis 2 tercatat.", "internal": true}).
		must(t, http.StatusCreated).decode(t, &note)
	if note.Direction != "internal" || note.AuthorID == nil || *note.AuthorID != h.agent.ID {
		t.Errorf("note %+v, want internal by the agent", note)
	}
	got := h.ticket(t, tok, tk.Number)
	if !slices.ContainsFunc(got.Messages, func(m messageOut) bool { return m.ID == note.ID && m.Body == note.Body }) {
		t.Errorf("messages %+v lack the note %d", got.Messages, note.ID)
	}
	if !slices.ContainsFunc(got.Events, func(e eventOut) bool {
		return e.Kind == "note_added" && fmt.Sprint(e.Data["message_id"]) == fmt.Sprint(note.ID)
	}) {
		t.Errorf("events %+v lack note_added for message %d", got.Events, note.ID)
	}

	tests := []struct {
		name  string
		body  any
		field string
	}{
		{"reply to the complainant", map[string]any{"body": "Terima kasih.", "internal": false}, "internal"},
		{"internal missing", map[string]any{"body": "Terima kasih."}, "internal"},
		{"empty body", map[string]any{"body": "  ", "internal": true}, "body"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.call(t, "POST", path, tok, tt.body).expectError(t, http.StatusUnprocessableEntity, "invalid", tt.field)
		})
	}
	if n := len(h.ticket(t, tok, tk.Number).Messages); n != 2 {
		t.Errorf("%d messages after refused notes, want 2", n)
	}
	h.call(t, "POST", "/api/v1/tickets/999999/messages", tok, map[string]any{"body": "x", "internal": true}).
		expectError(t, http.StatusNotFound, "not_found")
}
