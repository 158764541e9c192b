package tasks

import (
	"net/http"

	"github.com/hibiken/asynq"
	"github.com/hibiken/asynqmon"
	"github.com/redis/go-redis/v9"
)

// NewQueue returns the client that hands tasks to the queues at rdb: what
// the relay and the scheduler enqueue through.
func NewQueue(rdb redis.UniversalClient) Enqueuer { return asynq.NewClientFromRedisClient(rdb) }

// NewMonitor returns the task queues' web UI (asynqmon) for the queues at
// rdb, served under rootPath.
func NewMonitor(rdb *redis.Client, rootPath string) http.Handler {
	o := rdb.Options()
	return asynqmon.New(asynqmon.Options{RootPath: rootPath, RedisConnOpt: asynq.RedisClientOpt{Network: o.Network,
		Addr: o.Addr, Username: o.Username, Password: o.Password, DB: o.DB, TLSConfig: o.TLSConfig}})
}
