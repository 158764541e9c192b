package httpapi_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/aduan/aduan/pkg/httpapi"
	"github.com/aduan/aduan/pkg/intake/whatsapp"
	"github.com/aduan/aduan/pkg/store/storetest"
)

const (
	waSecret = "rahasia-aplikasi-meta"
	waToken  = "token-verifikasi-aduan"
	waPath   = "/webhooks/whatsapp"
	// waText is a text message as Meta sends it, with a field Aduan does
	// not know.
	waText = `{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{` +
		`"messaging_product":"whatsapp","metadata":{"display_phone_number":"6281110500567","phone_number_id":"106540352242922"},` +
		`"contacts":[{"profile":{"name":"Siti Aminah"},"wa_id":"6281234567890"}],` +
		`"messages":[{"from":"6281234567890","id":"wamid.HBgNNjI4MTIzNDU2Nzg5MBUCABIYFjNFQjA=","timestamp":"1749416383",` +
		`"type":"text","text":{"body":"hai, saya mau unduh sertifikat"}}]},"field":"messages"}],"added_later":{"x":1}}]}`
)

// waAPI is the API with the webhook configured.
func (h *harness) waAPI() http.Handler {
	return h.apiWith(func(c *httpapi.Config) {
		c.WhatsApp = httpapi.WhatsApp{AppSecret: waSecret, VerifyToken: waToken, Webhooks: h.app.Store}
	})
}

// signed sets the header Meta sends with body, signed with secret, and
// the other headers Meta's requests carry.
func signed(secret string, body []byte) func(*http.Request) {
	return func(r *http.Request) {
		r.Header.Set(whatsapp.SignatureHeader, "sha256="+hex.EncodeToString(whatsapp.Sign([]byte(secret), body)))
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("User-Agent", "facebookexternalua")
	}
}

func (h *harness) webhookRows(t *testing.T, where string, args ...any) int {
	t.Helper()
	return storetest.Count(t, h.app.Config.DatabaseURL, `SELECT count(*) FROM whatsapp_webhooks WHERE `+where, args...)
}

func TestWhatsAppVerification(t *testing.T) {
	h := newHarness(t)
	api := h.waAPI()
	q := func(mode, token string) string {
		return waPath + "?" + url.Values{"hub.mode": {mode}, "hub.verify_token": {token}, "hub.challenge": {"1158201444"}}.Encode()
	}
	r := h.callOn(t, api, "GET", q("subscribe", waToken), "", nil).must(t, http.StatusOK)
	if string(r.Body) != "1158201444" || r.Header.Get("Content-Type") != "text/plain; charset=utf-8" {
		t.Errorf("challenge answer %q, %q", r.Body, r.Header.Get("Content-Type"))
	}
	if r.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("no security headers on the webhook: %v", r.Header)
	}
	h.callOn(t, api, "GET", q("subscribe", waToken+"x"), "", nil).expectError(t, http.StatusForbidden, "forbidden")
	h.callOn(t, api, "GET", q("unsubscribe", waToken), "", nil).expectError(t, http.StatusForbidden, "forbidden")
	h.callOn(t, api, "GET", waPath, "", nil).expectError(t, http.StatusForbidden, "forbidden")
	// Unconfigured, no token opens it.
	h.call(t, "GET", q("subscribe", ""), "", nil).expectError(t, http.StatusForbidden, "forbidden")
}

func TestWhatsAppWebhookStoresSignedBody(t *testing.T) {
	h := newHarness(t)
	api := h.waAPI()
	body := []byte(waText)
	r := h.callOn(t, api, "POST", waPath, "", body, signed(waSecret, body)).must(t, http.StatusOK)
	if string(r.Body) != "OK" {
		t.Errorf("body %q", r.Body)
	}
	if n := h.webhookRows(t, `body = $1 AND state = 'received' AND error = ''`, body); n != 1 {
		t.Errorf("%d received rows with the exact body, want 1", n)
	}
}

