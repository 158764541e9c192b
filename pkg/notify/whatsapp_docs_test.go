package notify_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aduan/aduan/pkg/intake"
	"github.com/aduan/aduan/pkg/notify"
	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/ticket"
)

// TestDocsRequestOnWhatsApp: the checks' request for documents on a
// WhatsApp ticket is queued on WhatsApp to the person, once.
func TestDocsRequestOnWhatsApp(t *testing.T) {
	f := newNotifyFixture(t)
	ctx := context.Background()
	const waID = "6281234567890"
	res, err := f.ingester.Ingest(ctx, intake.Inbound{Channel: ticket.ChannelWhatsApp, SourceID: "wamid.KTP",
		Category: ticket.CategoryNIKConflict, Subject: "NIK dipakai orang lain", Body: "[foto KTP]", Sender: waID,
		Complainant: ticket.Complainant{Name: "Siti Aminah", WhatsAppID: waID}})
	if err != nil {
		t.Fatal(err)
	}
	in, err := f.store.MessageBySource(ctx, ticket.ChannelWhatsApp, "wamid.KTP")
	if err != nil {
		t.Fatal(err)
	}
	req := ticket.DocsRequest{Key: "k1", MessageID: in.ID, Channel: ticket.ChannelWhatsApp, Delivery: ticket.DocsByWhatsApp,
		Missing: []ticket.AttachmentKind{ticket.KindSelfie}, Problems: []ticket.DocsProblem{}}
	if err := f.store.AddEvents(ctx, ticket.Event{TicketID: res.Ticket.ID, Kind: ticket.EventDocumentsRequested,
		Data: map[string]any{"request": req.Key, "message_id": req.MessageID, "channel": "whatsapp", "delivery": "whatsapp",
			"missing": []string{"selfie"}, "problems": []any{}}}); err != nil {
		t.Fatal(err)
	}
	if err := f.notifier.Docs(ctx, res.Ticket.ID, in.ID); err == nil {
		t.Fatal("a WhatsApp documents request without a WhatsApp sender did not fail")
	}
	f.notifier.SetWhatsApp(notify.WhatsAppDocs{Queue: notify.WAQueue{Store: f.store, PhoneNumberID: pnid},
		Contacts: f.store, PhoneNumberID: pnid})
	for range 2 {
		if err := f.notifier.Docs(ctx, res.Ticket.ID, in.ID); err != nil {
			t.Fatal(err)
		}
	}
	msgs, err := f.store.Messages(ctx, res.Ticket.ID)
	if err != nil {
		t.Fatal(err)
	}
	var docs []ticket.Message
	for _, m := range msgs {
		if m.Kind == ticket.KindDocsRequest {
			docs = append(docs, m)
		}
	}
	if len(docs) != 1 || docs[0].Channel != ticket.ChannelWhatsApp || docs[0].Recipient != waID || docs[0].Status != "queued" ||
		!strings.Contains(docs[0].Body, res.Ticket.Number) {
		t.Fatalf("documents requests %+v", docs)
	}
	o, err := f.store.WhatsAppOutbound(ctx, 1)
	if err != nil || o.Recipient != waID || o.MessageID != docs[0].ID || o.Pace != "person" || o.State != store.OutboundQueued {
		t.Errorf("queued %+v, %v", o, err)
	}
	if len(f.mx.Received()) != 0 {
		t.Errorf("a WhatsApp ticket's documents request went by mail")
	}
}
