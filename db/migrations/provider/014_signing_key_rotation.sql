-- Signing-key rotation (issue 15, point 8): a key is published at `created_at`, signs from
-- `activates_at`, stops signing at `signs_until` (its successor's `activates_at`) and leaves the
-- JWK Set at `published_until` (after the longest token it signed has expired). NULL: not yet
-- decided (no successor). Keys made before rotation existed signed from their creation.
-- Portable across SQLite and PostgreSQL.
ALTER TABLE signing_keys ADD COLUMN activates_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE signing_keys ADD COLUMN signs_until BIGINT;
ALTER TABLE signing_keys ADD COLUMN published_until BIGINT;
UPDATE signing_keys SET activates_at = created_at;
