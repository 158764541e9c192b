package web_test

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/aduan/aduan/pkg/app"
	"github.com/aduan/aduan/pkg/store/storetest"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

// chromiumPath is Debian's chromium, installed by scripts/provision.sh
// browser; nothing ever downloads a browser.
const chromiumPath = "/usr/bin/chromium"

// TestConsoleInBrowser runs the console's end-to-end specs (e2e/run.mjs)
// in a real headless Chromium against the whole app on a fresh database
// with seeded users and tickets. Any failed step, page error or console
// error fails it. Screenshots of every page land in e2e/artifacts/.
func TestConsoleInBrowser(t *testing.T) {
	node := browserTools(t)
	_, dbURL := storetest.New(t)
	cfg := app.DefaultConfig()
	cfg.DatabaseURL = dbURL
	cfg.RedisURL = redisURL()
	cfg.DataDir = t.TempDir()
	cfg.HTTPAddr = "127.0.0.1:0"
	artifacts, err := filepath.Abs(filepath.Join("e2e", "artifacts"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(artifacts, 0o755); err != nil {
		t.Fatal(err)
	}
	logFile, err := os.Create(filepath.Join(artifacts, "server.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a, err := app.New(ctx, cfg, app.NewLogger(logFile, "info"))
	if err != nil {
		t.Fatalf("app.New: %v", err)
	}
	defer a.Close()
	fx := seed(t, ctx, a)
	ready := make(chan string, 1)
	served := make(chan error, 1)
	go func() { served <- a.Serve(ctx, ready) }()
	var addr string
	select {
	case addr = <-ready:
	case err := <-served:
		t.Fatalf("serve: %v", err)
	}
	control := startControl(t, a)
	fx.Base, fx.Control, fx.Artifacts = "http://"+addr, control, artifacts
	b, _ := json.Marshal(fx)

	run, stop := context.WithTimeout(ctx, 4*time.Minute)
	defer stop()
	cmd := exec.CommandContext(run, node, filepath.Join("e2e", "run.mjs"))
	cmd.Env = append(os.Environ(), "E2E_FIXTURE="+string(b), "CHROMIUM="+chromiumPath)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		t.Log(sc.Text())
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("e2e specs failed (%v); screenshots and server.log in %s", err, artifacts)
	}
	cancel()
	if err := <-served; err != nil {
		t.Errorf("serve: %v", err)
	}
}

// browserTools finds node, Chromium and playwright-core; without them the
// test is skipped, except in CI, where they must be there.
func browserTools(t *testing.T) string {
	t.Helper()
	missing := func(what string) {
		msg := what + " missing: run scripts/provision.sh browser"
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		missing("node")
	}
	if _, err := os.Stat(chromiumPath); err != nil {
		missing(chromiumPath)
	}
	if _, err := os.Stat(filepath.Join("node_modules", "playwright-core", "package.json")); err != nil {
		missing("web/node_modules/playwright-core (npm ci in web/)")
	}
	return node
}

func redisURL() string {
	if u := os.Getenv("REDIS_URL"); u != "" {
		return u
	}
	return "redis://127.0.0.1:6379/0"
}
