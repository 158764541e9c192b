package store

import (
	"context"
	"fmt"
	"time"
)

// waRetention are the WhatsApp rows that name people: the webhook bodies
// as Meta sent them, the inbound messages (texts, names, ids, media), the
// outbound ones (texts, recipients). They go after the retention period,
// counted from when they arrived or were queued; the rows stay, emptied,
// for their counts and states.
var waRetention = []struct{ table, at, due, cleared, blob string }{
	{"whatsapp_webhooks", "received_at", "state <> 'received' AND octet_length(body) > 0",
		"body = ''::bytea", ""},
	{"whatsapp_inbound", "received_at", "(message <> '{}'::jsonb OR wa_id <> '' OR user_id <> '' OR media_sha256 IS NOT NULL)",
		"message = '{}'::jsonb, wa_id = '', user_id = '', profile_name = '', sender = '', media_id = '', media_sha256 = NULL, error = ''",
		"media_sha256"},
	{"whatsapp_outbound", "created_at", "state <> 'queued' AND (message <> '{}'::jsonb OR recipient <> '')",
		"message = '{}'::jsonb, recipient = ''", ""},
}

// WhatsAppDue counts the WhatsApp rows PurgeWhatsApp would empty for
// cutoff.
func (s *Store) WhatsAppDue(ctx context.Context, cutoff time.Time) (_ int64, err error) {
	defer wrap(&err, "whatsapp due")
	var total int64
	for _, r := range waRetention {
		var n int64
		err := s.conn(ctx).Raw(`SELECT count(*) FROM `+r.table+` WHERE `+r.at+` < ? AND `+r.due, cutoff).Scan(&n).Error
		if err != nil {
			return 0, wrapRetention("count "+r.table, err)
		}
		total += n
	}
	return total, nil
}

// PurgeWhatsApp empties up to limit rows of each WhatsApp table that
// arrived before cutoff (media queued for deletion like a ticket's), drops
// the statuses, pacing and sender locks of that time, and writes an audit
// row per table and batch. It must run inside WithTx; rows another
// transaction holds are skipped.
func (s *Store) PurgeWhatsApp(ctx context.Context, cutoff time.Time, limit int, reason string) (_ int64, err error) {
	defer wrap(&err, "purge whatsapp")
	db := s.conn(ctx)
	var total int64
	now := s.now().UTC()
	for _, r := range waRetention {
		var ids []int64
		err := db.Raw(`SELECT id FROM `+r.table+` WHERE `+r.at+` < ? AND `+r.due+`
			ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED`, cutoff, limit).Scan(&ids).Error
		if err != nil {
			return 0, wrapRetention("select "+r.table, err)
		}
		if len(ids) == 0 {
			continue
		}
		var steps []string
		if r.blob != "" {
			steps = append(steps, `INSERT INTO retention_blobs (sha256) SELECT DISTINCT `+r.blob+` FROM `+r.table+`
				WHERE id IN @ids AND `+r.blob+` IS NOT NULL ON CONFLICT (sha256) DO NOTHING`)
		}
		steps = append(steps, `UPDATE `+r.table+` SET `+r.cleared+` WHERE id IN @ids`,
			`INSERT INTO audit_log (actor_id, action, subject, reason, at) VALUES (NULL, @action, @subject, @reason, @now)`)
		args := map[string]any{"ids": ids, "now": now, "action": AuditRetentionPurge, "reason": reason,
			"subject": fmt.Sprintf("%s:%d-%d (%d)", r.table, ids[0], ids[len(ids)-1], len(ids))}
		for _, st := range steps {
			if err := db.Exec(st, args).Error; err != nil {
				return 0, wrapRetention("purge "+r.table, err)
			}
		}
		total += int64(len(ids))
	}
	for what, q := range map[string]string{
		"early statuses": `DELETE FROM whatsapp_early_statuses WHERE received_at < ?`,
		"pacing":         `DELETE FROM whatsapp_pace WHERE key LIKE 'person:%' AND next_at < ?`,
		"senders": `DELETE FROM whatsapp_senders s WHERE NOT EXISTS (SELECT 1 FROM whatsapp_inbound i
			WHERE i.sender = s.sender AND (i.received_at >= ? OR i.state = 'pending'))`,
	} {
		if err := db.Exec(q, cutoff).Error; err != nil {
			return 0, wrapRetention("purge whatsapp "+what, err)
		}
	}
	return total, nil
}
