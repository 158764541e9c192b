-- +goose Up
-- The WhatsApp bot's conversation with each sender, so a restart or a
-- second instance continues it where it was. state is the bot's own
-- JSON (its step, the answers so far, the conversation for a ticket);
-- step and ticket_id are kept apart so they can be read without it.
CREATE TABLE whatsapp_conversations (
    wa_id           text PRIMARY KEY,
    phone_number_id text NOT NULL DEFAULT '',
    step            text NOT NULL DEFAULT '',
    state           jsonb NOT NULL DEFAULT '{}',
    -- the escalated ticket whose messages the person's words go onto
    ticket_id       bigint REFERENCES tickets (id) ON DELETE SET NULL,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz
);

-- The inbound messages the bot has answered, so a redelivered or retried
-- message answers nothing new. Written in the transaction that answers.
CREATE TABLE whatsapp_bot_handled (
    wamid      text PRIMARY KEY,
    wa_id      text NOT NULL,
    handled_at timestamptz NOT NULL DEFAULT now()
);

-- One-time codes. The code itself is never stored: code_mac is the
-- HMAC-SHA256, keyed with the server's secret, of the challenge id and
-- the code. registered says whether the number is in the registry (no
-- code was sent when it is not; the person was told the same thing).
CREATE TABLE otp_challenges (
    id         text PRIMARY KEY,
    wa_id      text NOT NULL,
    phone      text NOT NULL,
    registered boolean NOT NULL,
    code_mac   bytea NOT NULL,
    failures   integer NOT NULL DEFAULT 0,
    state      text NOT NULL CHECK (state IN ('open', 'verified', 'failed', 'replaced')),
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL
);

-- A sender's open challenge, the one a typed code is checked against.
CREATE INDEX otp_challenges_open_idx ON otp_challenges (wa_id, created_at DESC) WHERE state = 'open';

-- Codes sent and wrong codes typed, counted per number and per sender to
-- limit both.
CREATE TABLE otp_attempts (
    id    bigserial PRIMARY KEY,
    kind  text NOT NULL CHECK (kind IN ('send', 'failure')),
    phone text NOT NULL,
    wa_id text NOT NULL,
    at    timestamptz NOT NULL
);

CREATE INDEX otp_attempts_phone_idx ON otp_attempts (phone, kind, at);
CREATE INDEX otp_attempts_wa_idx ON otp_attempts (wa_id, kind, at);

-- +goose Down
DROP TABLE otp_attempts;
DROP TABLE otp_challenges;
DROP TABLE whatsapp_bot_handled;
DROP TABLE whatsapp_conversations;
