-- +goose Up
-- The weekly report's rollups. Weeks are ISO weeks in Asia/Jakarta (WIB):
-- Monday 00:00 to the next Monday 00:00. The report is read from these
-- tables only, so it costs the same after years of tickets; the task
-- reports:rollup (re)computes them from the tickets, a week at a time.

-- When a ticket stopped being open work: its resolution, or for a ticket
-- closed without one (a duplicate, spam) its closing; null while it is open.
-- The backlog at a week's end is the tickets created before it and not
-- finished by it. Kept by a trigger so no write path can forget it; a
-- reopened ticket is open again, as its cleared resolved_at says.
ALTER TABLE tickets ADD COLUMN finished_at timestamptz;

-- A closing is dated by the updated_at the application wrote with it, so
-- it follows the application's clock as resolved_at does.
-- +goose StatementBegin
CREATE FUNCTION tickets_track_finished() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status NOT IN ('resolved', 'closed') THEN
        NEW.finished_at := NULL;
    ELSIF NEW.resolved_at IS NOT NULL THEN
        NEW.finished_at := NEW.resolved_at;
    ELSIF TG_OP = 'INSERT' THEN
        NEW.finished_at := NEW.updated_at;
    ELSIF OLD.status NOT IN ('resolved', 'closed') OR OLD.finished_at IS NULL THEN
        NEW.finished_at := CASE WHEN NEW.updated_at IS DISTINCT FROM OLD.updated_at THEN NEW.updated_at ELSE now() END;
    END IF;
    RETURN NEW;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER tickets_track_finished BEFORE INSERT OR UPDATE OF status, resolved_at ON tickets
    FOR EACH ROW EXECUTE FUNCTION tickets_track_finished();

-- Tickets closed before this migration were closed at their last update.
UPDATE tickets SET finished_at = coalesce(resolved_at, updated_at) WHERE status IN ('resolved', 'closed');

-- The backlog at a week's end in two index-only range scans: still open
-- (finished_at null, sorted last) and finished after the end, each created
-- before it. Columns that change only with the status, which is indexed
-- already, so updates that could be HOT stay HOT.
CREATE INDEX tickets_finished_idx ON tickets (finished_at, created_at);
-- A week's resolutions. New tickets are not resolved and never enter it.
CREATE INDEX tickets_resolved_idx ON tickets (resolved_at) WHERE resolved_at IS NOT NULL;

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
    -- tickets created before the week's end and not finished by then
    backlog_end                   integer     NOT NULL CHECK (backlog_end >= 0),
    -- over the tickets created in the week that got a first response; null when none did
    first_response_median_seconds double precision,
    sla_met                       integer     NOT NULL CHECK (sla_met >= 0),
    sla_total                     integer     NOT NULL CHECK (sla_total >= sla_met),
    computed_at                   timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE report_weekly, report_daily;
DROP INDEX tickets_resolved_idx, tickets_finished_idx;
DROP TRIGGER tickets_track_finished ON tickets;
DROP FUNCTION tickets_track_finished();
ALTER TABLE tickets DROP COLUMN finished_at;
