package store_test

import (
	"context"
	"os"
	"testing"

	"github.com/aduan/aduan/pkg/store/storetest"
	"github.com/aduan/aduan/pkg/ticket"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

func TestCreateTicketNumbersFromID(t *testing.T) {
	s, _ := storetest.New(t)
	ctx := context.Background()
	c := ticket.Complainant{Name: "Siti Aminah", NIK: "3201014508850001", Phone: "+6281110500567"}
	if err := s.CreateComplainant(ctx, &c); err != nil {
		t.Fatal(err)
	}
	tk := ticket.Ticket{Channel: ticket.ChannelCallCenter, Category: ticket.CategoryCertificateMissing,
		Status: ticket.StatusNew, Priority: ticket.PriorityNormal, ComplainantID: c.ID, Documents: ticket.NoDocuments}
	if err := s.CreateTicket(ctx, &tk); err != nil {
		t.Fatal(err)
	}
	if want := ticket.FormatNumber(tk.CreatedAt, tk.ID); tk.Number != want {
		t.Fatalf("number = %q, want %q", tk.Number, want)
	}
	got, err := s.TicketByRef(ctx, "["+tk.Number+"]", false)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != tk.ID || got.Complainant == nil || got.Complainant.NIK != c.NIK {
		t.Fatalf("TicketByRef = %+v", got)
	}
}
