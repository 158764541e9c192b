package tasks

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
)

// Worker runs task handlers on asynq.
type Worker struct {
	server *asynq.Server
	mux    *asynq.ServeMux
	types  []string
	outbox OutboxMarker
	log    *slog.Logger
}

// TaskCheckInterval is how often an idle worker asks Redis for new tasks
// (asynq waits between half and one and a half of it). Each ask is one
// small script on Redis.
const TaskCheckInterval = 50 * time.Millisecond

// WorkerConfig tunes the worker.
type WorkerConfig struct {
	Concurrency     int           // tasks at once; default 10
	ShutdownTimeout time.Duration // how long in-flight tasks may finish on shutdown; default 20s
	// Outbox records how the work of each task relayed from the outbox
	// ended. Without it rows are never finished, and the relay keeps
	// looking for their tasks: leave it nil only in tests of a handler.
	Outbox OutboxMarker
}

// NewWorker returns a worker reading the queues at rdb.
func NewWorker(rdb redis.UniversalClient, cfg WorkerConfig, log *slog.Logger) *Worker {
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 10
	}
	if cfg.ShutdownTimeout <= 0 {
		cfg.ShutdownTimeout = 20 * time.Second
	}
	srv := asynq.NewServerFromRedisClient(rdb, asynq.Config{
		Concurrency:     cfg.Concurrency,
		Queues:          Queues,
		ShutdownTimeout: cfg.ShutdownTimeout,
		Logger:          asynqLogger{log},
		// A task waiting for other work (Later) comes back within a
		// second of its time, not asynq's default five.
		DelayedTaskCheckInterval: time.Second,
		// An idle worker looks for new tasks this often rather than
		// asynq's default second: a WhatsApp answer crosses three tasks
		// (webhook, message, send), and a person waits for each.
		TaskCheckInterval: TaskCheckInterval,
		RetryDelayFunc:    retryDelay,
		IsFailure:         func(err error) bool { return !isLater(err) },
		ErrorHandler: asynq.ErrorHandlerFunc(func(ctx context.Context, t *asynq.Task, err error) {
			id, _ := asynq.GetTaskID(ctx)
			if isLater(err) {
				log.DebugContext(ctx, "task waits", "type", t.Type(), "task_id", id, "why", err)
				return
			}
			log.WarnContext(ctx, "task failed", "type", t.Type(), "task_id", id, "err", err)
		}),
	})
	return &Worker{server: srv, mux: asynq.NewServeMux(), outbox: cfg.Outbox, log: log}
}

// Handle registers the handler of one task type; a task relayed from the
// outbox marks its row finished when the handler is done with it.
func (w *Worker) Handle(taskType string, h asynq.HandlerFunc) {
	if w.outbox != nil {
		h = finishing(w.outbox, h, w.log)
	}
	w.mux.Handle(taskType, h)
	w.types = append(w.types, taskType)
}

// Types lists the task types this worker handles; the relay hands over
// only those, so work waits in the outbox until a worker can do it.
func (w *Worker) Types() []string { return w.types }

// Run works tasks until ctx ends, then stops taking new ones and gives
// in-flight tasks the shutdown timeout to finish; those that do not are
// returned to the queue and run again later.
func (w *Worker) Run(ctx context.Context) error {
	if err := w.server.Start(w.mux); err != nil {
		return fmt.Errorf("start worker: %w", err)
	}
	<-ctx.Done()
	w.server.Shutdown()
	return nil
}

// Later is what a handler returns to run its task again after d because
// other work it waits for is not done yet (why says what). It is not a
// failure: the task's retries are not used up, and it is not logged as
// one. The handler decides when waiting ends.
func Later(d time.Duration, why error) error { return &laterError{after: d, why: why} }

type laterError struct {
	after time.Duration
	why   error
}

func (e *laterError) Error() string { return fmt.Sprintf("again in %s: %v", e.after, e.why) }
func (e *laterError) Unwrap() error { return e.why }

func isLater(err error) bool {
	var l *laterError
	return errors.As(err, &l)
}

// retryDelay is asynq's exponential backoff for failures and the asked
// delay for Later. A task whose worker died (its lease expired) is not a
// failure of the task: by the time asynq notices, a minute or more has
// passed, so it runs again at once on a live worker.
func retryDelay(n int, err error, t *asynq.Task) time.Duration {
	var l *laterError
	if errors.As(err, &l) {
		return l.after
	}
	if errors.Is(err, asynq.ErrLeaseExpired) {
		return time.Second
	}
	return asynq.DefaultRetryDelayFunc(n, err, t)
}

// asynqLogger routes asynq's own messages into slog.
type asynqLogger struct{ log *slog.Logger }

func (l asynqLogger) Debug(args ...any) { l.log.Debug(fmt.Sprint(args...), "component", "asynq") }
func (l asynqLogger) Info(args ...any)  { l.log.Info(fmt.Sprint(args...), "component", "asynq") }
func (l asynqLogger) Warn(args ...any)  { l.log.Warn(fmt.Sprint(args...), "component", "asynq") }
func (l asynqLogger) Error(args ...any) { l.log.Error(fmt.Sprint(args...), "component", "asynq") }
func (l asynqLogger) Fatal(args ...any) { l.log.Error(fmt.Sprint(args...), "component", "asynq") }
