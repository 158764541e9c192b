-- +goose Up
-- WhatsApp webhook bodies, kept exactly as Meta sent them (correctly
-- signed only) before the webhook answers 200, so a body is never lost
-- between Meta and its processing. state: received (waiting to be
-- processed), invalid (signed but not a WhatsApp notification; error
-- says why; kept for inspection, never processed), processed (done
-- with, for the processing that takes 'received' rows).
CREATE TABLE whatsapp_webhooks (
    id          bigserial PRIMARY KEY,
    received_at timestamptz NOT NULL DEFAULT now(),
    body        bytea NOT NULL,
    sha256      bytea NOT NULL,
    state       text NOT NULL CHECK (state IN ('received', 'invalid', 'processed')),
    error       text NOT NULL DEFAULT ''
);

-- The processing's search: bodies still waiting, oldest first.
CREATE INDEX whatsapp_webhooks_received_idx ON whatsapp_webhooks (id) WHERE state = 'received';

-- +goose Down
DROP TABLE whatsapp_webhooks;
