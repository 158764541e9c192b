package httpapi

import (
	"context"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/aduan/aduan/pkg/intake/whatsapp"
	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/ticket"
)

// WhatsAppWebhookPath is where Meta calls Aduan, outside /api/v1: Meta
// holds no Aduan login, its signature (POST) or the verify token (GET)
// stands for one.
const WhatsAppWebhookPath = "/webhooks/whatsapp"

// WhatsApp is the webhook's configuration. With no AppSecret every POST is
// refused (503); with no VerifyToken every handshake is (403).
type WhatsApp struct {
	AppSecret   string
	VerifyToken string
	// Webhooks keeps signed bodies; nil refuses POSTs like no AppSecret.
	Webhooks WebhookStore
}

// WebhookStore keeps webhook bodies durably.
type WebhookStore interface {
	// SaveWhatsAppWebhook returns once body is committed, in state
	// store.WebhookReceived or store.WebhookInvalid (with reason).
	SaveWhatsAppWebhook(ctx context.Context, body []byte, state, reason string, now time.Time) (int64, error)
}

// verifyWhatsApp answers Meta's subscription handshake with the challenge
// when the verify token is the configured one.
func (s *Server) verifyWhatsApp(c *gin.Context) {
	q := c.Request.URL.Query()
	challenge, ok := whatsapp.VerifySubscription(s.cfg.WhatsApp.VerifyToken, q.Get("hub.mode"), q.Get("hub.verify_token"), q.Get("hub.challenge"))
	if !ok {
		s.log.WarnContext(c.Request.Context(), "whatsapp webhook verification refused", "mode", q.Get("hub.mode"))
		s.failStatus(c, http.StatusForbidden, ticket.Errorf(ticket.EFORBIDDEN,
			"Token verifikasi tidak cocok. / Verification token does not match."))
		return
	}
	c.Data(http.StatusOK, "text/plain; charset=utf-8", []byte(challenge))
}

// receiveWhatsApp takes one notification from Meta. A correctly signed
// body is committed before the 200, so a failure to store it is a 5xx
// and Meta sends it again; what is stored in state received waits for its
// processing. A signed body that is not a notification is kept as
// invalid and answered 400.
func (s *Server) receiveWhatsApp(c *gin.Context) {
	ctx := c.Request.Context()
	wa := s.cfg.WhatsApp
	if wa.AppSecret == "" || wa.Webhooks == nil {
		s.failStatus(c, http.StatusServiceUnavailable, ticket.Errorf(ticket.EUNAVAILABLE,
			"Webhook WhatsApp belum dikonfigurasi. / The WhatsApp webhook is not configured."))
		return
	}
	// readBody has read the body whole, within MaxJSONBody (413 past it).
	body, err := io.ReadAll(c.Request.Body)
	if err != nil {
		s.fail(c, err)
		return
	}
	if !whatsapp.ValidSignature([]byte(wa.AppSecret), body, c.GetHeader(whatsapp.SignatureHeader)) {
		s.log.WarnContext(ctx, "whatsapp webhook signature refused", "bytes", len(body))
		s.failStatus(c, http.StatusUnauthorized, ticket.Errorf(ticket.EUNAUTHORIZED,
			"Tanda tangan tidak sah. / Invalid signature."))
		return
	}
	state, reason := store.WebhookReceived, ""
	n, perr := whatsapp.Parse(body)
	if perr != nil {
		state, reason = store.WebhookInvalid, perr.Error()
	}
	id, err := wa.Webhooks.SaveWhatsAppWebhook(ctx, body, state, reason, s.now())
	if err != nil {
		s.fail(c, err)
		return
	}
	if errors.Is(perr, whatsapp.ErrNotWhatsApp) {
		s.log.WarnContext(ctx, "whatsapp webhook body is not a notification", "webhook", id, "reason", reason)
		s.failStatus(c, http.StatusBadRequest, &ticket.Error{Code: ticket.EMALFORMED,
			Message: "Isi bukan notifikasi WhatsApp. / The body is not a WhatsApp notification.",
			Fields:  map[string]string{"body": reason}})
		return
	}
	s.log.InfoContext(ctx, "whatsapp webhook received", "webhook", id, "entries", len(n.Entries))
	c.Data(http.StatusOK, "text/plain; charset=utf-8", []byte("OK"))
}
