package whatsapp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aduan/aduan/pkg/notify"
	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/ticket"
)

// Store is what processing webhooks needs from storage; *store.Store is
// one.
type Store interface {
	WithTx(ctx context.Context, fn func(ctx context.Context) error) error
	WhatsAppWebhook(ctx context.Context, id int64) ([]byte, string, error)
	FinishWhatsAppWebhook(ctx context.Context, id int64, state, note string) error
	AddWhatsAppInbound(ctx context.Context, in store.WAInbound) (bool, error)
	ApplyWhatsAppStatus(ctx context.Context, st store.WAStatus) (bool, error)
	WhatsAppInbound(ctx context.Context, wamid string) (store.WAInbound, error)
	LockWhatsAppSender(ctx context.Context, sender string) error
	PendingWhatsAppInbound(ctx context.Context, sender string, upTo store.WAInbound) ([]store.WAInbound, error)
	SetWhatsAppInboundMedia(ctx context.Context, id int64, sum, contentType string, size int64) error
	NoteWhatsAppInboundError(ctx context.Context, id int64, reason string) error
	FinishWhatsAppInbound(ctx context.Context, id int64) error
}

// Blobs keeps downloaded media; *blob.Dir is one.
type Blobs interface {
	Put(r io.Reader) (sum string, size int64, err error)
	Sync() error
}

// ErrBroken marks work that can never succeed (a stored body that no
// longer parses, a message that is not stored): not retried.
var ErrBroken = errors.New("whatsapp processing cannot succeed")

// Wait says a message waits for an earlier one of the same sender whose
// media is still being fetched; it is not a failure.
type Wait struct{ After time.Duration }

func (w *Wait) Error() string {
	return fmt.Sprintf("waits %s for an earlier message of its sender", w.After)
}

// Processor takes stored webhook bodies apart and hands their messages,
// one sender's at a time in Meta's order, to the conversation; statuses
// go to the outgoing messages they describe.
type Processor struct {
	store   Store
	api     notify.WhatsAppAPI
	blobs   Blobs
	conv    Conversation
	numbers map[string]bool
	log     *slog.Logger
	// Stuck is how long a sender's earlier message that is not handled
	// yet (its media still failing) holds their later ones back; after
	// that they go ahead and it follows when it can. Default 2 minutes.
	Stuck time.Duration
	Now   func() time.Time
}

// NewProcessor returns a processor for the business numbers given
// (phone_number_id); bodies for any other number are kept and logged but
// not processed. conv may be nil for a processor that only takes bodies
// apart (TakeWebhook).
func NewProcessor(s Store, api notify.WhatsAppAPI, blobs Blobs, conv Conversation, numbers []string, log *slog.Logger) *Processor {
	p := &Processor{store: s, api: api, blobs: blobs, conv: conv, numbers: map[string]bool{}, log: log,
		Stuck: 2 * time.Minute, Now: time.Now}
	for _, n := range numbers {
		if n != "" {
			p.numbers[n] = true
		}
	}
	return p
}

// TakeWebhook stores every message of the received body id (each queued
// for the conversation once per wamid) and applies every status, in one
// transaction, then marks the body processed, or unrouted when none of
// it came to a configured number. Taking a body twice changes nothing.
func (p *Processor) TakeWebhook(ctx context.Context, id int64) error {
	body, state, err := p.store.WhatsAppWebhook(ctx, id)
	if ticket.ErrorCode(err) == ticket.ENOTFOUND {
		return fmt.Errorf("webhook %d: %w", id, ErrBroken)
	}
	if err != nil || state != store.WebhookReceived {
		return err
	}
	n, err := Parse(body)
	if err != nil {
		return fmt.Errorf("webhook %d: %v: %w", id, err, ErrBroken)
	}
	return p.store.WithTx(ctx, func(ctx context.Context) error {
		var unknown []string
		routed, messages, statuses := 0, 0, 0
		for _, e := range n.Entries {
			for _, c := range e.Changes {
				if c.Field != "messages" {
					p.log.DebugContext(ctx, "whatsapp webhook change of another field ignored", "webhook", id, "field", c.Field)
					continue
				}
				if !p.numbers[c.PhoneNumberID] {
					if !slices.Contains(unknown, c.PhoneNumberID) {
						unknown = append(unknown, c.PhoneNumberID)
					}
					continue
				}
				routed++
				for _, m := range byTimestamp(c.Messages) {
					if err := p.addMessage(ctx, id, c, m); err != nil {
						return err
					}
					messages++
				}
				for _, s := range c.Statuses {
					if err := p.applyStatus(ctx, s); err != nil {
						return err
					}
					statuses++
				}
			}
		}
		final, note := store.WebhookProcessed, ""
		if len(unknown) > 0 {
			note = "phone_number_id tidak dikenal / not configured: " + strings.Join(unknown, ", ")
			p.log.WarnContext(ctx, "whatsapp webhook for a number not configured", "webhook", id, "phone_number_ids", unknown)
			if routed == 0 {
				final = store.WebhookUnrouted
			}
		}
		p.log.DebugContext(ctx, "whatsapp webhook taken", "webhook", id, "messages", messages, "statuses", statuses)
		return p.store.FinishWhatsAppWebhook(ctx, id, final, note)
	})
}

