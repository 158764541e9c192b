package tasks

// RetryDelay is the delay the worker gives asynq before a task runs again.
var RetryDelay = retryDelay
