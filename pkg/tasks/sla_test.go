package tasks_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/aduan/aduan/pkg/sla"
	"github.com/aduan/aduan/pkg/tasks"
)

// scanRecorder is an SLA scanner that records when it was asked to scan.
type scanRecorder struct{ at []time.Time }

func (r *scanRecorder) Scan(_ context.Context, now time.Time) (sla.ScanResult, error) {
	r.at = append(r.at, now)
	return sla.ScanResult{}, nil
}

func TestSLAScanTask(t *testing.T) {
	now := time.Date(2026, 1, 12, 9, 0, 0, 0, time.UTC)
	rec := &scanRecorder{}
	scan := tasks.NewSLAScan(rec, quiet)
	scan.Now = func() time.Time { return now }
	task := tasks.NewSLAScanTask()
	if task.Type() != tasks.TaskSLAScan || len(task.Payload()) != 0 {
		t.Fatalf("NewSLAScanTask = %s %q", task.Type(), task.Payload())
	}
	for _, payload := range []string{"", "{}"} {
		if err := scan.Handle(context.Background(), asynq.NewTask(tasks.TaskSLAScan, []byte(payload))); err != nil {
			t.Errorf("payload %q: %v", payload, err)
		}
	}
	if len(rec.at) != 2 || !rec.at[0].Equal(now) || !rec.at[1].Equal(now) {
		t.Errorf("scans at %v, want two at %s (the handler's clock)", rec.at, now)
	}
	err := scan.Handle(context.Background(), asynq.NewTask(tasks.TaskSLAScan, []byte("not json")))
	if !errors.Is(err, asynq.SkipRetry) || len(rec.at) != 2 {
		t.Errorf("bad payload: %v after %d scans, want SkipRetry and no scan", err, len(rec.at))
	}
	rc := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"}) // never dialled
	defer rc.Close()
	w := tasks.NewWorker(rc, tasks.WorkerConfig{}, quiet)
	scan.Register(w)
	if !slices.Contains(w.Types(), tasks.TaskSLAScan) {
		t.Errorf("Register: types %v", w.Types())
	}
}
