package whatsapp

import (
	"context"
	"fmt"

	"github.com/aduan/aduan/pkg/intake"
	"github.com/aduan/aduan/pkg/ticket"
)

// escalation is a ticket the conversation opens.
type escalation struct {
	category  ticket.Category
	priority  ticket.Priority // the default when empty
	subject   string
	complaint string
	// reply is what the person is told, given the ticket number;
	// txtTicketOpened when nil.
	reply    func(number string) string
	awaitKTP bool
}

// complainant is what the conversation knows of the person: their
// WhatsApp id always, the phone number only once the code proved it, the
// name and NIK when typed. The Ingester links them to the complainant
// the help desk knows by any of these, so the agent sees their email and
// call history too.
func (t *turn) complainant() ticket.Complainant {
	c := ticket.Complainant{WhatsAppID: t.waID, Phone: t.st.Verified, Name: t.st.Name}
	if c.Name == "" {
		if name, err := ticket.NormalizeName(t.in.Contact.Name); err == nil {
			c.Name = name
		}
	}
	if t.st.NIK != "" {
		if info, err := ticket.ParseNIK(t.st.NIK, t.now); err == nil {
			c.NIK, c.NIKWarnings = t.st.NIK, info.Warnings
		}
	}
	return c
}

// escalate opens a ticket on the whatsapp channel whose first message is
// the conversation so far, and from then on passes what the person
// writes to it. The bot's answer, with the ticket number, is the
// acknowledgement: no other is sent.
func (t *turn) escalate(ctx context.Context, e escalation) error {
	t.st.record(t.now, true, "[diteruskan ke petugas]")
	res, err := t.Tickets.Ingest(ctx, intake.Inbound{
		Channel: ticket.ChannelWhatsApp, SourceID: t.in.Message.ID, Complainant: t.complainant(),
		Category: e.category, Priority: e.priority, Subject: e.subject,
		Body: t.st.transcriptText(), Complaint: e.complaint, Sender: t.waID,
	})
	if err != nil {
		return fmt.Errorf("open ticket: %w", err)
	}
	reply := e.reply
	if reply == nil {
		reply = txtTicketOpened
	}
	keep := state{Seq: t.st.Seq, Verified: t.st.Verified, Name: t.st.Name, NIK: t.st.NIK,
		AwaitKTP: e.awaitKTP, TicketNo: res.Ticket.Number}
	t.st = keep
	t.conv.Step, t.conv.TicketID = stepTicket, res.Ticket.ID
	t.say(reply(res.Ticket.Number))
	return nil
}

// toTicket passes the message onto the escalated ticket, and reports
// whether it did. A ticket that is gone or closed ends the hand-over:
// the message is then answered by the bot (false).
func (t *turn) toTicket(ctx context.Context) (bool, error) {
	tk, err := t.Store.TicketByRef(ctx, fmt.Sprint(t.conv.TicketID), false)
	if ticket.ErrorCode(err) == ticket.ENOTFOUND || (err == nil && tk.Status == ticket.StatusClosed) {
		number := t.st.TicketNo
		t.reset()
		if number != "" {
			t.say(txtTicketClosed(number))
		}
		return false, nil
	} else if err != nil {
		return false, err
	}
	m := t.in.Message
	if m.Reply != nil {
		// A button of the menus the person left: the bot is not listening
		// to them while an agent is.
		t.say(txtStale + " " + txtForwardedHint(tk.Number))
		return true, nil
	}
	if m.Type != "text" && t.in.Media == nil {
		t.say(txtUnsupportedTicket(tk.Number))
		return true, nil
	}
	item := intake.Inbound{Channel: ticket.ChannelWhatsApp, SourceID: m.ID, ThreadTicketID: tk.ID,
		Complainant: ticket.Complainant{WhatsAppID: t.waID}, Body: t.text(), Sender: t.waID}
	ktp := false
	if t.in.Media != nil {
		a := *t.in.Media
		a.ID, a.TicketID, a.MessageID = 0, 0, 0
		if a.Kind == "" {
			a.Kind = ticket.KindUnknown
		}
		if t.st.AwaitKTP && m.Type == "image" {
			// Asked for as the KTP: the checks confirm it is one.
			a.Kind, ktp = ticket.KindKTP, true
		}
		item.Attachments = []ticket.Attachment{a}
	}
	res, err := t.Tickets.Ingest(ctx, item)
	if err != nil {
		return false, fmt.Errorf("add to ticket %d: %w", tk.ID, err)
	}
	t.conv.TicketID, t.st.TicketNo = res.Ticket.ID, res.Ticket.Number
	if ktp {
		t.st.AwaitKTP = false
		t.say(txtKTPReceived(res.Ticket.Number))
		return true, nil
	}
	t.say(txtForwarded(res.Ticket.Number))
	return true, nil
}
