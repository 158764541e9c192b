-- +goose Up
-- The weekly report mailed to supervisors on Monday morning: a row per week
-- and supervisor once the mail went. Its key is what keeps two workers (or
-- a retry) from mailing one supervisor the same week twice: the second
-- insert waits for the first transaction and then finds the row.

CREATE TABLE report_mails (
    week_start date        NOT NULL,
    user_id    bigint      NOT NULL REFERENCES users (id),
    sent_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (week_start, user_id)
);

-- +goose Down
DROP TABLE report_mails;
