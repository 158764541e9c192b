-- +goose Up
-- Routing: when a ticket's current assignee got it and first worked it, and
-- when each agent was last given a ticket (round-robin among agents with
-- equal load).

ALTER TABLE tickets
    ADD COLUMN assigned_at timestamptz,  -- when the current assignee got it; null when unassigned
    ADD COLUMN started_at  timestamptz;  -- when the current assignee first worked it; null until then
ALTER TABLE users ADD COLUMN last_assigned_at timestamptz;

-- Tickets assigned before routing existed count as started, so the first
-- agent to go offline keeps the work they already had.
UPDATE tickets SET assigned_at = updated_at, started_at = updated_at WHERE assignee_id IS NOT NULL;

-- Whoever changes the assignee (routing, a claim, a supervisor's PATCH),
-- assigned_at and started_at describe the current assignee: a new one has
-- not started yet. Kept here so no write path can forget it.
-- +goose StatementBegin
CREATE FUNCTION tickets_track_assignee() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.assignee_id IS NOT NULL AND NEW.assigned_at IS NULL THEN
            NEW.assigned_at := now();
        END IF;
    ELSIF NEW.assignee_id IS DISTINCT FROM OLD.assignee_id THEN
        NEW.assigned_at := CASE WHEN NEW.assignee_id IS NULL THEN NULL ELSE now() END;
        NEW.started_at := NULL;
    END IF;
    RETURN NEW;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER tickets_track_assignee BEFORE INSERT OR UPDATE OF assignee_id ON tickets
    FOR EACH ROW EXECUTE FUNCTION tickets_track_assignee();

-- The claim takes a queue's most urgent, oldest unassigned ticket; with this
-- index each claimer reads from the top and skips the rows others hold.
CREATE INDEX tickets_claim_idx ON tickets (queue, priority_rank DESC, created_at, id)
    WHERE assignee_id IS NULL AND status IN ('new', 'open');

-- +goose Down
DROP INDEX tickets_claim_idx;
DROP TRIGGER tickets_track_assignee ON tickets;
DROP FUNCTION tickets_track_assignee();
ALTER TABLE users DROP COLUMN last_assigned_at;
ALTER TABLE tickets DROP COLUMN assigned_at, DROP COLUMN started_at;