func TestWhatsAppWebhookRefuses(t *testing.T) {
	h := newHarness(t)
	api := h.waAPI()
	body := []byte(waText)
	bad := append([]byte(nil), body...)
	bad[len(bad)-3] = ' ' // same signature, one byte changed
	big := append([]byte(`{"object":"whatsapp_business_account","entry":[],"pad":"`), bytes.Repeat([]byte("a"), 1<<20)...)
	big = append(big, `"}`...)

	h.callOn(t, api, "POST", waPath, "", body).expectError(t, http.StatusUnauthorized, "unauthorized")
	h.callOn(t, api, "POST", waPath, "", bad, signed(waSecret, body)).expectError(t, http.StatusUnauthorized, "unauthorized")
	h.callOn(t, api, "POST", waPath, "", body, signed("rahasia-lain", body)).expectError(t, http.StatusUnauthorized, "unauthorized")
	h.callOn(t, api, "POST", waPath, "", body, signed(waSecret, body),
		func(r *http.Request) { r.Header.Set(whatsapp.SignatureHeader, "sha256=") }).expectError(t, http.StatusUnauthorized, "unauthorized")
	h.callOn(t, api, "POST", waPath, "", big, signed(waSecret, big)).expectError(t, http.StatusRequestEntityTooLarge, "too_large")
	// No app secret configured (the default): refused however it is signed.
	r := h.call(t, "POST", waPath, "", body, signed("", body))
	r.expectError(t, http.StatusServiceUnavailable, "unavailable")
	h.call(t, "POST", waPath, "", body, signed(waSecret, body)).expectError(t, http.StatusServiceUnavailable, "unavailable")
	if n := h.webhookRows(t, `true`); n != 0 {
		t.Errorf("%d rows stored from refused requests", n)
	}
}

func TestWhatsAppWebhookKeepsWhatIsNotANotification(t *testing.T) {
	h := newHarness(t)
	api := h.waAPI()
	for _, body := range []string{
		`{"object":"page","entry":[]}`,
		`{"object":"whatsapp_business_account"}`,
		`{"object":"whatsapp_business_account","entry":{}}`,
		`[1,2,3]`,
		`halo`,
	} {
		b := []byte(body)
		e := h.callOn(t, api, "POST", waPath, "", b, signed(waSecret, b)).expectError(t, http.StatusBadRequest, "malformed", "body")
		if n := h.webhookRows(t, `body = $1 AND state = 'invalid' AND error = $2`, b, e.Error.Fields["body"]); n != 1 {
			t.Errorf("%s: %d invalid rows with the reason %q, want 1", body, n, e.Error.Fields["body"])
		}
	}
	if n := h.webhookRows(t, `state <> 'invalid'`); n != 0 {
		t.Errorf("%d rows waiting to be processed, want none", n)
	}
}

// failingWebhooks is a store that cannot keep anything.
type failingWebhooks struct{ calls int }

func (f *failingWebhooks) SaveWhatsAppWebhook(context.Context, []byte, string, string, time.Time) (int64, error) {
	f.calls++
	return 0, errors.New("disk full")
}

func TestWhatsAppWebhookStoreFailureIs5xx(t *testing.T) {
	h := newHarness(t)
	f := &failingWebhooks{}
	api := h.apiWith(func(c *httpapi.Config) {
		c.WhatsApp = httpapi.WhatsApp{AppSecret: waSecret, VerifyToken: waToken, Webhooks: f}
	})
	body := []byte(waText)
	h.callOn(t, api, "POST", waPath, "", body, signed(waSecret, body)).expectError(t, http.StatusInternalServerError, "internal")
	if f.calls != 1 {
		t.Errorf("store called %d times, want 1", f.calls)
	}
}

func TestWhatsAppWebhookStoreDownIs503(t *testing.T) {
	h := newHarness(t)
	api := h.waAPI()
	body := []byte(waText)
	storetest.DropDatabase(t, h.app.Config.DatabaseURL)
	h.callOn(t, api, "POST", waPath, "", body, signed(waSecret, body)).expectError(t, http.StatusServiceUnavailable, "unavailable")
}
