-- +goose Up
-- An outbox row may name its own asynq task id (e.g. the wamid of the
-- WhatsApp message it handles), so the same work written twice is one
-- task; rows without one keep "outbox:<id>".
ALTER TABLE outbox ADD COLUMN task_id text CHECK (task_id <> '');
CREATE INDEX outbox_task_id_idx ON outbox (task_id) WHERE task_id IS NOT NULL;

-- A webhook body none of whose changes came to a configured number is
-- kept (and logged) but not processed: unrouted.
ALTER TABLE whatsapp_webhooks DROP CONSTRAINT whatsapp_webhooks_state_check;
ALTER TABLE whatsapp_webhooks ADD CONSTRAINT whatsapp_webhooks_state_check
    CHECK (state IN ('received', 'invalid', 'processed', 'unrouted'));
ALTER TABLE whatsapp_webhooks ADD COLUMN processed_at timestamptz;

-- Inbound WhatsApp messages, one row per wamid however often Meta sends
-- it. sender is the key one person's messages are ordered under (the
-- business number and the wa_id, or the business-scoped user id when
-- Meta sends no wa_id); wa_id and user_id are kept apart, neither is
-- taken for a phone number. state: pending until the conversation has
-- handled it, then done. generation counts the hand-overs to the task
-- queue: a redelivery of a message not yet done queues it again under a
-- fresh task id.
CREATE TABLE whatsapp_inbound (
    id              bigserial PRIMARY KEY,
    wamid           text        NOT NULL UNIQUE CHECK (wamid <> ''),
    phone_number_id text        NOT NULL,
    sender          text        NOT NULL,
    wa_id           text        NOT NULL DEFAULT '',
    user_id         text        NOT NULL DEFAULT '',
    profile_name    text        NOT NULL DEFAULT '',
    sent_at         timestamptz NOT NULL,
    type            text        NOT NULL,
    message         jsonb       NOT NULL,
    webhook_id      bigint      NOT NULL REFERENCES whatsapp_webhooks (id) ON DELETE CASCADE,
    media_id        text        NOT NULL DEFAULT '',
    media_sha256    text,
    media_type      text        NOT NULL DEFAULT '',
    media_size      bigint      NOT NULL DEFAULT 0,
    state           text        NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done')),
    generation      integer     NOT NULL DEFAULT 0,
    attempts        integer     NOT NULL DEFAULT 0,
    error           text        NOT NULL DEFAULT '',
    received_at     timestamptz NOT NULL DEFAULT now(),
    done_at         timestamptz
);
CREATE INDEX whatsapp_inbound_sender_idx ON whatsapp_inbound (sender, sent_at, id) WHERE state = 'pending';
CREATE INDEX whatsapp_inbound_wa_id_idx ON whatsapp_inbound (phone_number_id, wa_id, sent_at);

-- One row per sender, locked while one of their messages is handled, so
-- a person's messages are handled one at a time.
CREATE TABLE whatsapp_senders (
    sender text PRIMARY KEY
);

-- Outgoing WhatsApp messages and their delivery. state moves only
-- forward: queued, sent, delivered, read; failed (with Meta's code and
-- title) ends it. not_before is the time its pacing reserved for it.
CREATE TABLE whatsapp_outbound (
    id              bigserial PRIMARY KEY,
    phone_number_id text        NOT NULL,
    recipient       text        NOT NULL,
    ticket_id       bigint      REFERENCES tickets (id) ON DELETE CASCADE,
    message_id      bigint      REFERENCES messages (id) ON DELETE CASCADE,
    pace            text        NOT NULL CHECK (pace IN ('conversation', 'person')),
    message         jsonb       NOT NULL,
    state           text        NOT NULL DEFAULT 'queued'
                                CHECK (state IN ('queued', 'sent', 'delivered', 'read', 'failed')),
    wamid           text        UNIQUE CHECK (wamid <> ''),
    error_code      integer     NOT NULL DEFAULT 0,
    error_title     text        NOT NULL DEFAULT '',
    not_before      timestamptz,
    attempts        integer     NOT NULL DEFAULT 0,
    created_at      timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz,
    status_at       timestamptz
);
CREATE INDEX whatsapp_outbound_ticket_idx ON whatsapp_outbound (ticket_id) WHERE ticket_id IS NOT NULL;

-- Statuses of a wamid Aduan has not recorded yet (Meta's status can
-- overtake the answer to the send): applied when the wamid is recorded.
CREATE TABLE whatsapp_early_statuses (
    wamid       text        NOT NULL,
    status      text        NOT NULL CHECK (status IN ('sent', 'delivered', 'read', 'failed')),
    error_code  integer     NOT NULL DEFAULT 0,
    error_title text        NOT NULL DEFAULT '',
    at          timestamptz NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (wamid, status)
);

-- Pacing: the theoretical arrival time of the next message per key (a
-- business number; a number and one person), shared by every worker.
CREATE TABLE whatsapp_pace (
    key     text PRIMARY KEY,
    next_at timestamptz NOT NULL
);

-- +goose Down
DROP TABLE whatsapp_pace, whatsapp_early_statuses, whatsapp_outbound, whatsapp_senders, whatsapp_inbound;
ALTER TABLE whatsapp_webhooks DROP COLUMN processed_at;
ALTER TABLE whatsapp_webhooks DROP CONSTRAINT whatsapp_webhooks_state_check;
ALTER TABLE whatsapp_webhooks ADD CONSTRAINT whatsapp_webhooks_state_check
    CHECK (state IN ('received', 'invalid', 'processed'));
DROP INDEX outbox_task_id_idx;
ALTER TABLE outbox DROP COLUMN task_id;
