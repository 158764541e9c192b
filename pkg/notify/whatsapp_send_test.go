package notify_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aduan/aduan/pkg/intake"
	"github.com/aduan/aduan/pkg/notify"
	"github.com/aduan/aduan/pkg/notify/notifytest"
	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/store/storetest"
	"github.com/aduan/aduan/pkg/ticket"
)

// waFixture is a fresh database, a Graph and a sender of the queue with a
// clock the test moves.
type waFixture struct {
	store  *store.Store
	graph  *notifytest.Graph
	queue  notify.WAQueue
	sender *notify.WASender
	now    time.Time
}

func newWAFixture(t *testing.T, pace notify.WAPacing) *waFixture {
	t.Helper()
	s, _ := storetest.New(t)
	g := notifytest.NewGraph(t)
	f := &waFixture{store: s, graph: g, queue: notify.WAQueue{Store: s, PhoneNumberID: pnid},
		now: time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)}
	f.sender = notify.NewWASender(s, notify.NewCloudAPI(g.URL, notifytest.GraphToken, nil), pace, quiet)
	f.sender.Now = func() time.Time { return f.now }
	return f
}

// queue queues messages and returns their row ids, in order.
func (f *waFixture) queued(t *testing.T, out ...notify.WAOutgoing) []int64 {
	t.Helper()
	ctx := context.Background()
	var before int64
	if err := f.store.WithTx(ctx, func(ctx context.Context) error { return f.queue.QueueWhatsApp(ctx, out...) }); err != nil {
		t.Fatal(err)
	}
	items, err := f.store.PendingOutbox(ctx, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, it := range items {
		if it.TaskType == store.TaskWhatsAppSend && it.ID > before {
			var p struct {
				OutboundID int64 `json:"outbound_id"`
			}
			if err := json.Unmarshal(it.Payload, &p); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, p.OutboundID)
		}
	}
	return ids[len(ids)-len(out):]
}

func text(to, body string, pace notify.Pace) notify.WAOutgoing {
	return notify.WAOutgoing{Pace: pace, Message: notify.WAMessage{To: to, Text: body}}
}

