package documents_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"testing"

	"github.com/aduan/aduan/configs"
	"github.com/aduan/aduan/pkg/blob"
	"github.com/aduan/aduan/pkg/documents"
	"github.com/aduan/aduan/pkg/intake"
	"github.com/aduan/aduan/pkg/notify"
	"github.com/aduan/aduan/pkg/notify/notifytest"
	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/store/storetest"
	"github.com/aduan/aduan/pkg/ticket"
)

const vaccinePayload = "VAKSIN|3201014508850001|DOSIS 2|TEST"

// docsFixture is a fresh database and blob store, the documents
// reviewer, and a Notifier sending to an in-process mail server.
type docsFixture struct {
	store    *store.Store
	dbURL    string
	blobs    *blob.Dir
	mx       *notifytest.MailServer
	notifier *notify.Notifier
	ingester *intake.Ingester
	check    *documents.Reviewer
}

func newDocsFixture(t testing.TB) *docsFixture {
	t.Helper()
	s, dbURL := storetest.New(t)
	blobs, err := blob.NewDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	f := &docsFixture{store: s, dbURL: dbURL, blobs: blobs, ingester: intake.NewIngester(s, quiet),
		check: documents.NewReviewer(s, blobs, sharedChecker(t), quiet)}
	if tt, ok := t.(*testing.T); ok {
		f.mx = notifytest.NewMailServer(tt)
		if f.notifier, err = notify.NewNotifier(s, notifytest.Sender(f.mx), configs.Templates,
			notify.Settings{From: notifytest.From}, quiet); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// photo stores img as a JPEG in the blob store and returns the attachment
// intake would make of it.
func (f *docsFixture) photo(t testing.TB, name string, kind ticket.AttachmentKind, img image.Image) ticket.Attachment {
	t.Helper()
	data := jpegOf(t, img)
	sum, size, err := f.blobs.Put(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	return ticket.Attachment{Filename: name, ContentType: "image/jpeg", Size: size, SHA256: sum, Stored: true, Kind: kind}
}

// complaint ingests a new ticket as email intake would, from notifytest.WargaNIK
// unless an edit says otherwise.
func (f *docsFixture) complaint(t testing.TB, sourceID string, category ticket.Category, atts []ticket.Attachment, edit ...func(*intake.Inbound)) intake.Result {
	t.Helper()
	in := intake.Inbound{Channel: ticket.ChannelEmail, SourceID: sourceID, Category: category, Ack: true,
		Subject: "Sertifikat vaksin belum muncul", Body: notifytest.Complaint, Attachments: atts,
		Complainant: ticket.Complainant{Name: "Siti Aminah", NIK: notifytest.WargaNIK, Email: notifytest.WargaEmail}}
	for _, e := range edit {
		e(&in)
	}
	res, err := f.ingester.Ingest(context.Background(), in)
	if err != nil || res.Ticket.ID == 0 {
		t.Fatalf("ingest %s: %+v, %v", sourceID, res, err)
	}
	return res
}

// reply ingests the complainant's answer on the thread of sourceID, as
// email intake would.
func (f *docsFixture) reply(t *testing.T, sourceID, inReplyTo string, atts ...ticket.Attachment) intake.Result {
	t.Helper()
	res, err := f.ingester.Ingest(context.Background(), intake.Inbound{Channel: ticket.ChannelEmail,
		SourceID: sourceID, ThreadRefs: []string{inReplyTo}, Body: "Berikut foto yang diminta.", Attachments: atts,
		Complainant: ticket.Complainant{Email: notifytest.WargaEmail}, Sender: notifytest.WargaEmail, Ack: true})
	if err != nil || res.Created {
		t.Fatalf("reply %s: %+v, %v", sourceID, res, err)
	}
	return res
}

// outboxTasks returns the payloads of the outbox rows of a type for a ticket.
func (f *docsFixture) outboxTasks(t testing.TB, taskType string, ticketID int64) []store.TicketTask {
	t.Helper()
	items, err := f.store.PendingOutbox(context.Background(), 1000)
	if err != nil {
		t.Fatal(err)
	}
	var out []store.TicketTask
	for _, it := range items {
		var p store.TicketTask
		if it.TaskType == taskType && json.Unmarshal(it.Payload, &p) == nil && p.TicketID == ticketID {
			out = append(out, p)
		}
	}
	return out
}

// runChecks reviews the ticket's documents for each documents:check task
// in the outbox, as the relay and a worker would.
func (f *docsFixture) runChecks(t testing.TB, ticketID int64) {
	t.Helper()
	taskList := f.outboxTasks(t, store.TaskDocumentsCheck, ticketID)
	if len(taskList) == 0 {
		t.Fatalf("no %s in the outbox for ticket %d", store.TaskDocumentsCheck, ticketID)
	}
	for _, task := range taskList {
		if err := f.check.Review(context.Background(), task.TicketID, task.MessageID); err != nil {
			t.Fatalf("documents:check %+v: %v", task, err)
		}
	}
}

// answer runs each notify:ack task of the ticket in the outbox: the one
// answer to each mail, its photos checked.
func (f *docsFixture) answer(t *testing.T, ticketID int64) {
	t.Helper()
	for _, task := range f.outboxTasks(t, store.TaskNotifyAck, ticketID) {
		if err := f.notifier.Ack(context.Background(), task.TicketID, task.MessageID); err != nil {
			t.Fatalf("notify:ack %+v: %v", task, err)
		}
	}
}

// sendDocs sends the documents mail of each notify:docs task in the outbox.
func (f *docsFixture) sendDocs(t *testing.T, ticketID int64) {
	t.Helper()
	for _, task := range f.outboxTasks(t, store.TaskNotifyDocs, ticketID) {
		if err := f.notifier.Docs(context.Background(), task.TicketID, task.MessageID); err != nil {
			t.Fatalf("notify:docs %+v: %v", task, err)
		}
	}
}

func (f *docsFixture) ticket(t testing.TB, id int64) ticket.Ticket {
	t.Helper()
	tk, err := f.store.TicketByRef(context.Background(), fmt.Sprint(id), false)
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

func (f *docsFixture) events(t testing.TB, ticketID int64, kind string) []ticket.Event {
	t.Helper()
	all, err := f.store.Events(context.Background(), ticketID)
	if err != nil {
		t.Fatal(err)
	}
	var out []ticket.Event
	for _, e := range all {
		if e.Kind == kind {
			out = append(out, e)
		}
	}
	return out
}

// effects summarises everything a documents:check can do to a ticket, so
// a test can compare before and after a re-run.
func (f *docsFixture) effects(t testing.TB, ticketID int64) string {
	t.Helper()
	tk := f.ticket(t, ticketID)
	return fmt.Sprintf("status=%s docs=%+v warnings=%q events=%d outbox=%d checked=%d", tk.Status, tk.Documents,
		tk.Warnings, storetest.Count(t, f.dbURL, "SELECT count(*) FROM ticket_events WHERE ticket_id = $1", ticketID),
		storetest.Count(t, f.dbURL, "SELECT count(*) FROM outbox"),
		storetest.Count(t, f.dbURL, `SELECT count(*) FROM attachments WHERE ticket_id = $1 AND "check"->>'verdict' <> 'pending'`, ticketID))
}

func (f *docsFixture) goodSet(t testing.TB) []ticket.Attachment {
	return []ticket.Attachment{
		f.photo(t, "ktp.jpg", ticket.KindKTP, ktpPhoto(1)),
		f.photo(t, "selfie.jpg", ticket.KindSelfie, selfiePhoto(t)),
		f.photo(t, "kartu-vaksin.jpg", ticket.KindVaccineCard, vaccineCardPhoto(t, vaccinePayload)),
	}
}

var allOK = ticket.Documents{KTP: ticket.DocOK, Selfie: ticket.DocOK, VaccineCard: ticket.DocOK}

// crashingStore is the store of a worker killed in the middle of a task:
// the call of method numbered after+1 panics before it runs.
type crashingStore struct {
	*store.Store
	method string
	after  int
	calls  int
}

var errKilled = errors.New("worker killed")

func (c *crashingStore) hit(method string) {
	if method == c.method {
		if c.calls++; c.calls > c.after {
			panic(errKilled)
		}
	}
}

func (c *crashingStore) SaveCheck(ctx context.Context, id int64, kind ticket.AttachmentKind, ch ticket.Check, der string) (bool, error) {
	c.hit("SaveCheck")
	return c.Store.SaveCheck(ctx, id, kind, ch, der)
}

func (c *crashingStore) RememberDocuments(ctx context.Context, id int64, decided, requested string) error {
	c.hit("RememberDocuments")
	return c.Store.RememberDocuments(ctx, id, decided, requested)
}

func (c *crashingStore) FlagTicket(ctx context.Context, id int64, warning string, e ticket.Event) (bool, error) {
	c.hit("FlagTicket")
	return c.Store.FlagTicket(ctx, id, warning, e)
}
