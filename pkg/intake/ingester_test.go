package intake_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"reflect"
	"slices"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/aduan/aduan/pkg/intake"
	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/store/storetest"
	"github.com/aduan/aduan/pkg/ticket"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

const (
	nikSiti   = "3201014508850001" // province 32, a woman born 05-08-1985
	nikBudi   = "3171012304900002" // province 31, a man born 23-04-1990
	phoneSiti = "+6281110500567"
)

type fixture struct {
	s     *store.Store
	in    *intake.Ingester
	dbURL string
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	s, dbURL := storetest.New(t)
	return fixture{s: s, in: intake.NewIngester(s, slog.New(slog.NewTextHandler(io.Discard, nil))), dbURL: dbURL}
}

// call is an item as an agent on a call types it in.
func call(sourceID, nik, phone string) intake.Inbound {
	return intake.Inbound{
		Channel:     ticket.ChannelCallCenter,
		SourceID:    sourceID,
		SourceHash:  "hash-" + sourceID,
		Complainant: ticket.Complainant{Name: "Siti Aminah", NIK: nik, Phone: phone},
		Category:    ticket.CategoryCertificateMissing,
		Subject:     "Sertifikat vaksin belum muncul",
		Body:        "Dosis kedua 1 November, sertifikat belum muncul di aplikasi.",
		CallRef:     "CALL-" + sourceID,
	}
}

func (f fixture) ingest(t *testing.T, item intake.Inbound) intake.Result {
	t.Helper()
	res, err := f.in.Ingest(context.Background(), item)
	if err != nil {
		t.Fatalf("Ingest(%s): %v", item.SourceID, err)
	}
	return res
}

// counts is how many rows each kind of write left behind.
type counts struct{ complainants, tickets, messages, events, outbox int }

