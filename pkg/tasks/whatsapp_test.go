package tasks_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/aduan/aduan/pkg/blob"
	"github.com/aduan/aduan/pkg/intake/whatsapp"
	"github.com/aduan/aduan/pkg/notify"
	"github.com/aduan/aduan/pkg/notify/notifytest"
	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/store/storetest"
	"github.com/aduan/aduan/pkg/tasks"
	"github.com/aduan/aduan/pkg/tasks/taskstest"
)

// echo is a Conversation that answers each text with its text, queued in
// the transaction the message is handled in.
type echo struct {
	queue notify.WAQueue
	mu    sync.Mutex
	seen  map[string]int
}

func (e *echo) Handle(ctx context.Context, in whatsapp.Incoming) error {
	e.mu.Lock()
	e.seen[in.Message.ID]++
	e.mu.Unlock()
	return e.queue.QueueWhatsApp(ctx, notify.WAOutgoing{PhoneNumberID: in.PhoneNumberID, Pace: notify.PaceConversation,
		Message: notify.WAMessage{To: in.Contact.WaID, Text: "Anda menulis: " + in.Message.Text, ReplyTo: in.Message.ID}})
}

// TestWhatsAppThroughTheQueue: a stored webhook body goes through the
// outbox and asynq (the message's task named by its wamid) to the
// conversation, and its answer is sent; a replayed body takes effect once
// and every outbox row ends done.
func TestWhatsAppThroughTheQueue(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	s, dbURL := storetest.New(t)
	rc := taskstest.NewRedis(t).Client()
	defer rc.Close()
	g := notifytest.NewGraph(t)
	api := notify.NewCloudAPI(g.URL, notifytest.GraphToken, nil)
	blobs, err := blob.NewDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	const number = "106540352242922"
	conv := &echo{queue: notify.WAQueue{Store: s}, seen: map[string]int{}}
	var wg sync.WaitGroup
	defer func() { cancel(); wg.Wait() }()
	w := tasks.NewWorker(rc, tasks.WorkerConfig{Concurrency: 4, ShutdownTimeout: 5 * time.Second, Outbox: s}, quiet)
	proc := whatsapp.NewProcessor(s, api, blobs, conv, []string{number}, quiet)
	tasks.NewWhatsAppHandler(proc, notify.NewWASender(s, api, notify.WAPacing{Throughput: 1000}, quiet), true).Register(w)
	relay := tasks.NewRelay(s, tasks.NewQueue(rc), w.Types(), quiet)
	relay.Interval = 20 * time.Millisecond
	wg.Go(func() { _ = w.Run(ctx) })
	wg.Go(func() { _ = relay.Run(ctx) })

	var msgs string
	for i := range 5 {
		if i > 0 {
			msgs += ","
		}
		msgs += fmt.Sprintf(`{"from":"62812000000%d","id":"wamid.Q%d","timestamp":"1749416%03d","type":"text","text":{"body":"pesan %d"}}`, i%2, i, i, i)
	}
	body := []byte(`{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{` +
		`"messaging_product":"whatsapp","metadata":{"display_phone_number":"6281110500567","phone_number_id":"` + number + `"},` +
		`"contacts":[{"profile":{"name":"A"},"wa_id":"628120000000"},{"profile":{"name":"B"},"wa_id":"628120000001"}],` +
		`"messages":[` + msgs + `]}}]}]}`)
	for range 2 { // Meta sends it twice
		if _, err := s.SaveWhatsAppWebhook(ctx, body, store.WebhookReceived, "", time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(60 * time.Second)
	for len(g.Sent()) < 5 || storetest.Count(t, dbURL, `SELECT count(*) FROM outbox WHERE done_at IS NULL`) > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("not settled: %d sent, %d outbox rows open", len(g.Sent()),
				storetest.Count(t, dbURL, `SELECT count(*) FROM outbox WHERE done_at IS NULL`))
		}
		time.Sleep(50 * time.Millisecond)
	}
	conv.mu.Lock()
	defer conv.mu.Unlock()
	for i := range 5 {
		if n := conv.seen[fmt.Sprintf("wamid.Q%d", i)]; n != 1 {
			t.Errorf("wamid.Q%d handled %d times", i, n)
		}
	}
	if n := len(g.Sent()); n != 5 {
		t.Errorf("%d answers sent, want 5", n)
	}
	info, err := asynq.NewInspectorFromRedisClient(rc).GetTaskInfo(tasks.QueueCritical, "outbox:wa:wamid.Q3")
	if err != nil || info.State != asynq.TaskStateCompleted {
		t.Errorf("the message's task, named by its wamid: %+v, %v", info, err)
	}
	if n := storetest.Count(t, dbURL, `SELECT count(*) FROM whatsapp_outbound WHERE state = 'sent' AND wamid IS NOT NULL`); n != 5 {
		t.Errorf("%d answers recorded sent, want 5", n)
	}
}
