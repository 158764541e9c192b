package routing_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/aduan/aduan/pkg/intake"
	"github.com/aduan/aduan/pkg/routing"
	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/store/storetest"
	"github.com/aduan/aduan/pkg/ticket"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

var quietLog = slog.New(slog.NewTextHandler(io.Discard, nil))

// shippedRules reads configs/routing.yaml, the rules the app embeds.
func shippedRules(t testing.TB) *routing.Rules {
	t.Helper()
	b, err := os.ReadFile("../../configs/routing.yaml")
	if err != nil {
		t.Fatal(err)
	}
	r, err := routing.ParseRules(b)
	if err != nil {
		t.Fatalf("configs/routing.yaml: %v", err)
	}
	return r
}

// fixture is a fresh database, the Ingester that brings tickets in, one
// complainant whose complaints they are, and a Router on the shipped rules.
type fixture struct {
	store   *store.Store
	dbURL   string
	router  *routing.Router
	ingest  *intake.Ingester
	person  ticket.Complainant
	users   int
	arrived atomic.Int64 // complaints ingested so far, for their source ids
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	s, dbURL := storetest.New(t)
	return &fixture{store: s, dbURL: dbURL, router: routing.NewRouter(s, shippedRules(t)),
		ingest: intake.NewIngester(s, quietLog),
		person: ticket.Complainant{Name: "Siti Aminah", NIK: "3201014508850001", Phone: "+6281110500567"}}
}

// agent stores an agent; capacity 0 means the default.
func (f *fixture) agent(t testing.TB, name string, queues []string, capacity int, p ticket.Presence) ticket.User {
	t.Helper()
	return f.user(t, ticket.User{Name: name, Role: ticket.RoleAgent, Queues: queues, Capacity: capacity, Presence: p})
}

func (f *fixture) user(t testing.TB, u ticket.User) ticket.User {
	t.Helper()
	f.users++
	u.Email = "user" + strconv.Itoa(f.users) + "@kemkes.go.id"
	if u.Capacity == 0 {
		u.Capacity = ticket.DefaultCapacity
	}
	if u.Presence == "" {
		u.Presence = ticket.PresenceAvailable
	}
	if err := f.store.CreateUser(context.Background(), &u, "not-checked"); err != nil {
		t.Fatal(err)
	}
	return u
}

// ticket is a complaint from f.person on tk's channel (email when empty)
// taken in by the Ingester, with tk's category (certificate_missing when
// empty), priority and status: unrouted and unassigned, as intake leaves
// it, unless tk names a queue or an assignee, which are then set as routing
// sets them.
func (f *fixture) ticket(t testing.TB, tk ticket.Ticket) ticket.Ticket {
	t.Helper()
	got, err := f.complaint(context.Background(), tk)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// complaint is ticket for any goroutine: it returns its error.
func (f *fixture) complaint(ctx context.Context, tk ticket.Ticket) (ticket.Ticket, error) {
	if tk.Channel == "" {
		tk.Channel = ticket.ChannelEmail
	}
	if tk.Category == "" {
		tk.Category = ticket.CategoryCertificateMissing
	}
	res, err := f.ingest.Ingest(ctx, intake.Inbound{Channel: tk.Channel,
		SourceID: fmt.Sprintf("<routing-%d@warga.test>", f.arrived.Add(1)), Complainant: f.person,
		Category: tk.Category, Priority: tk.Priority, Status: tk.Status, Subject: "Sertifikat vaksin belum muncul",
		Body: "Sertifikat vaksin dosis kedua belum muncul, padahal minggu depan saya berangkat umroh."})
	if err != nil || !res.Created {
		return ticket.Ticket{}, fmt.Errorf("ingest: %+v, %w", res, err)
	}
	got, err := f.store.TicketByRef(ctx, strconv.FormatInt(res.Ticket.ID, 10), false)
	if err != nil || (tk.Queue == "" && tk.AssigneeID == nil) {
		return got, err
	}
	got.Queue, got.AssigneeID = tk.Queue, tk.AssigneeID
	return got, f.store.SaveTicket(ctx, &got)
}

// holding gives u n open tickets they have started.
func (f *fixture) holding(t testing.TB, u ticket.User, n int) {
	t.Helper()
	for range n {
		tk := f.ticket(t, ticket.Ticket{Status: ticket.StatusOpen, Queue: "sertifikat", AssigneeID: &u.ID})
		if err := f.store.MarkStarted(context.Background(), tk.ID, u.ID); err != nil {
			t.Fatal(err)
		}
	}
}

func (f *fixture) load(t testing.TB, id int64) ticket.Ticket {
	t.Helper()
	tk, err := f.store.TicketByRef(context.Background(), strconv.FormatInt(id, 10), false)
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

// kinds lists the kinds of a ticket's events, oldest first.
// events are ticket id's events but intake's created event: what routing
// and the agents did to it.
func (f *fixture) events(t testing.TB, id int64) []ticket.Event {
	t.Helper()
	evs, err := f.store.Events(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return slices.DeleteFunc(evs, func(e ticket.Event) bool { return e.Kind == ticket.EventCreated })
}

// kinds are the kinds of f.events.
func (f *fixture) kinds(t testing.TB, id int64) []string {
	t.Helper()
	evs := f.events(t, id)
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = e.Kind
	}
	return out
}

func (f *fixture) route(t testing.TB, id int64) routing.Outcome {
	t.Helper()
	out, err := f.router.Route(context.Background(), id)
	if err != nil {
		t.Fatalf("Route(%d): %v", id, err)
	}
	return out
}

// openCount is how many open tickets u holds.
func (f *fixture) openCount(t testing.TB, u ticket.User) int {
	t.Helper()
	return storetest.Count(t, f.dbURL, `SELECT count(*) FROM tickets WHERE assignee_id = $1
		AND status IN ('new', 'needs_info', 'open', 'pending')`, u.ID)
}
