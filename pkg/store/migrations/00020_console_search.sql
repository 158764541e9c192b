-- +goose Up
-- What the console's pages and the ticket search read, at a year of
-- national volume (about 11 million tickets):
--
-- The queue page lists a queue's tickets in one status newest first
-- (GET /api/v1/tickets?queue=…&status=…): one backward range scan, where
-- tickets_queue_idx (sorted by priority first) would read and sort every
-- ticket of the queue in that status.
CREATE INDEX tickets_queue_status_idx ON tickets (queue, status, id);
-- The same for the tickets nobody holds yet (…&assignee=none): the planner
-- takes "new" and "unassigned" for independent and, expecting a few hundred
-- rows, read and sorted all 44,000 new tickets of a queue (3.5 s); with
-- every condition in the index it reads the newest 26.
CREATE INDEX tickets_queue_unassigned_status_idx ON tickets (queue, status, id) WHERE assignee_id IS NULL;

-- A ticket number typed in part ("PL-2611", "PL-261104-0001"): a prefix
-- range. The unique index of number cannot serve LIKE under the database's
-- collation (C.UTF-8 is not "C" to the planner); text_pattern_ops can.
CREATE INDEX tickets_number_prefix_idx ON tickets (number text_pattern_ops);

-- A complainant's name, by its words' beginnings in any case ("siti ami"):
-- the same 'simple' configuration as the tickets' own search, so no
-- extension is needed and Indonesian names are neither stemmed nor dropped.
CREATE INDEX complainants_name_search_idx ON complainants USING gin (to_tsvector('simple', name));

-- +goose Down
DROP INDEX complainants_name_search_idx, tickets_number_prefix_idx, tickets_queue_unassigned_status_idx,
    tickets_queue_status_idx;
