// Package taskstest gives tests a Redis server of their own, so queues and
// task ids never mix between tests running at once, and a test can stop
// and restart Redis to see what an outage does.
package taskstest

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// Redis is a private redis-server listening on a unix socket.
type Redis struct {
	t      testing.TB
	dir    string
	Socket string
	URL    string // unix:// URL for go-redis and REDIS_URL
	cmd    *exec.Cmd
}

// NewRedis starts a redis-server for t and stops it in t.Cleanup.
func NewRedis(t testing.TB) *Redis {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Fatalf("taskstest: redis-server not found (run scripts/provision.sh): %v", err)
	}
	dir, err := os.MkdirTemp("", "aduan-redis-") // short path: unix sockets allow ~100 bytes
	if err != nil {
		t.Fatal(err)
	}
	r := &Redis{t: t, dir: dir, Socket: filepath.Join(dir, "redis.sock")}
	r.URL = "unix://" + r.Socket
	r.Start()
	t.Cleanup(func() {
		r.Stop()
		os.RemoveAll(dir)
	})
	return r
}

// Start runs the server (again, after Stop) and waits until it answers.
func (r *Redis) Start() {
	r.t.Helper()
	r.cmd = exec.Command("redis-server", "--port", "0", "--unixsocket", r.Socket, "--unixsocketperm", "700",
		"--save", "", "--appendonly", "no", "--dir", r.dir, "--logfile", filepath.Join(r.dir, "redis.log"))
	if err := r.cmd.Start(); err != nil {
		r.t.Fatalf("taskstest: start redis-server: %v", err)
	}
	c := r.Client()
	defer c.Close()
	deadline := time.Now().Add(10 * time.Second)
	for c.Ping(context.Background()).Err() != nil {
		if time.Now().After(deadline) {
			r.t.Fatalf("taskstest: redis-server did not answer: %s", r.logTail())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Stop kills the server, as an outage would; its data is gone.
func (r *Redis) Stop() {
	if r.cmd == nil || r.cmd.Process == nil {
		return
	}
	_ = r.cmd.Process.Kill()
	_ = r.cmd.Wait()
	r.cmd = nil
	_ = os.Remove(r.Socket)
}

// Client returns a new go-redis client for the server.
func (r *Redis) Client() *redis.Client {
	return redis.NewClient(&redis.Options{Network: "unix", Addr: r.Socket, DialTimeout: time.Second,
		ReadTimeout: time.Second, WriteTimeout: time.Second, MaxRetries: -1})
}

func (r *Redis) logTail() string {
	f, err := os.Open(filepath.Join(r.dir, "redis.log"))
	if err != nil {
		return err.Error()
	}
	defer f.Close()
	var lines []string
	s := bufio.NewScanner(f)
	for s.Scan() {
		lines = append(lines, s.Text())
	}
	if len(lines) > 10 {
		lines = lines[len(lines)-10:]
	}
	return fmt.Sprint(strings.Join(lines, "\n"))
}
