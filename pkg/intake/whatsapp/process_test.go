package whatsapp_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aduan/aduan/pkg/blob"
	"github.com/aduan/aduan/pkg/intake/whatsapp"
	"github.com/aduan/aduan/pkg/notify"
	"github.com/aduan/aduan/pkg/notify/notifytest"
	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/store/storetest"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

const number = "106540352242922"

// recorder is a Conversation that keeps what it was handed, in order;
// fail makes the next calls for a wamid fail.
type recorder struct {
	mu   sync.Mutex
	got  []whatsapp.Incoming
	fail map[string]int
}

func (r *recorder) Handle(_ context.Context, in whatsapp.Incoming) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail[in.Message.ID] > 0 {
		r.fail[in.Message.ID]--
		return errors.New("conversation failed")
	}
	r.got = append(r.got, in)
	return nil
}

func (r *recorder) ids() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var ids []string
	for _, in := range r.got {
		ids = append(ids, in.Message.ID)
	}
	return ids
}

type fixture struct {
	store *store.Store
	db    string
	graph *notifytest.Graph
	conv  *recorder
	proc  *whatsapp.Processor
	blobs *blob.Dir
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	s, db := storetest.New(t)
	blobs, err := blob.NewDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	g := notifytest.NewGraph(t)
	conv := &recorder{fail: map[string]int{}}
	api := notify.NewCloudAPI(g.URL, notifytest.GraphToken, nil)
	return &fixture{store: s, db: db, graph: g, conv: conv, blobs: blobs,
		proc: whatsapp.NewProcessor(s, api, blobs, conv, []string{number, "111"}, quiet)}
}

