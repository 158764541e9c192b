package store_test

import (
	"context"
	"crypto/sha256"
	"testing"
	"time"

	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/store/storetest"
)

func TestSaveWhatsAppWebhook(t *testing.T) {
	st, dbURL := storetest.New(t)
	ctx := context.Background()
	body := []byte("{\"object\":\"whatsapp_business_account\",\"entry\":[]}\x00\xff")
	now := time.Date(2026, 12, 3, 4, 5, 6, 0, time.UTC)
	id, err := st.SaveWhatsAppWebhook(ctx, body, store.WebhookReceived, "", now)
	if err != nil {
		t.Fatal(err)
	}
	id2, err := st.SaveWhatsAppWebhook(ctx, []byte("x"), store.WebhookInvalid, "not JSON", now)
	if err != nil {
		t.Fatal(err)
	}
	if id2 == id {
		t.Errorf("both rows have id %d", id)
	}
	sum := sha256.Sum256(body)
	if n := storetest.Count(t, dbURL, `SELECT count(*) FROM whatsapp_webhooks WHERE id = $1 AND body = $2 AND sha256 = $3
		AND state = 'received' AND error = '' AND received_at = $4`, id, body, sum[:], now); n != 1 {
		t.Errorf("received row not kept byte for byte (%d rows)", n)
	}
	if n := storetest.Count(t, dbURL, `SELECT count(*) FROM whatsapp_webhooks WHERE id = $1 AND state = 'invalid' AND error = 'not JSON'`, id2); n != 1 {
		t.Errorf("invalid row not kept with its reason (%d rows)", n)
	}
	if _, err := st.SaveWhatsAppWebhook(ctx, body, "lost", "", now); err == nil {
		t.Error("an unknown state was stored")
	}
}

func TestPurgeWhatsApp(t *testing.T) {
	st, dbURL := storetest.New(t)
	ctx := context.Background()
	now := time.Now().UTC()
	hook, err := st.SaveWhatsAppWebhook(ctx, []byte(`{"object":"whatsapp_business_account","entry":[]}`), store.WebhookReceived, "", now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.AddWhatsAppInbound(ctx, store.WAInbound{WaMID: "wamid.P1", PhoneNumberID: "1", Sender: "1:628", WaID: "628",
		ProfileName: "Siti", SentAt: now, Type: "image", Message: []byte(`{"Text":"KTP"}`), WebhookID: hook, MediaID: "m1"}); err != nil {
		t.Fatal(err)
	}
	in, err := st.WhatsAppInbound(ctx, "wamid.P1")
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SetWhatsAppInboundMedia(ctx, in.ID, "ab12", "image/jpeg", 10); err != nil {
		t.Fatal(err)
	}
	out := &store.WAOutbound{PhoneNumberID: "1", Recipient: "628", Pace: "person", Message: []byte(`{"Text":"Halo"}`)}
	queued := &store.WAOutbound{PhoneNumberID: "1", Recipient: "629", Pace: "person", Message: []byte(`{"Text":"nanti"}`)}
	if err := st.AddWhatsAppOutbound(ctx, out, queued); err != nil {
		t.Fatal(err)
	}
	if err := st.RecordWhatsAppSent(ctx, out.ID, "wamid.O1"); err != nil {
		t.Fatal(err)
	}
	cutoff := now.Add(time.Hour)
	if n, err := st.WhatsAppDue(ctx, cutoff); err != nil || n != 2 {
		t.Fatalf("due %d, %v; want the inbound and the sent outbound (the body waits to be processed)", n, err)
	}
	if err := st.FinishWhatsAppWebhook(ctx, hook, store.WebhookProcessed, ""); err != nil {
		t.Fatal(err)
	}
	var n int64
	err = st.WithTx(ctx, func(ctx context.Context) error {
		var err error
		n, err = st.PurgeWhatsApp(ctx, cutoff, 100, "uji")
		return err
	})
	if err != nil || n != 3 {
		t.Fatalf("purged %d, %v; want 3", n, err)
	}
	for what, q := range map[string]string{
		"body":     `SELECT count(*) FROM whatsapp_webhooks WHERE octet_length(body) = 0`,
		"inbound":  `SELECT count(*) FROM whatsapp_inbound WHERE message = '{}' AND wa_id = '' AND profile_name = '' AND media_sha256 IS NULL AND state = 'pending'`,
		"outbound": `SELECT count(*) FROM whatsapp_outbound WHERE message = '{}' AND recipient = '' AND state = 'sent'`,
		"queued":   `SELECT count(*) FROM whatsapp_outbound WHERE recipient = '629'`,
		"blob":     `SELECT count(*) FROM retention_blobs WHERE sha256 = 'ab12'`,
		"audit":    `SELECT count(*) FROM audit_log WHERE action = 'retention_purge' AND subject LIKE 'whatsapp_%'`,
	} {
		want := 1
		if what == "audit" {
			want = 3
		}
		if got := storetest.Count(t, dbURL, q); got != want {
			t.Errorf("%s: %d rows, want %d", what, got, want)
		}
	}
	if n, err := st.WhatsAppDue(ctx, cutoff); err != nil || n != 0 {
		t.Errorf("due after the purge: %d, %v", n, err)
	}
}
