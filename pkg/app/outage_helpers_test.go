package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/aduan/aduan/pkg/app"
	"github.com/aduan/aduan/pkg/internal/logtest"
	"github.com/aduan/aduan/pkg/store/storetest"
	"github.com/aduan/aduan/pkg/tasks"
	"github.com/aduan/aduan/pkg/tasks/taskstest"
	"github.com/aduan/aduan/pkg/ticket"
)

// outageEnv is one App on a fresh database and a private Redis that the
// test may stop and start, with one agent who serves every queue.
type outageEnv struct {
	*app.App
	dbURL string
	redis *taskstest.Redis
	logs  *logtest.Buffer
	agent ticket.User
	token string
}

func newOutageEnv(t *testing.T) *outageEnv {
	t.Helper()
	_, dbURL := storetest.New(t)
	rds := taskstest.NewRedis(t)
	cfg := app.DefaultConfig()
	cfg.DatabaseURL, cfg.RedisURL, cfg.DataDir = dbURL, rds.URL, t.TempDir()
	cfg.WorkerConcurrency = 4
	logs := &logtest.Buffer{}
	a, err := app.New(context.Background(), cfg, app.NewLogger(logs, "info"))
	if err != nil {
		t.Fatalf("app.New: %v", err)
	}
	// Registered after the database and Redis, so it runs before they go.
	t.Cleanup(func() {
		if err := a.Close(); err != nil {
			t.Errorf("close app: %v", err)
		}
		if t.Failed() {
			t.Logf("aduan's log:\n%s", logs.String())
		}
	})
	e := &outageEnv{App: a, dbURL: dbURL, redis: rds, logs: logs}
	e.agent, err = a.AddUser(context.Background(), app.NewUser{Email: "agen.outage@aduan.test", Name: "Budi Agen",
		Role: ticket.RoleAgent, Password: "kata-sandi-uji-123", Capacity: 100})
	if err != nil {
		t.Fatalf("add agent: %v", err)
	}
	e.token = fmt.Sprintf("outage-token-%d-%d", e.agent.ID, time.Now().UnixNano())
	if err := a.Store.CreateToken(context.Background(), e.agent.ID, e.token, time.Now().Add(time.Hour)); err != nil {
		t.Fatalf("create token: %v", err)
	}
	return e
}

// call sends one request to the API at base as the agent and returns the
// status and the body.
func (e *outageEnv) call(t *testing.T, base, method, path string, body any) (int, []byte) {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, base+path, r)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+e.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := (&http.Client{Timeout: 15 * time.Second}).Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	return resp.StatusCode, out
}

// outageCall is the i-th call-center complaint: each caller has their own
// NIK (the serial varies) and phone.
func outageCall(i int) map[string]any {
	return map[string]any{
		"channel":     "callcenter",
		"category":    "certificate_missing",
		"description": "Sertifikat vaksin dosis kedua belum muncul di aplikasi PeduliLindungi.",
		"call_ref":    fmt.Sprintf("CALL-OUTAGE-%02d", i),
		"complainant": map[string]any{
			"name":  "Siti Aminah",
			"nik":   fmt.Sprintf("32010145088500%02d", i+1),
			"phone": fmt.Sprintf("+62812345678%02d", i+1),
		},
	}
}

// outagePart is something the test runs in a goroutine until it cancels it.
type outagePart struct {
	name   string
	cancel context.CancelFunc
	done   chan struct{}
	err    error // what run returned; read after done
}

// runOutagePart runs fn until stop, or the end of the test, cancels it;
// the cleanup is registered last, so it runs before the App, Redis and the
// database go.
func runOutagePart(t *testing.T, name string, fn func(ctx context.Context) error) *outagePart {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	b := &outagePart{name: name, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(b.done)
		b.err = fn(ctx)
	}()
	t.Cleanup(func() { b.stop(t) })
	return b
}

// stop cancels fn and waits for it to return; safe to call again.
func (b *outagePart) stop(t *testing.T) {
	t.Helper()
	b.cancel()
	select {
	case <-b.done:
		if b.err != nil {
			t.Errorf("%s: %v", b.name, b.err)
			b.err = nil
		}
	case <-time.After(30 * time.Second):
		t.Errorf("%s did not return within 30s of being cancelled", b.name)
	}
}

// pollOutage polls cond until it holds, failing after timeout, or as soon
// as one of the running parts returns on its own.
func pollOutage(t *testing.T, timeout time.Duration, what string, cond func() (bool, string), running ...*outagePart) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ok, state := cond()
		if ok {
			return
		}
		for _, b := range running {
			select {
			case <-b.done:
				t.Fatalf("waiting for %s: %s stopped: %v", what, b.name, b.err)
			default:
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s (last: %s)", what, timeout, state)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// outageTaskState is the state of an asynq task, or why it could not be read.
func outageTaskState(insp *asynq.Inspector, taskType, id string) (asynq.TaskState, int, string) {
	info, err := insp.GetTaskInfo(tasks.QueueFor(taskType), id)
	if err != nil {
		return 0, 0, err.Error()
	}
	return info.State, info.Retried, info.State.String()
}

// count runs a counting query on the test's database.
func (e *outageEnv) count(t *testing.T, sql string, args ...any) int {
	t.Helper()
	return storetest.Count(t, e.dbURL, sql, args...)
}

// events counts a ticket's events of one kind.
func (e *outageEnv) events(t *testing.T, ticketID int64, kind string) int {
	t.Helper()
	return e.count(t, "SELECT count(*) FROM ticket_events WHERE ticket_id = $1 AND kind = $2", ticketID, kind)
}

// effects renders everything the background work may change about a
// ticket: its row, its events, its attachments' checks and the work it
// wrote to the outbox. Two equal renderings mean nothing changed between.
func (e *outageEnv) effects(t *testing.T, ticketID int64) string {
	t.Helper()
	ctx := context.Background()
	tk, err := e.Store.TicketByRef(ctx, fmt.Sprint(ticketID), false)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "status=%s queue=%q priority=%s assignee=%s documents=%+v warnings=%q updated=%s\n",
		tk.Status, tk.Queue, tk.Priority, assigneeOf(tk), tk.Documents, tk.Warnings, tk.UpdatedAt.Format(time.RFC3339Nano))
	evs, err := e.Store.Events(ctx, ticketID)
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range evs {
		fmt.Fprintf(&b, "event %d %s %v\n", ev.ID, ev.Kind, ev.Data)
	}
	atts, err := e.Store.Attachments(ctx, ticketID)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range atts {
		fmt.Fprintf(&b, "attachment %d %s %s %q %v\n", a.ID, a.Kind, a.Check.Verdict, a.Check.Reasons, a.Check.Scores)
	}
	fmt.Fprintf(&b, "outbox rows=%d", e.count(t,
		"SELECT count(*) FROM outbox WHERE (payload->>'ticket_id')::bigint = $1", ticketID))
	return b.String()
}

// assigneeOf is the id of the ticket's agent, or "none".
func assigneeOf(tk ticket.Ticket) string {
	if tk.AssigneeID == nil {
		return "none"
	}
	return fmt.Sprint(*tk.AssigneeID)
}

// outageJPEG is a small photo, different for each i.
func outageJPEG(t *testing.T, i int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 96, 64))
	for y := range 64 {
		for x := range 96 {
			img.Set(x, y, color.RGBA{R: uint8(60 * i), G: uint8(x * 2), B: uint8(y * 4), A: 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
