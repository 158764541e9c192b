package synth_test

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"github.com/aduan/aduan/pkg/ticket"
	"github.com/aduan/aduan/scripts/bench/synth"
)

func testYear() synth.Year {
	return synth.Year{History: synth.History{Start: time.Date(2025, 12, 1, 0, 0, 0, 0, ticket.Jakarta), Days: 365,
		Total: 20_000, Complainants: 5_000}, Agents: 300, Thread: 15_000}
}

// A ticket still new is nobody's; every other is held by an agent of its
// own queue, as the queue page and "my tickets" expect; the thread ticket
// has its 200 messages and the rest about 2.7 on average.
func TestYearTickets(t *testing.T) {
	y := testYear()
	messages := 0
	for id := int64(1); id <= y.Total; id++ {
		tk := y.TicketOf(id)
		switch {
		case tk.Status == ticket.StatusNew && tk.AssigneeID != 0:
			t.Fatalf("ticket %d: new but held by %d", id, tk.AssigneeID)
		case tk.Status != ticket.StatusNew && (tk.AssigneeID < 1 || tk.AssigneeID > int64(y.Agents)):
			t.Fatalf("ticket %d: %s but held by %d", id, tk.Status, tk.AssigneeID)
		case tk.AssigneeID != 0 && synth.Queues[(tk.AssigneeID-1)%int64(len(synth.Queues))] != tk.Queue:
			t.Fatalf("ticket %d in %s held by agent %d of another queue", id, tk.Queue, tk.AssigneeID)
		}
		if id != y.Thread {
			messages += tk.Messages
		}
	}
	if n := y.TicketOf(y.Thread).Messages; n != synth.ThreadMessages {
		t.Errorf("thread ticket has %d messages, want %d", n, synth.ThreadMessages)
	}
	if avg := float64(messages) / float64(y.Total-1); avg < 2.6 || avg > 2.9 {
		t.Errorf("%.2f messages a ticket, want about 2.7 (30 M for 11 M)", avg)
	}
}

// Every CSV row has its columns, so COPY takes it; the thread's messages
// are all there.
func TestYearCSV(t *testing.T) {
	y := testYear()
	for _, c := range []struct {
		name, columns string
		write         func(*bytes.Buffer) error
		rows          int
	}{
		{"users", synth.UserColumns, func(b *bytes.Buffer) error { return y.WriteUsers(b, "$argon2id$v=19$m=1,t=2,p=1$x$y") }, 300},
		{"complainants", synth.ComplainantColumns, func(b *bytes.Buffer) error { return y.WriteComplainants(b, 1, 100) }, 100},
		{"identities", synth.IdentityColumns, func(b *bytes.Buffer) error { return y.WriteIdentities(b, 1, 100) }, 200},
		{"tickets", synth.YearTicketColumns, func(b *bytes.Buffer) error { return y.WriteTickets(b, 1, 100) }, 100},
		{"messages", synth.MessageColumns, func(b *bytes.Buffer) error { return y.WriteMessages(b, y.Thread, y.Thread) }, 200},
	} {
		var b bytes.Buffer
		if err := c.write(&b); err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(&b).ReadAll()
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if len(rows) != c.rows {
			t.Errorf("%s: %d rows, want %d", c.name, len(rows), c.rows)
		}
		for i, r := range rows {
			if len(r) != len(strings.Split(c.columns, ",")) {
				t.Fatalf("%s row %d: %d fields for columns %s", c.name, i, len(r), c.columns)
			}
		}
	}
}

// Names vary enough for a name search to narrow: 2,500 pairs.
func TestYearNames(t *testing.T) {
	seen := map[string]bool{}
	for id := int64(1); id <= 10_000; id++ {
		seen[synth.NameOf(id)] = true
	}
	if len(seen) != 2500 {
		t.Errorf("%d distinct names, want 2500", len(seen))
	}
}
