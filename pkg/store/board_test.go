package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/aduan/aduan/pkg/store/storetest"
	"github.com/aduan/aduan/pkg/ticket"
)

func TestBoard(t *testing.T) {
	s, dbURL := storetest.New(t)
	ctx := context.Background()
	users := map[string]*ticket.User{}
	for _, u := range []ticket.User{{Email: "a@x.id", Name: "Ani", Role: ticket.RoleAgent},
		{Email: "b@x.id", Name: "Bayu", Role: ticket.RoleAgent, Presence: ticket.PresenceAway},
		{Email: "c@x.id", Name: "Cici", Role: ticket.RoleAgent}, {Email: "adm@x.id", Name: "Adm", Role: ticket.RoleAdmin}} {
		if err := s.CreateUser(ctx, &u, "hash"); err != nil {
			t.Fatal(err)
		}
		users[u.Name] = &u
	}
	if _, err := s.DisableUser(ctx, users["Cici"].ID, 0, "keluar"); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2021, 11, 10, 14, 0, 0, 0, ticket.Jakarta)
	today := time.Date(2021, 11, 10, 0, 0, 0, 0, ticket.Jakarta)
	cid := storetest.Count(t, dbURL, `INSERT INTO complainants (name) VALUES ('Budi') RETURNING id`)
	n := 0
	add := func(queue, status string, assignee any, created time.Time, frDue, resDue, resolved, warned any, breached bool) {
		n++
		storetest.Exec(t, dbURL, `INSERT INTO tickets (number, channel, category, status, priority, queue, assignee_id,
			complainant_id, created_at, updated_at, first_response_due, resolution_due, resolved_at, resolution_warned_at, sla_breached)
			VALUES ('PL-' || $1::int, 'email', 'other', $2, 'normal', $3, $4, $5, $6, $6, $7, $8, $9, $10, $11)`,
			n, status, queue, assignee, cid, created, frDue, resDue, resolved, warned, breached)
	}
	hour := func(h int) time.Time { return now.Add(time.Duration(h) * time.Hour) }
	// sertifikat: two waiting (the older at 09:00), one of them past its
	// first response due; one with Ani, warned; one pending with Bayu, breached.
	add("sertifikat", "new", nil, hour(-5), hour(-1), hour(20), nil, nil, false)
	add("sertifikat", "open", nil, hour(-2), hour(3), hour(20), nil, nil, false)
	add("sertifikat", "open", users["Ani"].ID, hour(-3), hour(3), hour(1), nil, hour(0), false)
	add("sertifikat", "pending", users["Bayu"].ID, hour(-30), nil, nil, nil, nil, true)
	// data: one resolved today by Ani, one yesterday; neither is open work.
	add("data", "resolved", users["Ani"].ID, hour(-20), nil, nil, hour(-1), nil, false)
	add("data", "resolved", users["Ani"].ID, hour(-40), nil, nil, hour(-16), nil, false)

	b, err := s.Board(ctx, now, today)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Queues) != 1 {
		t.Fatalf("queues %+v, want sertifikat only (data has no open work)", b.Queues)
	}
	q := b.Queues[0]
	if q.Queue != "sertifikat" || q.Waiting != 2 || q.Open != 4 || q.Breached != 2 || q.Warned != 1 ||
		q.OldestWaiting == nil || !q.OldestWaiting.Equal(hour(-5)) {
		t.Errorf("sertifikat: %+v", q)
	}
	got := map[string][2]int{}
	for _, a := range b.Agents {
		got[a.User.Name] = [2]int{a.Open, a.HandledToday}
	}
	want := map[string][2]int{"Ani": {1, 1}, "Bayu": {1, 0}}
	if len(got) != len(want) || got["Ani"] != want["Ani"] || got["Bayu"] != want["Bayu"] {
		t.Errorf("agents (open, handled today) %v, want %v: disabled users and admins left out", got, want)
	}
}

func TestUsersAndEnable(t *testing.T) {
	s, dbURL := storetest.New(t)
	ctx := context.Background()
	admin := ticket.User{Email: "adm@x.id", Name: "Zainal", Role: ticket.RoleAdmin}
	agent := ticket.User{Email: "a@x.id", Name: "ani", Role: ticket.RoleAgent}
	for _, u := range []*ticket.User{&admin, &agent} {
		if err := s.CreateUser(ctx, u, "hash"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.DisableUser(ctx, agent.ID, admin.ID, "cuti panjang"); err != nil {
		t.Fatal(err)
	}
	all, err := s.Users(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 2 || all[0].Name != "ani" || all[0].DisabledAt == nil {
		t.Fatalf("users %+v, want both by name, the disabled one marked", all)
	}
	u, err := s.EnableUser(ctx, agent.ID, admin.ID, "kembali bertugas")
	if err != nil || u.DisabledAt != nil {
		t.Fatalf("enable: %+v, %v", u, err)
	}
	if _, err := s.EnableUser(ctx, agent.ID, admin.ID, "lagi"); err != nil {
		t.Fatal(err)
	}
	if n := storetest.Count(t, dbURL, `SELECT count(*) FROM audit_log WHERE action = 'user_enable' AND actor_id = $1
		AND subject = $2`, admin.ID, "user:"+itoa(agent.ID)); n != 1 {
		t.Errorf("%d audit rows, want 1: enabling an enabled user audits nothing", n)
	}
}