// post stores body as the webhook would and returns its id.
func (f *fixture) post(t *testing.T, body string) int64 {
	t.Helper()
	id, err := f.store.SaveWhatsAppWebhook(context.Background(), []byte(body), store.WebhookReceived, "", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// work runs the outbox's WhatsApp tasks as the worker would, until none
// is left, in the order given by order (e.g. reversed), and returns the
// message tasks' ids seen, in order.
func (f *fixture) work(t *testing.T, reverse bool) []string {
	t.Helper()
	ctx := context.Background()
	var ids []string
	for round := 0; round < 10; round++ {
		var items []store.OutboxItem
		err := f.store.WithTx(ctx, func(ctx context.Context) error {
			var err error
			items, err = f.store.ClaimOutbox(ctx, []string{store.TaskWhatsAppWebhook, store.TaskWhatsAppMessage}, 100, time.Hour)
			if err != nil {
				return err
			}
			var rows []int64
			for _, it := range items {
				rows = append(rows, it.ID)
			}
			return f.store.MarkRelayed(ctx, rows)
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(items) == 0 {
			return ids
		}
		if reverse {
			slices.Reverse(items)
		}
		for _, it := range items {
			var err error
			switch it.TaskType {
			case store.TaskWhatsAppWebhook:
				var p store.WebhookTask
				mustJSON(t, it.Payload, &p)
				err = f.proc.TakeWebhook(ctx, p.WebhookID)
			case store.TaskWhatsAppMessage:
				ids = append(ids, it.TaskID)
				var p store.WhatsAppMessageTask
				mustJSON(t, it.Payload, &p)
				err = f.proc.HandleMessage(ctx, p.WaMID)
			}
			if err != nil {
				t.Logf("task %s: %v", it.TaskType, err)
				continue
			}
			if err := f.store.MarkOutboxDone(ctx, it.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	t.Fatal("the outbox never emptied")
	return nil
}

func msg(from, id, ts, text string) string {
	return fmt.Sprintf(`{"from":%q,"id":%q,"timestamp":%q,"type":"text","text":{"body":%q}}`, from, id, ts, text)
}

func body(changes ...string) string {
	out := `{"object":"whatsapp_business_account","entry":[`
	for i, c := range changes {
		if i > 0 {
			out += ","
		}
		out += fmt.Sprintf(`{"id":"WABA%d","changes":[%s]}`, i, c)
	}
	return out + `]}`
}

func change(pnid, contacts, messages, statuses string) string {
	return fmt.Sprintf(`{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"6281110500567","phone_number_id":%q},"contacts":[%s],"messages":[%s],"statuses":[%s]}}`,
		pnid, contacts, messages, statuses)
}

func mustJSON(t *testing.T, b []byte, v any) {
	t.Helper()
	if err := jsonUnmarshal(b, v); err != nil {
		t.Fatal(err)
	}
}

func TestEveryEntryAndMessageTakenOnce(t *testing.T) {
	f := newFixture(t)
	contacts := `{"profile":{"name":"Siti Aminah"},"wa_id":"6281234567890","user_id":"ID.1349"}`
	b := body(
		change(number, contacts, msg("6281234567890", "wamid.a2", "1749416405", "dua")+","+
			msg("6281234567890", "wamid.a1", "1749416400", "hai")+","+
			`{"from":"6281299990000","id":"wamid.r1","timestamp":"1749416401","type":"reaction","reaction":{"message_id":"wamid.x","emoji":"👍"}}`, ""),
		change("111", "", msg("6285700000001", "wamid.b1", "1749416402", "menu"), "")+","+
			change("999", "", msg("6285700000002", "wamid.z1", "1749416403", "lain"), ""),
	)
	first := f.post(t, b)
	f.post(t, b) // Meta sends it again
	f.work(t, false)
	again := f.post(t, b) // and once more, after it was all handled
	f.work(t, false)
	got := f.conv.ids()
	want := []string{"wamid.a1", "wamid.a2", "wamid.r1", "wamid.b1"}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("handled %v, want each of %v once", f.conv.ids(), want)
	}
	if order := f.conv.ids(); slices.Index(order, "wamid.a1") > slices.Index(order, "wamid.a2") {
		t.Errorf("one sender's messages out of Meta's order: %v", order)
	}
	for _, in := range f.conv.got {
		if in.Message.ID == "wamid.a1" && (in.Contact != whatsapp.Contact{WaID: "6281234567890", UserID: "ID.1349", Name: "Siti Aminah"} ||
			in.PhoneNumberID != number || in.At != time.Unix(1749416400, 0).UTC() || in.Message.Text != "hai") {
			t.Errorf("incoming %+v", in)
		}
	}
	if reads := f.graph.Reads(); len(reads) != 4 {
		t.Errorf("marked read %v, want the 4 handled", reads)
	}
	for _, id := range []int64{first, again} {
		if n := storetest.Count(t, f.db, `SELECT count(*) FROM whatsapp_webhooks WHERE id = $1 AND state = 'processed'
			AND error LIKE '%999%'`, id); n != 1 {
			t.Errorf("webhook %d not processed with the unknown number noted", id)
		}
	}
	if n := storetest.Count(t, f.db, `SELECT count(*) FROM whatsapp_inbound WHERE wamid = 'wamid.z1'`); n != 0 {
		t.Errorf("a message to a number not configured was taken")
	}
	only := f.post(t, body(change("999", "", msg("6285700000002", "wamid.z2", "1749416403", "lain"), "")))
	f.work(t, false)
	if n := storetest.Count(t, f.db, `SELECT count(*) FROM whatsapp_webhooks WHERE id = $1 AND state = 'unrouted'`, only); n != 1 {
		t.Errorf("a body for an unknown number only is not kept as unrouted")
	}
}

func TestOneSendersMessagesInMetasOrder(t *testing.T) {
	f := newFixture(t)
	// The later message arrives first, in its own POST; its task runs
	// first too.
	f.post(t, body(change(number, "", msg("6281234567890", "wamid.m2", "1749416411", "kedua"), "")))
	f.post(t, body(change(number, "", msg("6281234567890", "wamid.m1", "1749416410", "pertama"), "")))
	f.post(t, body(change(number, "", `{"from_user_id":"ID.77","id":"wamid.u1","timestamp":"1749416409","type":"text","text":{"body":"tanpa wa_id"}}`, "")))
	f.work(t, false)
	order := f.conv.ids()
	if len(order) != 3 || slices.Index(order, "wamid.m1") > slices.Index(order, "wamid.m2") {
		t.Fatalf("handled %v, want m1 before m2 and u1 once", order)
	}
	for _, in := range f.conv.got {
		if in.Message.ID == "wamid.u1" && (in.Contact.WaID != "" || in.Contact.UserID != "ID.77") {
			t.Errorf("a sender known by user id only: %+v", in.Contact)
		}
	}
}

func TestMediaDownloadedAndAFailedOneRetried(t *testing.T) {
	f := newFixture(t)
	photo := []byte("\xff\xd8\xff\xe0 foto KTP")
	f.graph.AddMedia("1479537139650973", photo)
	f.graph.FailMedia("1479537139650973", 1000)
	image := body(change(number, `{"profile":{"name":"Siti"},"wa_id":"6281234567890"}`,
		`{"from":"6281234567890","id":"wamid.IMG","timestamp":"1749416420","type":"image",
		"image":{"caption":"KTP saya","mime_type":"image/jpeg","sha256":"2x9Y","id":"1479537139650973"}}`, ""))
	f.post(t, image)
	tasks := f.work(t, false)
	if len(f.conv.ids()) != 0 {
		t.Fatalf("handled %v without its media", f.conv.ids())
	}
	if n := storetest.Count(t, f.db, `SELECT count(*) FROM whatsapp_inbound WHERE wamid = 'wamid.IMG' AND state = 'pending'
		AND media_id = '1479537139650973' AND attempts = 1 AND error LIKE '%1479537139650973%'`); n != 1 {
		t.Fatal("the failed download is not recorded on the pending message")
	}
	// Meta delivers it again: the message is retried, not refused as seen.
	f.graph.FailMedia("1479537139650973", 0)
	f.post(t, image)
	tasks = append(tasks, f.work(t, false)...)
	if !slices.Equal(tasks, []string{"outbox:wa:wamid.IMG", "outbox:wa:wamid.IMG#1"}) {
		t.Errorf("task ids %v", tasks)
	}
	if ids := f.conv.ids(); len(ids) != 1 {
		t.Fatalf("handled %v, want the image once", ids)
	}
	m := f.conv.got[0].Media
	if m == nil || !m.Stored || m.ContentType != "image/jpeg" || m.Size != int64(len(photo)) {
		t.Fatalf("media %+v", m)
	}
	r, err := f.blobs.Open(m.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if got, _ := io.ReadAll(r); string(got) != string(photo) {
		t.Errorf("stored %q", got)
	}
	f.post(t, image) // handled now: a redelivery queues nothing
	if more := f.work(t, false); len(more) != 0 {
		t.Errorf("a handled message queued again: %v", more)
	}
}

func TestConversationFailureRetriedAlone(t *testing.T) {
	f := newFixture(t)
	f.conv.fail["wamid.f1"] = 1
	b := body(change(number, "", msg("6281234567890", "wamid.f1", "1749416430", "hai")+","+
		msg("6281299990000", "wamid.f2", "1749416430", "hai"), ""))
	f.post(t, b)
	f.work(t, false)
	if ids := f.conv.ids(); !slices.Equal(ids, []string{"wamid.f2"}) {
		t.Fatalf("handled %v; another sender must not wait for a failure", ids)
	}
	if err := f.proc.HandleMessage(context.Background(), "wamid.f1"); err != nil { // asynq's retry
		t.Fatal(err)
	}
	if err := f.proc.HandleMessage(context.Background(), "wamid.f1"); err != nil {
		t.Fatal(err)
	}
	if ids := f.conv.ids(); !slices.Equal(ids, []string{"wamid.f2", "wamid.f1"}) {
		t.Errorf("handled %v", ids)
	}
}

func TestStatusesNeverGoBack(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	out := []*store.WAOutbound{{PhoneNumberID: number, Recipient: "6281234567890", Pace: "conversation", Message: []byte(`{}`)},
		{PhoneNumberID: number, Recipient: "6281299990000", Pace: "conversation", Message: []byte(`{}`)}}
	if err := f.store.AddWhatsAppOutbound(ctx, out...); err != nil {
		t.Fatal(err)
	}
	st := func(id, status, ts, errs string) string {
		return fmt.Sprintf(`{"id":%q,"status":%q,"timestamp":%q,"recipient_id":"6281234567890"%s}`, id, status, ts, errs)
	}
	state := func(id int64) (string, int) {
		o, err := f.store.WhatsAppOutbound(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return o.State, o.ErrorCode
	}
	// Delivered arrives before Aduan recorded the wamid Meta answered.
	f.post(t, body(change(number, "", "", st("wamid.OUT1", "delivered", "1749416501", ""))))
	f.work(t, false)
	if err := f.store.RecordWhatsAppSent(ctx, out[0].ID, "wamid.OUT1"); err != nil {
		t.Fatal(err)
	}
	if s, _ := state(out[0].ID); s != store.OutboundDelivered {
		t.Fatalf("early delivered not applied: %s", s)
	}
	// Then sent (late), read, and delivered again (late): read stays.
	f.post(t, body(change(number, "", "", st("wamid.OUT1", "sent", "1749416500", "")+","+
		st("wamid.OUT1", "read", "1749416510", "")+","+st("wamid.OUT1", "delivered", "1749416501", ""))))
	f.work(t, false)
	if s, _ := state(out[0].ID); s != store.OutboundRead {
		t.Errorf("after sent, read, delivered: %s, want read", s)
	}
	if err := f.store.RecordWhatsAppSent(ctx, out[1].ID, "wamid.OUT2"); err != nil {
		t.Fatal(err)
	}
	f.post(t, body(change(number, "", "", st("wamid.OUT2", "failed", "1749416520",
		`,"errors":[{"code":131026,"title":"Message undeliverable","message":"Message undeliverable","error_data":{"details":"x"}}]`)+","+
		st("wamid.OUT2", "delivered", "1749416519", ""))))
	f.work(t, false)
	if s, code := state(out[1].ID); s != store.OutboundFailed || code != 131026 {
		t.Errorf("after failed 131026 then a late delivered: %s %d", s, code)
	}
	if n := storetest.Count(t, f.db, `SELECT count(*) FROM whatsapp_early_statuses`); n != 0 {
		t.Errorf("%d early statuses left after their message was recorded", n)
	}
}