func TestWASendPacedToTheNumbersThroughput(t *testing.T) {
	f := newWAFixture(t, notify.WAPacing{Throughput: 2})
	var out []notify.WAOutgoing
	for _, to := range []string{"621", "622", "623", "624", "625"} {
		out = append(out, text(to, "Halo", notify.PaceConversation))
	}
	ids := f.queued(t, out...)
	ctx := context.Background()
	var waits []time.Duration
	for _, id := range ids {
		err := f.sender.Send(ctx, id)
		var w *notify.WAWait
		switch {
		case err == nil:
			waits = append(waits, 0)
		case errors.As(err, &w):
			waits = append(waits, w.After)
		default:
			t.Fatal(err)
		}
	}
	// Two a second: one goes at once, the others get the next slots.
	want := []time.Duration{0, 500 * time.Millisecond, time.Second, 1500 * time.Millisecond, 2 * time.Second}
	for i := range want {
		if waits[i] != want[i] {
			t.Fatalf("waits %v, want %v", waits, want)
		}
	}
	if n := len(f.graph.Sent()); n != 1 {
		t.Fatalf("%d sent before their slots, want 1", n)
	}
	// When their slots come, each goes once, without a new reservation.
	f.now = f.now.Add(2 * time.Second)
	for _, id := range ids {
		if err := f.sender.Send(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(f.graph.Sent()); n != 5 {
		t.Errorf("%d sends, want 5 (one per row)", n)
	}
}

func TestWASendPacesOnePerson(t *testing.T) {
	f := newWAFixture(t, notify.WAPacing{})
	ids := f.queued(t, text("621", "satu", notify.PacePerson), text("621", "dua", notify.PacePerson),
		text("622", "lain", notify.PacePerson), text("621", "bot", notify.PaceConversation))
	ctx := context.Background()
	var w *notify.WAWait
	if err := f.sender.Send(ctx, ids[0]); err != nil {
		t.Fatal(err)
	}
	if err := f.sender.Send(ctx, ids[1]); !errors.As(err, &w) || w.After < 5*time.Second || w.After > 6*time.Second {
		t.Fatalf("second message to the same person: %v, want a wait of about 6s", err)
	}
	for _, id := range ids[2:] { // another person, and the bot's direct answer, go in the number's next slots
		f.now = f.now.Add(time.Second)
		if err := f.sender.Send(ctx, id); err != nil {
			t.Fatalf("outbound %d: %v", id, err)
		}
	}
	if got := f.graph.Sent(); len(got) != 3 || got[1].To() != "622" || got[2].To() != "621" {
		t.Errorf("sent %v", got)
	}
}

func TestWASendBacksOff(t *testing.T) {
	f := newWAFixture(t, notify.WAPacing{})
	ids := f.queued(t, text("621", "satu", notify.PaceConversation), text("622", "dua", notify.PaceConversation))
	ctx := context.Background()
	f.graph.Answer(notifytest.GraphAnswer{Status: 400, Code: notify.WAErrRateLimit, Title: "Rate limit hit"},
		notifytest.GraphAnswer{Status: 400, Code: notify.WAErrRateLimit, Title: "Rate limit hit"})
	var w1, w2 *notify.WAWait
	if err := f.sender.Send(ctx, ids[0]); !errors.As(err, &w1) {
		t.Fatalf("130429: %v, want a wait", err)
	}
	// The number is held: the next message is not even tried before it.
	if err := f.sender.Send(ctx, ids[1]); !errors.As(err, &w2) || w2.After < w1.After {
		t.Fatalf("after 130429 the next message: %v, want to wait at least %v", err, w1.After)
	}
	if n := len(f.graph.Sent()); n != 1 {
		t.Fatalf("%d calls during the back-off, want 1", n)
	}
	f.now = f.now.Add(w1.After)
	var again *notify.WAWait
	if err := f.sender.Send(ctx, ids[0]); !errors.As(err, &again) || again.After <= w1.After {
		t.Fatalf("second 130429: %v, want a longer wait than %v", err, w1.After)
	}
	o, err := f.store.WhatsAppOutbound(ctx, ids[0])
	if err != nil || o.State != store.OutboundQueued || o.Attempts != 2 {
		t.Fatalf("after two back-offs: %+v, %v; want queued, 2 attempts (not failed)", o, err)
	}
	f.now = f.now.Add(again.After)
	for _, id := range ids {
		if err := f.sender.Send(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	f.graph.Answer(notifytest.GraphAnswer{Status: 400, Code: notify.WAErrPairRateLimit, Title: "Pair rate limit hit"})
	id3 := f.queued(t, text("621", "tiga", notify.PaceConversation))[0]
	f.now = f.now.Add(time.Minute)
	if err := f.sender.Send(ctx, id3); !errors.As(err, &w1) {
		t.Fatalf("131056: %v, want a wait", err)
	}
	if n := len(f.graph.Sent()); n != 5 {
		t.Errorf("%d calls, want 5", n)
	}
}

func TestWASendOutsideWindowAndUndeliverable(t *testing.T) {
	f := newWAFixture(t, notify.WAPacing{})
	ctx := context.Background()
	in := intake.NewIngester(f.store, quiet)
	res, err := in.Ingest(ctx, intake.Inbound{Channel: ticket.ChannelWhatsApp, SourceID: "wamid.IN1",
		Category: ticket.CategoryOther, Subject: "WhatsApp", Body: "Hubungi petugas", Sender: "6281234567890",
		Complainant: ticket.Complainant{Name: "Siti", WhatsAppID: "6281234567890"}})
	if err != nil {
		t.Fatal(err)
	}
	var msgs []ticket.Message
	for _, body := range []string{"Balasan satu", "Balasan dua"} {
		m := ticket.Message{TicketID: res.Ticket.ID, Direction: ticket.Outbound, Channel: ticket.ChannelWhatsApp,
			Kind: ticket.KindReply, Status: ticket.DeliveryQueued, Recipient: "6281234567890", Body: body}
		if err := f.store.AddMessage(ctx, &m); err != nil {
			t.Fatal(err)
		}
		msgs = append(msgs, m)
	}
	ids := f.queued(t,
		notify.WAOutgoing{TicketID: res.Ticket.ID, MessageID: msgs[0].ID, Message: notify.WAMessage{To: "6281234567890", Text: "Balasan satu"}},
		notify.WAOutgoing{TicketID: res.Ticket.ID, MessageID: msgs[1].ID, Message: notify.WAMessage{To: "6281234567890", Text: "Balasan dua"}})
	f.graph.Answer(notifytest.GraphAnswer{Status: 400, Code: notify.WAErrOutsideWindow, Title: "Re-engagement message"},
		notifytest.GraphAnswer{Status: 400, Code: notify.WAErrUndeliverable, Title: "Message undeliverable"})
	for i, id := range ids {
		f.now = f.now.Add(time.Minute)
		if err := f.sender.Send(ctx, id); err != nil {
			t.Fatalf("send %d: %v; want the outcome recorded, not an error", i, err)
		}
	}
	for i, want := range []struct {
		code  int
		error string
	}{{131047, "131047 Re-engagement message"}, {131026, "131026 Message undeliverable"}} {
		o, err := f.store.WhatsAppOutbound(ctx, ids[i])
		if err != nil || o.State != store.OutboundFailed || o.ErrorCode != want.code {
			t.Errorf("outbound %d: %+v, %v", i, o, err)
		}
		m, err := f.store.MessageByID(ctx, msgs[i].ID)
		if err != nil || m.Status != store.OutboundFailed || m.Error != want.error {
			t.Errorf("ticket message %d: status %q error %q (%v); want failed, %q", i, m.Status, m.Error, err, want.error)
		}
		// Ended: sending again calls nothing.
		if err := f.sender.Send(ctx, ids[i]); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(f.graph.Sent()); n != 2 {
		t.Errorf("%d calls, want 2", n)
	}
}

func TestWASendOncePerRow(t *testing.T) {
	f := newWAFixture(t, notify.WAPacing{})
	ids := f.queued(t, text("621", "Halo", notify.PaceConversation))
	ctx := context.Background()
	for range 3 {
		if err := f.sender.Send(ctx, ids[0]); err != nil {
			t.Fatal(err)
		}
	}
	o, err := f.store.WhatsAppOutbound(ctx, ids[0])
	if err != nil || o.State != store.OutboundSent || o.WaMID != "wamid.OUT1" || len(f.graph.Sent()) != 1 {
		t.Errorf("after three runs: %+v, %v, %d calls", o, err, len(f.graph.Sent()))
	}
	err = f.store.WithTx(ctx, func(ctx context.Context) error {
		return f.queue.QueueWhatsApp(ctx, notify.WAOutgoing{Message: notify.WAMessage{To: "621",
			Buttons: []notify.WAButton{{ID: "x", Title: "tanpa isi"}}}})
	})
	if !errors.Is(err, notify.ErrWAInvalid) {
		t.Errorf("queueing an invalid message: %v", err)
	}
}

// An answer of several messages is several tasks: a later message whose
// task runs first waits for the earlier one, so the person reads them in
// the order the bot wrote them. Other people's messages do not wait.
func TestWASendAnAnswersMessagesInOrder(t *testing.T) {
	f := newWAFixture(t, notify.WAPacing{Throughput: 1000})
	ids := f.queued(t, text("621", "Dosis 1", notify.PaceConversation), text("621", "Ada lagi?", notify.PaceConversation),
		text("622", "Halo", notify.PaceConversation))
	ctx := context.Background()
	var wait *notify.WAWait
	if err := f.sender.Send(ctx, ids[1]); !errors.As(err, &wait) {
		t.Fatalf("the second message before the first: %v, want it to wait", err)
	}
	if err := f.sender.Send(ctx, ids[2]); err != nil {
		t.Fatalf("another person's message: %v", err)
	}
	for _, id := range ids[:2] {
		f.now = f.now.Add(time.Second) // past the number's pacing
		if err := f.sender.Send(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	got := f.graph.Sent()
	if len(got) != 3 || got[0].To() != "622" || got[1].To() != "621" || got[2].To() != "621" {
		t.Fatalf("sent %+v", got)
	}
	if !strings.Contains(got[1].Raw, "Dosis 1") || !strings.Contains(got[2].Raw, "Ada lagi?") {
		t.Errorf("the answer went out as %s, then %s", got[1].Raw, got[2].Raw)
	}
}
