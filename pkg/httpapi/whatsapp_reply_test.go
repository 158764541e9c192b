package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/aduan/aduan/pkg/desk"
	"github.com/aduan/aduan/pkg/intake"
	"github.com/aduan/aduan/pkg/notify"
	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/ticket"
)

// TestWhatsAppReplyInsideAndOutsideTheWindow: an agent's reply on a
// WhatsApp ticket goes out as text within 24 hours of the person's last
// message and as the reply template after, and the API says which.
func TestWhatsAppReplyInsideAndOutsideTheWindow(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	st := h.app.Store
	const waID, pnid = "6281234567890", "106540352242922"
	wrote := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	hook, err := st.SaveWhatsAppWebhook(ctx, []byte(`{}`), store.WebhookProcessed, "", wrote)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.AddWhatsAppInbound(ctx, store.WAInbound{WaMID: "wamid.IN1", PhoneNumberID: pnid, Sender: pnid + ":" + waID,
		WaID: waID, SentAt: wrote, Type: "text", Message: []byte(`{}`), WebhookID: hook}); err != nil {
		t.Fatal(err)
	}
	res, err := h.app.Ingester.Ingest(ctx, intake.Inbound{Channel: ticket.ChannelWhatsApp, SourceID: "wamid.IN1",
		Category: ticket.CategoryCertificateMissing, Subject: "Sertifikat belum muncul", Body: "Hubungi Petugas",
		Sender: waID, Complainant: ticket.Complainant{Name: "Siti Aminah", WhatsAppID: waID}})
	if err != nil {
		t.Fatal(err)
	}
	now := wrote.Add(3 * time.Hour)
	h.app.Desk.SetWhatsApp(desk.WhatsAppReplies{Queue: notify.WAQueue{Store: st, PhoneNumberID: pnid}, Contacts: st,
		PhoneNumberID: pnid, Template: "aduan_balasan", Now: func() time.Time { return now }})
	tok := h.token(t, h.agent)
	path := fmt.Sprintf("/api/v1/tickets/%d/messages", res.Ticket.ID)

	var out struct {
		ID       int64  `json:"id"`
		Channel  string `json:"channel"`
		Status   string `json:"status"`
		Delivery string `json:"delivery"`
	}
	h.call(t, "POST", path, tok, map[string]any{"body": "Sertifikat Anda sedang kami periksa.", "internal": false}).
		must(t, http.StatusCreated).decode(t, &out)
	if out.Delivery != "whatsapp_text" || out.Channel != "whatsapp" || out.Status != "queued" {
		t.Errorf("within the window: %+v", out)
	}
	now = wrote.Add(25 * time.Hour)
	h.call(t, "POST", path, tok, map[string]any{"body": "Sertifikat sudah terbit.\n\nSilakan cek aplikasi.", "internal": false}).
		must(t, http.StatusCreated).decode(t, &out)
	if out.Delivery != "whatsapp_template" {
		t.Errorf("after 24 hours: %+v", out)
	}
	// Without a reply template, a reply after the window cannot go: 422,
	// and nothing is stored or queued.
	h.app.Desk.SetWhatsApp(desk.WhatsAppReplies{Queue: notify.WAQueue{Store: st, PhoneNumberID: pnid}, Contacts: st,
		PhoneNumberID: pnid, Now: func() time.Time { return now }})
	h.call(t, "POST", path, tok, map[string]any{"body": "Halo lagi", "internal": false}).
		expectError(t, http.StatusUnprocessableEntity, "invalid", "body")
	var note map[string]any
	h.call(t, "POST", path, tok, map[string]any{"body": "catatan", "internal": true}).must(t, http.StatusCreated).decode(t, &note)
	if _, ok := note["delivery"]; ok {
		t.Errorf("an internal note says how it goes out: %v", note)
	}

	var rows []struct {
		Recipient, Pace, PhoneNumberID string
		MessageID                      int64
		Message                        notify.WAMessage
	}
	for id := int64(1); id <= 2; id++ {
		o, err := st.WhatsAppOutbound(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		var m notify.WAMessage
		if err := json.Unmarshal(o.Message, &m); err != nil {
			t.Fatal(err)
		}
		rows = append(rows, struct {
			Recipient, Pace, PhoneNumberID string
			MessageID                      int64
			Message                        notify.WAMessage
		}{o.Recipient, o.Pace, o.PhoneNumberID, o.MessageID, m})
	}
	if r := rows[0]; r.Recipient != waID || r.Pace != "person" || r.PhoneNumberID != pnid || r.Message.Text != "Sertifikat Anda sedang kami periksa." {
		t.Errorf("text reply queued as %+v", r)
	}
	tm := rows[1].Message.Template
	if tm == nil || tm.Name != "aduan_balasan" || tm.Language != "id" || len(tm.BodyParams) != 2 ||
		tm.BodyParams[0] != res.Ticket.Number || tm.BodyParams[1] != "Sertifikat sudah terbit. Silakan cek aplikasi." {
		t.Errorf("template reply queued as %+v", tm)
	}
	if n := h.outboxRows(t, store.TaskWhatsAppSend); n != 2 {
		t.Errorf("%d sends in the outbox, want 2", n)
	}
	if n := h.outboxRows(t, store.TaskNotifyReply); n != 0 {
		t.Errorf("%d mail replies in the outbox for a WhatsApp ticket", n)
	}
}

func (h *harness) outboxRows(t *testing.T, taskType string) int {
	t.Helper()
	items, err := h.app.Store.PendingOutbox(context.Background(), 1000)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, it := range items {
		if it.TaskType == taskType {
			n++
		}
	}
	return n
}
