package blob_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"

	"github.com/aduan/aduan/pkg/blob"
	"github.com/aduan/aduan/pkg/blob/blobtest"
	"github.com/aduan/aduan/pkg/ticket"
)

func TestParseBucketURL(t *testing.T) {
	for _, tc := range []struct {
		url  string
		want blob.BucketConfig
		bad  bool
	}{
		{url: "s3://aduan?endpoint=http://127.0.0.1:7070&region=us-east-1",
			want: blob.BucketConfig{Bucket: "aduan", Endpoint: "127.0.0.1:7070", Region: "us-east-1"}},
		{url: "s3://aduan?endpoint=https://s3.example.id", want: blob.BucketConfig{Bucket: "aduan", Endpoint: "s3.example.id", Secure: true}},
		{url: "s3://aduan?region=ap-southeast-3", want: blob.BucketConfig{Bucket: "aduan", Endpoint: "s3.amazonaws.com", Secure: true, Region: "ap-southeast-3"}},
		{url: "s3://key:secret@aduan", bad: true},
		{url: "s3://aduan?endpoint=127.0.0.1:7070", bad: true},
		{url: "s3:///nobucket", bad: true},
	} {
		got, err := blob.ParseBucketURL(tc.url)
		if (err != nil) != tc.bad || !tc.bad && got != tc.want {
			t.Errorf("ParseBucketURL(%q) = %+v, %v; want %+v (error: %v)", tc.url, got, err, tc.want, tc.bad)
		}
	}
}

// objectFile is where the gateway keeps an object on disk.
func objectFile(gw *blobtest.Gateway, sum string) string {
	return filepath.Join(gw.Dir(), "data", blobtest.Bucket, sum)
}

// An object is written once: a second Put of the same bytes sends none,
// but renews the date of an old object, so retention spares bytes that
// came in again for a row not yet committed.
func TestBucketWritesOnce(t *testing.T) {
	ctx := context.Background()
	gw := blobtest.Start(t)
	b, err := blob.NewBucket(ctx, gw.Config())
	if err != nil {
		t.Fatal(err)
	}
	data := randomBytes(3, 200<<10)
	sum, _, err := b.Put(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	first, err := os.Stat(objectFile(gw, sum))
	if err != nil {
		t.Fatalf("the object is not where the gateway keeps it: %v", err)
	}
	if _, _, err := b.Put(bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	again, err := os.Stat(objectFile(gw, sum))
	if err != nil || !os.SameFile(first, again) || !again.ModTime().Equal(first.ModTime()) {
		t.Fatalf("a second Put of the same bytes wrote the object again (%v)", err)
	}

	old := time.Now().Add(-2 * time.Hour)
	if err := os.Chtimes(objectFile(gw, sum), old, old); err != nil {
		t.Fatal(err)
	}
	raw := rawClient(t, gw)
	if info, err := raw.StatObject(ctx, blobtest.Bucket, sum, minio.StatObjectOptions{}); err != nil || info.LastModified.After(old.Add(time.Second)) {
		t.Fatalf("the object's date as the gateway gives it = %v, %v; want two hours ago", info.LastModified, err)
	}
	if _, _, err := b.Put(bytes.NewReader(data)); err != nil { // the same photo comes in again
		t.Fatal(err)
	}
	if gone, err := b.Delete(ctx, sum, time.Now().Add(-time.Hour)); err != nil || gone {
		t.Fatalf("Delete of a blob Put again just now = %v, %v; want kept", gone, err)
	}
	if got, err := readAll(t, b, sum); err != nil || !bytes.Equal(got, data) {
		t.Fatalf("the renewed object reads as %d bytes, %v", len(got), err)
	}
}

// killingProxy forwards connections to the gateway and kills it once
// after limit bytes went towards it.
type killingProxy struct {
	l     net.Listener
	gw    *blobtest.Gateway
	limit int64
	sent  atomic.Int64
	once  sync.Once
	armed atomic.Bool
}

func newKillingProxy(t *testing.T, gw *blobtest.Gateway, limit int64) *killingProxy {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &killingProxy{l: l, gw: gw, limit: limit}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go p.serve(c)
		}
	}()
	return p
}

