package store_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/store/storetest"
	"github.com/aduan/aduan/pkg/ticket"
)

// mustComplainant stores c and returns it with its id.
func mustComplainant(t *testing.T, s *store.Store, c ticket.Complainant) ticket.Complainant {
	t.Helper()
	if err := s.CreateComplainant(context.Background(), &c); err != nil {
		t.Fatalf("CreateComplainant(%s): %v", c.Name, err)
	}
	return c
}

// mustTicket stores tk, filling what a ticket cannot be without.
func mustTicket(t *testing.T, s *store.Store, tk ticket.Ticket) ticket.Ticket {
	t.Helper()
	if tk.Channel == "" {
		tk.Channel = ticket.ChannelEmail
	}
	if tk.Category == "" {
		tk.Category = ticket.CategoryOther
	}
	if tk.Status == "" {
		tk.Status = ticket.StatusNew
	}
	if tk.Priority == "" {
		tk.Priority = ticket.PriorityNormal
	}
	if tk.Documents == (ticket.Documents{}) {
		tk.Documents = ticket.NoDocuments
	}
	if err := s.CreateTicket(context.Background(), &tk); err != nil {
		t.Fatalf("CreateTicket(%q): %v", tk.Subject, err)
	}
	return tk
}

// mustUser stores a user with a placeholder password hash.
func mustUser(t *testing.T, s *store.Store, u ticket.User) ticket.User {
	t.Helper()
	if u.Role == "" {
		u.Role = ticket.RoleAgent
	}
	if err := s.CreateUser(context.Background(), &u, "hash-not-checked-here"); err != nil {
		t.Fatalf("CreateUser(%s): %v", u.Email, err)
	}
	return u
}

func ticketIDs(ts []ticket.Ticket) []int64 {
	ids := make([]int64, len(ts))
	for i, tk := range ts {
		ids[i] = tk.ID
	}
	return ids
}

func ptr[T any](v T) *T { return &v }

