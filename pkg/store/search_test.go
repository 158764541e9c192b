package store_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/store/storetest"
	"github.com/aduan/aduan/pkg/ticket"
)

// The searches the console's search box makes: the start of a ticket
// number, a complainant's name by the beginnings of its words, and words
// of the complaint, merged with names newest first and paged by cursor.
func TestTicketsSearchNumbersAndNames(t *testing.T) {
	s, _ := storetest.New(t)
	ctx := context.Background()
	siti := mustComplainant(t, s, ticket.Complainant{Name: "Siti Aminah", NIK: "3201014508850001", Phone: "+6281110500567"})
	sitiR := mustComplainant(t, s, ticket.Complainant{Name: "SITI RAHAYU", NIK: "3201014508850002", Phone: "+6281110500568"})
	wulan := mustComplainant(t, s, ticket.Complainant{Name: "Wulan Puskesmas", NIK: "3201014508850003", Phone: "+6281110500569"})
	mk := func(c ticket.Complainant, status ticket.Status, desc string) ticket.Ticket {
		return mustTicket(t, s, ticket.Ticket{ComplainantID: c.ID, Channel: ticket.ChannelCallCenter,
			Category: ticket.CategoryCertificateMissing, Status: status, Queue: "sertifikat", Description: desc})
	}
	t1 := mk(siti, ticket.StatusNew, "Sertifikat belum muncul, vaksin di Puskesmas Cibinong")
	t2 := mk(sitiR, ticket.StatusOpen, "Nama salah ketik")
	t3 := mk(wulan, ticket.StatusNew, "Kode OTP tidak masuk")
	t4 := mk(siti, ticket.StatusClosed, "Tanggal vaksin salah, Puskesmas Depok")
	all := []ticket.Ticket{t4, t3, t2, t1}
	startingWith := func(prefix string) []int64 {
		out := []int64{}
		for _, tk := range all {
			if strings.HasPrefix(tk.Number, prefix) {
				out = append(out, tk.ID)
			}
		}
		return out
	}
	day := t1.Number[:len("PL-261203")]
	tests := []struct {
		name string
		f    store.TicketFilter
		want []int64
	}{
		{"number's prefix and day", store.TicketFilter{Query: day}, startingWith(day)},
		{"number's start, lower case", store.TicketFilter{Query: strings.ToLower(t3.Number[:len(t3.Number)-1])},
			startingWith(t3.Number[:len(t3.Number)-1])},
		{"number's day and its dash", store.TicketFilter{Query: day + "-"}, startingWith(day + "-")},
		{"number's first digit", store.TicketFilter{Query: "PL-2"}, startingWith("PL-2")},
		{"no number starts so", store.TicketFilter{Query: "PL-19"}, []int64{}},
		{"whole first name", store.TicketFilter{Query: "Siti"}, []int64{t4.ID, t2.ID, t1.ID}},
		{"name in any case", store.TicketFilter{Query: "siti"}, []int64{t4.ID, t2.ID, t1.ID}},
		{"beginnings of the name's words", store.TicketFilter{Query: "sit ami"}, []int64{t4.ID, t1.ID}},
		{"last name alone", store.TicketFilter{Query: "RAHAYU"}, []int64{t2.ID}},
		{"every word must start a name's word", store.TicketFilter{Query: "siti wulan"}, []int64{}},
		{"a name's word is not matched inside", store.TicketFilter{Query: "minah"}, []int64{}},
		{"name with a filter", store.TicketFilter{Query: "siti", Status: []ticket.Status{ticket.StatusNew}}, []int64{t1.ID}},
		{"words of the complaint and of a name merged", store.TicketFilter{Query: "puskesmas"},
			[]int64{t4.ID, t3.ID, t1.ID}},
		{"complaint words stay whole words", store.TicketFilter{Query: "cibinong vaksin"}, []int64{t1.ID}},
		{"merged, then limited", store.TicketFilter{Query: "puskesmas", Limit: 2}, []int64{t4.ID, t3.ID}},
		{"merged, next page", store.TicketFilter{Query: "puskesmas", Limit: 2, BeforeID: t3.ID}, []int64{t1.ID}},
		{"punctuation is not tsquery syntax", store.TicketFilter{Query: "siti:* | !ami & ("}, []int64{t4.ID, t1.ID}},
		{"nothing but punctuation", store.TicketFilter{Query: "&|!():*"}, []int64{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Tickets(ctx, tt.f)
			if err != nil {
				t.Fatalf("Tickets(%+v): %v", tt.f, err)
			}
			if ids := ticketIDs(got); !slices.Equal(ids, tt.want) {
				t.Errorf("Tickets(%+v) = %v, want %v", tt.f, ids, tt.want)
			}
		})
	}
	t.Run("found by name, the row carries its complainant", func(t *testing.T) {
		got, err := s.Tickets(ctx, store.TicketFilter{Query: "rahayu"})
		if err != nil || len(got) != 1 || got[0].Complainant == nil || got[0].Complainant.Name != "SITI RAHAYU" {
			t.Fatalf("Tickets = %+v, %v", got, err)
		}
	})
}
