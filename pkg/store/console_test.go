package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/store/storetest"
	"github.com/aduan/aduan/pkg/ticket"
)

func TestConsoleState(t *testing.T) {
	s, _ := storetest.New(t)
	ctx := context.Background()
	c := ticket.Complainant{Name: "Rina Wati", NIK: "3171016504900003"}
	if err := s.CreateComplainant(ctx, &c); err != nil {
		t.Fatal(err)
	}
	u := ticket.User{Email: "lihat@aduan.test", Name: "Lia Lihat", Role: ticket.RoleAgent}
	if err := s.CreateUser(ctx, &u, "hash"); err != nil {
		t.Fatal(err)
	}
	tk := ticket.Ticket{Channel: ticket.ChannelEmail, Category: ticket.CategoryOther, Status: ticket.StatusNew,
		Priority: ticket.PriorityNormal, ComplainantID: c.ID, Documents: ticket.NoDocuments}
	if err := s.CreateTicket(ctx, &tk); err != nil {
		t.Fatal(err)
	}

	t.Run("viewers are those seen lately, until they leave", func(t *testing.T) {
		now := time.Now()
		if err := s.WithClock(func() time.Time { return now.Add(-time.Minute) }).SeeTicket(ctx, tk.ID, u.ID); err != nil {
			t.Fatal(err)
		}
		if vs, err := s.Viewers(ctx, []int64{tk.ID}, now.Add(-30*time.Second)); err != nil || len(vs) != 0 {
			t.Errorf("a viewer seen a minute ago still counts: %+v, %v", vs, err)
		}
		if err := s.SeeTicket(ctx, tk.ID, u.ID); err != nil {
			t.Fatal(err)
		}
		vs, err := s.Viewers(ctx, []int64{tk.ID}, now.Add(-30*time.Second))
		if err != nil || len(vs) != 1 || vs[0].Name != "Lia Lihat" {
			t.Errorf("Viewers = %+v, %v", vs, err)
		}
		if err := s.LeaveTicket(ctx, tk.ID, u.ID); err != nil {
			t.Fatal(err)
		}
		if vs, _ := s.Viewers(ctx, []int64{tk.ID}, now.Add(-30*time.Second)); len(vs) != 0 {
			t.Errorf("a viewer who left still counts: %+v", vs)
		}
	})

	t.Run("the version moves with every event and message", func(t *testing.T) {
		v0, err := s.VersionOf(ctx, tk.ID)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.AddMessage(ctx, &ticket.Message{TicketID: tk.ID, Direction: ticket.Internal,
			Channel: ticket.ChannelEmail, AuthorID: &u.ID, Body: "catatan"}); err != nil {
			t.Fatal(err)
		}
		v1, _ := s.VersionOf(ctx, tk.ID)
		if err := s.AddEvents(ctx, ticket.Event{TicketID: tk.ID, Kind: ticket.EventPriorityChanged}); err != nil {
			t.Fatal(err)
		}
		v2, _ := s.VersionOf(ctx, tk.ID)
		if v0 == v1 || v1 == v2 {
			t.Errorf("versions %v, %v, %v: each change must move it", v0, v1, v2)
		}
		if back, ok := store.ParseTicketVersion(v2.String()); !ok || back != v2 {
			t.Errorf("ParseTicketVersion(%q) = %v, %v", v2.String(), back, ok)
		}
	})

	t.Run("a ticket entering a queue unassigned is announced", func(t *testing.T) {
		lctx, cancel := context.WithCancel(ctx)
		defer cancel()
		got := make(chan store.TicketQueued, 4)
		listening := make(chan error, 1)
		go func() { listening <- s.ListenQueued(lctx, func(q store.TicketQueued) { got <- q }) }()
		// LISTEN takes effect once its statement is done; announce until
		// heard, so the test does not depend on how long that takes.
		tick := time.NewTicker(200 * time.Millisecond)
		defer tick.Stop()
		queues := []string{"sertifikat", "data-diri"}
		for i := 0; i < 300; i++ {
			tk.Queue = queues[i%2]
			if err := s.SaveTicket(ctx, &tk); err != nil {
				t.Fatal(err)
			}
			select {
			case q := <-got:
				if q.ID != tk.ID || q.Number != tk.Number || q.Queue != tk.Queue {
					t.Errorf("announced %+v, want ticket %d %s in %s", q, tk.ID, tk.Number, tk.Queue)
				}
				cancel()
				if err := <-listening; err != nil {
					t.Errorf("ListenQueued after cancel: %v", err)
				}
				return
			case err := <-listening:
				t.Fatalf("ListenQueued stopped: %v", err)
			case <-tick.C:
			}
		}
		t.Fatal("no announcement in a minute of trying")
	})
}
