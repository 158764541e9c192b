package wastandin

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/aduan/aduan/pkg/intake/whatsapp"
)

// Inbound is one message a person sends to the business number.
type Inbound struct {
	WaID string // the sender's WhatsApp id (digits)
	Name string // their profile name
	// UserID is the business-scoped user id Meta sends besides (or, for
	// people who hide their number, instead of) the wa_id; "" for none.
	UserID string
	// Exactly one of Text, Reply or MediaID.
	Text  string
	Reply *Reply
	// MediaID is an image stored with AddMedia, with Caption.
	MediaID string
	Caption string
	// Context is the wamid of the business's message this one answers (a
	// tapped button's message).
	Context string
}

// Reply is a tapped reply button or list row.
type Reply struct {
	Kind  string // button_reply or list_reply
	ID    string
	Title string
}

// ErrNoWebhook: the stand-in was given no webhook URL.
var ErrNoWebhook = errors.New("wastandin: no webhook URL configured")

// Send posts in to Aduan's webhook as Meta does (one entry, one change,
// one message, signed) and returns the message's wamid. The sender is in
// the 24-hour window from now on.
func (s *Server) Send(ctx context.Context, in Inbound) (string, error) {
	now := s.cfg.Now()
	msg := map[string]any{"from": in.WaID, "id": newID("wamid.HBgN", 24), "timestamp": strconv.FormatInt(now.Unix(), 10)}
	switch {
	case in.Reply != nil:
		msg["type"] = "interactive"
		msg["interactive"] = map[string]any{"type": in.Reply.Kind,
			in.Reply.Kind: map[string]string{"id": in.Reply.ID, "title": in.Reply.Title}}
	case in.MediaID != "":
		m, ok := s.mediaByID(in.MediaID)
		if !ok {
			return "", fmt.Errorf("wastandin: no media %s", in.MediaID)
		}
		msg["type"] = "image"
		img := map[string]string{"id": in.MediaID, "mime_type": m.mimeType, "sha256": base64.StdEncoding.EncodeToString(m.sum[:])}
		if in.Caption != "" {
			img["caption"] = in.Caption
		}
		msg["image"] = img
	default:
		msg["type"] = "text"
		msg["text"] = map[string]string{"body": in.Text}
	}
	if in.Context != "" {
		msg["context"] = map[string]string{"from": s.cfg.DisplayPhone, "id": in.Context}
	}
	contact := map[string]any{"profile": map[string]string{"name": in.Name}, "wa_id": in.WaID}
	if in.UserID != "" {
		contact["user_id"] = in.UserID
		msg["from_user_id"] = in.UserID
	}
	value := map[string]any{"contacts": []map[string]any{contact}, "messages": []any{msg}}
	s.Wrote(in.WaID, now)
	if err := s.post(ctx, value); err != nil {
		return "", err
	}
	return msg["id"].(string), nil
}

// Status posts a delivery status of one of Aduan's messages to the
// webhook: sent, delivered, read, or failed with code (131026, 131047…).
func (s *Server) Status(ctx context.Context, sent Sent, status string, code int) error {
	st := map[string]any{"id": sent.ID, "status": status, "timestamp": strconv.FormatInt(s.cfg.Now().Unix(), 10),
		"recipient_id": sent.To}
	if status == "failed" {
		st["errors"] = []map[string]any{{"code": code, "title": "Message failed", "message": "Message failed",
			"error_data": map[string]string{"details": fmt.Sprintf("failed with %d", code)}}}
	} else {
		st["conversation"] = map[string]any{"id": newID("", 12),
			"origin": map[string]string{"type": "service"}}
		st["pricing"] = map[string]any{"billable": true, "pricing_model": "PMP", "category": "service"}
	}
	return s.post(ctx, map[string]any{"statuses": []any{st}})
}

// postStatusesLater reports statuses of sent, in order, after the answer
// to the call that sent it, as Meta does.
func (s *Server) postStatusesLater(sent Sent, statuses ...string) {
	if s.cfg.WebhookURL == "" {
		return
	}
	s.pending.Add(1)
	go func() {
		defer s.pending.Done()
		for _, st := range statuses {
			if err := s.Status(context.Background(), sent, st, 0); err != nil {
				s.chat.note(sent.To, "status "+st+" not delivered to Aduan: "+err.Error())
				return
			}
		}
	}()
}

// post signs one change's value in a notification and posts it to the
// webhook; anything but a 200 is an error.
func (s *Server) post(ctx context.Context, value map[string]any) error {
	if s.cfg.WebhookURL == "" {
		return ErrNoWebhook
	}
	value["messaging_product"] = "whatsapp"
	value["metadata"] = map[string]string{"display_phone_number": s.cfg.DisplayPhone, "phone_number_id": s.cfg.PhoneNumberID}
	body, err := json.Marshal(map[string]any{
		"object": whatsapp.Object,
		"entry": []any{map[string]any{"id": s.cfg.AccountID,
			"changes": []any{map[string]any{"value": value, "field": "messages"}}}},
	})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.cfg.WebhookURL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "facebookexternalua")
	req.Header.Set(whatsapp.SignatureHeader, "sha256="+hex.EncodeToString(whatsapp.Sign([]byte(s.cfg.AppSecret), body)))
	res, err := s.cfg.Client.Do(req)
	if err != nil {
		return fmt.Errorf("wastandin: webhook: %w", err)
	}
	defer res.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(res.Body, 512))
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("wastandin: webhook answered %d: %s", res.StatusCode, answer)
	}
	return nil
}
