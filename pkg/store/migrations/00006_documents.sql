-- +goose Up
-- Document checks. The documents:check task keeps, for every attachment,
-- the derivative agents are shown (oriented, shrunk, stripped of EXIF), and
-- for every ticket what its last decision was made on and what the
-- complainant was already asked for: a re-run of the task (a worker killed
-- mid-task) changes no status and asks nothing twice, while new photos
-- are decided on again and, when still unusable, asked for again.

ALTER TABLE attachments
    ADD COLUMN derivative_sha256 text NOT NULL DEFAULT '';  -- the derivative in the blob store; '' when none
ALTER TABLE tickets
    -- a fingerprint of the checked attachments the last documents decision
    -- (needs_info or back to open) was made on; '' before any
    ADD COLUMN documents_decided   text  NOT NULL DEFAULT '',
    -- the document requests made so far, each as its key, e.g.
    -- "ktp:unreadable:41,57|selfie:missing" (41, 57: attachment ids)
    ADD COLUMN documents_requested jsonb NOT NULL DEFAULT '[]';

-- +goose Down
ALTER TABLE tickets DROP COLUMN documents_requested, DROP COLUMN documents_decided;
ALTER TABLE attachments DROP COLUMN derivative_sha256;
