package desk

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/ticket"
)

// How a reply goes out, as the API reports it.
const (
	DeliveryEmail            = "email"
	DeliveryWhatsAppText     = "whatsapp_text"     // a free-form message, inside the 24-hour window
	DeliveryWhatsAppTemplate = "whatsapp_template" // the reply template, outside it
)

// WhatsAppWindow is how long after a person's last message free-form
// messages may go to them on WhatsApp; after it only templates.
const WhatsAppWindow = 24 * time.Hour

// maxWhatsAppText is the longest text message WhatsApp takes.
const maxWhatsAppText = 4096

// WhatsAppQueue queues outgoing WhatsApp messages in the caller's
// transaction; notify.WAQueue is one.
type WhatsAppQueue interface {
	QueueWhatsAppText(ctx context.Context, phoneNumberID, to string, ticketID, messageID int64, text string) error
	QueueWhatsAppTemplate(ctx context.Context, phoneNumberID, to string, ticketID, messageID int64, name, language string, params []string) error
}

// WhatsAppContacts says who a WhatsApp ticket's answers go to and when
// they last wrote; *store.Store is one.
type WhatsAppContacts interface {
	WhatsAppRecipient(ctx context.Context, ticketID int64) (phoneNumberID, waID string, err error)
	LastWhatsAppInbound(ctx context.Context, phoneNumberID, waID string) (time.Time, error)
}

// WhatsAppReplies sends agents' replies on WhatsApp tickets.
type WhatsAppReplies struct {
	Queue    WhatsAppQueue
	Contacts WhatsAppContacts
	// PhoneNumberID is the number replies go from when the person's is
	// not known.
	PhoneNumberID string
	// Template is the approved UTILITY template of replies outside the
	// 24-hour window: {{1}} the ticket number, {{2}} the reply's text.
	Template string
	Language string           // default "id"
	Now      func() time.Time // default time.Now
}

// SetWhatsApp makes replies on WhatsApp tickets go out on WhatsApp.
func (d *Desk) SetWhatsApp(w WhatsAppReplies) {
	if w.Language == "" {
		w.Language = "id"
	}
	if w.Now == nil {
		w.Now = time.Now
	}
	d.wa = &w
}

// Reply queues an agent's answer to the complainant on the ticket's
// channel (see ReplyWithDelivery).
func (d *Desk) Reply(ctx context.Context, actor ticket.User, ref, body string) (ticket.Message, error) {
	m, _, err := d.ReplyWithDelivery(ctx, actor, ref, body)
	return m, err
}

