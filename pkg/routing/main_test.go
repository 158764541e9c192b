package routing_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"strconv"
	"testing"

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

// fixture is a fresh database with one complainant and a Router on the
// shipped rules.
type fixture struct {
	store  *store.Store
	dbURL  string
	router *routing.Router
	person ticket.Complainant
	users  int
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	s, dbURL := storetest.New(t)
	c := ticket.Complainant{Name: "Siti Aminah", NIK: "3201014508850001", Phone: "+6281110500567"}
	if err := s.CreateComplainant(context.Background(), &c); err != nil {
		t.Fatal(err)
	}
	return &fixture{store: s, dbURL: dbURL, router: routing.NewRouter(s, shippedRules(t)), person: c}
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

// ticket stores a new ticket, as intake leaves it: unrouted, unassigned.
func (f *fixture) ticket(t testing.TB, tk ticket.Ticket) ticket.Ticket {
	t.Helper()
	tk.ComplainantID = f.person.ID
	if tk.Channel == "" {
		tk.Channel = ticket.ChannelEmail
	}
	if tk.Category == "" {
		tk.Category = ticket.CategoryCertificateMissing
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
	if err := f.store.CreateTicket(context.Background(), &tk); err != nil {
		t.Fatal(err)
	}
	return tk
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
func (f *fixture) kinds(t testing.TB, id int64) []string {
	t.Helper()
	evs, err := f.store.Events(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
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
