package store

import (
	"context"
	"fmt"
	"time"

	"github.com/aduan/aduan/pkg/ticket"
)

// Audit actions of retention. Purges have no actor: the system does them.
const (
	AuditRetentionPurge     = "retention_purge"
	AuditRetentionAnonymise = "retention_anonymise"
	AuditHoldSet            = "legal_hold_set"
	AuditHoldClear          = "legal_hold_clear"
)

// PurgeCounts says what a purge took away, or what a dry run would.
type PurgeCounts struct {
	Tickets      int64 `json:"tickets"`
	Messages     int64 `json:"messages"`     // messages whose texts go
	RawMails     int64 `json:"raw_mails"`    // raw mails and webhook bodies let go of
	Attachments  int64 `json:"attachments"`  // stored photos and files let go of
	Bytes        int64 `json:"bytes"`        // the size of those attachments
	Complainants int64 `json:"complainants"` // complainants anonymised
	MailLists    int64 `json:"mail_lists"`   // ignored and quarantined mails emptied
}

// Add sums c and o.
func (c PurgeCounts) Add(o PurgeCounts) PurgeCounts {
	return PurgeCounts{Tickets: c.Tickets + o.Tickets, Messages: c.Messages + o.Messages,
		RawMails: c.RawMails + o.RawMails, Attachments: c.Attachments + o.Attachments,
		Bytes: c.Bytes + o.Bytes, Complainants: c.Complainants + o.Complainants, MailLists: c.MailLists + o.MailLists}
}

// dueTickets selects the finished tickets past the cutoff that are neither
// purged nor on hold. A resolved or closed ticket has a finished_at (kept
// by a trigger), and one that is reopened loses it.
const dueTickets = `SELECT t.id, t.complainant_id FROM tickets t
	WHERE t.purged_at IS NULL AND t.finished_at IS NOT NULL AND t.finished_at < @cutoff
		AND t.status IN ('resolved', 'closed')
		AND NOT EXISTS (SELECT 1 FROM ticket_holds h WHERE h.ticket_id = t.id)`

// RetentionDue counts what PurgeTickets would take away for cutoff, all
// batches together, without changing anything. Bytes counts each
// attachment once per row, so a photo shared by two tickets counts twice;
// raw mails are counted, their sizes are not recorded.
func (s *Store) RetentionDue(ctx context.Context, cutoff time.Time) (_ PurgeCounts, err error) {
	defer wrap(&err, "retention due")
	var c PurgeCounts
	err = s.conn(ctx).Raw(`WITH due AS (`+dueTickets+`)
		SELECT (SELECT count(*) FROM due) AS tickets,
			(SELECT count(*) FROM messages m JOIN due ON due.id = m.ticket_id
				WHERE m.body <> '' OR m.html <> '' OR m.subject <> '' OR m.raw_sha256 <> '') AS messages,
			(SELECT count(*) FROM messages m JOIN due ON due.id = m.ticket_id WHERE m.raw_sha256 <> '') AS raw_mails,
			(SELECT count(*) FROM attachments a JOIN due ON due.id = a.ticket_id WHERE a.stored) AS attachments,
			(SELECT coalesce(sum(a.size), 0) FROM attachments a JOIN due ON due.id = a.ticket_id WHERE a.stored) AS bytes,
			(SELECT count(*) FROM complainants c WHERE `+notAnonymised+`
				AND EXISTS (SELECT 1 FROM due WHERE due.complainant_id = c.id)
				AND NOT EXISTS (SELECT 1 FROM tickets t WHERE t.complainant_id = c.id AND t.purged_at IS NULL
					AND t.id NOT IN (SELECT id FROM due))) AS complainants`,
		map[string]any{"cutoff": cutoff}).Scan(&c).Error
	if err != nil {
		return c, err
	}
	return c, nil
}