// ReplyWithDelivery queues an agent's answer to the complainant on the
// ticket's channel and says how it goes out: by email on the thread they
// are on (Store.ReplyAddress), or on WhatsApp, as text within 24 hours of
// their last message and as the reply template after. It is stored
// first and sent by the worker, in one transaction with the work that
// sends it. The ticket then waits on the complainant (pending), and its
// first response time is recorded.
func (d *Desk) ReplyWithDelivery(ctx context.Context, actor ticket.User, ref, body string) (ticket.Message, string, error) {
	body, err := messageBody(body, "balasan")
	if err != nil {
		return ticket.Message{}, "", err
	}
	var m ticket.Message
	delivery := ""
	err = d.store.WithTx(ctx, func(ctx context.Context) error {
		t, err := d.store.TicketByRef(ctx, ref, true)
		if err != nil {
			return err
		}
		if err := mayWork(actor, t); err != nil {
			return err
		}
		to, pnid := "", ""
		switch {
		case t.Channel == ticket.ChannelEmail:
			if to, err = d.store.ReplyAddress(ctx, t.ID); err != nil {
				return err
			}
			delivery = DeliveryEmail
		case t.Channel == ticket.ChannelWhatsApp && d.wa != nil:
			if pnid, to, err = d.wa.Contacts.WhatsAppRecipient(ctx, t.ID); err != nil {
				return err
			}
		}
		if to == "" {
			return &ticket.Error{Code: ticket.EINVALID, Message: "Balasan tidak bisa dikirim untuk tiket ini. / This ticket cannot be answered from here.",
				Fields: map[string]string{"internal": fmt.Sprintf("tiket kanal %s belum bisa dibalas dari sini; tulis catatan internal (internal: true)", t.Channel)}}
		}
		m = ticket.Message{TicketID: t.ID, Direction: ticket.Outbound, Channel: t.Channel, AuthorID: &actor.ID,
			Kind: ticket.KindReply, Status: ticket.DeliveryQueued, Recipient: to,
			Subject: fmt.Sprintf("Re: [%s] %s", t.Number, t.Subject), Body: body}
		if t.Channel == ticket.ChannelWhatsApp {
			m.Subject = ""
		}
		if err := d.store.AddMessage(ctx, &m); err != nil {
			return err
		}
		if t.Channel == ticket.ChannelWhatsApp {
			if delivery, err = d.queueWhatsApp(ctx, t, m, pnid); err != nil {
				return err
			}
		}
		events := []ticket.Event{{TicketID: t.ID, ActorID: &actor.ID, Kind: ticket.EventMessageAdded,
			Data: map[string]any{"message_id": m.ID, "direction": ticket.Outbound}}}
		if t.Status == ticket.StatusNew || t.Status == ticket.StatusOpen {
			events = append(events, ticket.Event{TicketID: t.ID, ActorID: &actor.ID, Kind: ticket.EventStatusChanged,
				Data: map[string]any{"from": t.Status, "to": ticket.StatusPending, "reason": "agent replied"}})
			t.Status = ticket.StatusPending
		}
		if t.SLA.FirstRespondedAt == nil {
			now := time.Now().UTC()
			t.SLA.FirstRespondedAt = &now
		}
		if err := d.store.SaveTicket(ctx, &t); err != nil {
			return err
		}
		if err := d.store.MarkStarted(ctx, t.ID, actor.ID); err != nil {
			return err
		}
		if err := d.store.AddEvents(ctx, events...); err != nil {
			return err
		}
		if t.Channel == ticket.ChannelWhatsApp {
			return nil // the WhatsApp queue wrote its own sending
		}
		return d.store.AddOutbox(ctx, store.TaskNotifyReply, store.TicketTask{TicketID: t.ID, MessageID: m.ID})
	})
	return m, delivery, err
}

// queueWhatsApp queues reply m to the person on WhatsApp ticket t: as
// text while the 24-hour window since their last message is open, else
// as the reply template carrying the ticket number and the text.
func (d *Desk) queueWhatsApp(ctx context.Context, t ticket.Ticket, m ticket.Message, pnid string) (string, error) {
	if pnid == "" {
		pnid = d.wa.PhoneNumberID
	}
	last, err := d.wa.Contacts.LastWhatsAppInbound(ctx, pnid, m.Recipient)
	if err != nil {
		return "", err
	}
	if !last.IsZero() && d.wa.Now().Sub(last) < WhatsAppWindow {
		if utf8.RuneCountInString(m.Body) > maxWhatsAppText {
			return "", &ticket.Error{Code: ticket.EINVALID, Message: "Data tidak valid. / Some fields are invalid.",
				Fields: map[string]string{"body": fmt.Sprintf("balasan WhatsApp paling banyak %d karakter", maxWhatsAppText)}}
		}
		return DeliveryWhatsAppText, d.wa.Queue.QueueWhatsAppText(ctx, pnid, m.Recipient, t.ID, m.ID, m.Body)
	}
	if d.wa.Template == "" {
		return "", &ticket.Error{Code: ticket.EINVALID, Message: "Pelapor terakhir menulis lebih dari 24 jam lalu; template balasan WhatsApp belum dikonfigurasi. / More than 24 hours since the person last wrote, and no WhatsApp reply template is configured.",
			Fields: map[string]string{"body": "di luar jendela 24 jam WhatsApp hanya template yang bisa dikirim"}}
	}
	return DeliveryWhatsAppTemplate, d.wa.Queue.QueueWhatsAppTemplate(ctx, pnid, m.Recipient, t.ID, m.ID,
		d.wa.Template, d.wa.Language, []string{t.Number, templateParam(m.Body)})
}

// templateParam is text as a template parameter may carry it: Meta
// refuses line breaks, tabs and runs of spaces there, and long values.
func templateParam(text string) string {
	s := strings.Join(strings.Fields(text), " ")
	if r := []rune(s); len(r) > 1000 {
		s = string(r[:999]) + "…"
	}
	return s
}
