package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/aduan/aduan/pkg/documents"
	"github.com/aduan/aduan/pkg/intake"
	"github.com/aduan/aduan/pkg/routing"
	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/tasks"
	"github.com/aduan/aduan/pkg/ticket"
)

// TestRedisOutageLosesNoWork takes call-center tickets while Redis is
// down, runs the worker side through the outage, and brings Redis back:
// every ticket is then routed and assigned once, from outbox rows that
// waited in PostgreSQL and were each relayed once.
func TestRedisOutageLosesNoWork(t *testing.T) {
	t.Parallel() // its database and Redis are its own
	e := newOutageEnv(t)
	srv := httptest.NewServer(e.Handler())
	t.Cleanup(srv.Close)
	ctx := context.Background()

	e.redis.Stop()

	// Taking a complaint needs only PostgreSQL.
	const n = 20
	ids := map[int64]bool{}
	for i := range n {
		status, body := e.call(t, srv.URL, "POST", "/api/v1/tickets", outageCall(i))
		if status != http.StatusCreated {
			t.Fatalf("ticket %d with Redis down: status %d, want 201; body %s", i, status, body)
		}
		var created struct{ ID int64 }
		if err := json.Unmarshal(body, &created); err != nil || created.ID == 0 {
			t.Fatalf("ticket %d: decode %s: %v", i, body, err)
		}
		ids[created.ID] = true
	}
	if len(ids) != n {
		t.Fatalf("%d distinct tickets created, want %d", len(ids), n)
	}
	status, body := e.call(t, srv.URL, "GET", "/readyz", nil)
	var ready struct {
		Status string
		Checks map[string]string
	}
	if err := json.Unmarshal(body, &ready); err != nil {
		t.Fatalf("/readyz: %s: %v", body, err)
	}
	if status != http.StatusServiceUnavailable || ready.Checks["redis"] == "" || ready.Checks["redis"] == "ok" ||
		ready.Checks["postgres"] != "ok" {
		t.Errorf("/readyz with Redis down: %d %s; want 503 naming redis, postgres ok", status, body)
	}

	// The work waits in the outbox, one ticket:route row per ticket.
	work, err := e.Store.PendingOutbox(ctx, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if len(work) != n {
		t.Fatalf("%d outbox rows pending, want %d", len(work), n)
	}
	for _, it := range work {
		var p store.TicketTask
		if err := json.Unmarshal(it.Payload, &p); it.TaskType != store.TaskTicketRoute || err != nil || !ids[p.TicketID] {
			t.Fatalf("outbox row %d: %s %s, want ticket:route of a created ticket", it.ID, it.TaskType, it.Payload)
		}
	}

	// The worker side starts during the outage: the relay fails, backs off
	// and tries again, and every row stays waiting.
	worker := runOutagePart(t, "RunWorker", e.RunWorker)
	pollOutage(t, 30*time.Second, "the relay to fail twice while Redis is down", func() (bool, string) {
		tries := e.count(t, "SELECT coalesce(max(attempts), 0) FROM outbox")
		return tries >= 2, fmt.Sprintf("%d failed relay attempts", tries)
	}, worker)
	if waiting := e.count(t, "SELECT count(*) FROM outbox WHERE relayed_at IS NULL"); waiting != n {
		t.Errorf("outbox rows waiting during the outage = %d, want all %d", waiting, n)
	}
	if lastErr := e.count(t, "SELECT count(*) FROM outbox WHERE last_error <> ''"); lastErr == 0 {
		t.Errorf("no outbox row records the failed relay")
	}
	if routed := e.count(t, "SELECT count(*) FROM tickets WHERE queue <> '' OR assignee_id IS NOT NULL"); routed != 0 {
		t.Errorf("%d tickets routed while Redis was down, want 0", routed)
	}

	e.redis.Start()

	insp := asynq.NewInspectorFromRedisClient(e.Redis) // shared client: not closed here
	pollOutage(t, 60*time.Second, "every ticket routed and every task finished after Redis came back", func() (bool, string) {
		assigned := e.count(t, "SELECT count(*) FROM tickets WHERE assignee_id = $1 AND queue <> ''", e.agent.ID)
		states := map[string]int{}
		for _, it := range work {
			_, _, state := outageTaskState(insp, it.TaskType, tasks.TaskID(it.ID))
			states[state]++
		}
		return assigned == n && states[asynq.TaskStateCompleted.String()] == n,
			fmt.Sprintf("%d of %d tickets assigned; tasks %v", assigned, n, states)
	}, worker)

	for id := range ids {
		if got := e.events(t, id, routing.EventRouted); got != 1 {
			t.Errorf("ticket %d: %d routed events, want 1", id, got)
		}
		if got := e.events(t, id, ticket.EventAssigned); got != 1 {
			t.Errorf("ticket %d: %d assigned events, want 1", id, got)
		}
	}
	if got := e.count(t, "SELECT count(*) FROM ticket_events WHERE kind = $1 AND (data->>'to')::bigint = $2",
		ticket.EventAssigned, e.agent.ID); got != n {
		t.Errorf("%d assigned events name the agent, want %d", got, n)
	}
	if got := e.count(t, "SELECT count(*) FROM tickets"); got != n {
		t.Errorf("%d tickets, want %d", got, n)
	}
	if got := e.count(t, "SELECT count(*) FROM outbox"); got != n {
		t.Errorf("%d outbox rows, want %d: nothing new to do", got, n)
	}
	if waiting := e.count(t, "SELECT count(*) FROM outbox WHERE relayed_at IS NULL"); waiting != 0 {
		t.Errorf("%d outbox rows still waiting after Redis came back", waiting)
	}
}

// TestKilledWorkerRunsTaskOnce kills a worker while it holds a task, in
// two places: before the handler did anything, and after the handler's
// effect was committed but before asynq heard it finished. asynq puts the
// unfinished task back in its queue when the worker shuts down
// (Server.Shutdown: "If worker didn't finish processing a task during the
// timeout, the task will be pushed back to Redis"); another worker runs it
// again, and the effect happens once. A third run changes nothing.
func TestKilledWorkerRunsTaskOnce(t *testing.T) {
	t.Parallel()
	for _, kind := range []killedTask{routeTask(), documentsTask(t)} {
		for _, effectFirst := range []bool{false, true} {
			name := kind.taskType + "/killed before its effect"
			if effectFirst {
				name = kind.taskType + "/killed after its effect, before the ack"
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel() // each case has its own database and Redis
				runKilledTask(t, kind, effectFirst)
			})
		}
	}
}