func (p *killingProxy) serve(c net.Conn) {
	defer c.Close()
	up, err := net.Dial("tcp", p.gw.Addr)
	if err != nil {
		return
	}
	defer up.Close()
	go func() { io.Copy(c, up); c.Close() }()
	buf := make([]byte, 32<<10)
	for {
		n, err := c.Read(buf)
		if n > 0 {
			if _, werr := up.Write(buf[:n]); werr != nil {
				return
			}
			if p.armed.Load() && p.sent.Add(int64(n)) > p.limit {
				p.once.Do(p.gw.Kill)
			}
		}
		if err != nil {
			return
		}
	}
}

// The gateway dies while a large blob is on its way: Put fails, and no
// part of the blob is ever found, listed or read; once the gateway is
// back, the same Put stores it whole.
func TestBucketKilledMidPut(t *testing.T) {
	ctx := context.Background()
	gw := blobtest.Start(t)
	proxy := newKillingProxy(t, gw, 8<<20)
	cfg := gw.Config()
	cfg.Endpoint, cfg.MaxRetries = proxy.l.Addr().String(), 2
	b, err := blob.NewBucket(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	data := randomBytes(5, 24<<20)
	sum := sumOf(data)
	proxy.armed.Store(true)
	if got, _, err := b.Put(bytes.NewReader(data)); err == nil {
		t.Fatalf("Put succeeded (%s) though the gateway was killed %d bytes into it", got, proxy.limit)
	}
	if gw.Pid() != 0 {
		t.Fatal("the gateway was not killed during the Put")
	}
	if _, err := os.Stat(objectFile(gw, sum)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the killed gateway left an object named %s on disk (%v)", sum, err)
	}
	gw.Restart()
	if _, err := b.Open(sum); ticket.ErrorCode(err) != ticket.ENOTFOUND {
		t.Fatalf("Open of the blob whose Put failed = %v, want ENOTFOUND", err)
	}
	for obj := range rawClient(t, gw).ListObjects(ctx, blobtest.Bucket, minio.ListObjectsOptions{Recursive: true}) {
		t.Errorf("the bucket holds %q (%d bytes, %v) after the failed Put", obj.Key, obj.Size, obj.Err)
	}
	proxy.armed.Store(false)
	if got, size, err := b.Put(bytes.NewReader(data)); err != nil || got != sum || size != int64(len(data)) {
		t.Fatalf("Put after the restart = %s, %d, %v", got, size, err)
	}
	if got, err := readAll(t, b, sum); err != nil || !bytes.Equal(got, data) {
		t.Fatalf("the blob reads back as %d bytes, %v", len(got), err)
	}
}

// The gateway dies while a blob is being read: the reader fails, it never
// ends as if the bytes were whole.
func TestBucketKilledMidRead(t *testing.T) {
	ctx := context.Background()
	gw := blobtest.Start(t)
	b, err := blob.NewBucket(ctx, gw.Config())
	if err != nil {
		t.Fatal(err)
	}
	data := randomBytes(6, 16<<20)
	sum, _, err := b.Put(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	f, err := b.Open(sum)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := io.ReadFull(f, make([]byte, 1<<20)); err != nil {
		t.Fatal(err)
	}
	gw.Kill()
	n, err := io.Copy(io.Discard, f)
	if err == nil {
		t.Fatalf("reading on after the gateway died ended cleanly after %d more bytes", n)
	}
}

// The gateway refuses bytes that do not match the sha256 Put sends with
// them, which is what makes a Put that returned mean the bytes are there.
func TestBucketChecksTheSum(t *testing.T) {
	ctx := context.Background()
	gw := blobtest.Start(t)
	core := minio.Core{Client: rawClient(t, gw)}
	data := []byte("isi pengaduan")
	wrong := sumOf([]byte("lain"))
	_, err := core.PutObject(ctx, blobtest.Bucket, wrong, bytes.NewReader(data), int64(len(data)), "", wrong,
		minio.PutObjectOptions{DisableContentSha256: true})
	if err == nil {
		t.Fatal("the gateway took bytes that do not match the sha256 sent with them")
	}
}