func (f fixture) counts(t *testing.T) counts {
	t.Helper()
	ctx := context.Background()
	ts, err := f.s.Tickets(ctx, store.TicketFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	c := counts{tickets: len(ts), complainants: f.count(t, "complainants")}
	for _, tk := range ts {
		ms, err := f.s.Messages(ctx, tk.ID)
		if err != nil {
			t.Fatal(err)
		}
		es, err := f.s.Events(ctx, tk.ID)
		if err != nil {
			t.Fatal(err)
		}
		c.messages += len(ms)
		c.events += len(es)
	}
	out, err := f.s.PendingOutbox(ctx, 1000)
	if err != nil {
		t.Fatal(err)
	}
	c.outbox = len(out)
	return c
}

// count counts a table's rows directly; the store has no list of every
// complainant.
func (f fixture) count(t *testing.T, table string) int {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, f.dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM "+pgx.Identifier{table}.Sanitize()).Scan(&n); err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}

func (f fixture) ticket(t *testing.T, id int64) ticket.Ticket {
	t.Helper()
	tk, err := f.s.TicketByRef(context.Background(), fmt.Sprint(id), false)
	if err != nil {
		t.Fatalf("TicketByRef(%d): %v", id, err)
	}
	return tk
}

func (f fixture) complainant(t *testing.T, id int64) ticket.Complainant {
	t.Helper()
	c, err := f.s.ComplainantByID(context.Background(), id)
	if err != nil {
		t.Fatalf("ComplainantByID(%d): %v", id, err)
	}
	return c
}

func eventKinds(es []ticket.Event) []string {
	kinds := make([]string, len(es))
	for i, e := range es {
		kinds[i] = e.Kind
	}
	return kinds
}

func TestIngestNewCall(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	agent := ticket.User{Email: "ayu@kemkes.go.id", Name: "Ayu", Role: ticket.RoleAgent}
	if err := f.s.CreateUser(ctx, &agent, "hash"); err != nil {
		t.Fatal(err)
	}
	item := call("idem-1", nikSiti, phoneSiti)
	item.AuthorID = &agent.ID
	item.Warnings = []string{"tanggal lahir tidak sesuai NIK"}

	res := f.ingest(t, item)
	if !res.Created || res.Duplicate || len(res.OpenTickets) != 0 {
		t.Errorf("result Created %v Duplicate %v OpenTickets %v, want a new ticket, nothing open before",
			res.Created, res.Duplicate, res.OpenTickets)
	}

	tk := f.ticket(t, res.Ticket.ID)
	if tk.Status != ticket.StatusNew || tk.Priority != ticket.PriorityNormal || tk.Documents != ticket.NoDocuments ||
		tk.Channel != ticket.ChannelCallCenter || tk.Category != ticket.CategoryCertificateMissing ||
		tk.Subject != item.Subject || tk.Description != item.Body || tk.CallRef != item.CallRef ||
		tk.CreatedBy == nil || *tk.CreatedBy != agent.ID || !slices.Equal(tk.Warnings, item.Warnings) {
		t.Errorf("stored ticket = %+v", tk)
	}
	if tk.Number == "" || tk.Number != res.Ticket.Number {
		t.Errorf("number stored %q, returned %q", tk.Number, res.Ticket.Number)
	}

	c := tk.Complainant
	if c == nil || c.ID == 0 || c.NIK != nikSiti || c.Phone != phoneSiti || c.Name != "Siti Aminah" ||
		res.Ticket.ComplainantID != c.ID {
		t.Errorf("complainant = %+v, result's complainant id %d", c, res.Ticket.ComplainantID)
	}
	for _, id := range []ticket.Identity{{Kind: ticket.IdentityNIK, Value: nikSiti}, {Kind: ticket.IdentityPhone, Value: phoneSiti}} {
		got, err := f.s.ComplainantsByIdentity(ctx, id)
		if err != nil || len(got) != 1 || c == nil || got[0].ID != c.ID {
			t.Errorf("ComplainantsByIdentity(%v) = %+v, %v; want the new complainant", id, got, err)
		}
	}

	ms, err := f.s.Messages(ctx, tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 1 || ms[0].ID != res.Message.ID || ms[0].Direction != ticket.Inbound ||
		ms[0].Channel != ticket.ChannelCallCenter || ms[0].SourceID != "idem-1" || ms[0].SourceHash != "hash-idem-1" ||
		ms[0].Body != item.Body || ms[0].Subject != item.Subject {
		t.Errorf("messages = %+v, want the one inbound item", ms)
	}

	es, err := f.s.Events(ctx, tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 1 || es[0].Kind != ticket.EventCreated || es[0].ActorID == nil || *es[0].ActorID != agent.ID ||
		es[0].Data["status"] != "new" || es[0].Data["channel"] != "callcenter" ||
		es[0].Data["category"] != "certificate_missing" {
		t.Errorf("events = %+v, want one created event by the agent", es)
	}

	out, err := f.s.PendingOutbox(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 1 || out[0].TaskType != store.TaskTicketRoute {
		t.Fatalf("outbox = %+v, want one %s", out, store.TaskTicketRoute)
	}
	var payload map[string]any
	if err := json.Unmarshal(out[0].Payload, &payload); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"ticket_id": float64(tk.ID), "message_id": float64(res.Message.ID)}
	if !reflect.DeepEqual(payload, want) {
		t.Errorf("outbox payload = %s, want %v", out[0].Payload, want)
	}

	if got := f.counts(t); got != (counts{complainants: 1, tickets: 1, messages: 1, events: 1, outbox: 1}) {
		t.Errorf("rows = %+v, want one of each", got)
	}
}

func TestIngestDefaults(t *testing.T) {
	f := newFixture(t)
	item := call("idem-1", nikSiti, phoneSiti)
	item.Category, item.Priority, item.Status = "", "", ""
	tk := f.ticket(t, f.ingest(t, item).Ticket.ID)
	if tk.Category != ticket.CategoryOther || tk.Priority != ticket.PriorityNormal || tk.Status != ticket.StatusNew {
		t.Errorf("ticket = %s/%s/%s, want other/normal/new", tk.Category, tk.Priority, tk.Status)
	}

	item = call("idem-2", nikBudi, "")
	item.Priority, item.Status = ticket.PriorityUrgent, ticket.StatusNeedsInfo
	tk = f.ticket(t, f.ingest(t, item).Ticket.ID)
	if tk.Priority != ticket.PriorityUrgent || tk.Status != ticket.StatusNeedsInfo {
		t.Errorf("ticket = %s/%s, want the item's urgent/needs_info", tk.Priority, tk.Status)
	}
}

// An email's ticket describes the complaint the form gave, not the whole
// mail, and keeps the other categories its text matched for the agent.
func TestIngestComplaintAndAlternatives(t *testing.T) {
	f := newFixture(t)
	item := call("idem-1", nikSiti, phoneSiti)
	item.Body = "Keluhan: nama di sertifikat salah, sertifikat belum muncul\n\nDikirim dari iPhone saya"
	item.Complaint = "nama di sertifikat salah, sertifikat belum muncul"
	item.Category = ticket.CategoryPersonalDataChange
	item.CategoryAlternatives = []ticket.Category{ticket.CategoryCertificateMissing}
	res := f.ingest(t, item)
	tk := f.ticket(t, res.Ticket.ID)
	if tk.Description != item.Complaint || !slices.Equal(tk.CategoryAlternatives, item.CategoryAlternatives) {
		t.Errorf("ticket description %q, alternatives %v; want %q, %v", tk.Description, tk.CategoryAlternatives,
			item.Complaint, item.CategoryAlternatives)
	}
	if ms, err := f.s.Messages(context.Background(), tk.ID); err != nil || len(ms) != 1 || ms[0].Body != item.Body {
		t.Errorf("messages = %+v, %v; want the whole body kept on the one message", ms, err)
	}

	item = call("idem-2", nikBudi, "")
	tk = f.ticket(t, f.ingest(t, item).Ticket.ID)
	if tk.Description != item.Body || tk.CategoryAlternatives == nil || len(tk.CategoryAlternatives) != 0 {
		t.Errorf("ticket description %q, alternatives %#v; want the body and none", tk.Description, tk.CategoryAlternatives)
	}
}

func TestIngestSameSourceAgain(t *testing.T) {
	tests := []struct {
		name     string
		again    func(it intake.Inbound, firstID int64) intake.Inbound
		wantCode string
	}{
		{"replay", func(it intake.Inbound, _ int64) intake.Inbound { return it }, ""},
		{"replay without a hash", func(it intake.Inbound, _ int64) intake.Inbound { it.SourceHash = ""; return it }, ""},
		{"replay with other words, same hash", func(it intake.Inbound, _ int64) intake.Inbound {
			it.Body = "dikirim ulang"
			return it
		}, ""},
		{"replay naming its open ticket", func(it intake.Inbound, firstID int64) intake.Inbound {
			it.ThreadTicketID = firstID
			return it
		}, ""},
		{"same id, other body", func(it intake.Inbound, _ int64) intake.Inbound {
			it.SourceHash = "hash-of-another-request"
			it.Body = "permintaan lain"
			return it
		}, ticket.ECONFLICT},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			item := call("idem-1", nikSiti, phoneSiti)
			first := f.ingest(t, item)
			before := f.counts(t)

			again := tt.again(item, first.Ticket.ID)
			res, err := f.in.Ingest(context.Background(), again)
			if code := ticket.ErrorCode(err); code != tt.wantCode {
				t.Fatalf("Ingest again = %+v, %v; want code %q", res, err, tt.wantCode)
			}
			if tt.wantCode == "" {
				if !res.Duplicate || res.Created || res.Ticket.ID != first.Ticket.ID || res.Message.ID != first.Message.ID {
					t.Errorf("Ingest again = Duplicate %v Created %v ticket %d message %d; want duplicate of ticket %d message %d",
						res.Duplicate, res.Created, res.Ticket.ID, res.Message.ID, first.Ticket.ID, first.Message.ID)
				}
				if res.Ticket.Number != first.Ticket.Number {
					t.Errorf("duplicate's ticket number %q, want %q", res.Ticket.Number, first.Ticket.Number)
				}
			}
			if got := f.counts(t); got != before {
				t.Errorf("rows after the second ingest = %+v, want unchanged %+v", got, before)
			}
			if ms, _ := f.s.Messages(context.Background(), first.Ticket.ID); len(ms) != 1 || ms[0].Body != item.Body {
				t.Errorf("messages = %+v, want the first item's only", ms)
			}
		})
	}

	t.Run("same id on another channel is another item", func(t *testing.T) {
		f := newFixture(t)
		first := f.ingest(t, call("idem-1", nikSiti, phoneSiti))
		item := call("idem-1", nikSiti, phoneSiti)
		item.Channel = ticket.ChannelWhatsApp
		res := f.ingest(t, item)
		if res.Duplicate || !res.Created || res.Ticket.ID == first.Ticket.ID {
			t.Errorf("Ingest = %+v, want a new ticket", res)
		}
	})

	t.Run("empty source id is refused", func(t *testing.T) {
		f := newFixture(t)
		if _, err := f.in.Ingest(context.Background(), call("", nikSiti, phoneSiti)); err == nil {
			t.Error("Ingest without a source id succeeded")
		}
		if got := f.counts(t); got != (counts{}) {
			t.Errorf("rows = %+v, want none", got)
		}
	})
}

func TestIngestLinksComplainant(t *testing.T) {
	t.Run("same NIK is the same person", func(t *testing.T) {
		f := newFixture(t)
		first := f.ingest(t, call("c1", nikSiti, phoneSiti))
		item := call("c2", nikSiti, "")
		item.Complainant.Email = "siti@example.com"
		second := f.ingest(t, item)
		if second.Ticket.ComplainantID != first.Ticket.ComplainantID {
			t.Errorf("complainants %d and %d, want one", first.Ticket.ComplainantID, second.Ticket.ComplainantID)
		}
		if !second.Created || second.Ticket.ID == first.Ticket.ID {
			t.Errorf("second item = %+v, want its own ticket", second)
		}
		if ids := ticketIDsOf(second.OpenTickets); !slices.Equal(ids, []int64{first.Ticket.ID}) {
			t.Errorf("OpenTickets = %v, want the first ticket %d", ids, first.Ticket.ID)
		}
		c := f.complainant(t, first.Ticket.ComplainantID)
		if c.Phone != phoneSiti || c.Email != "siti@example.com" {
			t.Errorf("complainant = %+v, want the phone kept and the email added", c)
		}
		if n := f.count(t, "complainants"); n != 1 {
			t.Errorf("%d complainants, want 1", n)
		}
	})

	t.Run("closed tickets are not listed as open", func(t *testing.T) {
		f := newFixture(t)
		ctx := context.Background()
		first := f.ingest(t, call("c1", nikSiti, phoneSiti))
		tk := f.ticket(t, first.Ticket.ID)
		tk.Status = ticket.StatusClosed
		if err := f.s.SaveTicket(ctx, &tk); err != nil {
			t.Fatal(err)
		}
		second := f.ingest(t, call("c2", nikSiti, phoneSiti))
		third := f.ingest(t, call("c3", nikSiti, phoneSiti))
		if len(second.OpenTickets) != 0 {
			t.Errorf("OpenTickets = %v, want none", ticketIDsOf(second.OpenTickets))
		}
		if ids := ticketIDsOf(third.OpenTickets); !slices.Equal(ids, []int64{second.Ticket.ID}) {
			t.Errorf("OpenTickets = %v, want %d", ids, second.Ticket.ID)
		}
	})

	t.Run("known by phone, then gives a NIK", func(t *testing.T) {
		f := newFixture(t)
		ctx := context.Background()
		first := f.ingest(t, call("c1", "", phoneSiti))
		if c := f.complainant(t, first.Ticket.ComplainantID); c.NIK != "" {
			t.Fatalf("complainant NIK = %q, want none yet", c.NIK)
		}
		second := f.ingest(t, call("c2", nikSiti, phoneSiti))
		if second.Ticket.ComplainantID != first.Ticket.ComplainantID {
			t.Fatalf("complainants %d and %d, want the phone's complainant", first.Ticket.ComplainantID,
				second.Ticket.ComplainantID)
		}
		if c := f.complainant(t, first.Ticket.ComplainantID); c.NIK != nikSiti || c.Phone != phoneSiti {
			t.Errorf("complainant = %+v, want NIK filled in", c)
		}
		byNIK, err := f.s.ComplainantsByIdentity(ctx, ticket.Identity{Kind: ticket.IdentityNIK, Value: nikSiti})
		if err != nil || len(byNIK) != 1 || byNIK[0].ID != first.Ticket.ComplainantID {
			t.Errorf("by NIK = %+v, %v; want the complainant", byNIK, err)
		}
		// Now known by NIK alone, e.g. an email without the phone.
		third := f.ingest(t, call("c3", nikSiti, ""))
		if third.Ticket.ComplainantID != first.Ticket.ComplainantID {
			t.Errorf("NIK-only item linked to %d, want %d", third.Ticket.ComplainantID, first.Ticket.ComplainantID)
		}
		if n := f.count(t, "complainants"); n != 1 {
			t.Errorf("%d complainants, want 1", n)
		}
	})

	t.Run("same phone, different NIK is another person", func(t *testing.T) {
		f := newFixture(t)
		ctx := context.Background()
		mother := f.ingest(t, call("c1", nikSiti, phoneSiti))
		son := call("c2", nikBudi, phoneSiti)
		son.Complainant.Name = "Budi Santoso"
		res := f.ingest(t, son)
		if res.Ticket.ComplainantID == mother.Ticket.ComplainantID {
			t.Fatalf("both NIKs linked to complainant %d", res.Ticket.ComplainantID)
		}
		if len(res.OpenTickets) != 0 {
			t.Errorf("OpenTickets = %v, want none: the mother's tickets are not the son's", ticketIDsOf(res.OpenTickets))
		}
		if c := f.complainant(t, mother.Ticket.ComplainantID); c.NIK != nikSiti || c.Name != "Siti Aminah" {
			t.Errorf("mother = %+v, changed", c)
		}
		if c := f.complainant(t, res.Ticket.ComplainantID); c.NIK != nikBudi || c.Phone != phoneSiti ||
			c.Name != "Budi Santoso" {
			t.Errorf("son = %+v", c)
		}
		byPhone, err := f.s.ComplainantsByIdentity(ctx, ticket.Identity{Kind: ticket.IdentityPhone, Value: phoneSiti})
		if err != nil || len(byPhone) != 2 {
			t.Errorf("by phone = %+v, %v; want both", byPhone, err)
		}
		if n := f.count(t, "complainants"); n != 2 {
			t.Errorf("%d complainants, want 2", n)
		}
	})
}

func ticketIDsOf(ts []ticket.Ticket) []int64 {
	ids := make([]int64, len(ts))
	for i, tk := range ts {
		ids[i] = tk.ID
	}
	return ids
}

func TestIngestConcurrentSameNewNIK(t *testing.T) {
	f := newFixture(t)
	const n = 20
	results := make([]intake.Result, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			results[i], errs[i] = f.in.Ingest(context.Background(), call(fmt.Sprintf("call-%02d", i), nikSiti, phoneSiti))
		})
	}
	close(start)
	wg.Wait()

	ticketIDs := map[int64]bool{}
	for i, err := range errs {
		if err != nil {
			t.Errorf("Ingest(call-%02d): %v", i, err)
			continue
		}
		if results[i].Ticket.ComplainantID != results[0].Ticket.ComplainantID {
			t.Errorf("call-%02d linked to complainant %d, call-00 to %d", i, results[i].Ticket.ComplainantID,
				results[0].Ticket.ComplainantID)
		}
		ticketIDs[results[i].Ticket.ID] = true
	}
	if len(ticketIDs) != n {
		t.Errorf("%d distinct tickets, want %d", len(ticketIDs), n)
	}
	if got := f.counts(t); got != (counts{complainants: 1, tickets: n, messages: n, events: n, outbox: n}) {
		t.Errorf("rows = %+v, want 1 complainant and %d of the rest", got, n)
	}
	ts, err := f.s.Tickets(context.Background(), store.TicketFilter{Query: nikSiti, Limit: 100})
	if err != nil || len(ts) != n {
		t.Errorf("tickets found by NIK = %d, %v; want %d", len(ts), err, n)
	}
}