// byTimestamp orders one change's messages by Meta's timestamp, keeping
// Meta's order among equal ones.
func byTimestamp(ms []Message) []Message {
	out := slices.Clone(ms)
	slices.SortStableFunc(out, func(a, b Message) int { return sentAt(a.Timestamp).Compare(sentAt(b.Timestamp)) })
	return out
}

func sentAt(ts string) time.Time {
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return time.Time{}
	}
	return time.Unix(sec, 0).UTC()
}

func (p *Processor) addMessage(ctx context.Context, webhookID int64, c Change, m Message) error {
	if m.ID == "" {
		p.log.WarnContext(ctx, "whatsapp message without an id skipped", "webhook", webhookID, "type", m.Type)
		return nil
	}
	ct := contactOf(c.Contacts, m)
	in := store.WAInbound{WaMID: m.ID, PhoneNumberID: c.PhoneNumberID, WaID: m.From, UserID: m.FromUser,
		ProfileName: ct.Name, SentAt: sentAt(m.Timestamp), Type: m.Type, WebhookID: webhookID}
	if in.WaID == "" {
		in.WaID = ct.WaID
	}
	if in.UserID == "" {
		in.UserID = ct.UserID
	}
	if in.SentAt.IsZero() {
		in.SentAt = p.Now().UTC()
	}
	switch {
	case in.WaID != "":
		in.Sender = c.PhoneNumberID + ":" + in.WaID
	case in.UserID != "":
		in.Sender = c.PhoneNumberID + ":user:" + in.UserID
	default:
		p.log.WarnContext(ctx, "whatsapp message without a sender skipped", "webhook", webhookID, "wamid", m.ID)
		return nil
	}
	if m.Media != nil {
		in.MediaID = m.Media.ID
	}
	var err error
	if in.Message, err = json.Marshal(m); err != nil {
		return err
	}
	_, err = p.store.AddWhatsAppInbound(ctx, in)
	return err
}

// contactOf finds the contact entry of m's sender: by wa_id or by user id,
// else the change's only contact.
func contactOf(cs []Contact, m Message) Contact {
	for _, c := range cs {
		if (m.From != "" && c.WaID == m.From) || (m.FromUser != "" && c.UserID == m.FromUser) {
			return c
		}
	}
	if len(cs) == 1 && m.From == "" && m.FromUser == "" {
		return cs[0]
	}
	return Contact{}
}

func (p *Processor) applyStatus(ctx context.Context, s Status) error {
	switch s.Status {
	case store.OutboundSent, store.OutboundDelivered, store.OutboundRead, store.OutboundFailed:
	default:
		p.log.DebugContext(ctx, "whatsapp status ignored", "status", s.Status)
		return nil
	}
	if s.ID == "" {
		return nil
	}
	st := store.WAStatus{WaMID: s.ID, Status: s.Status, At: sentAt(s.Timestamp)}
	if len(s.Errors) > 0 {
		st.ErrorCode, st.ErrorTitle = s.Errors[0].Code, s.Errors[0].Title
	}
	if st.At.IsZero() {
		st.At = p.Now().UTC()
	}
	_, err := p.store.ApplyWhatsAppStatus(ctx, st)
	return err
}