// killedTask is a kind of task a worker is killed in the middle of.
type killedTask struct {
	taskType string
	// open makes a ticket whose outbox holds one row of taskType.
	open func(t *testing.T, e *outageEnv) int64
	// handler is the real handler of taskType.
	handler func(t *testing.T, e *outageEnv) asynq.HandlerFunc
	// none checks that the task has not touched the ticket yet; once, that
	// its effect is there exactly once.
	none, once func(t *testing.T, e *outageEnv, ticketID int64)
}

// runKilledTask relays one task of kind, kills the worker holding it
// (before or after the handler's effect), has a second worker run it, then
// runs it a third time, checking the effect happened exactly once.
func runKilledTask(t *testing.T, kind killedTask, effectFirst bool) {
	e := newOutageEnv(t)
	ctx := context.Background()
	id := kind.open(t, e)
	handle := kind.handler(t, e)
	insp := asynq.NewInspectorFromRedisClient(e.Redis)
	cfg := tasks.WorkerConfig{Concurrency: 1, ShutdownTimeout: 100 * time.Millisecond}

	// The first worker takes the task and is killed while it holds it.
	entered := make(chan struct{})
	var enteredOnce sync.Once
	var firstErr error // what the real handler returned on the first worker; read after entered
	first := tasks.NewWorker(e.Redis, cfg, e.Log)
	first.Handle(kind.taskType, func(ctx context.Context, task *asynq.Task) error {
		var err error
		if effectFirst {
			err = handle(ctx, task)
		}
		enteredOnce.Do(func() { firstErr = err; close(entered) })
		if err != nil {
			return err
		}
		<-ctx.Done() // asynq cancels it after the shutdown timeout, once the task is back in the queue
		return ctx.Err()
	})
	firstRun := runOutagePart(t, "the first worker", first.Run)

	relay := tasks.NewRelay(e.Store, asynq.NewClientFromRedisClient(e.Redis), []string{kind.taskType}, e.Log)
	if n, err := relay.RelayOnce(ctx); n != 1 || err != nil {
		t.Fatalf("RelayOnce = %d, %v; want the ticket's one %s row", n, err, kind.taskType)
	}
	outboxID := int64(e.count(t, "SELECT id FROM outbox WHERE task_type = $1 AND relayed_at IS NOT NULL", kind.taskType))
	taskID := tasks.TaskID(outboxID)

	select {
	case <-entered:
	case <-firstRun.done:
		t.Fatalf("the first worker stopped before taking the task: %v", firstRun.err)
	case <-time.After(30 * time.Second):
		t.Fatalf("the first worker did not take %s within 30s", taskID)
	}
	if firstErr != nil {
		t.Fatalf("the first run of %s: %v", taskID, firstErr)
	}
	firstRun.stop(t)

	state, retried, desc := outageTaskState(insp, kind.taskType, taskID)
	if state != asynq.TaskStatePending || retried != 0 {
		t.Fatalf("task %s after the kill: %s, retried %d; want pending again, no retry counted", taskID, desc, retried)
	}
	if effectFirst {
		kind.once(t, e, id)
	} else {
		kind.none(t, e, id)
	}

	// The second worker runs it again, for real.
	second := tasks.NewWorker(e.Redis, cfg, e.Log)
	second.Handle(kind.taskType, handle)
	secondRun := runOutagePart(t, "the second worker", second.Run)
	waitFinished := func(taskID string) {
		t.Helper()
		pollOutage(t, 30*time.Second, "task "+taskID+" finished", func() (bool, string) {
			state, _, desc := outageTaskState(insp, kind.taskType, taskID)
			return state == asynq.TaskStateCompleted, desc
		}, secondRun)
	}
	waitFinished(taskID)
	kind.once(t, e, id)
	after := e.effects(t, id)

	// A third run, under a new task id, changes nothing.
	info, err := insp.GetTaskInfo(tasks.QueueFor(kind.taskType), taskID)
	if err != nil {
		t.Fatal(err)
	}
	rerun := taskID + ":again"
	if _, err := asynq.NewClientFromRedisClient(e.Redis).EnqueueContext(ctx, asynq.NewTask(kind.taskType, info.Payload),
		asynq.TaskID(rerun), asynq.Queue(tasks.QueueFor(kind.taskType)), asynq.MaxRetry(0), asynq.Retention(time.Hour)); err != nil {
		t.Fatal(err)
	}
	waitFinished(rerun)
	secondRun.stop(t)
	if again := e.effects(t, id); again != after {
		t.Errorf("a third run changed the ticket:\nbefore %s\nafter  %s", after, again)
	}
	kind.once(t, e, id)
}

