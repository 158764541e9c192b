package store

import "context"

// blobColumns names every column that holds a blob's sum. A new table
// that keeps blobs must be added here, or retention would delete bytes it
// still names.
var blobColumns = []struct{ table, column string }{
	{"messages", "raw_sha256"},
	{"attachments", "sha256"},
	{"attachments", "derivative_sha256"},
	{"quarantined_mail", "raw_sha256"},
	{"ignored_mail", "raw_sha256"},
	{"whatsapp_inbound", "media_sha256"},
}

// QueuedBlobs locks up to limit of the blobs purges let go of, in the
// order of their sums from after on, and returns their sums; it must run
// inside WithTx. Sums another transaction holds are skipped, so several
// workers share them.
func (s *Store) QueuedBlobs(ctx context.Context, after string, limit int) (_ []string, err error) {
	defer wrap(&err, "queued blobs")
	var sums []string
	err = s.conn(ctx).Raw(`SELECT sha256 FROM retention_blobs WHERE sha256 > ?
		ORDER BY sha256 LIMIT ? FOR UPDATE SKIP LOCKED`, after, limit).Scan(&sums).Error
	return sums, err
}

// UnusedBlobs returns those of the queued sums that no row names any more.
func (s *Store) UnusedBlobs(ctx context.Context, sums []string) (_ []string, err error) {
	defer wrap(&err, "unused blobs")
	if len(sums) == 0 {
		return nil, nil
	}
	q := "SELECT r.sha256 FROM retention_blobs r WHERE r.sha256 IN ?"
	for _, c := range blobColumns {
		q += " AND NOT EXISTS (SELECT 1 FROM " + c.table + " WHERE " + c.column + " = r.sha256)"
	}
	var unused []string
	err = s.conn(ctx).Raw(q+" ORDER BY r.sha256", sums).Scan(&unused).Error
	return unused, err
}

// ForgetQueuedBlobs takes sums off the queue: deleted, or still in use.
func (s *Store) ForgetQueuedBlobs(ctx context.Context, sums []string) (err error) {
	defer wrap(&err, "forget queued blobs")
	if len(sums) == 0 {
		return nil
	}
	return s.conn(ctx).Exec(`DELETE FROM retention_blobs WHERE sha256 IN ?`, sums).Error
}

// QueuedBlobCount returns how many blobs wait to be deleted.
func (s *Store) QueuedBlobCount(ctx context.Context) (_ int64, err error) {
	defer wrap(&err, "queued blob count")
	var n int64
	err = s.conn(ctx).Raw(`SELECT count(*) FROM retention_blobs`).Scan(&n).Error
	return n, err
}
