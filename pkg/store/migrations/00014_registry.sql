-- +goose Up
-- Aduan's copy of the national vaccination registry: the people the
-- WhatsApp bot serves, their registered numbers and their doses, filled by
-- `aduan registry import` and corrected by the bot (name, phone) and by
-- agents. Every change is written to registry_audit.
CREATE TABLE registry_people (
    id          bigserial PRIMARY KEY,
    nik         text NOT NULL CHECK (nik ~ '^[0-9]{16}$'),
    name        text NOT NULL CHECK (name <> ''),
    birth_date  date,
    -- E.164; NULL when the person registered no number. A number belongs
    -- to one record: the bot finds the person by it after the OTP.
    phone       text CHECK (phone ~ '^\+[0-9]{8,15}$'),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT registry_people_nik_key UNIQUE (nik),
    CONSTRAINT registry_people_phone_key UNIQUE (phone)
);

CREATE TABLE registry_doses (
    person_id  bigint NOT NULL REFERENCES registry_people (id) ON DELETE CASCADE,
    dose       int NOT NULL CHECK (dose > 0),
    date       date NOT NULL,
    vaccine    text NOT NULL,
    place      text NOT NULL,
    PRIMARY KEY (person_id, dose)
);

-- Who changed what and when. The person is named by id, never by NIK,
-- and old and new values are kept masked (a NIK as ticket.MaskNIK shows
-- it, a phone with its last digits only), so the audit can be read and
-- exported without revealing what it protects. actor_id: the
-- OTP-verified number (whatsapp), the user id (agent), the file (import).
CREATE TABLE registry_audit (
    id          bigserial PRIMARY KEY,
    person_id   bigint NOT NULL REFERENCES registry_people (id) ON DELETE CASCADE,
    at          timestamptz NOT NULL,
    actor_kind  text NOT NULL CHECK (actor_kind IN ('whatsapp', 'agent', 'import')),
    actor_id    text NOT NULL,
    field       text NOT NULL,
    old_masked  text NOT NULL,
    new_masked  text NOT NULL
);

CREATE INDEX registry_audit_person_idx ON registry_audit (person_id, id);

-- +goose Down
DROP TABLE registry_audit;
DROP TABLE registry_doses;
DROP TABLE registry_people;