// routeTask is ticket:route: the effect is the ticket in its queue and
// pushed to the agent.
func routeTask() killedTask {
	return killedTask{
		taskType: store.TaskTicketRoute,
		open: func(t *testing.T, e *outageEnv) int64 {
			res, err := e.Ingester.Ingest(context.Background(), intake.Inbound{Channel: ticket.ChannelCallCenter,
				SourceID: "call:killed-worker", AuthorID: &e.agent.ID, Category: ticket.CategoryCertificateMissing,
				Body: "Sertifikat vaksin dosis kedua belum muncul.", Complainant: ticket.Complainant{Name: "Siti Aminah",
					NIK: "3201014508850001", Phone: "+6281234567801"}})
			if err != nil || !res.Created {
				t.Fatalf("ingest: %+v, %v", res, err)
			}
			return res.Ticket.ID
		},
		handler: func(t *testing.T, e *outageEnv) asynq.HandlerFunc {
			return tasks.NewRouteHandler(e.Router, e.Log).Handle
		},
		none: func(t *testing.T, e *outageEnv, id int64) {
			t.Helper()
			tk, err := e.Store.TicketByRef(context.Background(), fmt.Sprint(id), false)
			if err != nil {
				t.Fatal(err)
			}
			routed, assigned := e.events(t, id, routing.EventRouted), e.events(t, id, ticket.EventAssigned)
			if tk.AssigneeID != nil || tk.Queue != "" || routed != 0 || assigned != 0 {
				t.Fatalf("before any run: queue %q, assignee %s, %d routed and %d assigned events; want none",
					tk.Queue, assigneeOf(tk), routed, assigned)
			}
		},
		once: func(t *testing.T, e *outageEnv, id int64) {
			t.Helper()
			tk, err := e.Store.TicketByRef(context.Background(), fmt.Sprint(id), false)
			if err != nil {
				t.Fatal(err)
			}
			routed, assigned := e.events(t, id, routing.EventRouted), e.events(t, id, ticket.EventAssigned)
			if tk.AssigneeID == nil || *tk.AssigneeID != e.agent.ID || tk.Queue == "" || routed != 1 || assigned != 1 {
				t.Errorf("queue %q, assignee %s, %d routed and %d assigned events; want a queue, agent %d, one each\n%s",
					tk.Queue, assigneeOf(tk), routed, assigned, e.agent.ID, e.effects(t, id))
			}
		},
	}
}

