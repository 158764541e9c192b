package blob_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/aduan/aduan/pkg/blob"
	"github.com/aduan/aduan/pkg/blob/blobtest"
	"github.com/aduan/aduan/pkg/ticket"
)

// backend is a blob store under test, with a way to damage what it holds
// behind its back.
type backend struct {
	store blob.Store
	// corrupt replaces the bytes stored under sum.
	corrupt func(t *testing.T, sum string, data []byte)
}

// backends returns each kind of blob store: the data directory and an
// S3 bucket on a versitygw of the test's own.
func backends(t *testing.T) map[string]backend {
	t.Helper()
	dir, err := blob.NewDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	gw := blobtest.Start(t)
	bucket, err := blob.NewBucket(context.Background(), gw.Config())
	if err != nil {
		t.Fatal(err)
	}
	raw := rawClient(t, gw)
	return map[string]backend{
		"dir": {store: dir, corrupt: func(t *testing.T, sum string, data []byte) {
			if err := os.WriteFile(dir.Path(sum), data, 0o640); err != nil {
				t.Fatal(err)
			}
		}},
		"s3": {store: bucket, corrupt: func(t *testing.T, sum string, data []byte) {
			if _, err := raw.PutObject(context.Background(), blobtest.Bucket, sum, bytes.NewReader(data), int64(len(data)),
				minio.PutObjectOptions{}); err != nil {
				t.Fatal(err)
			}
		}},
	}
}

func rawClient(t *testing.T, gw *blobtest.Gateway) *minio.Client {
	c, err := minio.New(gw.Addr, &minio.Options{Creds: credentials.NewStaticV4(blobtest.AccessKey, blobtest.SecretKey, "")})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func randomBytes(seed uint64, n int) []byte {
	var key [32]byte
	key[0] = byte(seed)
	b := make([]byte, n)
	rand.NewChaCha8(key).Read(b)
	return b
}

func sumOf(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func readAll(t *testing.T, s blob.Store, sum string) ([]byte, error) {
	t.Helper()
	f, err := s.Open(sum)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}

func TestPutOpen(t *testing.T) {
	for name, b := range backends(t) {
		t.Run(name, func(t *testing.T) {
			// Empty, small, a mail, and past what a bucket spools in memory.
			for i, n := range []int{0, 1, 4097, 828 << 10, 9<<20 + 3} {
				data := randomBytes(uint64(i), n)
				for range 2 { // the second Put finds the bytes there
					sum, size, err := b.store.Put(bytes.NewReader(data))
					if err != nil || sum != sumOf(data) || size != int64(n) {
						t.Fatalf("Put(%d bytes) = %s, %d, %v", n, sum, size, err)
					}
				}
				if err := b.store.Sync(); err != nil {
					t.Fatal(err)
				}
				got, err := readAll(t, b.store, sumOf(data))
				if err != nil || !bytes.Equal(got, data) {
					t.Fatalf("%d bytes read back as %d (%v)", n, len(got), err)
				}
			}
			for _, sum := range []string{sumOf([]byte("never stored")), "../../etc/passwd"} {
				if _, err := b.store.Open(sum); ticket.ErrorCode(err) != ticket.ENOTFOUND {
					t.Errorf("Open(%q) = %v, want ENOTFOUND", sum, err)
				}
			}
		})
	}
}

// Bytes that do not hash to their key are never read as whole: not when
// read to the end, not when a reader stops at the size it was told.
func TestOpenCorrupt(t *testing.T) {
	for name, b := range backends(t) {
		t.Run(name, func(t *testing.T) {
			for _, damage := range []struct {
				name string
				bad  func([]byte) []byte
			}{
				{"cut short", func(d []byte) []byte { return d[:len(d)/2] }},
				{"emptied", func([]byte) []byte { return nil }},
				{"one byte changed", func(d []byte) []byte {
					d = bytes.Clone(d)
					d[len(d)-1] ^= 1
					return d
				}},
			} {
				t.Run(damage.name, func(t *testing.T) {
					data := randomBytes(9, 300<<10)
					sum, _, err := b.store.Put(bytes.NewReader(data))
					if err != nil {
						t.Fatal(err)
					}
					bad := damage.bad(data)
					b.corrupt(t, sum, bad)
					got, err := readAll(t, b.store, sum)
					if !errors.Is(err, blob.ErrCorrupt) || len(got) >= len(bad) && len(bad) > 0 {
						t.Fatalf("damaged blob read as %d of %d bytes, err %v; want ErrCorrupt before its end", len(got), len(bad), err)
					}
					f, err := b.store.Open(sum)
					if err != nil {
						t.Fatal(err)
					}
					defer f.Close()
					size, err := f.Seek(0, io.SeekEnd)
					if err != nil {
						t.Fatal(err)
					}
					if _, err := f.Seek(0, io.SeekStart); err != nil {
						t.Fatal(err)
					}
					// As http.ServeContent reads: exactly size bytes.
					if n, err := io.CopyN(io.Discard, f, size); size > 0 && (n == size || !errors.Is(err, blob.ErrCorrupt)) {
						t.Fatalf("CopyN of the damaged blob's %d bytes = %d, %v; want ErrCorrupt before the end", size, n, err)
					}
				})
			}
		})
	}
}

func TestDelete(t *testing.T) {
	ctx := context.Background()
	for name, b := range backends(t) {
		t.Run(name, func(t *testing.T) {
			sum, _, err := b.store.Put(bytes.NewReader([]byte("foto KTP")))
			if err != nil {
				t.Fatal(err)
			}
			// Written just now: the row naming it may still be on its way.
			if gone, err := b.store.Delete(ctx, sum, time.Now().Add(-time.Hour)); err != nil || gone {
				t.Fatalf("Delete of a blob written just now = %v, %v; want kept", gone, err)
			}
			if _, err := readAll(t, b.store, sum); err != nil {
				t.Fatalf("the kept blob does not read: %v", err)
			}
			if gone, err := b.store.Delete(ctx, sum, time.Now().Add(time.Minute)); err != nil || !gone {
				t.Fatalf("Delete = %v, %v; want deleted", gone, err)
			}
			if _, err := b.store.Open(sum); ticket.ErrorCode(err) != ticket.ENOTFOUND {
				t.Fatalf("a deleted blob opens: %v", err)
			}
			if gone, err := b.store.Delete(ctx, sum, time.Now()); err != nil || !gone {
				t.Fatalf("Delete of a missing blob = %v, %v; want gone", gone, err)
			}
			if _, err := b.store.Delete(ctx, "../../etc/passwd", time.Now()); err == nil {
				t.Fatal("Delete took a key that is not a sha256")
			}
		})
	}
}
