package store

import (
	"context"
	"time"

	"github.com/aduan/aduan/pkg/ticket"
)

// NewTicket is everything a new ticket brings with it.
type NewTicket struct {
	// Complainant is created (ID 0) with its identities, or, when Changed,
	// updated; its identities are linked either way.
	Complainant *ticket.Complainant
	Changed     bool
	Ticket      *ticket.Ticket
	Message     *ticket.Message // the inbound message that opened it
	Attachments []ticket.Attachment
	Event       *ticket.Event // the created event
	Tasks       []string      // outbox work, each with {ticket_id, message_id}
}

// openTicketSQL writes a new ticket and all that comes with it in one
// statement (casts are spelled CAST(@x AS t): gorm does not see a named
// parameter followed by ::), so the busiest path of the help desk is one round trip:
// complainant, identities, ticket (numbered from its id), message,
// attachments, event and outbox rows, atomically.
const openTicketSQL = `
WITH c_new AS (
    INSERT INTO complainants (name, nik, phone, email, whatsapp_id, birth_place, birth_date, nik_warnings,
        created_at, updated_at)
    SELECT @cname, @cnik, @cphone, @cemail, @cwa, @cplace, @cbirth, CAST(@nikwarn AS jsonb), @ts, @ts
    WHERE CAST(@cid AS bigint) = 0
    RETURNING id
), c_upd AS (
    UPDATE complainants SET name = @cname, nik = @cnik, phone = @cphone, email = @cemail, whatsapp_id = @cwa,
        birth_place = @cplace, birth_date = @cbirth, nik_warnings = CAST(@nikwarn AS jsonb), updated_at = @ts
    WHERE id = CAST(@cid AS bigint) AND CAST(@upd AS boolean)
), c AS (
    SELECT id FROM c_new UNION ALL SELECT CAST(@cid AS bigint) WHERE CAST(@cid AS bigint) <> 0
), idents AS (
    INSERT INTO complainant_identities (kind, value, complainant_id)
    SELECT x.kind, x.value, c.id FROM c, jsonb_to_recordset(CAST(@idents AS jsonb)) AS x(kind text, value text)
    ON CONFLICT DO NOTHING
), n AS (
    SELECT nextval('tickets_id_seq') AS id
), t AS (
    INSERT INTO tickets (id, number, channel, category, category_alternatives, status, priority, complainant_id, subject, description,
        call_ref, documents, warnings, created_by, first_responded_at, created_at, updated_at, resolved_at)
    SELECT n.id, @numpfx || CASE WHEN n.id < 1000000 THEN lpad(n.id::text, 6, '0') ELSE n.id::text END,
        @channel, @category, CAST(@catalts AS jsonb), @status, @priority, c.id, @subj, @descr, @callref, CAST(@docs AS jsonb),
        CAST(@warns AS jsonb), @actor, @firstresp, @ts, @ts, @resolved
    FROM n, c
    RETURNING id, number
), m AS (
    INSERT INTO messages (ticket_id, direction, channel, source_id, source_hash, author_id, subject, body,
        raw_sha256, automatic, kind, sender, html, warnings, created_at)
    SELECT t.id, 'inbound', @channel, @src, @hash, @actor, @subj, @body, @rawsha,
        @automatic, @mkind, @sender, @html, CAST(@mwarns AS jsonb), @ts
    FROM t
    RETURNING id
), a AS (
    INSERT INTO attachments (ticket_id, message_id, filename, content_type, size, sha256, stored, refused_reason,
        kind, created_at)
    SELECT t.id, m.id, x.filename, x.content_type, x.size, x.sha256, x.stored, x.refused_reason, x.kind, @ts
    FROM t, m, jsonb_to_recordset(CAST(@atts AS jsonb)) AS x(filename text, content_type text, size bigint,
        sha256 text, stored boolean, refused_reason text, kind text)
    RETURNING id
), e AS (
    INSERT INTO ticket_events (ticket_id, actor_id, kind, data, at)
    SELECT t.id, @actor, @evkind, CAST(@evdata AS jsonb), @ts FROM t
    RETURNING id
), o AS (
    INSERT INTO outbox (task_type, payload)
    SELECT task, jsonb_build_object('ticket_id', t.id, 'message_id', m.id)
    FROM t, m, jsonb_array_elements_text(CAST(@tasks AS jsonb)) WITH ORDINALITY AS x(task, ord)
    ORDER BY x.ord
)
SELECT t.id AS ticket_id, t.number, c.id AS complainant_id, m.id AS message_id, e.id AS event_id,
    (SELECT coalesce(jsonb_agg(id ORDER BY id), '[]') FROM a)::text AS attachment_ids
FROM t, m, e, c`

