// Package blobtest runs a real S3 server for tests: versitygw, an S3
// gateway over a folder, started on a free loopback port.
package blobtest

import (
	"context"
	"errors"
	"go/build"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/aduan/aduan/pkg/blob"
)

// Root credentials of the gateways tests start; they only ever listen on
// loopback.
const (
	AccessKey = "aduan-test"
	SecretKey = "aduan-test-secret"
	Bucket    = "aduan-blobs"
)

// Gateway is a versitygw process serving one bucket from a test's
// temporary folder.
type Gateway struct {
	t    testing.TB
	bin  string
	dir  string
	Addr string     // 127.0.0.1:port
	mu   sync.Mutex // Kill may come from another goroutine (a proxy)
	cmd  *exec.Cmd
	done chan struct{}
}

// Binary returns versitygw's path: on PATH, in GOBIN, or in GOPATH/bin
// (where scripts/provision.sh s3 installs it). Without it the test is
// skipped, except in CI, where every test must run.
func Binary(t testing.TB) string {
	t.Helper()
	if p, err := exec.LookPath("versitygw"); err == nil {
		return p
	}
	for _, dir := range []string{os.Getenv("GOBIN"), filepath.Join(build.Default.GOPATH, "bin")} {
		if p := filepath.Join(dir, "versitygw"); dir != "" && isFile(p) {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("versitygw not found on PATH, in GOBIN or GOPATH/bin: run scripts/provision.sh s3")
	}
	t.Skip("versitygw not found on PATH, in GOBIN or GOPATH/bin: run scripts/provision.sh s3 to test the S3 blob store")
	return ""
}

func isFile(p string) bool {
	info, err := os.Stat(p)
	return err == nil && info.Mode().IsRegular()
}

// Start starts a gateway with an empty bucket; it is stopped when the
// test ends.
func Start(t testing.TB) *Gateway {
	t.Helper()
	g := &Gateway{t: t, bin: Binary(t), dir: t.TempDir(), Addr: freeAddr(t)}
	for _, d := range []string{"data", "meta"} {
		if err := os.MkdirAll(filepath.Join(g.dir, d), 0o750); err != nil {
			t.Fatal(err)
		}
	}
	g.Restart()
	t.Cleanup(g.Kill)
	client, err := minio.New(g.Addr, &minio.Options{Creds: credentials.NewStaticV4(AccessKey, SecretKey, "")})
	if err != nil {
		t.Fatal(err)
	}
	if err := client.MakeBucket(context.Background(), Bucket, minio.MakeBucketOptions{}); err != nil {
		t.Fatalf("make bucket: %v", err)
	}
	return g
}

func freeAddr(t testing.TB) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// Config is the bucket's configuration, as blob.NewBucket takes it.
func (g *Gateway) Config() blob.BucketConfig {
	return blob.BucketConfig{Bucket: Bucket, Endpoint: g.Addr, Region: "us-east-1",
		AccessKey: AccessKey, SecretKey: SecretKey, TempDir: g.t.TempDir()}
}

// URL is the bucket as ADUAN_BLOB_URL names it.
func (g *Gateway) URL() string {
	return "s3://" + Bucket + "?endpoint=http://" + g.Addr + "&region=us-east-1"
}

// Restart starts the gateway (again) over the same folder and port and
// returns once it answers.
func (g *Gateway) Restart() {
	g.t.Helper()
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.cmd != nil {
		g.t.Fatal("the gateway is running")
	}
	log, err := os.OpenFile(filepath.Join(g.dir, "versitygw.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o640)
	if err != nil {
		g.t.Fatal(err)
	}
	defer log.Close()
	cmd := exec.Command(g.bin, "--access", AccessKey, "--secret", SecretKey, "--port", g.Addr, "--quiet",
		"posix", "--sidecar", filepath.Join(g.dir, "meta"), filepath.Join(g.dir, "data"))
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		g.t.Fatalf("start versitygw: %v", err)
	}
	g.cmd, g.done = cmd, make(chan struct{})
	go func(done chan struct{}) { cmd.Wait(); close(done) }(g.done)
	for deadline := time.Now().Add(30 * time.Second); ; {
		if c, err := net.DialTimeout("tcp", g.Addr, time.Second); err == nil {
			c.Close()
			return
		}
		select {
		case <-g.done:
			out, _ := os.ReadFile(filepath.Join(g.dir, "versitygw.log"))
			g.cmd = nil
			g.t.Fatalf("versitygw exited: %s", out)
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			g.t.Fatalf("versitygw did not listen on %s within 30s", g.Addr)
		}
	}
}

// Kill stops the gateway at once (SIGKILL), as a crash would.
func (g *Gateway) Kill() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.cmd == nil {
		return
	}
	if err := g.cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
		g.t.Errorf("kill versitygw: %v", err)
	}
	<-g.done
	g.cmd = nil
}

// Pid is the gateway's process id, 0 when it is stopped.
func (g *Gateway) Pid() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.cmd == nil {
		return 0
	}
	return g.cmd.Process.Pid
}

// String names the gateway for test logs.
func (g *Gateway) String() string {
	return "versitygw on " + g.Addr + " (pid " + strconv.Itoa(g.Pid()) + ")"
}

// Dir is the folder the gateway keeps its buckets in (data/BUCKET/KEY).
func (g *Gateway) Dir() string { return g.dir }