func TestTicketsFilterAndSearch(t *testing.T) {
	s, _ := storetest.New(t)
	ctx := context.Background()
	agentA := mustUser(t, s, ticket.User{Email: "ayu@kemkes.go.id", Name: "Ayu"})
	agentB := mustUser(t, s, ticket.User{Email: "bayu@kemkes.go.id", Name: "Bayu"})
	siti := mustComplainant(t, s, ticket.Complainant{Name: "Siti Aminah", NIK: "3201014508850001",
		Phone: "+6281110500567", Email: "siti@example.com"})
	budi := mustComplainant(t, s, ticket.Complainant{Name: "Budi Santoso", NIK: "3171012304900002",
		Phone: "+6281234567890", Email: "budi@example.co.id"})

	t1 := mustTicket(t, s, ticket.Ticket{ComplainantID: siti.ID, Channel: ticket.ChannelEmail,
		Category: ticket.CategoryCertificateMissing, Status: ticket.StatusNew, Queue: "sertifikat",
		Subject: "Sertifikat vaksin belum muncul", Description: "Sudah dosis kedua dua minggu lalu"})
	t2 := mustTicket(t, s, ticket.Ticket{ComplainantID: siti.ID, Channel: ticket.ChannelCallCenter,
		Category: ticket.CategoryPersonalDataChange, Status: ticket.StatusOpen, Queue: "data", AssigneeID: &agentA.ID,
		Subject: "Nama tidak sesuai KTP", Description: "Nama di sertifikat salah ketik"})
	t3 := mustTicket(t, s, ticket.Ticket{ComplainantID: budi.ID, Channel: ticket.ChannelWhatsApp,
		Category: ticket.CategoryAppIssue, Status: ticket.StatusPending, Priority: ticket.PriorityHigh,
		Queue: "aplikasi", AssigneeID: &agentB.ID,
		Subject: "Tidak bisa login", Description: "Kode OTP tidak pernah masuk"})
	t4 := mustTicket(t, s, ticket.Ticket{ComplainantID: budi.ID, Channel: ticket.ChannelEmail,
		Category: ticket.CategoryCertificateMissing, Status: ticket.StatusResolved, Queue: "sertifikat",
		AssigneeID: &agentA.ID, Subject: "Sertifikat dosis booster", Description: "Booster belum tercatat"})
	t5 := mustTicket(t, s, ticket.Ticket{ComplainantID: budi.ID, Channel: ticket.ChannelCallCenter,
		Category: ticket.CategoryNIKConflict, Status: ticket.StatusClosed,
		Subject: "NIK dipakai orang lain", Description: "NIK terdaftar atas nama lain"})
	t6 := mustTicket(t, s, ticket.Ticket{ComplainantID: siti.ID, Channel: ticket.ChannelWhatsApp,
		Category: ticket.CategoryVaccinationStatus, Status: ticket.StatusNeedsInfo, Queue: "sertifikat",
		Subject: "Status vaksinasi", Description: "Mohon info status"})
	sitis := []int64{t6.ID, t2.ID, t1.ID}
	budis := []int64{t5.ID, t4.ID, t3.ID}

	tests := []struct {
		name string
		f    store.TicketFilter
		want []int64
	}{
		{"no filter, newest first", store.TicketFilter{}, []int64{t6.ID, t5.ID, t4.ID, t3.ID, t2.ID, t1.ID}},
		{"one status", store.TicketFilter{Status: []ticket.Status{ticket.StatusOpen}}, []int64{t2.ID}},
		{"several statuses", store.TicketFilter{Status: []ticket.Status{ticket.StatusNew, ticket.StatusPending}},
			[]int64{t3.ID, t1.ID}},
		{"channel", store.TicketFilter{Channel: ticket.ChannelEmail}, []int64{t4.ID, t1.ID}},
		{"category", store.TicketFilter{Category: ticket.CategoryCertificateMissing}, []int64{t4.ID, t1.ID}},
		{"priority", store.TicketFilter{Priority: ticket.PriorityHigh}, []int64{t3.ID}},
		{"queue", store.TicketFilter{Queue: ptr("sertifikat")}, []int64{t6.ID, t4.ID, t1.ID}},
		{"empty queue means not yet routed", store.TicketFilter{Queue: ptr("")}, []int64{t5.ID}},
		{"assignee", store.TicketFilter{AssigneeID: &agentA.ID}, []int64{t4.ID, t2.ID}},
		{"other assignee", store.TicketFilter{AssigneeID: &agentB.ID}, []int64{t3.ID}},
		{"unassigned", store.TicketFilter{Unassigned: true}, []int64{t6.ID, t5.ID, t1.ID}},
		{"unassigned and open", store.TicketFilter{Unassigned: true, OpenOnly: true}, []int64{t6.ID, t1.ID}},
		{"complainant", store.TicketFilter{ComplainantID: budi.ID}, budis},
		{"open only", store.TicketFilter{OpenOnly: true}, []int64{t6.ID, t3.ID, t2.ID, t1.ID}},
		{"complainant's open tickets", store.TicketFilter{ComplainantID: budi.ID, OpenOnly: true}, []int64{t3.ID}},
		{"filters combine", store.TicketFilter{ComplainantID: siti.ID, OpenOnly: true, Channel: ticket.ChannelWhatsApp},
			[]int64{t6.ID}},
		{"no match", store.TicketFilter{Channel: ticket.ChannelSMS}, []int64{}},

		{"query ticket number", store.TicketFilter{Query: t3.Number}, []int64{t3.ID}},
		{"query ticket number in brackets", store.TicketFilter{Query: "[" + t3.Number + "]"}, []int64{t3.ID}},
		{"query ticket number lowercased, padded", store.TicketFilter{Query: "  " + strings.ToLower(t5.Number) + " "},
			[]int64{t5.ID}},
		{"query NIK", store.TicketFilter{Query: "3201014508850001"}, sitis},
		{"query NIK with spaces", store.TicketFilter{Query: "3171 0123 0490 0002"}, budis},
		{"query NIK with dots and dashes", store.TicketFilter{Query: "3201.0145-0885.0001"}, sitis},
		{"query unknown NIK", store.TicketFilter{Query: "3201014508850009"}, []int64{}},
		{"query phone 0811-", store.TicketFilter{Query: "0811-1050-0567"}, sitis},
		{"query phone +62 with spaces", store.TicketFilter{Query: "+62 811 1050 0567"}, sitis},
		{"query phone E.164", store.TicketFilter{Query: "+6281234567890"}, budis},
		{"query phone 62 without plus", store.TicketFilter{Query: "6281234567890"}, budis},
		{"query phone bare mobile", store.TicketFilter{Query: "81110500567"}, sitis},
		{"query email", store.TicketFilter{Query: "siti@example.com"}, sitis},
		{"query email, domain in capitals", store.TicketFilter{Query: "budi@EXAMPLE.co.id"}, budis},
		{"query word in subjects and descriptions", store.TicketFilter{Query: "sertifikat"},
			[]int64{t4.ID, t2.ID, t1.ID}},
		{"query word, any case", store.TicketFilter{Query: "SERTIFIKAT"}, []int64{t4.ID, t2.ID, t1.ID}},
		{"query word in description only", store.TicketFilter{Query: "OTP"}, []int64{t3.ID}},
		{"query every word must match", store.TicketFilter{Query: "sertifikat booster"}, []int64{t4.ID}},
		{"query words from subject and description", store.TicketFilter{Query: "login otp"}, []int64{t3.ID}},
		{"query unknown word", store.TicketFilter{Query: "xyzzy"}, []int64{}},
		{"query with a filter", store.TicketFilter{Query: "sertifikat", Status: []ticket.Status{ticket.StatusNew}},
			[]int64{t1.ID}},
		{"query NIK with a filter", store.TicketFilter{Query: "3201014508850001", OpenOnly: true,
			Channel: ticket.ChannelCallCenter}, []int64{t2.ID}},
		{"query that looks like SQL", store.TicketFilter{Query: "'; DROP TABLE tickets; --"}, []int64{}},
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

	t.Run("rows carry the ticket and its complainant", func(t *testing.T) {
		got, err := s.Tickets(ctx, store.TicketFilter{Query: t3.Number})
		if err != nil || len(got) != 1 {
			t.Fatalf("Tickets = %v, %v", got, err)
		}
		g := got[0]
		if g.Number != t3.Number || g.Status != ticket.StatusPending || g.Priority != ticket.PriorityHigh ||
			g.Queue != "aplikasi" || g.AssigneeID == nil || *g.AssigneeID != agentB.ID ||
			g.Subject != t3.Subject || g.Description != t3.Description || g.Documents != ticket.NoDocuments {
			t.Errorf("ticket = %+v, want %+v", g, t3)
		}
		if g.Complainant == nil || g.Complainant.ID != budi.ID || g.Complainant.NIK != budi.NIK ||
			g.Complainant.Phone != budi.Phone {
			t.Errorf("complainant = %+v, want %+v", g.Complainant, budi)
		}
	})
}

func TestTicketsPagination(t *testing.T) {
	s, _ := storetest.New(t)
	ctx := context.Background()
	c := mustComplainant(t, s, ticket.Complainant{Name: "Siti Aminah", NIK: "3201014508850001"})
	var all, emails []int64
	for i := range 11 {
		ch := ticket.ChannelEmail
		if i%3 == 0 {
			ch = ticket.ChannelWhatsApp
		}
		tk := mustTicket(t, s, ticket.Ticket{ComplainantID: c.ID, Channel: ch})
		all = append([]int64{tk.ID}, all...)
		if ch == ticket.ChannelEmail {
			emails = append([]int64{tk.ID}, emails...)
		}
	}

	tests := []struct {
		name  string
		f     store.TicketFilter
		pages []int
		want  []int64
	}{
		{"limit 4", store.TicketFilter{Limit: 4}, []int{4, 4, 3}, all},
		{"limit 1", store.TicketFilter{Limit: 1}, []int{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, all},
		{"limit equal to the count", store.TicketFilter{Limit: 11}, []int{11}, all},
		{"with a filter", store.TicketFilter{Channel: ticket.ChannelEmail, Limit: 3}, []int{3, 3, 1}, emails},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := tt.f
			var got []int64
			var sizes []int
			for page := 0; ; page++ {
				if page > len(tt.pages)+1 {
					t.Fatalf("pagination does not end: %v", got)
				}
				ts, err := s.Tickets(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				if len(ts) == 0 {
					break
				}
				sizes = append(sizes, len(ts))
				got = append(got, ticketIDs(ts)...)
				f.BeforeID = ts[len(ts)-1].ID
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("ids across pages = %v, want %v (each once, newest first)", got, tt.want)
			}
			if !slices.Equal(sizes, tt.pages) {
				t.Errorf("page sizes = %v, want %v", sizes, tt.pages)
			}
		})
	}

	t.Run("cursor in the middle", func(t *testing.T) {
		got, err := s.Tickets(ctx, store.TicketFilter{BeforeID: all[4], Limit: 3})
		if err != nil {
			t.Fatal(err)
		}
		if ids := ticketIDs(got); !slices.Equal(ids, all[5:8]) {
			t.Errorf("BeforeID %d = %v, want %v", all[4], ids, all[5:8])
		}
	})
}

func TestTicketsDefaultLimit(t *testing.T) {
	s, _ := storetest.New(t)
	ctx := context.Background()
	c := mustComplainant(t, s, ticket.Complainant{Name: "Budi Santoso", Phone: "+6281234567890"})
	for range 30 {
		mustTicket(t, s, ticket.Ticket{ComplainantID: c.ID})
	}
	tests := []struct {
		limit, want int
	}{{0, 25}, {-1, 25}, {10, 10}, {100, 30}}
	for _, tt := range tests {
		got, err := s.Tickets(ctx, store.TicketFilter{Limit: tt.limit})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != tt.want {
			t.Errorf("Limit %d: %d tickets, want %d", tt.limit, len(got), tt.want)
		}
	}
}

// resolvedAt reads tickets.resolved_at, which the domain type does not carry.
func resolvedAt(t *testing.T, dbURL string, id int64) *time.Time {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var at *time.Time
	if err := conn.QueryRow(ctx, "SELECT resolved_at FROM tickets WHERE id = $1", id).Scan(&at); err != nil {
		t.Fatal(err)
	}
	return at
}

func TestSaveTicket(t *testing.T) {
	s, dbURL := storetest.New(t)
	ctx := context.Background()
	agent := mustUser(t, s, ticket.User{Email: "ayu@kemkes.go.id", Name: "Ayu"})
	c := mustComplainant(t, s, ticket.Complainant{Name: "Siti Aminah", NIK: "3201014508850001"})
	tk := mustTicket(t, s, ticket.Ticket{ComplainantID: c.ID, Subject: "Sertifikat belum muncul",
		Category: ticket.CategoryCertificateMissing})
	created := tk.UpdatedAt

	reload := func(t *testing.T) ticket.Ticket {
		t.Helper()
		got, err := s.TicketByRef(ctx, tk.Number, false)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}

	t.Run("workable fields persist", func(t *testing.T) {
		due := time.Now().Add(24 * time.Hour).UTC().Truncate(time.Second)
		tk.Status = ticket.StatusOpen
		tk.AssigneeID = &agent.ID
		tk.Queue = "sertifikat"
		tk.Priority = ticket.PriorityUrgent
		tk.Category = ticket.CategoryCertificateDataError
		tk.Documents = ticket.Documents{KTP: ticket.DocOK, Selfie: ticket.DocReceived, VaccineCard: ticket.DocMismatch}
		tk.Warnings = []string{"tanggal lahir tidak sesuai NIK"}
		tk.SLA.ResolutionDue = &due
		tk.SLA.Breached = true
		if err := s.SaveTicket(ctx, &tk); err != nil {
			t.Fatal(err)
		}
		got := reload(t)
		if got.Status != ticket.StatusOpen || got.AssigneeID == nil || *got.AssigneeID != agent.ID ||
			got.Queue != "sertifikat" || got.Priority != ticket.PriorityUrgent ||
			got.Category != ticket.CategoryCertificateDataError || got.Documents != tk.Documents ||
			!slices.Equal(got.Warnings, tk.Warnings) || got.SLA.ResolutionDue == nil ||
			!got.SLA.ResolutionDue.Equal(due) || !got.SLA.Breached {
			t.Errorf("after save = %+v, want %+v", got, tk)
		}
		if !got.UpdatedAt.After(created) {
			t.Errorf("updated_at %v not after created %v", got.UpdatedAt, created)
		}
		if got.Subject != "Sertifikat belum muncul" || got.ComplainantID != c.ID {
			t.Errorf("fields SaveTicket does not own changed: %+v", got)
		}
		if at := resolvedAt(t, dbURL, tk.ID); at != nil {
			t.Errorf("resolved_at = %v on an open ticket, want NULL", at)
		}
	})

	t.Run("unassign", func(t *testing.T) {
		tk.AssigneeID = nil
		if err := s.SaveTicket(ctx, &tk); err != nil {
			t.Fatal(err)
		}
		if got := reload(t); got.AssigneeID != nil {
			t.Errorf("assignee = %d, want none", *got.AssigneeID)
		}
	})

	var resolved time.Time
	t.Run("resolving sets resolved_at", func(t *testing.T) {
		before := time.Now().Add(-time.Second)
		tk.Status = ticket.StatusResolved
		if err := s.SaveTicket(ctx, &tk); err != nil {
			t.Fatal(err)
		}
		if got := reload(t); got.Status != ticket.StatusResolved {
			t.Errorf("status = %s, want resolved", got.Status)
		}
		at := resolvedAt(t, dbURL, tk.ID)
		if at == nil || at.Before(before) || at.After(time.Now().Add(time.Second)) {
			t.Fatalf("resolved_at = %v, want about now", at)
		}
		resolved = *at
	})

	t.Run("saving a resolved ticket again keeps resolved_at", func(t *testing.T) {
		// An hour later, so that a save that set resolved_at again would show.
		later := s.WithClock(func() time.Time { return resolved.Add(time.Hour) })
		tk.AssigneeID = &agent.ID // e.g. a supervisor reassigns it for follow-up
		if err := later.SaveTicket(ctx, &tk); err != nil {
			t.Fatal(err)
		}
		if at := resolvedAt(t, dbURL, tk.ID); at == nil || !at.Equal(resolved) {
			t.Errorf("resolved_at = %v after another save, want %v (when it was resolved)", at, resolved)
		}
	})

	t.Run("closing keeps resolved_at", func(t *testing.T) {
		tk.Status = ticket.StatusClosed
		if err := s.SaveTicket(ctx, &tk); err != nil {
			t.Fatal(err)
		}
		if got := reload(t); got.Status != ticket.StatusClosed {
			t.Errorf("status = %s, want closed", got.Status)
		}
		if at := resolvedAt(t, dbURL, tk.ID); at == nil || !at.Equal(resolved) {
			t.Errorf("resolved_at = %v after closing, want %v (when it was resolved)", at, resolved)
		}
	})

	t.Run("reopening clears resolved_at", func(t *testing.T) {
		other := mustTicket(t, s, ticket.Ticket{ComplainantID: c.ID, Status: ticket.StatusResolved})
		other.Status = ticket.StatusResolved
		if err := s.SaveTicket(ctx, &other); err != nil {
			t.Fatal(err)
		}
		if resolvedAt(t, dbURL, other.ID) == nil {
			t.Fatal("resolved_at not set")
		}
		other.Status = ticket.StatusOpen
		if err := s.SaveTicket(ctx, &other); err != nil {
			t.Fatal(err)
		}
		if at := resolvedAt(t, dbURL, other.ID); at != nil {
			t.Errorf("resolved_at = %v after reopening, want NULL", at)
		}
	})
}
