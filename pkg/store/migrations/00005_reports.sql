-- +goose Up
-- The weekly report's rollups. Weeks are ISO weeks in Asia/Jakarta (WIB):
-- Monday 00:00 to the next Monday 00:00. The report is read from these
-- tables only, so it costs the same after years of tickets; the task
-- reports:rollup (re)computes them from the tickets, a week at a time.

-- Tickets created and resolved per WIB calendar day, channel and category.
-- resolved counts tickets by the day of their resolved_at (the latest
-- resolution; kept through closing), under their current channel and category.
CREATE TABLE report_daily (
    day      date    NOT NULL,
    channel  text    NOT NULL,
    category text    NOT NULL,
    created  integer NOT NULL DEFAULT 0 CHECK (created >= 0),
    resolved integer NOT NULL DEFAULT 0 CHECK (resolved >= 0),
    PRIMARY KEY (day, channel, category)
);

-- What cannot be summed from days: the backlog at the week's end, the median
-- first response and SLA compliance of the week's tickets. A row here also
-- says the week was rolled up (its days may have no rows: no tickets).
CREATE TABLE report_weekly (
    week_start                    date        PRIMARY KEY CHECK (extract(isodow FROM week_start) = 1),
    -- tickets created before the week's end and still open then
    backlog_end                   integer     NOT NULL CHECK (backlog_end >= 0),
    -- over the tickets created in the week that got a first response; null when none did
    first_response_median_seconds double precision,
    sla_met                       integer     NOT NULL CHECK (sla_met >= 0),
    sla_total                     integer     NOT NULL CHECK (sla_total >= sla_met),
    computed_at                   timestamptz NOT NULL DEFAULT now()
);

-- The rollup finds a week's resolved tickets, and the backlog at a week's
-- end counts tickets resolved after it, by these; created_at rides along so
-- the count needs no heap visit. New tickets (not resolved) never enter it.
CREATE INDEX tickets_resolved_idx ON tickets (resolved_at, created_at) WHERE resolved_at IS NOT NULL;
-- Tickets closed without a resolution (duplicates, spam) are few; the
-- backlog needs them to know which were still open at a week's end.
CREATE INDEX tickets_closed_unresolved_idx ON tickets (created_at) WHERE status = 'closed' AND resolved_at IS NULL;

-- +goose Down
DROP INDEX tickets_closed_unresolved_idx, tickets_resolved_idx;
DROP TABLE report_weekly, report_daily;
