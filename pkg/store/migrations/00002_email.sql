-- +goose Up
-- The email channel: raw mail kept for every message, outbound delivery
-- state, the IMAP position per mailbox, mail that failed or was ignored.

ALTER TABLE messages
    ADD COLUMN raw_sha256 text NOT NULL DEFAULT '',  -- the raw mail or webhook body in the blob store
    ADD COLUMN recipient  text NOT NULL DEFAULT '',  -- outbound: the address it went to
    ADD COLUMN kind       text NOT NULL DEFAULT '',  -- outbound: ack, reply; inbound: '' or automatic
    ADD COLUMN automatic  text NOT NULL DEFAULT '',  -- inbound: why the mail was machine-sent
    ADD COLUMN error      text NOT NULL DEFAULT '';  -- outbound: why delivery failed
-- Acknowledgements per sender per hour.
CREATE INDEX messages_outbound_recipient_idx ON messages (recipient, created_at) WHERE direction = 'outbound';

-- Where each mailbox was read up to. A new UIDVALIDITY means the UIDs were
-- renumbered: reading starts again and Message-IDs keep it from doubling.
CREATE TABLE mailbox_state (
    mailbox      text PRIMARY KEY,
    uid_validity bigint      NOT NULL,
    last_uid     bigint      NOT NULL DEFAULT 0,
    updated_at   timestamptz NOT NULL DEFAULT now()
);

-- Mail that failed to be parsed or stored, so a broken mail is tried a few
-- times and then quarantined instead of fetched forever.
CREATE TABLE mail_failures (
    mailbox      text        NOT NULL,
    uid_validity bigint      NOT NULL,
    uid          bigint      NOT NULL,
    attempts     integer     NOT NULL DEFAULT 0,
    last_error   text        NOT NULL DEFAULT '',
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (mailbox, uid_validity, uid)
);

CREATE TABLE quarantined_mail (
    id           bigserial PRIMARY KEY,
    mailbox      text        NOT NULL,
    uid_validity bigint      NOT NULL,
    uid          bigint      NOT NULL,
    raw_sha256   text        NOT NULL DEFAULT '',
    size         bigint      NOT NULL DEFAULT 0,
    reason       text        NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (mailbox, uid_validity, uid)
);

-- Automatic mail (auto-replies, bulk, bounces) that belongs to no ticket:
-- kept for admins, never answered.
CREATE TABLE ignored_mail (
    id           bigserial PRIMARY KEY,
    source_id    text        NOT NULL UNIQUE,
    raw_sha256   text        NOT NULL DEFAULT '',
    from_address text        NOT NULL DEFAULT '',
    subject      text        NOT NULL DEFAULT '',
    reason       text        NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ignored_mail_created_idx ON ignored_mail (created_at);

-- +goose Down
DROP TABLE ignored_mail, quarantined_mail, mail_failures, mailbox_state;
DROP INDEX messages_outbound_recipient_idx;
ALTER TABLE messages DROP COLUMN raw_sha256, DROP COLUMN recipient, DROP COLUMN kind,
    DROP COLUMN automatic, DROP COLUMN error;
