package tasks

import (
	"strings"

	"github.com/aduan/aduan/pkg/store"
)

// The queues, by how soon their work matters: notifications to people
// first, routing next, reports and housekeeping last.
const (
	QueueCritical = "critical"
	QueueDefault  = "default"
	QueueLow      = "low"
)

// Queues weighs the queues for the worker: of ten tasks taken, about six
// come from critical, three from default and one from low.
var Queues = map[string]int{QueueCritical: 6, QueueDefault: 3, QueueLow: 1}

// QueueFor returns the queue a task type runs on.
func QueueFor(taskType string) string {
	switch {
	case strings.HasPrefix(taskType, "notify:"), strings.HasPrefix(taskType, "whatsapp:"):
		return QueueCritical
	case taskType == store.TaskTicketRoute, taskType == store.TaskDocumentsCheck:
		return QueueDefault
	}
	return QueueLow
}

// MaxRetry returns how often a failed task of this type is retried, with
// asynq's exponential backoff between tries.
func MaxRetry(taskType string) int {
	if strings.HasPrefix(taskType, "notify:") || strings.HasPrefix(taskType, "whatsapp:") {
		return 12 // about a day of backoff: mail relays and APIs come back
	}
	return 8
}
