package tasks_test

import (
	"context"
	"errors"
	"testing"

	"github.com/hibiken/asynq"

	"github.com/aduan/aduan/pkg/retention"
	"github.com/aduan/aduan/pkg/tasks"
)

type fakePurger struct {
	runs int
	err  error
}

func (f *fakePurger) Run(context.Context) (retention.Result, error) {
	f.runs++
	return retention.Result{}, f.err
}

func TestRetentionPurgeHandler(t *testing.T) {
	if q := tasks.QueueFor(tasks.TaskRetentionPurge); q != tasks.QueueLow {
		t.Errorf("retention:purge runs on %q, want the low queue: it is housekeeping", q)
	}
	p := &fakePurger{}
	h := tasks.NewRetentionPurge(p, quiet)
	if err := h.Handle(context.Background(), asynq.NewTask(tasks.TaskRetentionPurge, nil)); err != nil || p.runs != 1 {
		t.Fatalf("Handle = %v after %d runs, want one run", err, p.runs)
	}
	p.err = errors.New("database down")
	if err := h.Handle(context.Background(), asynq.NewTask(tasks.TaskRetentionPurge, nil)); !errors.Is(err, p.err) {
		t.Fatalf("Handle = %v, want the purge's error", err)
	}
}
