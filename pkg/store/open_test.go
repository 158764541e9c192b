package store_test

import (
	"context"
	"testing"

	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/store/storetest"
	"github.com/aduan/aduan/pkg/ticket"
)

// The statement numbers tickets in SQL; its numbers must be the ones
// ticket.FormatNumber gives, also past a million tickets.
func TestOpenTicketNumbersLikeFormatNumber(t *testing.T) {
	s, dbURL := storetest.New(t)
	ctx := context.Background()
	for _, next := range []int64{42, 999999, 1000000, 12345678} {
		storetest.Exec(t, dbURL, "SELECT setval('tickets_id_seq', $1, false)", next)
		c := ticket.Complainant{Name: "Siti", Phone: "+6281110500567"}
		tk := ticket.Ticket{Channel: ticket.ChannelCallCenter, Category: ticket.CategoryOther, Status: ticket.StatusNew,
			Priority: ticket.PriorityNormal, Documents: ticket.NoDocuments}
		m := ticket.Message{Direction: ticket.Inbound, Channel: ticket.ChannelCallCenter, SourceID: "n" + ticket.FormatNumber(tk.CreatedAt, next)}
		ev := ticket.Event{Kind: ticket.EventCreated}
		if err := s.OpenTicket(ctx, store.NewTicket{Complainant: &c, Ticket: &tk, Message: &m, Event: &ev,
			Tasks: []string{store.TaskTicketRoute}}); err != nil {
			t.Fatal(err)
		}
		if tk.ID != next || tk.Number != ticket.FormatNumber(tk.CreatedAt, next) {
			t.Errorf("id %d number %q, want %d and %q", tk.ID, tk.Number, next, ticket.FormatNumber(tk.CreatedAt, next))
		}
		if got, err := s.TicketByRef(ctx, tk.Number, false); err != nil || got.ID != tk.ID || got.ComplainantID != c.ID {
			t.Errorf("ticket %s: %+v, %v", tk.Number, got, err)
		}
	}
}
