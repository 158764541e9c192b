-- +goose Up
-- Service levels. The due times live on tickets since 00001; these columns
-- say which policy set them and for what, and record when each target was
-- warned about and missed and when the ticket was escalated. The sla:scan
-- task writes each *_at column once, guarded by IS NULL: that is what makes
-- its warnings, breaches and escalations happen once per ticket however
-- many scans run at the same time.

ALTER TABLE tickets
    ADD COLUMN sla_policy                 text NOT NULL DEFAULT '', -- the policy that set the due times
    ADD COLUMN sla_basis                  text,        -- category/priority the resolution due was computed for
    ADD COLUMN first_response_warned_at   timestamptz,
    ADD COLUMN resolution_warned_at       timestamptz,
    ADD COLUMN first_response_breached_at timestamptz,
    ADD COLUMN resolution_breached_at     timestamptz,
    ADD COLUMN escalated_at               timestamptz;

-- The scan's searches, each a short range scan of a small partial index.
-- Tickets still to be planned: new ones, and those whose category or
-- priority changed since their due times were computed.
CREATE INDEX tickets_sla_unplanned_idx ON tickets (id)
    WHERE first_response_due IS NULL OR resolution_due IS NULL
        OR sla_basis IS DISTINCT FROM category || '/' || priority;
-- Targets that can still be missed, by due time: warned when it nears,
-- breached when it passes. A ticket leaves them once answered, resolved or
-- breached, so they hold only the open work.
CREATE INDEX tickets_sla_first_response_idx ON tickets (first_response_due, id)
    WHERE status NOT IN ('resolved', 'closed') AND first_responded_at IS NULL
        AND first_response_breached_at IS NULL;
CREATE INDEX tickets_sla_resolution_idx ON tickets (resolution_due, id)
    WHERE status NOT IN ('resolved', 'closed') AND resolution_breached_at IS NULL;

-- +goose Down
DROP INDEX tickets_sla_resolution_idx, tickets_sla_first_response_idx, tickets_sla_unplanned_idx;
ALTER TABLE tickets DROP COLUMN sla_policy, DROP COLUMN sla_basis, DROP COLUMN first_response_warned_at,
    DROP COLUMN resolution_warned_at, DROP COLUMN first_response_breached_at, DROP COLUMN resolution_breached_at,
    DROP COLUMN escalated_at;
