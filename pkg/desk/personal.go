package desk

import (
	"context"
	"fmt"
	"io"

	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/ticket"
)

// Audit actions.
const (
	AuditNIKReveal          = "nik_reveal"
	AuditMessageReveal      = "message_reveal"
	AuditAttachmentDownload = "attachment_download"
)

// Reveal returns a complainant's full NIK and records who asked and why.
// A reason is required (ticket.CheckRevealReason); a NIK typed into it is
// masked before it is stored.
func (d *Desk) Reveal(ctx context.Context, actor ticket.User, complainantID int64, reason string) (string, error) {
	reason, err := ticket.CheckRevealReason(reason)
	if err != nil {
		return "", err
	}
	var nik string
	err = d.store.WithTx(ctx, func(ctx context.Context) error {
		c, err := d.store.ComplainantByID(ctx, complainantID)
		if err != nil {
			return err
		}
		nik = c.NIK
		return d.store.AddAudit(ctx, ticket.AuditEntry{ActorID: actor.ID, Action: AuditNIKReveal,
			Subject: fmt.Sprintf("complainant:%d", c.ID), Reason: ticket.MaskText(reason)})
	})
	return nik, err
}

// RevealMessage returns a message of the ticket ref as it was written,
// without the masking of what agents see by default (ticket.MaskText), and
// records who asked and why, like Reveal.
func (d *Desk) RevealMessage(ctx context.Context, actor ticket.User, ref string, messageID int64, reason string) (ticket.Message, error) {
	reason, err := ticket.CheckRevealReason(reason)
	if err != nil {
		return ticket.Message{}, err
	}
	var m ticket.Message
	err = d.store.WithTx(ctx, func(ctx context.Context) error {
		t, err := d.store.TicketByRef(ctx, ref, false)
		if err != nil {
			return err
		}
		if m, err = d.store.MessageByID(ctx, messageID); err != nil {
			return err
		}
		if m.TicketID != t.ID {
			return ticket.Errorf(ticket.ENOTFOUND, "Pesan tidak ditemukan. / Message not found.")
		}
		return d.store.AddAudit(ctx, ticket.AuditEntry{ActorID: actor.ID, Action: AuditMessageReveal,
			Subject: fmt.Sprintf("message:%d", m.ID), Reason: ticket.MaskText(reason)})
	})
	return m, err
}

// OpenAttachment returns an attachment and its bytes, and records who
// looked at it: document photos are personal data.
func (d *Desk) OpenAttachment(ctx context.Context, actor ticket.User, ref string, id int64) (ticket.Attachment, io.ReadSeekCloser, error) {
	var a ticket.Attachment
	err := d.store.WithTx(ctx, func(ctx context.Context) error {
		t, err := d.store.TicketByRef(ctx, ref, false)
		if err != nil {
			return err
		}
		if a, err = d.store.Attachment(ctx, t.ID, id); err != nil {
			return err
		}
		switch {
		case a.TooLarge():
			return ticket.Errorf(ticket.ENOTFOUND, "Lampiran ini tidak disimpan karena melebihi batas ukuran. / "+
				"This attachment was not stored: it was over the size limit.")
		case !a.Stored:
			return ticket.Errorf(ticket.ENOTFOUND, "Lampiran ini tidak disimpan (%s). / This attachment was not stored.", a.RefusedReason)
		}
		return d.store.AddAudit(ctx, ticket.AuditEntry{ActorID: actor.ID, Action: AuditAttachmentDownload,
			Subject: fmt.Sprintf("attachment:%d", a.ID)})
	})
	if err != nil {
		return a, nil, err
	}
	f, err := d.files.Open(a.SHA256)
	return a, f, err
}

// Lookup is a complainant with their tickets, newest first.
type Lookup struct {
	Complainant ticket.Complainant
	Tickets     []ticket.Ticket
}

// FindComplainants returns the people known by id and their ticket
// history: what an agent needs while the caller waits.
func (d *Desk) FindComplainants(ctx context.Context, id ticket.Identity) ([]Lookup, error) {
	cs, err := d.store.ComplainantsByIdentity(ctx, id)
	if err != nil {
		return nil, err
	}
	out := make([]Lookup, 0, len(cs))
	for _, c := range cs {
		ts, err := d.store.Tickets(ctx, store.TicketFilter{ComplainantID: c.ID, Limit: 50})
		if err != nil {
			return nil, err
		}
		out = append(out, Lookup{Complainant: c, Tickets: ts})
	}
	return out, nil
}
