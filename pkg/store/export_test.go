package store_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/store/storetest"
	"github.com/aduan/aduan/pkg/ticket"
)

func TestExportWeek(t *testing.T) {
	s, dbURL := storetest.New(t)
	ctx := context.Background()
	agent := &ticket.User{Email: "ekspor@example.id", Name: "Sari Ekspor", Role: ticket.RoleAgent}
	if err := s.CreateUser(ctx, agent, "hash"); err != nil {
		t.Fatal(err)
	}
	cid := storetest.Count(t, dbURL, `INSERT INTO complainants (name, nik) VALUES ('Budi', '3201010101010001') RETURNING id`)
	insert := func(number string, created time.Time, assignee any, resolved any) {
		storetest.Exec(t, dbURL, `INSERT INTO tickets (number, channel, category, status, priority, queue, assignee_id,
			complainant_id, created_at, updated_at, resolved_at, first_response_due, sla_breached)
			VALUES ($1, 'email', 'certificate_missing', 'open', 'high', 'sertifikat', $2, $3, $4, $4, $5, $6, $7)`,
			number, assignee, cid, created, resolved, created.Add(24*time.Hour), number == "PL-B")
	}
	// Week 2021-W45 is Monday 8 November 00:00 WIB to Monday 15 November
	// 00:00 WIB; its edges are WIB edges, not UTC ones.
	insert("PL-before", wib(2021, 11, 7, 23, 59), nil, nil)
	insert("PL-C", wib(2021, 11, 14, 23, 59), nil, nil)
	insert("PL-A", wib(2021, 11, 8, 0, 0), agent.ID, wib(2021, 11, 9, 10, 0))
	insert("PL-B", wib(2021, 11, 10, 12, 0), nil, nil)
	insert("PL-after", wib(2021, 11, 15, 0, 0), nil, nil)

	w, _ := store.ParseWeek("2021-W45")
	var got []store.ExportTicket
	if err := s.ExportWeek(ctx, w, func(tk store.ExportTicket) error {
		got = append(got, tk)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	var numbers []string
	for _, tk := range got {
		numbers = append(numbers, tk.Number)
	}
	if want := []string{"PL-A", "PL-B", "PL-C"}; !slices.Equal(numbers, want) {
		t.Fatalf("exported %v, want %v (the week's tickets, oldest first)", numbers, want)
	}
	a := got[0]
	if a.Assignee != "Sari Ekspor" || a.Queue != "sertifikat" || a.Channel != ticket.ChannelEmail ||
		a.Category != ticket.CategoryCertificateMissing || a.Priority != ticket.PriorityHigh || a.Status != ticket.StatusOpen {
		t.Errorf("PL-A exported as %+v", a)
	}
	if !a.CreatedAt.Equal(wib(2021, 11, 8, 0, 0)) || a.SLA.ResolvedAt == nil || !a.SLA.ResolvedAt.Equal(wib(2021, 11, 9, 10, 0)) ||
		a.SLA.FirstResponseDue == nil || a.SLA.FirstRespondedAt != nil || a.SLA.Breached {
		t.Errorf("PL-A times: %+v", a)
	}
	if b := got[1]; b.Assignee != "" || !b.SLA.Breached || b.SLA.ResolvedAt != nil {
		t.Errorf("PL-B exported as %+v", b)
	}

	stop := errors.New("the reader went away")
	n := 0
	err := s.ExportWeek(ctx, w, func(store.ExportTicket) error { n++; return stop })
	if !errors.Is(err, stop) || n != 1 {
		t.Fatalf("an error of fn: ExportWeek = %v after %d rows, want it back after 1", err, n)
	}
}