func TestIngestThreading(t *testing.T) {
	tests := []struct {
		name        string
		status      ticket.Status // of the ticket the item names
		wantCreated bool
		wantStatus  ticket.Status // of the named ticket afterwards
		wantEvents  []string      // on the named ticket, after its created event
	}{
		{"pending goes back to open", ticket.StatusPending, false, ticket.StatusOpen,
			[]string{ticket.EventMessageAdded, ticket.EventStatusChanged}},
		{"needs_info goes back to open", ticket.StatusNeedsInfo, false, ticket.StatusOpen,
			[]string{ticket.EventMessageAdded, ticket.EventStatusChanged}},
		{"open stays open", ticket.StatusOpen, false, ticket.StatusOpen, []string{ticket.EventMessageAdded}},
		{"new stays new", ticket.StatusNew, false, ticket.StatusNew, []string{ticket.EventMessageAdded}},
		// A reply to a resolved ticket means it was not solved after all.
		{"resolved reopens", ticket.StatusResolved, false, ticket.StatusOpen,
			[]string{ticket.EventMessageAdded, ticket.EventStatusChanged}},
		{"closed opens a new ticket", ticket.StatusClosed, true, ticket.StatusClosed, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			ctx := context.Background()
			first := f.ingest(t, call("c1", nikSiti, phoneSiti))
			tk := f.ticket(t, first.Ticket.ID)
			tk.Status = tt.status
			if err := f.s.SaveTicket(ctx, &tk); err != nil {
				t.Fatal(err)
			}
			before := f.counts(t)

			reply := call("c2", nikSiti, phoneSiti)
			reply.Channel = ticket.ChannelEmail
			reply.Body = "Berikut foto KTP saya."
			reply.ThreadTicketID = first.Ticket.ID
			res := f.ingest(t, reply)

			if res.Created != tt.wantCreated || res.Duplicate {
				t.Errorf("Created %v Duplicate %v, want Created %v", res.Created, res.Duplicate, tt.wantCreated)
			}
			named := f.ticket(t, first.Ticket.ID)
			if named.Status != tt.wantStatus {
				t.Errorf("named ticket status = %s, want %s", named.Status, tt.wantStatus)
			}
			if !tt.wantCreated && res.Ticket.Status != tt.wantStatus {
				t.Errorf("result's ticket status = %s, want %s", res.Ticket.Status, tt.wantStatus)
			}
			es, err := f.s.Events(ctx, first.Ticket.ID)
			if err != nil {
				t.Fatal(err)
			}
			if kinds := eventKinds(es); !slices.Equal(kinds, append([]string{ticket.EventCreated}, tt.wantEvents...)) {
				t.Errorf("named ticket events = %v, want created then %v", kinds, tt.wantEvents)
			}
			ms, err := f.s.Messages(ctx, first.Ticket.ID)
			if err != nil {
				t.Fatal(err)
			}
			got := f.counts(t)
			if tt.wantCreated {
				if res.Ticket.ID == first.Ticket.ID || len(ms) != 1 {
					t.Errorf("reply went to ticket %d (messages on the named one: %d), want a new ticket",
						res.Ticket.ID, len(ms))
				}
				// The new ticket is an email of a category that needs photos and
				// brought none: routing, and the check that asks for them.
				if got.tickets != before.tickets+1 || got.outbox != before.outbox+2 {
					t.Errorf("rows %+v, before %+v: want one more ticket, routing and a documents check", got, before)
				}
				return
			}
			if res.Ticket.ID != first.Ticket.ID || len(ms) != 2 || ms[1].ID != res.Message.ID ||
				ms[1].Body != reply.Body || ms[1].Channel != ticket.ChannelEmail {
				t.Errorf("reply on ticket %d, messages %+v; want appended to %d", res.Ticket.ID, ms, first.Ticket.ID)
			}
			// A reply that makes an unassigned ticket workable again asks for
			// routing, so an agent gets it; otherwise it brings no work.
			wantWork := before.outbox
			if tt.status != tt.wantStatus {
				wantWork++
			}
			if got.tickets != before.tickets || got.outbox != wantWork || got.complainants != before.complainants {
				t.Errorf("rows %+v, before %+v: want no new ticket or complainant, %d outbox rows", got, before, wantWork)
			}
			for _, e := range es {
				if e.Kind == ticket.EventStatusChanged && (e.Data["from"] != string(tt.status) || e.Data["to"] != "open") {
					t.Errorf("status_changed data = %v, want from %s to open", e.Data, tt.status)
				}
			}
		})
	}

	t.Run("unknown ticket opens a new one", func(t *testing.T) {
		f := newFixture(t)
		item := call("c1", nikSiti, phoneSiti)
		item.ThreadTicketID = 999999
		res := f.ingest(t, item)
		if !res.Created || res.Ticket.ID == 999999 {
			t.Errorf("Ingest = %+v, want a new ticket", res)
		}
	})
}

