package store_test

import (
	"context"
	"encoding/json"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/store/storetest"
	"github.com/aduan/aduan/pkg/ticket"
)

func TestCreateUser(t *testing.T) {
	s, _ := storetest.New(t)
	ctx := context.Background()
	u := ticket.User{Email: "Ayu.Lestari@kemkes.go.id", Name: "Ayu Lestari", Role: ticket.RoleSupervisor}
	if err := s.CreateUser(ctx, &u, "bcrypt-hash"); err != nil {
		t.Fatal(err)
	}
	if u.ID == 0 || u.Presence != ticket.PresenceAvailable || len(u.Queues) != 0 || u.Queues == nil {
		t.Errorf("new user = %+v, want an id, available, serving every queue ([])", u)
	}

	t.Run("found by email in any case, with its hash", func(t *testing.T) {
		got, hash, err := s.UserByEmail(ctx, "ayu.lestari@KEMKES.GO.ID")
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != u.ID || got.Role != ticket.RoleSupervisor || got.Name != "Ayu Lestari" || hash != "bcrypt-hash" {
			t.Errorf("UserByEmail = %+v, %q", got, hash)
		}
	})

	t.Run("unknown email", func(t *testing.T) {
		_, _, err := s.UserByEmail(ctx, "nobody@kemkes.go.id")
		if code := ticket.ErrorCode(err); code != ticket.ENOTFOUND {
			t.Errorf("UserByEmail(unknown) = %v, want %s", err, ticket.ENOTFOUND)
		}
	})

	for _, email := range []string{"Ayu.Lestari@kemkes.go.id", "ayu.lestari@kemkes.go.id", "AYU.LESTARI@KEMKES.GO.ID"} {
		t.Run("duplicate "+email, func(t *testing.T) {
			dup := ticket.User{Email: email, Name: "Someone Else", Role: ticket.RoleAgent}
			err := s.CreateUser(ctx, &dup, "other-hash")
			if code := ticket.ErrorCode(err); code != ticket.ECONFLICT {
				t.Fatalf("CreateUser(%s) = %v, want %s", email, err, ticket.ECONFLICT)
			}
			if _, hash, err := s.UserByEmail(ctx, email); err != nil || hash != "bcrypt-hash" {
				t.Errorf("the first user was changed: hash %q, err %v", hash, err)
			}
		})
	}
}

func TestTokens(t *testing.T) {
	s, _ := storetest.New(t)
	ctx := context.Background()
	u := mustUser(t, s, ticket.User{Email: "ayu@kemkes.go.id", Name: "Ayu"})
	other := mustUser(t, s, ticket.User{Email: "bayu@kemkes.go.id", Name: "Bayu"})
	now := time.Now()
	for tok, tt := range map[string]struct {
		user    int64
		expires time.Time
	}{
		"live":        {u.ID, now.Add(time.Hour)},
		"other-live":  {other.ID, now.Add(time.Hour)},
		"expired":     {u.ID, now.Add(-time.Minute)},
		"to-revoke":   {u.ID, now.Add(time.Hour)},
		"still-valid": {u.ID, now.Add(time.Hour)},
	} {
		if err := s.CreateToken(ctx, tt.user, tok, tt.expires); err != nil {
			t.Fatalf("CreateToken(%s): %v", tok, err)
		}
	}
	if err := s.RevokeToken(ctx, "to-revoke"); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		token    string
		wantUser int64
		wantCode string
	}{
		{"live", u.ID, ""},
		{"other-live", other.ID, ""},
		{"still-valid", u.ID, ""}, // revoking one token leaves the user's others alone
		{"expired", 0, ticket.EUNAUTHORIZED},
		{"to-revoke", 0, ticket.EUNAUTHORIZED},
		{"never-issued", 0, ticket.EUNAUTHORIZED},
		{"", 0, ticket.EUNAUTHORIZED},
	}
	for _, tt := range tests {
		t.Run(tt.token, func(t *testing.T) {
			got, err := s.UserByToken(ctx, tt.token)
			if code := ticket.ErrorCode(err); code != tt.wantCode {
				t.Fatalf("UserByToken(%q) error = %v, want code %q", tt.token, err, tt.wantCode)
			}
			if got.ID != tt.wantUser {
				t.Errorf("UserByToken(%q) = user %d, want %d", tt.token, got.ID, tt.wantUser)
			}
			if tt.wantUser != 0 && got.Email == "" {
				t.Errorf("UserByToken(%q) = %+v, want the whole user", tt.token, got)
			}
		})
	}
}

