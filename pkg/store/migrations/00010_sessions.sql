-- +goose Up
-- Logins shared by every API process, so several behave as one.
--
-- login_attempts counts recent login attempts by key: the sha256 of a
-- normalised account email or of a client address (never the value itself,
-- so a huge or hostile email costs 32 bytes). Each key's next attempt waits a
-- delay that grows with its count. Rows are swept once their window has
-- passed, and the table is trimmed to a cap, so a flood of distinct keys
-- cannot grow it without bound.
CREATE TABLE login_attempts (
    key      bytea       PRIMARY KEY CHECK (length(key) = 32),
    attempts integer     NOT NULL CHECK (attempts >= 0),
    last_at  timestamptz NOT NULL
);
CREATE INDEX login_attempts_last_idx ON login_attempts (last_at);

-- login_known remembers that an account logged in successfully from an
-- address (a hash of both), so the account's owner is let through from
-- there even while someone elsewhere is guessing the account's password.
CREATE TABLE login_known (
    key     bytea       PRIMARY KEY CHECK (length(key) = 32),
    seen_at timestamptz NOT NULL
);
CREATE INDEX login_known_seen_idx ON login_known (seen_at);

-- A disabled user cannot log in, and every token of theirs stops working.
ALTER TABLE users ADD COLUMN disabled_at timestamptz;

-- Expired tokens are swept; this finds them.
CREATE INDEX auth_tokens_expires_idx ON auth_tokens (expires_at);

-- An audit entry written by an operator's command has no user behind it.
ALTER TABLE audit_log ALTER COLUMN actor_id DROP NOT NULL;

-- +goose Down
DELETE FROM audit_log WHERE actor_id IS NULL;
ALTER TABLE audit_log ALTER COLUMN actor_id SET NOT NULL;
DROP INDEX auth_tokens_expires_idx;
ALTER TABLE users DROP COLUMN disabled_at;
DROP TABLE login_known, login_attempts;
