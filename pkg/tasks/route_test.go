package tasks_test

import (
	"context"
	"errors"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/aduan/aduan/pkg/intake"
	"github.com/aduan/aduan/pkg/routing"
	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/store/storetest"
	"github.com/aduan/aduan/pkg/tasks"
	"github.com/aduan/aduan/pkg/tasks/taskstest"
	"github.com/aduan/aduan/pkg/ticket"
)

func newRouter(t *testing.T, s *store.Store) *routing.Router {
	t.Helper()
	b, err := os.ReadFile("../../configs/routing.yaml")
	if err != nil {
		t.Fatal(err)
	}
	rules, err := routing.ParseRules(b)
	if err != nil {
		t.Fatal(err)
	}
	return routing.NewRouter(s, rules)
}

const (
	wargaNIK   = "3201014508850001"
	wargaEmail = "warga1@warga.test"
	complaint  = "Nama Lengkap: Siti Aminah\nNIK: 3201014508850001\n" +
		"Keluhan: Sertifikat vaksin dosis kedua belum muncul di aplikasi, padahal NIK 3201014508850001 sudah terdaftar.\n"
)

// openComplaint opens a ticket as email intake would; the ingester writes
// its ticket:route task to the outbox.
func openComplaint(t *testing.T, s *store.Store, sourceID string, category ticket.Category) ticket.Ticket {
	t.Helper()
	res, err := intake.NewIngester(s, quiet).Ingest(context.Background(), intake.Inbound{Channel: ticket.ChannelEmail,
		SourceID: sourceID, Category: category, Subject: "NIK saya dipakai orang lain", Body: complaint,
		Complainant: ticket.Complainant{Name: "Siti Aminah", NIK: wargaNIK, Email: wargaEmail}})
	if err != nil || !res.Created {
		t.Fatalf("ingest %s: %+v, %v", sourceID, res, err)
	}
	return res.Ticket
}

func TestRouteHandler(t *testing.T) {
	ctx := context.Background()
	s, dbURL := storetest.New(t)
	h := tasks.NewRouteHandler(newRouter(t, s), quiet)
	agent := ticket.User{Email: "agen@kemkes.go.id", Name: "Agen", Role: ticket.RoleAgent, Capacity: 5}
	if err := s.CreateUser(ctx, &agent, "x"); err != nil {
		t.Fatal(err)
	}
	tk := openComplaint(t, s, "<nik-1@warga.test>", ticket.CategoryNIKConflict)
	task, err := tasks.NewRouteTask(tk.ID)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("routes and assigns, once", func(t *testing.T) {
		for i := range 3 {
			if err := h.Handle(ctx, task); err != nil {
				t.Fatalf("run %d: %v", i+1, err)
			}
		}
		got, err := s.TicketByRef(ctx, strconv.FormatInt(tk.ID, 10), false)
		if err != nil {
			t.Fatal(err)
		}
		if got.Queue != "nik-bermasalah" || got.Priority != ticket.PriorityHigh || got.AssigneeID == nil ||
			*got.AssigneeID != agent.ID {
			t.Errorf("ticket %s/%s/%v, want nik-bermasalah, high, the agent's", got.Queue, got.Priority, got.AssigneeID)
		}
		n := storetest.Count(t, dbURL, `SELECT count(*) FROM ticket_events WHERE ticket_id = $1 AND kind IN ('routed', 'assigned')`, tk.ID)
		if n != 2 {
			t.Errorf("%d routed and assigned events after three runs, want 2", n)
		}
	})

	t.Run("a closed ticket is left alone", func(t *testing.T) {
		closed := openComplaint(t, s, "<closed-1@warga.test>", ticket.CategoryOther)
		storetest.Exec(t, dbURL, `UPDATE tickets SET status = 'closed' WHERE id = $1`, closed.ID)
		task, _ := tasks.NewRouteTask(closed.ID)
		if err := h.Handle(ctx, task); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.TicketByRef(ctx, strconv.FormatInt(closed.ID, 10), false); got.Queue != "" || got.AssigneeID != nil {
			t.Errorf("closed ticket routed: %s, %v", got.Queue, got.AssigneeID)
		}
	})

	bad := map[string]string{
		"not JSON":        `ticket 1`,
		"no ticket":       `{}`,
		"negative ticket": `{"ticket_id": -4}`,
		"wrong type":      `{"ticket_id": "12"}`,
		"unknown ticket":  `{"ticket_id": 987654}`,
	}
	for name, payload := range bad {
		t.Run(name, func(t *testing.T) {
			err := h.Handle(ctx, asynq.NewTask(store.TaskTicketRoute, []byte(payload)))
			if !errors.Is(err, asynq.SkipRetry) {
				t.Errorf("Handle(%s) = %v, want an error wrapping SkipRetry", payload, err)
			}
		})
	}
}

// A new complaint goes from the outbox through the relay, Redis and the
// worker to an agent.
func TestRouteEndToEnd(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	s, _ := storetest.New(t)
	rd := taskstest.NewRedis(t)
	rc := rd.Client()
	defer rc.Close()
	agent := ticket.User{Email: "agen@kemkes.go.id", Name: "Agen", Role: ticket.RoleAgent, Capacity: 5}
	if err := s.CreateUser(ctx, &agent, "x"); err != nil {
		t.Fatal(err)
	}
	w := tasks.NewWorker(rc, tasks.WorkerConfig{Concurrency: 4, ShutdownTimeout: 5 * time.Second}, quiet)
	tasks.NewRouteHandler(newRouter(t, s), quiet).Register(w)
	relay := tasks.NewRelay(s, asynq.NewClientFromRedisClient(rc), w.Types(), quiet)
	relay.Interval = 20 * time.Millisecond
	var wg sync.WaitGroup
	wg.Go(func() { _ = w.Run(ctx) })
	wg.Go(func() { _ = relay.Run(ctx) })
	defer func() { cancel(); wg.Wait() }()

	tk := openComplaint(t, s, "<e2e-1@warga.test>", ticket.CategoryCertificateMissing)
	deadline := time.Now().Add(15 * time.Second)
	for {
		got, err := s.TicketByRef(ctx, strconv.FormatInt(tk.ID, 10), false)
		if err != nil {
			t.Fatal(err)
		}
		if got.AssigneeID != nil {
			if *got.AssigneeID != agent.ID || got.Queue != "sertifikat" {
				t.Errorf("ticket in %s with %d, want sertifikat with the agent", got.Queue, *got.AssigneeID)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("ticket not assigned after 15s: %+v", got)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