type attachmentIn struct {
	Filename      string `json:"filename"`
	ContentType   string `json:"content_type"`
	Size          int64  `json:"size"`
	SHA256        string `json:"sha256"`
	Stored        bool   `json:"stored"`
	RefusedReason string `json:"refused_reason"`
	Kind          string `json:"kind"`
}

// OpenTicket writes nt in one statement and fills in the ids, the ticket
// number and the times. A source id seen before fails with a unique
// violation of ConstraintMessageSource, a NIK another complainant holds
// with one of the NIK constraints.
func (s *Store) OpenTicket(ctx context.Context, nt NewTicket) (err error) {
	defer wrap(&err, "open ticket")
	c, t, m := nt.Complainant, nt.Ticket, nt.Message
	now := s.now().UTC()
	t.CreatedAt, t.UpdatedAt, m.CreatedAt = now, now, now
	crow := toDBComplainant(c)
	type identity struct {
		Kind  string `json:"kind"`
		Value string `json:"value"`
	}
	idents := []identity{}
	for _, id := range c.Identities() {
		idents = append(idents, identity{string(id.Kind), id.Value})
	}
	atts := make([]attachmentIn, len(nt.Attachments))
	for i, a := range nt.Attachments {
		kind := string(a.Kind)
		if kind == "" {
			kind = string(ticket.KindUnknown)
		}
		atts[i] = attachmentIn{a.Filename, a.ContentType, a.Size, a.SHA256, a.Stored, a.RefusedReason, kind}
	}
	var resolvedAt *time.Time
	if t.Status == ticket.StatusResolved || t.Status == ticket.StatusClosed {
		resolvedAt = &now
	}
	trow := toDBTicket(t)
	var out struct {
		TicketID, ComplainantID, MessageID, EventID int64
		Number, AttachmentIDs                       string
	}
	err = s.conn(ctx).Raw(openTicketSQL, map[string]any{
		"cid": c.ID, "upd": nt.Changed, "cname": crow.Name, "cnik": crow.NIK, "cphone": crow.Phone,
		"cemail": crow.Email, "cwa": crow.WhatsAppID, "cplace": crow.BirthPlace,
		"cbirth": crow.BirthDate, "nikwarn": jsonText(crow.NIKWarnings), "idents": jsonText(idents),
		"ts": now, "numpfx": numberPrefix(now), "channel": trow.Channel, "category": trow.Category, "catalts": jsonText(trow.CategoryAlts),
		"status": trow.Status, "priority": trow.Priority, "subj": trow.Subject, "descr": trow.Description,
		"callref": trow.CallRef, "docs": jsonText(trow.Documents), "warns": jsonText(trow.Warnings),
		"actor": m.AuthorID, "firstresp": t.SLA.FirstRespondedAt, "resolved": resolvedAt,
		"src": m.SourceID, "hash": m.SourceHash, "body": m.Body, "rawsha": m.RawSHA256,
		"automatic": m.Automatic, "mkind": m.Kind, "sender": m.Sender, "html": m.HTML, "mwarns": jsonText(toDBMessage(m).Warnings),
		"atts": jsonText(atts), "evkind": nt.Event.Kind,
		"evdata": jsonText(nt.Event.Data), "tasks": jsonText(nt.Tasks),
	}).Scan(&out).Error
	if err != nil {
		return err
	}
	c.ID, t.ID, t.Number, t.ComplainantID = out.ComplainantID, out.TicketID, out.Number, out.ComplainantID
	m.ID, m.TicketID = out.MessageID, out.TicketID
	nt.Event.ID, nt.Event.TicketID, nt.Event.At = out.EventID, out.TicketID, now
	var ids []int64
	if err := jsonUnmarshal(out.AttachmentIDs, &ids); err != nil {
		return err
	}
	for i := range nt.Attachments {
		a := &nt.Attachments[i]
		a.ID, a.TicketID, a.MessageID, a.CreatedAt = ids[i], t.ID, m.ID, now
		if a.Kind == "" {
			a.Kind = ticket.KindUnknown
		}
		if a.Check.Verdict == "" {
			a.Check = ticket.Check{Verdict: ticket.VerdictPending, Reasons: []string{}, Scores: map[string]float64{}}
		}
	}
	return nil
}

// numberPrefix is the part of a ticket number before its sequence; the
// statement above pads the sequence as ticket.FormatNumber does.
func numberPrefix(created time.Time) string {
	n := ticket.FormatNumber(created, 0)
	return n[:len(n)-6]
}
