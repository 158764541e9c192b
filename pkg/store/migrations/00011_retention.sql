-- +goose Up
-- Retention. A finished ticket is purged a configured time after it was
-- resolved or closed: its messages' texts and raw mail, its photos and
-- its own texts go; its row, its messages' and attachments' rows (with
-- their times, sizes and kinds) and its events stay, so every count and
-- time the weekly report is made of stays true. A complainant is
-- anonymised once none of their tickets is left unpurged. A legal hold
-- keeps a ticket from being purged for as long as it is set.

ALTER TABLE tickets ADD COLUMN purged_at timestamptz;
ALTER TABLE complainants ADD COLUMN anonymised_at timestamptz;
ALTER TABLE attachments ADD COLUMN purged_at timestamptz;

-- The purge's search: finished tickets not purged yet, the oldest first.
-- Purged tickets leave the index, so it holds about a period's worth of
-- tickets however many years are kept.
CREATE INDEX tickets_retention_idx ON tickets (finished_at, id)
    WHERE purged_at IS NULL AND finished_at IS NOT NULL;

-- At most one hold a ticket: set by an admin with the reason (a dispute,
-- an investigation, a court order), cleared by an admin.
CREATE TABLE ticket_holds (
    ticket_id bigint      PRIMARY KEY REFERENCES tickets (id),
    reason    text        NOT NULL CHECK (reason <> ''),
    set_by    bigint      NOT NULL REFERENCES users (id),
    set_at    timestamptz NOT NULL DEFAULT now()
);

-- Blobs a purge let go of. Blobs are shared (one photo sent twice, one
-- mail threaded twice), so each is deleted only when no row still names
-- it; a blob written again lately (the same photo arriving now, its row
-- not committed yet) waits for a later run. A row here survives a crash
-- between the purge's commit and the deletion, so nothing is left behind.
CREATE TABLE retention_blobs (
    sha256    text        PRIMARY KEY,
    queued_at timestamptz NOT NULL DEFAULT now()
);

-- Which blob columns name a sum, so "is it still used" is a few index
-- lookups however many rows there are. Built in the migration's
-- transaction, they hold writes to those tables while they are built
-- (minutes on a year of mail): migrate in a quiet hour.
CREATE INDEX messages_raw_sha256_idx ON messages (raw_sha256) WHERE raw_sha256 <> '';
CREATE INDEX attachments_derivative_sha256_idx ON attachments (derivative_sha256) WHERE derivative_sha256 <> '';
CREATE INDEX quarantined_mail_raw_sha256_idx ON quarantined_mail (raw_sha256) WHERE raw_sha256 <> '';
CREATE INDEX ignored_mail_raw_sha256_idx ON ignored_mail (raw_sha256) WHERE raw_sha256 <> '';

-- Purges are done by the system, not by a user: their audit rows have no actor.
ALTER TABLE audit_log ALTER COLUMN actor_id DROP NOT NULL;

-- +goose Down
DELETE FROM audit_log WHERE actor_id IS NULL;
ALTER TABLE audit_log ALTER COLUMN actor_id SET NOT NULL;
DROP INDEX ignored_mail_raw_sha256_idx, quarantined_mail_raw_sha256_idx, attachments_derivative_sha256_idx,
    messages_raw_sha256_idx;
DROP TABLE retention_blobs, ticket_holds;
DROP INDEX tickets_retention_idx;
ALTER TABLE attachments DROP COLUMN purged_at;
ALTER TABLE complainants DROP COLUMN anonymised_at;
ALTER TABLE tickets DROP COLUMN purged_at;
