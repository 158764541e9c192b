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
