-- +goose Up
-- What an inbound email message keeps besides its text: the address it came
-- from (its Reply-To, else its From), where answers to it go, which may
-- not be the address on the complainant's record; its HTML, sanitised (no
-- scripts, no remote images), for agents to see the mail as it was
-- written; and the problems met reading it (broken MIME, bad base64), so an
-- agent knows why its text may be odd.
ALTER TABLE messages
    ADD COLUMN sender   text  NOT NULL DEFAULT '',
    ADD COLUMN html     text  NOT NULL DEFAULT '',
    ADD COLUMN warnings jsonb NOT NULL DEFAULT '[]';

-- +goose Down
ALTER TABLE messages DROP COLUMN warnings, DROP COLUMN html, DROP COLUMN sender;
