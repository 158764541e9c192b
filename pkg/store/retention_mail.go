package store

import (
	"context"
	"time"
)

// The mail kept outside tickets: automatic mail that belonged to none
// (ignored_mail) and mail that could not be read (quarantined_mail). Their
// raw bytes name people too, and go after the same period, counted from
// when they arrived.
var mailLists = []struct{ table, cleared, personal string }{
	{"ignored_mail", "raw_sha256 = '', from_address = '', subject = ''", "raw_sha256 <> '' OR from_address <> '' OR subject <> ''"},
	{"quarantined_mail", "raw_sha256 = ''", "raw_sha256 <> ''"},
}

// MailListsDue counts the ignored and quarantined mails PurgeMailLists
// would empty for cutoff.
func (s *Store) MailListsDue(ctx context.Context, cutoff time.Time) (_ int64, err error) {
	defer wrap(&err, "mail lists due")
	var total int64
	for _, l := range mailLists {
		var n int64
		err := s.conn(ctx).Raw(`SELECT count(*) FROM `+l.table+` WHERE created_at < ? AND (`+l.personal+`)`,
			cutoff).Scan(&n).Error
		if err != nil {
			return 0, wrapRetention("count "+l.table, err)
		}
		total += n
	}
	return total, nil
}

// PurgeMailLists empties up to limit ignored and quarantined mails (each
// list) that arrived before cutoff: their raw bytes are queued for
// deletion like a ticket's, the row stays for the lists' counts. It must
// run inside WithTx; rows another transaction holds are skipped. Each
// emptied mail writes an audit row.
func (s *Store) PurgeMailLists(ctx context.Context, cutoff time.Time, limit int, reason string) (_ int64, err error) {
	defer wrap(&err, "purge mail lists")
	var total int64
	for _, l := range mailLists {
		var ids []int64
		err := s.conn(ctx).Raw(`SELECT id FROM `+l.table+` WHERE created_at < ? AND (`+l.personal+`)
			ORDER BY created_at, id LIMIT ? FOR UPDATE SKIP LOCKED`, cutoff, limit).Scan(&ids).Error
		if err != nil {
			return 0, wrapRetention("select "+l.table, err)
		}
		if len(ids) == 0 {
			continue
		}
		args := map[string]any{"ids": ids, "now": s.now().UTC(), "action": AuditRetentionPurge, "reason": reason,
			"kind": l.table + ":"}
		for _, st := range []struct{ what, sql string }{
			{"queue blobs", `INSERT INTO retention_blobs (sha256) SELECT DISTINCT raw_sha256 FROM ` + l.table + `
				WHERE id IN @ids AND raw_sha256 <> '' ON CONFLICT (sha256) DO NOTHING`},
			{"purge", `UPDATE ` + l.table + ` SET ` + l.cleared + ` WHERE id IN @ids`},
			{"audit", `INSERT INTO audit_log (actor_id, action, subject, reason, at)
				SELECT NULL, @action, @kind || id, @reason, @now FROM ` + l.table + ` WHERE id IN @ids ORDER BY id`},
		} {
			if err := s.conn(ctx).Exec(st.sql, args).Error; err != nil {
				return 0, wrapRetention(st.what+" "+l.table, err)
			}
		}
		total += int64(len(ids))
	}
	return total, nil
}
