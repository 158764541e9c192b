package store

import (
	"context"
	"fmt"

	"github.com/aduan/aduan/pkg/ticket"
)

// The document checks' writes. Each touches only the columns the checks
// own, so an agent saving other fields of the ticket at the same moment
// loses nothing; the caller decides under a ticket lock (TicketByRef with
// forUpdate) when the decision reads more than one row.

// DocumentAttachments returns a ticket's attachments that count as its
// documents, in the order they came: those of every message but automatic
// mail (an auto-reply's logo is nobody's KTP).
func (s *Store) DocumentAttachments(ctx context.Context, ticketID int64) (_ []ticket.Attachment, err error) {
	defer wrap(&err, "document attachments")
	var rows []attachmentRow
	err = s.conn(ctx).Table("attachments a").Select("a.*").Joins("JOIN messages m ON m.id = a.message_id").
		Where("a.ticket_id = ? AND m.kind <> ?", ticketID, ticket.KindAutomatic).Order("a.id").Find(&rows).Error
	if err != nil {
		return nil, err
	}
	out := make([]ticket.Attachment, len(rows))
	for i, r := range rows {
		out[i] = toAttachment(r)
	}
	return out, nil
}

// SaveCheck records the check of one attachment, its kind and the sha256
// of its derivative, in one statement and only while the attachment is
// still pending: a second run of the same check writes nothing. It reports
// whether it wrote.
func (s *Store) SaveCheck(ctx context.Context, id int64, kind ticket.AttachmentKind, c ticket.Check, derivativeSHA256 string) (_ bool, err error) {
	defer wrap(&err, "save check")
	if c.Reasons == nil {
		c.Reasons = []string{}
	}
	if c.Scores == nil {
		c.Scores = map[string]float64{}
	}
	res := s.conn(ctx).Exec(`UPDATE attachments SET "check" = ?::jsonb, kind = ?, derivative_sha256 = ?
		WHERE id = ? AND "check"->>'verdict' = 'pending'`, jsonText(c), string(kind), derivativeSHA256, id)
	return res.RowsAffected == 1, res.Error
}

// DerivativeSHA256 returns the sha256 of an attachment's derivative, ""
// when it has none (not checked yet, or not an image).
func (s *Store) DerivativeSHA256(ctx context.Context, attachmentID int64) (_ string, err error) {
	defer wrap(&err, "derivative sha256")
	var sum []string
	err = s.conn(ctx).Raw("SELECT derivative_sha256 FROM attachments WHERE id = ?", attachmentID).Scan(&sum).Error
	if err != nil {
		return "", err
	}
	if len(sum) == 0 {
		return "", ticket.Errorf(ticket.ENOTFOUND, "Lampiran tidak ditemukan. / Attachment not found.")
	}
	return sum[0], nil
}

// SaveDocuments writes a ticket's documents summary, and nothing else of
// the ticket.
func (s *Store) SaveDocuments(ctx context.Context, ticketID int64, d ticket.Documents) (err error) {
	defer wrap(&err, "save documents")
	return s.conn(ctx).Exec("UPDATE tickets SET documents = ?::jsonb, updated_at = ? WHERE id = ?",
		jsonText(d), s.now().UTC(), ticketID).Error
}

// SetStatus moves a ticket from one status to another, and nothing else
// of it; it reports false, changing nothing, when the ticket is no longer
// in from. The caller checks the transition and records the event.
func (s *Store) SetStatus(ctx context.Context, ticketID int64, from, to ticket.Status) (_ bool, err error) {
	defer wrap(&err, "set status")
	res := s.conn(ctx).Exec("UPDATE tickets SET status = ?, updated_at = ? WHERE id = ? AND status = ?",
		string(to), s.now().UTC(), ticketID, string(from))
	return res.RowsAffected == 1, res.Error
}

// DocumentsMemory is what the document checks remember of a ticket.
type DocumentsMemory struct {
	// Decided is the fingerprint of the checked attachments the last
	// decision (to needs_info, back to open) was made on; "" before any.
	Decided string
	// Requested are the keys of the requests made to the complainant.
	Requested []string
}

// DocumentsMemory returns what the document checks remember of a ticket.
func (s *Store) DocumentsMemory(ctx context.Context, ticketID int64) (_ DocumentsMemory, err error) {
	defer wrap(&err, "documents memory")
	var rows []struct {
		Decided   string
		Requested string
	}
	err = s.conn(ctx).Raw(`SELECT documents_decided AS decided, documents_requested::text AS requested
		FROM tickets WHERE id = ?`, ticketID).Scan(&rows).Error
	if err != nil {
		return DocumentsMemory{}, err
	}
	if len(rows) == 0 {
		return DocumentsMemory{}, ticket.Errorf(ticket.ENOTFOUND, "Tiket tidak ditemukan. / Ticket not found.")
	}
	m := DocumentsMemory{Decided: rows[0].Decided}
	if err := jsonUnmarshal(rows[0].Requested, &m.Requested); err != nil {
		return DocumentsMemory{}, fmt.Errorf("documents_requested of ticket %d: %w", ticketID, err)
	}
	return m, nil
}

