package store_test

import (
	"context"
	"slices"
	"testing"

	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/store/storetest"
	"github.com/aduan/aduan/pkg/ticket"
)

// A queue's or an agent's list in several statuses (the console's queue
// page) is read one status at a time and merged: it must still be the
// newest tickets of all those statuses together, newest first, page by
// page, with their complainants, and nothing else.
func TestTicketsListInSeveralStatuses(t *testing.T) {
	s, _ := storetest.New(t)
	ctx := context.Background()
	c := mustComplainant(t, s, ticket.Complainant{Name: "Dewi Lestari", NIK: "3201014508850002"})
	agent := mustUser(t, s, ticket.User{Email: "dewi.agen@example.id", Name: "Agen Dewi", Queues: []string{"sertifikat"}})
	other := mustUser(t, s, ticket.User{Email: "budi.agen@example.id", Name: "Agen Budi", Queues: []string{"sertifikat"}})
	statuses := []ticket.Status{ticket.StatusNew, ticket.StatusOpen, ticket.StatusPending, ticket.StatusClosed,
		ticket.StatusNeedsInfo, ticket.StatusResolved}
	var waiting, mine []int64 // newest first
	for i := range 36 {
		st := statuses[i%len(statuses)]
		queue := "sertifikat"
		if i%7 == 6 {
			queue = "data-diri"
		}
		var assignee *int64
		switch i / len(statuses) % 3 { // each block of statuses: nobody's, mine, another's
		case 1:
			assignee = &agent.ID
		case 2:
			assignee = &other.ID
		}
		tk := mustTicket(t, s, ticket.Ticket{ComplainantID: c.ID, Queue: queue, Status: st, AssigneeID: assignee})
		if queue == "sertifikat" && assignee == nil && (st == ticket.StatusNew || st == ticket.StatusOpen) {
			waiting = append([]int64{tk.ID}, waiting...)
		}
		if assignee != nil && *assignee == agent.ID && st.IsOpen() {
			mine = append([]int64{tk.ID}, mine...)
		}
	}
	if len(waiting) < 3 || len(mine) < 3 {
		t.Fatalf("fixture too small: waiting %v, mine %v", waiting, mine)
	}
	tests := []struct {
		name string
		f    store.TicketFilter
		want []int64
	}{
		{"a queue's new and open tickets nobody holds", store.TicketFilter{Queue: ptr("sertifikat"), Unassigned: true,
			Status: []ticket.Status{ticket.StatusNew, ticket.StatusOpen}, Limit: 2}, waiting},
		{"an agent's open tickets", store.TicketFilter{AssigneeID: &agent.ID, OpenOnly: true, Limit: 2}, mine},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := tt.f
			var got []int64
			for page := 0; page <= len(tt.want); page++ {
				ts, err := s.Tickets(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				if len(ts) == 0 {
					break
				}
				if len(ts) > f.Limit {
					t.Fatalf("page of %d, limit %d", len(ts), f.Limit)
				}
				for _, tk := range ts {
					if tk.Complainant == nil || tk.Complainant.Name != c.Name {
						t.Errorf("ticket %d without its complainant: %+v", tk.ID, tk.Complainant)
					}
				}
				got = append(got, ticketIDs(ts)...)
				f.BeforeID = ts[len(ts)-1].ID
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("ids across pages = %v, want %v", got, tt.want)
			}
		})
	}
}