func TestIngestStoresHostileTextVerbatim(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	hostile := []string{
		"'; DROP TABLE tickets; --",
		"Robert'); DELETE FROM complainants;--",
		`" OR 1=1; -- \' $1 %s ?`,
	}
	var ids []int64
	for i, h := range hostile {
		item := call(h, "", fmt.Sprintf("+62811105005%02d", i))
		item.Complainant.Name = h
		item.Subject = h
		item.Body = h
		item.CallRef = h
		item.SourceHash = h
		res := f.ingest(t, item)
		ids = append(ids, res.Ticket.ID)
	}
	for _, table := range []string{"tickets", "complainants", "complainant_identities", "messages", "outbox"} {
		if f.count(t, table) == 0 {
			t.Errorf("table %s is empty", table)
		}
	}
	for i, h := range hostile {
		tk := f.ticket(t, ids[i])
		if tk.Subject != h || tk.Description != h || tk.CallRef != h || tk.Complainant == nil || tk.Complainant.Name != h {
			t.Errorf("ticket %d = %q/%q/%q/%+v, want %q everywhere", tk.ID, tk.Subject, tk.Description, tk.CallRef,
				tk.Complainant, h)
		}
		ms, err := f.s.Messages(ctx, tk.ID)
		if err != nil || len(ms) != 1 || ms[0].Body != h || ms[0].SourceID != h {
			t.Errorf("messages = %+v, %v; want body and source id %q", ms, err, h)
		}
		// The same hostile source id again is a duplicate like any other.
		again, err := f.in.Ingest(ctx, intake.Inbound{Channel: ticket.ChannelCallCenter, SourceID: h, SourceHash: h})
		if err != nil || !again.Duplicate || again.Ticket.ID != tk.ID {
			t.Errorf("replay of %q = %+v, %v; want duplicate of %d", h, again, err, tk.ID)
		}
		// What words match is the search's business; it must not fail.
		if _, err := f.s.Tickets(ctx, store.TicketFilter{Query: h}); err != nil {
			t.Errorf("Tickets(Query %q): %v", h, err)
		}
	}
	if got := f.counts(t); got.tickets != len(hostile) || got.complainants != len(hostile) {
		t.Errorf("rows = %+v, want %d tickets and complainants", got, len(hostile))
	}
}
