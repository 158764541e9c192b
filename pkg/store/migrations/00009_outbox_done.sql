-- +goose Up
-- An outbox row stays the record of its work until a worker has finished
-- it, not only until it was handed to Redis: done_at when its handler
-- succeeded, failed_at (with last_error) when the work was given up, as a
-- task that can never succeed or one out of retries. A row handed over but
-- finished neither way is handed over again after a while, so work that
-- vanished with Redis's data (no persistence, a failover, a flushed queue)
-- is late but not lost.
ALTER TABLE outbox
    ADD COLUMN done_at   timestamptz,
    ADD COLUMN failed_at timestamptz;
-- Rows relayed before finishing was recorded cannot say whether their work
-- ran; counting them done keeps them from all running again.
UPDATE outbox SET done_at = relayed_at WHERE relayed_at IS NOT NULL;
CREATE INDEX outbox_unfinished_idx ON outbox (id) WHERE done_at IS NULL AND failed_at IS NULL;
CREATE INDEX outbox_failed_idx ON outbox (failed_at) WHERE failed_at IS NOT NULL;

-- +goose Down
DROP INDEX outbox_failed_idx, outbox_unfinished_idx;
ALTER TABLE outbox DROP COLUMN failed_at, DROP COLUMN done_at;
