package app_test

import (
	"context"
	"io"
	"testing"

	"github.com/aduan/aduan/pkg/blob"
)

// mpBlobSums is every blob sum a row names: raw mails, photos and their
// derivatives.
const mpBlobSums = `SELECT raw_sha256 FROM messages WHERE raw_sha256 <> ''
	UNION SELECT sha256 FROM attachments WHERE stored AND sha256 <> ''
	UNION SELECT derivative_sha256 FROM attachments WHERE derivative_sha256 <> ''`

// checkBlobs: every blob a row names is in the bucket and reads back to
// its sha256 (the bucket's reads are verified: bytes that do not hash to
// the name fail the read). No process shares a data directory with
// another, so a blob found only in one would be missing here.
func (c *mpCluster) checkBlobs(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	sums := map[string]bool{}
	for id := c.count(t, "SELECT coalesce(min(id), 0) FROM tickets"); id <= c.count(t, "SELECT coalesce(max(id), 0) FROM tickets"); id++ {
		msgs, err := c.store.Messages(ctx, int64(id))
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range msgs {
			if m.RawSHA256 != "" {
				sums[m.RawSHA256] = true
			}
		}
		atts, err := c.store.Attachments(ctx, int64(id))
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range atts {
			if a.Stored && a.SHA256 != "" {
				sums[a.SHA256] = true
			}
			derivative, err := c.store.DerivativeSHA256(ctx, a.ID)
			if err != nil {
				t.Fatal(err)
			}
			if derivative != "" {
				sums[derivative] = true
			}
		}
	}
	if want := c.count(t, "SELECT count(*) FROM ("+mpBlobSums+") s"); len(sums) != want || want == 0 {
		t.Fatalf("the tickets name %d blobs, the database %d", len(sums), want)
	}
	bucket, err := blob.NewBucket(ctx, c.blobs.Config())
	if err != nil {
		t.Fatal(err)
	}
	var size int64
	for sum := range sums {
		r, err := bucket.Open(sum)
		if err != nil {
			t.Errorf("blob %s: not in the bucket: %v", sum, err)
			continue
		}
		n, err := io.Copy(io.Discard, r)
		r.Close()
		if err != nil {
			t.Errorf("blob %s: does not read back whole: %v", sum, err)
		}
		size += n
	}
	t.Logf("%d blobs (%d bytes) in the bucket, each read back verified", len(sums), size)
}
