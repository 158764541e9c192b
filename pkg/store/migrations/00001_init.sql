-- +goose Up
-- The ticket core: users and their tokens, complainants and the identities
-- that let tickets from several channels meet on one person, tickets with
-- their messages, attachments and events, the audit log of personal-data
-- access and the outbox of background work.

CREATE TABLE users (
    id            bigserial PRIMARY KEY,
    email         text        NOT NULL,
    name          text        NOT NULL,
    role          text        NOT NULL CHECK (role IN ('agent', 'supervisor', 'admin')),
    password_hash text        NOT NULL,
    queues        jsonb       NOT NULL DEFAULT '[]',
    capacity      integer     NOT NULL DEFAULT 20 CHECK (capacity >= 0),
    presence      text        NOT NULL DEFAULT 'available' CHECK (presence IN ('available', 'away', 'offline')),
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

-- Only a hash of each bearer token is kept, so a leaked table opens nothing.
CREATE TABLE auth_tokens (
    id           bigserial PRIMARY KEY,
    user_id      bigint      NOT NULL REFERENCES users (id),
    token_sha256 bytea       NOT NULL UNIQUE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    revoked_at   timestamptz
);
CREATE INDEX auth_tokens_user_idx ON auth_tokens (user_id);

CREATE TABLE complainants (
    id           bigserial PRIMARY KEY,
    name         text        NOT NULL DEFAULT '',
    nik          text,
    phone        text        NOT NULL DEFAULT '',
    email        text        NOT NULL DEFAULT '',
    whatsapp_id  text        NOT NULL DEFAULT '',
    birth_place  text        NOT NULL DEFAULT '',
    birth_date   date,
    nik_warnings jsonb       NOT NULL DEFAULT '[]',
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX complainants_nik_key ON complainants (nik) WHERE nik IS NOT NULL;

-- A NIK names one person; a phone or an email may be shared by a family.
CREATE TABLE complainant_identities (
    kind           text        NOT NULL CHECK (kind IN ('nik', 'phone', 'email', 'whatsapp')),
    value          text        NOT NULL CHECK (value <> ''),
    complainant_id bigint      NOT NULL REFERENCES complainants (id),
    created_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (kind, value, complainant_id)
);
CREATE UNIQUE INDEX complainant_identities_nik_key ON complainant_identities (value) WHERE kind = 'nik';
CREATE INDEX complainant_identities_complainant_idx ON complainant_identities (complainant_id);

CREATE TABLE tickets (
    id                 bigserial PRIMARY KEY,
    number             text        NOT NULL UNIQUE,
    channel            text        NOT NULL CHECK (channel IN ('email', 'callcenter', 'whatsapp', 'sms')),
    category           text        NOT NULL CHECK (category IN ('certificate_missing', 'certificate_data_error',
                                       'personal_data_change', 'nik_conflict', 'vaccination_status', 'app_issue', 'other')),
    status             text        NOT NULL CHECK (status IN ('new', 'needs_info', 'open', 'pending', 'resolved', 'closed')),
    priority           text        NOT NULL CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    -- priority as a number, so queues sort most urgent first with an index
    priority_rank      smallint    GENERATED ALWAYS AS (CASE priority WHEN 'urgent' THEN 3 WHEN 'high' THEN 2
                                       WHEN 'normal' THEN 1 ELSE 0 END) STORED,
    queue              text        NOT NULL DEFAULT '',
    assignee_id        bigint      REFERENCES users (id),
    complainant_id     bigint      NOT NULL REFERENCES complainants (id),
    subject            text        NOT NULL DEFAULT '',
    description        text        NOT NULL DEFAULT '',
    call_ref           text        NOT NULL DEFAULT '',
    documents          jsonb       NOT NULL DEFAULT '{"ktp": "missing", "selfie": "missing", "vaccine_card": "missing"}',
    warnings           jsonb       NOT NULL DEFAULT '[]',
    first_response_due timestamptz,
    resolution_due     timestamptz,
    first_responded_at timestamptz,
    sla_breached       boolean     NOT NULL DEFAULT false,
    created_by         bigint      REFERENCES users (id),
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    resolved_at        timestamptz,
    search             tsvector    GENERATED ALWAYS AS (to_tsvector('simple', subject || ' ' || description)) STORED
);
-- Agents' views: by status, by queue (most urgent, oldest first), their own
-- tickets, by channel or category; a complainant's history; weekly counts.
CREATE INDEX tickets_status_idx ON tickets (status, id);
CREATE INDEX tickets_queue_idx ON tickets (queue, status, priority_rank DESC, id);
CREATE INDEX tickets_unassigned_idx ON tickets (queue, priority_rank DESC, id)
    WHERE assignee_id IS NULL AND status IN ('new', 'open');
CREATE INDEX tickets_assignee_idx ON tickets (assignee_id, status, id) WHERE assignee_id IS NOT NULL;
CREATE INDEX tickets_channel_idx ON tickets (channel, id);
CREATE INDEX tickets_category_idx ON tickets (category, id);
CREATE INDEX tickets_complainant_idx ON tickets (complainant_id, id);
CREATE INDEX tickets_created_idx ON tickets (created_at);
CREATE INDEX tickets_search_idx ON tickets USING gin (search);

CREATE TABLE messages (
    id          bigserial PRIMARY KEY,
    ticket_id   bigint      NOT NULL REFERENCES tickets (id),
    direction   text        NOT NULL CHECK (direction IN ('inbound', 'outbound', 'internal')),
    channel     text        NOT NULL,
    -- the inbound item's id at its source: Message-ID, WhatsApp id, Idempotency-Key
    source_id   text        CHECK (source_id <> ''),
    -- sha256 of what arrived, to tell a replay from a reused key
    source_hash text        NOT NULL DEFAULT '',
    author_id   bigint      REFERENCES users (id),
    subject     text        NOT NULL DEFAULT '',
    body        text        NOT NULL DEFAULT '',
    status      text        NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX messages_source_key ON messages (channel, source_id) WHERE source_id IS NOT NULL;
CREATE INDEX messages_ticket_idx ON messages (ticket_id, id);

CREATE TABLE attachments (
    id             bigserial PRIMARY KEY,
    ticket_id      bigint      NOT NULL REFERENCES tickets (id),
    message_id     bigint      NOT NULL REFERENCES messages (id),
    filename       text        NOT NULL DEFAULT '',
    content_type   text        NOT NULL DEFAULT '',
    size           bigint      NOT NULL DEFAULT 0,
    sha256         text        NOT NULL DEFAULT '',
    stored         boolean     NOT NULL DEFAULT false,
    refused_reason text        NOT NULL DEFAULT '',
    kind           text        NOT NULL DEFAULT 'unknown' CHECK (kind IN ('ktp', 'selfie', 'vaccine_card', 'other', 'unknown')),
    "check"        jsonb       NOT NULL DEFAULT '{"verdict": "pending", "reasons": [], "scores": {}}',
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX attachments_ticket_idx ON attachments (ticket_id, id);
CREATE INDEX attachments_sha256_idx ON attachments (sha256);

CREATE TABLE ticket_events (
    id        bigserial PRIMARY KEY,
    ticket_id bigint      NOT NULL REFERENCES tickets (id),
    actor_id  bigint      REFERENCES users (id),
    kind      text        NOT NULL,
    data      jsonb       NOT NULL DEFAULT '{}',
    at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ticket_events_ticket_idx ON ticket_events (ticket_id, id);

-- Who looked at which personal data (UU 27/2022).
CREATE TABLE audit_log (
    id       bigserial PRIMARY KEY,
    actor_id bigint      NOT NULL REFERENCES users (id),
    action   text        NOT NULL,
    subject  text        NOT NULL,
    reason   text        NOT NULL DEFAULT '',
    at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_subject_idx ON audit_log (subject, at);
CREATE INDEX audit_log_actor_idx ON audit_log (actor_id, at);

-- Background work, written in the same transaction as the change that needs
-- it; a relay hands each row to asynq with the row id as the task id.
CREATE TABLE outbox (
    id         bigserial PRIMARY KEY,
    task_type  text        NOT NULL,
    payload    jsonb       NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now(),
    relayed_at timestamptz,
    attempts   integer     NOT NULL DEFAULT 0,
    last_error text        NOT NULL DEFAULT ''
);
CREATE INDEX outbox_pending_idx ON outbox (id) WHERE relayed_at IS NULL;

-- +goose Down
DROP TABLE outbox, audit_log, ticket_events, attachments, messages, tickets,
    complainant_identities, complainants, auth_tokens, users;