// HandleMessage hands the stored message wamid to the conversation: its
// media is downloaded first (retried on failure; the media id is kept),
// then, holding its sender's lock, the sender's earlier messages not
// handled yet and it go to the conversation in Meta's order, each marked
// done in the same transaction as what the conversation did. Handled
// messages are marked read. A message handled before changes nothing.
func (p *Processor) HandleMessage(ctx context.Context, wamid string) error {
	if p.conv == nil {
		return fmt.Errorf("no conversation to hand whatsapp messages to")
	}
	in, err := p.store.WhatsAppInbound(ctx, wamid)
	if ticket.ErrorCode(err) == ticket.ENOTFOUND {
		return fmt.Errorf("whatsapp message %s: %w", wamid, ErrBroken)
	}
	if err != nil || in.State == store.InboundDone {
		return err
	}
	if in.MediaID != "" && in.MediaSHA256 == "" {
		if in, err = p.fetchMedia(ctx, in); err != nil {
			if nerr := p.store.NoteWhatsAppInboundError(ctx, in.ID, err.Error()); nerr != nil {
				p.log.WarnContext(ctx, "could not note a media download failure", "err", nerr)
			}
			return err
		}
	}
	var handled []store.WAInbound
	wait := false
	err = p.store.WithTx(ctx, func(ctx context.Context) error {
		handled, wait = nil, false
		if err := p.store.LockWhatsAppSender(ctx, in.Sender); err != nil {
			return err
		}
		pending, err := p.store.PendingWhatsAppInbound(ctx, in.Sender, in)
		if err != nil {
			return err
		}
		for _, m := range pending {
			if m.ID != in.ID && m.MediaID != "" && m.MediaSHA256 == "" {
				if p.Now().Sub(m.ReceivedAt) < p.Stuck {
					wait = true // its own task is fetching the file
					return nil
				}
				p.log.WarnContext(ctx, "whatsapp message still without its media; later ones go ahead", "wamid", m.WaMID)
				continue
			}
			inc, err := incoming(m)
			if err != nil {
				return err
			}
			if err := p.conv.Handle(ctx, inc); err != nil {
				return fmt.Errorf("whatsapp message %s: %w", m.WaMID, err)
			}
			if err := p.store.FinishWhatsAppInbound(ctx, m.ID); err != nil {
				return err
			}
			handled = append(handled, m)
		}
		return nil
	})
	if err != nil {
		if nerr := p.store.NoteWhatsAppInboundError(ctx, in.ID, err.Error()); nerr != nil {
			p.log.WarnContext(ctx, "could not note a whatsapp handling failure", "err", nerr)
		}
		return err
	}
	for _, m := range handled {
		if err := p.api.MarkRead(ctx, m.PhoneNumberID, m.WaMID); err != nil {
			p.log.WarnContext(ctx, "whatsapp message not marked read", "wamid", m.WaMID, "err", err)
		}
	}
	if wait {
		return &Wait{After: time.Second}
	}
	return nil
}

// fetchMedia downloads in's file into the blob store at once (Meta's URL
// lives 5 minutes) and records it.
func (p *Processor) fetchMedia(ctx context.Context, in store.WAInbound) (store.WAInbound, error) {
	data, ct, err := p.api.Media(ctx, in.MediaID)
	if err != nil {
		return in, fmt.Errorf("whatsapp media %s of %s: %w", in.MediaID, in.WaMID, err)
	}
	sum, size, err := p.blobs.Put(bytes.NewReader(data))
	if err == nil {
		err = p.blobs.Sync()
	}
	if err == nil {
		err = p.store.SetWhatsAppInboundMedia(ctx, in.ID, sum, ct, size)
	}
	if err != nil {
		return in, err
	}
	in.MediaSHA256, in.MediaType, in.MediaSize = sum, ct, size
	return in, nil
}

// incoming is a stored message as the conversation takes it.
func incoming(m store.WAInbound) (Incoming, error) {
	var msg Message
	if err := json.Unmarshal(m.Message, &msg); err != nil {
		return Incoming{}, fmt.Errorf("whatsapp message %s: %v: %w", m.WaMID, err, ErrBroken)
	}
	in := Incoming{PhoneNumberID: m.PhoneNumberID, Message: msg, At: m.SentAt.UTC(), WebhookID: m.WebhookID,
		Contact: Contact{WaID: m.WaID, UserID: m.UserID, Name: m.ProfileName}}
	if m.MediaSHA256 != "" {
		name := ""
		if msg.Media != nil {
			name = msg.Media.Filename
		}
		if name == "" {
			name = "whatsapp-" + m.MediaID + extension(m.MediaType)
		}
		in.Media = &ticket.Attachment{Filename: name, ContentType: m.MediaType, Size: m.MediaSize,
			SHA256: m.MediaSHA256, Stored: true, Kind: ticket.KindUnknown}
	}
	return in, nil
}

func extension(contentType string) string {
	switch strings.TrimSpace(strings.Split(contentType, ";")[0]) {
	case "image/jpeg":
		return ".jpg"
	case "application/pdf":
		return ".pdf"
	}
	if exts, _ := mime.ExtensionsByType(contentType); len(exts) > 0 {
		return exts[0]
	}
	return ""
}
