package app_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// buildAduan compiles cmd/aduan into a temporary folder and returns the
// binary's path. It is built the way the test binary was (-race or not),
// so it reuses the packages the test build already compiled.
func buildAduan(t *testing.T) string {
	t.Helper()
	goCmd, err := exec.LookPath("go")
	if err != nil {
		goCmd = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	bin := filepath.Join(t.TempDir(), "aduan")
	args := []string{"build", "-o", bin}
	if raceBuild {
		args = append(args, "-race")
	}
	args = append(args, "github.com/aduan/aduan/cmd/aduan")
	start := time.Now()
	out, err := exec.Command(goCmd, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("go build cmd/aduan: %v\n%s", err, out)
	}
	t.Logf("built aduan (race=%v) in %s", raceBuild, time.Since(start).Round(time.Millisecond))
	return bin
}

// aduanProc is one aduan command running as its own OS process, its log
// (JSON lines on stderr) kept in a file.
type aduanProc struct {
	name    string
	cmd     *exec.Cmd
	logPath string
	done    chan struct{} // closed when the process ended
	err     error         // what Wait returned; read after done
	killed  bool          // the test killed it on purpose
	addr    string        // where `serve` listens
}

// startAduan runs bin with args and env; the process is stopped (SIGTERM,
// then SIGKILL) in t.Cleanup, and must then exit cleanly unless the test
// killed it.
func startAduan(t *testing.T, bin, dir, name string, env []string, args ...string) *aduanProc {
	t.Helper()
	p := &aduanProc{name: name, logPath: filepath.Join(dir, name+".log"), done: make(chan struct{})}
	logFile, err := os.Create(p.logPath)
	if err != nil {
		t.Fatal(err)
	}
	p.cmd = exec.Command(bin, args...)
	p.cmd.Env, p.cmd.Stdout, p.cmd.Stderr = env, logFile, logFile
	if err := p.cmd.Start(); err != nil {
		logFile.Close()
		t.Fatalf("start %s: %v", name, err)
	}
	go func() {
		p.err = p.cmd.Wait()
		logFile.Close()
		close(p.done)
	}()
	t.Cleanup(func() { p.stop(t) })
	return p
}

// exited reports whether the process has ended.
func (p *aduanProc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// kill ends the process with SIGKILL, as a crash or an OOM kill does:
// nothing of it runs after, no deferred function, no graceful shutdown.
func (p *aduanProc) kill(t *testing.T) {
	t.Helper()
	p.killed = true
	if err := p.cmd.Process.Kill(); err != nil && !p.exited() {
		t.Fatalf("kill %s: %v", p.name, err)
	}
	<-p.done
}

// stop asks the process to shut down as an operator's stop does and waits
// for it; a survivor must exit cleanly.
func (p *aduanProc) stop(t *testing.T) {
	if !p.exited() {
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(40 * time.Second):
			_ = p.cmd.Process.Kill()
			<-p.done
			t.Errorf("%s did not stop within 40s of SIGTERM", p.name)
		}
		if p.err != nil {
			t.Errorf("%s exited with %v after SIGTERM", p.name, p.err)
		}
	}
	if races := strings.Count(strings.Join(p.logLines(), "\n"), "WARNING: DATA RACE"); races > 0 {
		t.Errorf("%s: the race detector reported %d data races", p.name, races)
	}
	if t.Failed() {
		t.Logf("log of %s (killed=%v, exit %v), last lines:\n%s", p.name, p.killed, p.err, p.logTail(40))
	}
}

// logLines returns the process's log so far.
func (p *aduanProc) logLines() []string {
	b, err := os.ReadFile(p.logPath)
	if err != nil {
		return nil
	}
	return strings.Split(strings.TrimRight(string(b), "\n"), "\n")
}

func (p *aduanProc) logTail(n int) string {
	lines := p.logLines()
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// waitListening waits for `serve` to log the address it listens on, then
// for it to answer /readyz.
func (p *aduanProc) waitListening(t *testing.T, timeout time.Duration) {
	t.Helper()
	waitFor(t, timeout, p.name+" listening", func() (bool, string) {
		for _, line := range p.logLines() {
			var l struct{ Msg, Addr string }
			if json.Unmarshal([]byte(line), &l) == nil && l.Msg == "listening" && l.Addr != "" {
				p.addr = l.Addr
				return true, ""
			}
		}
		return false, "no listening line in its log"
	}, p)
	waitFor(t, timeout, p.name+" ready", func() (bool, string) {
		resp, err := http.Get("http://" + p.addr + "/readyz")
		if err != nil {
			return false, err.Error()
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK, resp.Status
	}, p)
}

// waitFor polls cond every 100 ms until it holds, failing after timeout,
// or as soon as one of the processes that must keep running ended.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() (bool, string), running ...*aduanProc) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ok, state := cond()
		if ok {
			return
		}
		for _, p := range running {
			if p.exited() {
				t.Fatalf("waiting for %s: %s ended: %v\n%s", what, p.name, p.err, p.logTail(20))
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s (last: %s)", what, timeout, state)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// runAduan runs one short aduan command (such as `user add`) to its end.
func runAduan(t *testing.T, bin string, env []string, stdin string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env, cmd.Stdin = env, strings.NewReader(stdin)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("aduan %s: %v\n%s", strings.Join(args, " "), err, out.String())
	}
	return out.String()
}

// childEnv is the environment of the aduan processes: this one's, without
// any Aduan setting of the machine it runs on (its blob store included:
// the test runs its own), plus settings.
func childEnv(settings ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "ADUAN_") || name == "DATABASE_URL" || name == "REDIS_URL" {
			continue
		}
		env = append(env, kv)
	}
	return append(env, settings...)
}

// countLogLines counts the lines of r whose msg is msg.
func countLogLines(r io.Reader, msg string) int {
	n := 0
	s := bufio.NewScanner(r)
	s.Buffer(make([]byte, 64<<10), 1<<20)
	for s.Scan() {
		var l struct{ Msg string }
		if json.Unmarshal(s.Bytes(), &l) == nil && l.Msg == msg {
			n++
		}
	}
	return n
}

// logCount counts the lines of the process's log whose msg is msg.
func (p *aduanProc) logCount(msg string) int {
	f, err := os.Open(p.logPath)
	if err != nil {
		return 0
	}
	defer f.Close()
	return countLogLines(f, msg)
}

func (p *aduanProc) String() string { return fmt.Sprintf("%s (pid %d)", p.name, p.cmd.Process.Pid) }