// PurgeTickets purges up to limit tickets finished before cutoff and not on
// hold, the oldest first, and anonymises the complainants left with no
// unpurged ticket; it must run inside WithTx, which makes the batch all or
// nothing. Tickets another transaction holds (a purge running elsewhere, an
// agent reopening one, a hold being set) are skipped, so several workers
// may purge at once, each its own tickets. The blobs the tickets named are
// queued for deletion (QueuedBlobs, UnusedBlobs). Every purge and anonymisation writes an
// audit row; reason says which rule did it.
func (s *Store) PurgeTickets(ctx context.Context, cutoff time.Time, limit int, reason string) (_ PurgeCounts, err error) {
	defer wrap(&err, "purge tickets")
	var c PurgeCounts
	db := s.conn(ctx)
	var due []struct{ ID, ComplainantID int64 }
	err = db.Raw(dueTickets+` ORDER BY t.finished_at, t.id LIMIT @limit FOR UPDATE OF t SKIP LOCKED`,
		map[string]any{"cutoff": cutoff, "limit": limit}).Scan(&due).Error
	if err != nil || len(due) == 0 {
		return c, wrapRetention("select tickets to purge", err)
	}
	ids := make([]int64, len(due))
	people := map[int64]bool{}
	for i, d := range due {
		ids[i] = d.ID
		people[d.ComplainantID] = true
	}
	err = db.Raw(`SELECT
			(SELECT count(*) FROM messages WHERE ticket_id IN @ids
				AND (body <> '' OR html <> '' OR subject <> '' OR raw_sha256 <> '')) AS messages,
			(SELECT count(*) FROM messages WHERE ticket_id IN @ids AND raw_sha256 <> '') AS raw_mails,
			(SELECT count(*) FROM attachments WHERE ticket_id IN @ids AND stored) AS attachments,
			(SELECT coalesce(sum(size), 0) FROM attachments WHERE ticket_id IN @ids AND stored) AS bytes`,
		map[string]any{"ids": ids}).Scan(&c).Error
	if err != nil {
		return c, wrapRetention("count purge", err)
	}
	c.Tickets = int64(len(ids))
	now := s.now().UTC()
	steps := []struct{ what, sql string }{
		{"queue blobs", `INSERT INTO retention_blobs (sha256)
			SELECT raw_sha256 FROM messages WHERE ticket_id IN @ids AND raw_sha256 <> ''
			UNION SELECT sha256 FROM attachments WHERE ticket_id IN @ids AND sha256 <> ''
			UNION SELECT derivative_sha256 FROM attachments WHERE ticket_id IN @ids AND derivative_sha256 <> ''
			ON CONFLICT (sha256) DO NOTHING`},
		// Direction, kind, status and times stay; the texts, the addresses
		// and a delivery error (which quotes the address) go.
		{"purge messages", `UPDATE messages SET subject = '', body = '', html = '', sender = '', recipient = '',
			error = '', raw_sha256 = '' WHERE ticket_id IN @ids`},
		// The kind, type, size and check verdict stay; the name, the bytes
		// and a QR code's text (it names the person) go.
		{"purge attachments", `UPDATE attachments SET filename = '', sha256 = '', derivative_sha256 = '',
			refused_reason = CASE WHEN stored THEN @purged ELSE refused_reason END, stored = false,
			"check" = "check" - 'qr_payload', purged_at = @now
			WHERE ticket_id IN @ids AND purged_at IS NULL`},
		{"purge tickets", `UPDATE tickets SET subject = '', description = '', purged_at = @now WHERE id IN @ids`},
		{"audit purge", `INSERT INTO audit_log (actor_id, action, subject, reason, at)
			SELECT NULL, @action, 'ticket:' || id, @reason, @now FROM tickets WHERE id IN @ids ORDER BY id`},
	}
	args := map[string]any{"ids": ids, "now": now, "purged": ticket.RefusedPurged, "action": AuditRetentionPurge,
		"reason": reason}
	for _, st := range steps {
		if err := db.Exec(st.sql, args).Error; err != nil {
			return c, wrapRetention(st.what, err)
		}
	}
	c.Complainants, err = s.anonymise(ctx, people, now, reason)
	return c, err
}

// notAnonymised holds for a complainant with personal data: never
// anonymised, or written to since (a mail linked to them just before they
// were anonymised fills their record again).
const notAnonymised = `(anonymised_at IS NULL OR updated_at > anonymised_at)`

// anonymise clears the personal data of those of people who have no
// unpurged ticket left. Their rows are locked first (in id order, so two
// purges meet without a deadlock): a ticket being linked to one of them
// at the same time either committed before, and keeps them, or waits.
func (s *Store) anonymise(ctx context.Context, people map[int64]bool, now time.Time, reason string) (int64, error) {
	db := s.conn(ctx)
	ids := make([]int64, 0, len(people))
	for id := range people {
		ids = append(ids, id)
	}
	var locked []int64
	if err := db.Raw(`SELECT id FROM complainants WHERE id IN ? AND `+notAnonymised+` ORDER BY id FOR UPDATE`,
		ids).Scan(&locked).Error; err != nil || len(locked) == 0 {
		return 0, wrapRetention("lock complainants", err)
	}
	var gone []int64
	err := db.Raw(`UPDATE complainants c SET name = '', nik = NULL, phone = '', email = '', whatsapp_id = '',
			birth_place = '', birth_date = NULL, nik_warnings = '[]', anonymised_at = @now
		WHERE c.id IN @ids AND NOT EXISTS (SELECT 1 FROM tickets t WHERE t.complainant_id = c.id AND t.purged_at IS NULL)
		RETURNING c.id`, map[string]any{"ids": locked, "now": now}).Scan(&gone).Error
	if err != nil || len(gone) == 0 {
		return 0, wrapRetention("anonymise complainants", err)
	}
	args := map[string]any{"ids": gone, "now": now, "action": AuditRetentionAnonymise, "reason": reason}
	if err := db.Exec(`DELETE FROM complainant_identities WHERE complainant_id IN @ids`, args).Error; err != nil {
		return 0, wrapRetention("forget identities", err)
	}
	if err := db.Exec(`INSERT INTO audit_log (actor_id, action, subject, reason, at)
		SELECT NULL, @action, 'complainant:' || id, @reason, @now FROM complainants WHERE id IN @ids ORDER BY id`, args).Error; err != nil {
		return 0, wrapRetention("audit anonymisation", err)
	}
	return int64(len(gone)), nil
}

func wrapRetention(what string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("retention: %s: %w", what, err)
}
