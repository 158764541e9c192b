package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/aduan/aduan/pkg/blob"
	"github.com/aduan/aduan/pkg/blob/blobtest"
)

// A data directory moves into a bucket: every blob checked read back, a
// file a crash cut short left out, and a second run sends nothing but
// mends an object damaged in the bucket.
func TestBlobCopy(t *testing.T) {
	ctx := context.Background()
	gw := blobtest.Start(t)
	dataDir := t.TempDir()
	t.Setenv("ADUAN_DATA_DIR", dataDir)
	t.Setenv("ADUAN_BLOB_URL", gw.URL())
	t.Setenv("ADUAN_S3_ACCESS_KEY", blobtest.AccessKey)
	t.Setenv("ADUAN_S3_SECRET_KEY", blobtest.SecretKey)

	dir, err := blob.NewDir(dataDir)
	if err != nil {
		t.Fatal(err)
	}
	var sums []string
	for i := range 5 {
		sum, _, err := dir.Put(strings.NewReader(fmt.Sprintf("lampiran %d: %s", i, strings.Repeat("x", i*100000))))
		if err != nil {
			t.Fatal(err)
		}
		sums = append(sums, sum)
	}
	if err := os.Truncate(dir.Path(sums[4]), 10); err != nil { // a crash cut it short
		t.Fatal(err)
	}

	out, err := aduan(t, "", "blob", "copy", "--workers", "3")
	if err != nil || !strings.Contains(out, "copied 4 ") || !strings.Contains(out, "already there 0, corrupt in the folder 1, failed 0") {
		t.Fatalf("blob copy: %v\n%s", err, out)
	}
	bucket, err := blob.NewBucket(ctx, gw.Config())
	if err != nil {
		t.Fatal(err)
	}
	for _, sum := range sums[:4] {
		f, err := bucket.Open(sum)
		if err != nil {
			t.Fatalf("blob %s not in the bucket: %v", sum, err)
		}
		_, err = io.Copy(io.Discard, f)
		f.Close()
		if err != nil {
			t.Fatalf("blob %s in the bucket does not read whole: %v", sum, err)
		}
	}
	if _, err := bucket.Open(sums[4]); err == nil {
		t.Fatal("the file cut short was copied")
	}

	// Damaged in the bucket behind its back; the second run mends it and sends nothing else.
	raw, err := minio.New(gw.Addr, &minio.Options{Creds: credentials.NewStaticV4(blobtest.AccessKey, blobtest.SecretKey, "")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.PutObject(ctx, blobtest.Bucket, sums[1], bytes.NewReader([]byte("rusak")), 5, minio.PutObjectOptions{}); err != nil {
		t.Fatal(err)
	}
	out, err = aduan(t, "", "blob", "copy")
	if err != nil || !strings.Contains(out, "copied 1 ") || !strings.Contains(out, "already there 3, corrupt in the folder 1, failed 0") {
		t.Fatalf("second blob copy: %v\n%s", err, out)
	}

	t.Setenv("ADUAN_BLOB_URL", "")
	if _, err := aduan(t, "", "blob", "copy"); err == nil {
		t.Fatal("blob copy without a bucket succeeded")
	}
}
