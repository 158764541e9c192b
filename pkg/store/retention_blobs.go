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
}

// QueuedBlobs locks up to limit of the blobs purges let go of, in the
// order of their sums from after on, and returns their sums; it must run
// inside WithTx. Sums another transaction holds are skipped, so several
// workers share them.
func (s *Store) QueuedBlobs(ctx context.Context, after string, limit int) ([]string, error) {
	var sums []string
	err := s.conn(ctx).Raw(`SELECT sha256 FROM retention_blobs WHERE sha256 > ?
		ORDER BY sha256 LIMIT ? FOR UPDATE SKIP LOCKED`, after, limit).Scan(&sums).Error
	return sums, wrapRetention("select queued blobs", err)
}

// BlobInUse reports whether any row still names the blob sum.
func (s *Store) BlobInUse(ctx context.Context, sum string) (bool, error) {
	q := "SELECT EXISTS (SELECT 1 FROM messages WHERE raw_sha256 = @sum)"
	for _, c := range blobColumns[1:] {
		q += " OR EXISTS (SELECT 1 FROM " + c.table + " WHERE " + c.column + " = @sum)"
	}
	var used bool
	err := s.conn(ctx).Raw(q, map[string]any{"sum": sum}).Scan(&used).Error
	return used, wrapRetention("check blob use", err)
}

// ForgetQueuedBlob takes sum off the queue: deleted, or still in use.
func (s *Store) ForgetQueuedBlob(ctx context.Context, sum string) error {
	return wrapRetention("forget queued blob", s.conn(ctx).Exec(`DELETE FROM retention_blobs WHERE sha256 = ?`, sum).Error)
}

// QueuedBlobCount returns how many blobs wait to be deleted.
func (s *Store) QueuedBlobCount(ctx context.Context) (int64, error) {
	var n int64
	err := s.conn(ctx).Raw(`SELECT count(*) FROM retention_blobs`).Scan(&n).Error
	return n, wrapRetention("count queued blobs", err)
}
