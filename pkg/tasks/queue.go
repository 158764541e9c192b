package tasks

import (
	"context"
	"net/http"

	"github.com/hibiken/asynq"
	"github.com/hibiken/asynqmon"
	"github.com/redis/go-redis/v9"
)

// Queue hands tasks to the queues at a Redis: what the relay and the
// scheduler enqueue through.
type Queue struct {
	client  *asynq.Client
	inspect *asynq.Inspector
	rdb     redis.UniversalClient
}

// NewQueue returns the queue client for the queues at rdb.
func NewQueue(rdb redis.UniversalClient) *Queue {
	return &Queue{client: asynq.NewClientFromRedisClient(rdb), inspect: asynq.NewInspectorFromRedisClient(rdb), rdb: rdb}
}

// TaskState returns the state of the task of taskType with the given id,
// and the error of its last failed run.
func (q *Queue) TaskState(_ context.Context, taskType, id string) (asynq.TaskState, string, error) {
	info, err := q.inspect.GetTaskInfo(QueueFor(taskType), id)
	if err != nil {
		return 0, "", err
	}
	return info.State, info.LastErr, nil
}

// EnqueueContext hands task to its queue (see asynq.Client.EnqueueContext).
func (q *Queue) EnqueueContext(ctx context.Context, task *asynq.Task, opts ...asynq.Option) (*asynq.TaskInfo, error) {
	return q.client.EnqueueContext(ctx, task, opts...)
}

// allQueuesKey is the Redis set in which asynq lists the queues for its
// Inspector and the monitor (asynq's base.AllQueues).
const allQueuesKey = "asynq:queues"

// Announce lists every queue in Redis's index of queues. asynq's client
// writes a queue there only the first time it uses it, so after Redis lost
// its data the queues' tasks still run but the monitor no longer shows
// them; the relay calls this when it finds work Redis lost.
func (q *Queue) Announce(ctx context.Context) error {
	return q.rdb.SAdd(ctx, allQueuesKey, QueueCritical, QueueDefault, QueueLow).Err()
}

// NewMonitor returns the task queues' web UI (asynqmon) for the queues at
// rdb, served under rootPath.
func NewMonitor(rdb *redis.Client, rootPath string) http.Handler {
	o := rdb.Options()
	return asynqmon.New(asynqmon.Options{RootPath: rootPath, RedisConnOpt: asynq.RedisClientOpt{Network: o.Network,
		Addr: o.Addr, Username: o.Username, Password: o.Password, DB: o.DB, TLSConfig: o.TLSConfig}})
}