func TestUpdateAgent(t *testing.T) {
	s, _ := storetest.New(t)
	ctx := context.Background()
	u := mustUser(t, s, ticket.User{Email: "ayu@kemkes.go.id", Name: "Ayu", Capacity: ticket.DefaultCapacity})
	bystander := mustUser(t, s, ticket.User{Email: "bayu@kemkes.go.id", Name: "Bayu", Capacity: 7})

	tests := []struct {
		name string
		up   store.AgentUpdate
		want ticket.User // Queues, Capacity and Presence after the update
	}{
		{"queues", store.AgentUpdate{Queues: &[]string{"sertifikat", "data"}},
			ticket.User{Queues: []string{"sertifikat", "data"}, Capacity: 20, Presence: ticket.PresenceAvailable}},
		{"capacity leaves queues", store.AgentUpdate{Capacity: ptr(5)},
			ticket.User{Queues: []string{"sertifikat", "data"}, Capacity: 5, Presence: ticket.PresenceAvailable}},
		{"presence leaves the rest", store.AgentUpdate{Presence: ptr(ticket.PresenceAway)},
			ticket.User{Queues: []string{"sertifikat", "data"}, Capacity: 5, Presence: ticket.PresenceAway}},
		{"all at once", store.AgentUpdate{Queues: &[]string{"aplikasi"}, Capacity: ptr(0),
			Presence: ptr(ticket.PresenceOffline)},
			ticket.User{Queues: []string{"aplikasi"}, Capacity: 0, Presence: ticket.PresenceOffline}},
		{"empty queues means every queue", store.AgentUpdate{Queues: &[]string{}},
			ticket.User{Queues: []string{}, Capacity: 0, Presence: ticket.PresenceOffline}},
		{"nothing changes nothing", store.AgentUpdate{},
			ticket.User{Queues: []string{}, Capacity: 0, Presence: ticket.PresenceOffline}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.UpdateAgent(ctx, u.ID, tt.up)
			if err != nil {
				t.Fatal(err)
			}
			stored, err := s.UserByID(ctx, u.ID)
			if err != nil {
				t.Fatal(err)
			}
			for what, g := range map[string]ticket.User{"returned": got, "stored": stored} {
				if !slices.Equal(g.Queues, tt.want.Queues) || g.Queues == nil || g.Capacity != tt.want.Capacity ||
					g.Presence != tt.want.Presence || g.Email != u.Email || g.Role != u.Role {
					t.Errorf("%s = %+v, want queues %v, capacity %d, presence %s", what, g,
						tt.want.Queues, tt.want.Capacity, tt.want.Presence)
				}
			}
		})
	}

	t.Run("other agents untouched", func(t *testing.T) {
		got, err := s.UserByID(ctx, bystander.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Capacity != 7 || got.Presence != ticket.PresenceAvailable || len(got.Queues) != 0 {
			t.Errorf("bystander = %+v", got)
		}
	})

	t.Run("listed among agents", func(t *testing.T) {
		agents, err := s.Agents(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var found bool
		for _, a := range agents {
			if a.ID == u.ID {
				found = a.Presence == ticket.PresenceOffline && slices.Equal(a.Queues, []string{})
			}
		}
		if !found {
			t.Errorf("Agents() = %+v, want agent %d offline with no queues", agents, u.ID)
		}
	})

	t.Run("unknown agent", func(t *testing.T) {
		_, err := s.UpdateAgent(ctx, u.ID+1000, store.AgentUpdate{Capacity: ptr(3)})
		if code := ticket.ErrorCode(err); code != ticket.ENOTFOUND {
			t.Errorf("UpdateAgent(unknown) = %v, want %s", err, ticket.ENOTFOUND)
		}
	})
}

func TestAudit(t *testing.T) {
	s, _ := storetest.New(t)
	ctx := context.Background()
	ayu := mustUser(t, s, ticket.User{Email: "ayu@kemkes.go.id", Name: "Ayu"})
	bayu := mustUser(t, s, ticket.User{Email: "bayu@kemkes.go.id", Name: "Bayu", Role: ticket.RoleSupervisor})
	before := time.Now().Add(-time.Second)
	entries := []ticket.AuditEntry{
		{ActorID: ayu.ID, Action: "nik_reveal", Subject: "complainant:12", Reason: "verifikasi telepon"},
		{ActorID: bayu.ID, Action: "attachment_download", Subject: "ticket:7/attachment:3"},
		{ActorID: bayu.ID, Action: "nik_reveal", Subject: "complainant:12", Reason: "'; DROP TABLE audit_log; --"},
	}
	for _, e := range entries {
		if err := s.AddAudit(ctx, e); err != nil {
			t.Fatal(err)
		}
	}

	tests := []struct {
		subject string
		want    []ticket.AuditEntry
	}{
		{"complainant:12", []ticket.AuditEntry{entries[0], entries[2]}},
		{"ticket:7/attachment:3", []ticket.AuditEntry{entries[1]}},
		{"complainant:1", nil},
	}
	for _, tt := range tests {
		t.Run(tt.subject, func(t *testing.T) {
			got, err := s.Audit(ctx, tt.subject)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("Audit(%s) = %+v, want %d entries", tt.subject, got, len(tt.want))
			}
			for i, g := range got {
				w := tt.want[i]
				if g.ActorID != w.ActorID || g.Action != w.Action || g.Subject != w.Subject || g.Reason != w.Reason {
					t.Errorf("entry %d = %+v, want %+v", i, g, w)
				}
				if g.ID == 0 || g.At.Before(before) || g.At.After(time.Now().Add(time.Second)) {
					t.Errorf("entry %d id %d at %v, want an id and about now", i, g.ID, g.At)
				}
				if i > 0 && g.ID <= got[i-1].ID {
					t.Errorf("entries not oldest first: %+v", got)
				}
			}
		})
	}
}