// RememberDocuments records the fingerprint a documents decision was made
// on and, unless it is "", the key of the request made with it (once).
func (s *Store) RememberDocuments(ctx context.Context, ticketID int64, decided, requested string) (err error) {
	defer wrap(&err, "remember documents")
	add := []string{}
	if requested != "" {
		add = append(add, requested)
	}
	return s.conn(ctx).Exec(`UPDATE tickets SET documents_decided = ?, documents_requested = CASE
			WHEN documents_requested @> ?::jsonb THEN documents_requested
			ELSE documents_requested || ?::jsonb END
		WHERE id = ?`, decided, jsonText(add), jsonText(add), ticketID).Error
}

// LastStatusChange returns the latest status_changed event of a ticket,
// or ENOTFOUND when its status never changed.
func (s *Store) LastStatusChange(ctx context.Context, ticketID int64) (_ ticket.Event, err error) {
	defer wrap(&err, "last status change")
	var row eventRow
	err = s.conn(ctx).Where("ticket_id = ? AND kind = ?", ticketID, ticket.EventStatusChanged).
		Order("id DESC").Take(&row).Error
	if err != nil {
		return ticket.Event{}, notFound(err, "Perubahan status")
	}
	return ticket.Event{ID: row.ID, TicketID: row.TicketID, ActorID: row.ActorID, Kind: row.Kind, Data: row.Data,
		At: row.At}, nil
}

// OpeningMessageID returns the id of the message that opened a ticket.
func (s *Store) OpeningMessageID(ctx context.Context, ticketID int64) (_ int64, err error) {
	defer wrap(&err, "opening message id")
	var ids []int64
	err = s.conn(ctx).Raw("SELECT id FROM messages WHERE ticket_id = ? ORDER BY id LIMIT 1", ticketID).
		Scan(&ids).Error
	if err != nil || len(ids) == 0 {
		return 0, err
	}
	return ids[0], nil
}

// ImageReuse is a file of one ticket that another ticket received too
// (the same sha256), from a complainant with another NIK.
type ImageReuse struct {
	AttachmentID      int64  // on the ticket asked about
	OtherTicketID     int64  //
	OtherNumber       string // the other ticket's number
	OtherAttachmentID int64
}

// ImageReuses finds, for a ticket, each other ticket holding one of its
// photos or PDFs (not other files, not automatic mail) whose complainant
// has another NIK; both NIKs must be known. One row per other ticket. It
// reads attachments_sha256_idx.
func (s *Store) ImageReuses(ctx context.Context, ticketID int64) (_ []ImageReuse, err error) {
	defer wrap(&err, "image reuses")
	var out []ImageReuse
	err = s.conn(ctx).Raw(`SELECT DISTINCT ON (o.ticket_id) a.id AS attachment_id, o.ticket_id AS other_ticket_id,
			ot.number AS other_number, o.id AS other_attachment_id
		FROM attachments a
		JOIN messages am ON am.id = a.message_id
		JOIN tickets t ON t.id = a.ticket_id
		JOIN complainants c ON c.id = t.complainant_id
		JOIN attachments o ON o.sha256 = a.sha256 AND o.ticket_id <> a.ticket_id
		JOIN messages om ON om.id = o.message_id
		JOIN tickets ot ON ot.id = o.ticket_id
		JOIN complainants oc ON oc.id = ot.complainant_id
		WHERE a.ticket_id = ? AND a.sha256 <> '' AND a.kind <> 'other' AND o.kind <> 'other'
			AND am.kind <> ? AND om.kind <> ?
			AND c.nik <> '' AND oc.nik <> '' AND oc.nik <> c.nik
		ORDER BY o.ticket_id, a.id, o.id`, ticketID, ticket.KindAutomatic, ticket.KindAutomatic).Scan(&out).Error
	return out, err
}

// FlagTicket adds warning to a ticket's warnings and records e with it,
// once: when the ticket already carries the warning it changes nothing
// and reports false. One statement, so a concurrent flag of the same
// ticket waits for this one and then finds the warning.
func (s *Store) FlagTicket(ctx context.Context, ticketID int64, warning string, e ticket.Event) (_ bool, err error) {
	defer wrap(&err, "flag ticket")
	data := e.Data
	if data == nil {
		data = map[string]any{}
	}
	now := s.now().UTC()
	res := s.conn(ctx).Exec(`WITH u AS (
			UPDATE tickets SET warnings = warnings || jsonb_build_array(?::text), updated_at = ?
			WHERE id = ? AND NOT warnings @> jsonb_build_array(?::text)
			RETURNING id)
		INSERT INTO ticket_events (ticket_id, actor_id, kind, data, at)
		SELECT id, ?::bigint, ?, ?::jsonb, ? FROM u`,
		warning, now, ticketID, warning, e.ActorID, e.Kind, jsonText(data), now)
	return res.RowsAffected == 1, res.Error
}
