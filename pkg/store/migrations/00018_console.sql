-- +goose Up
-- The web console: sessions, who has a ticket open, and word of tickets
-- that enter a queue.
--
-- A console session is an auth token with an idle limit: it ends
-- idle_seconds after last_seen_at as well as at expires_at, whichever comes
-- first. The API honours both, as it accepts the console's cookie. Tokens
-- without idle_seconds (the API's own logins) are unchanged.
ALTER TABLE auth_tokens
    ADD COLUMN idle_seconds integer CHECK (idle_seconds > 0),
    ADD COLUMN last_seen_at timestamptz;

-- Who has which ticket open, refreshed by the ticket page while it is
-- shown; a row older than a minute or so means the page was left. Shared by
-- every server process; lost on a crash without harm, hence unlogged.
CREATE UNLOGGED TABLE ticket_viewers (
    ticket_id bigint      NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    user_id   bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    seen_at   timestamptz NOT NULL,
    PRIMARY KEY (ticket_id, user_id)
);
CREATE INDEX ticket_viewers_seen_idx ON ticket_viewers (seen_at);

-- A ticket that enters a queue unassigned is announced on the channel
-- aduan_ticket_queued, whichever process put it there (the API, the
-- worker's routing, an SLA escalation), so every console process can tell
-- the agents of that queue at once. NOTIFY is delivered on commit.
-- +goose StatementBegin
CREATE FUNCTION notify_ticket_queued() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('aduan_ticket_queued',
        json_build_object('id', NEW.id, 'number', NEW.number, 'queue', NEW.queue)::text);
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER tickets_queued_insert AFTER INSERT ON tickets FOR EACH ROW
    WHEN (NEW.queue <> '' AND NEW.assignee_id IS NULL)
    EXECUTE FUNCTION notify_ticket_queued();
CREATE TRIGGER tickets_queued_update AFTER UPDATE OF queue ON tickets FOR EACH ROW
    WHEN (NEW.queue <> '' AND NEW.queue IS DISTINCT FROM OLD.queue AND NEW.assignee_id IS NULL)
    EXECUTE FUNCTION notify_ticket_queued();

-- +goose Down
DROP TRIGGER tickets_queued_update ON tickets;
DROP TRIGGER tickets_queued_insert ON tickets;
DROP FUNCTION notify_ticket_queued();
DROP TABLE ticket_viewers;
ALTER TABLE auth_tokens DROP COLUMN last_seen_at, DROP COLUMN idle_seconds;