// documentsTask is documents:check on a mailed ticket with only a KTP
// photo: the effect is the photo's check written, and the ticket moved to
// needs_info with a request for the other two photos.
func documentsTask(t *testing.T) killedTask {
	checker, err := documents.NewChecker(documents.WithOCR(false))
	if err != nil {
		t.Fatal(err)
	}
	return killedTask{
		taskType: store.TaskDocumentsCheck,
		open: func(t *testing.T, e *outageEnv) int64 {
			sum, size, err := e.Blobs.Put(bytes.NewReader(outageJPEG(t, 1)))
			if err != nil {
				t.Fatal(err)
			}
			res, err := e.Ingester.Ingest(context.Background(), intake.Inbound{Channel: ticket.ChannelEmail,
				SourceID: "<killed-worker@warga.test>", Category: ticket.CategoryCertificateMissing,
				Subject: "Sertifikat vaksin belum muncul", Body: "Sertifikat vaksin dosis kedua belum muncul.",
				Complainant: ticket.Complainant{Name: "Siti Aminah", NIK: "3201014508850001", Email: "warga1@warga.test"},
				Attachments: []ticket.Attachment{{Filename: "ktp.jpg", ContentType: "image/jpeg", Size: size, SHA256: sum,
					Stored: true, Kind: ticket.KindKTP}}})
			if err != nil || !res.Created {
				t.Fatalf("ingest: %+v, %v", res, err)
			}
			return res.Ticket.ID
		},
		handler: func(t *testing.T, e *outageEnv) asynq.HandlerFunc {
			return tasks.NewDocumentsCheck(documents.NewReviewer(e.Store, e.Blobs, checker, e.Log)).Handle
		},
		none: func(t *testing.T, e *outageEnv, id int64) {
			t.Helper()
			pending := e.count(t, "SELECT count(*) FROM attachments WHERE ticket_id = $1 AND \"check\"->>'verdict' = 'pending'", id)
			if changes := e.events(t, id, ticket.EventStatusChanged); pending != 1 || changes != 0 {
				t.Fatalf("before any run: %d photos pending, %d status changes; want 1 and 0", pending, changes)
			}
		},
		once: func(t *testing.T, e *outageEnv, id int64) {
			t.Helper()
			tk, err := e.Store.TicketByRef(context.Background(), fmt.Sprint(id), false)
			if err != nil {
				t.Fatal(err)
			}
			pending := e.count(t, "SELECT count(*) FROM attachments WHERE ticket_id = $1 AND \"check\"->>'verdict' = 'pending'", id)
			changes, asked := e.events(t, id, ticket.EventStatusChanged), e.events(t, id, ticket.EventDocumentsRequested)
			mails := e.count(t, "SELECT count(*) FROM outbox WHERE task_type = $1", store.TaskNotifyDocs)
			if tk.Status != ticket.StatusNeedsInfo || pending != 0 || changes != 1 || asked != 1 || mails > 1 ||
				tk.Documents.Selfie != ticket.DocMissing || tk.Documents.VaccineCard != ticket.DocMissing {
				t.Errorf("status %s, documents %+v, %d photos pending, %d status changes, %d requests, %d notify:docs rows; "+
					"want needs_info, selfie and card missing, the photo checked, one change, one request, at most one mail\n%s",
					tk.Status, tk.Documents, pending, changes, asked, mails, e.effects(t, id))
			}
		},
	}
}
