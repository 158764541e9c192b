-- +goose Up
-- The other categories a complaint's text also matched, best first, for the
-- agent to pick from when the guess stored in category is not the one.
ALTER TABLE tickets ADD COLUMN category_alternatives jsonb NOT NULL DEFAULT '[]';

-- +goose Down
ALTER TABLE tickets DROP COLUMN category_alternatives;