func TestOutbox(t *testing.T) {
	s, _ := storetest.New(t)
	ctx := context.Background()
	items := []struct {
		taskType string
		payload  any
		want     map[string]any
	}{
		{store.TaskTicketRoute, store.TicketTask{TicketID: 42}, map[string]any{"ticket_id": float64(42)}},
		{store.TaskDocumentsCheck, store.TicketTask{TicketID: 42, MessageID: 7},
			map[string]any{"ticket_id": float64(42), "message_id": float64(7)}},
		{store.TaskNotifyAck, map[string]any{"note": `'; DROP TABLE outbox; -- "quoted" \ ü`},
			map[string]any{"note": `'; DROP TABLE outbox; -- "quoted" \ ü`}},
	}
	for _, it := range items {
		if err := s.AddOutbox(ctx, it.taskType, it.payload); err != nil {
			t.Fatalf("AddOutbox(%s): %v", it.taskType, err)
		}
	}

	got, err := s.PendingOutbox(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(items) {
		t.Fatalf("PendingOutbox = %d items, want %d", len(got), len(items))
	}
	for i, g := range got {
		it := items[i]
		var payload map[string]any
		if err := json.Unmarshal(g.Payload, &payload); err != nil {
			t.Fatalf("item %d payload %q is not JSON: %v", i, g.Payload, err)
		}
		if g.TaskType != it.taskType || !reflect.DeepEqual(payload, it.want) {
			t.Errorf("item %d = %s %s, want %s %v", i, g.TaskType, g.Payload, it.taskType, it.want)
		}
		if g.ID == 0 || g.Attempts != 0 || g.CreatedAt.IsZero() || (i > 0 && g.ID <= got[i-1].ID) {
			t.Errorf("item %d = %+v, want an id (oldest first), no attempts, a creation time", i, g)
		}
	}

	t.Run("limit", func(t *testing.T) {
		first, err := s.PendingOutbox(ctx, 2)
		if err != nil {
			t.Fatal(err)
		}
		if len(first) != 2 || first[0].ID != got[0].ID || first[1].ID != got[1].ID {
			t.Errorf("PendingOutbox(2) = %+v, want the two oldest", first)
		}
	})
}
