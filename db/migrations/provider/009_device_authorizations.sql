-- The device authorization grant (RFC 8628, issue 15). A device asks for a pair of codes; the
-- person types the short user code on /device, signs in and approves or denies; the device polls
-- the token endpoint with the long device code until then. Both codes are stored as SHA-256 (the
-- user code normalised first: uppercase letters only, so `wdjb mjht` finds `WDJB-MJHT`).
-- `status` moves pending → approved | denied, and approved → used exactly once (a conditional
-- UPDATE, like codes). `last_polled_at` and `interval_seconds` enforce the polling interval:
-- a poll inside it is `slow_down` and adds 5 seconds (§3.5). Portable across SQLite and PostgreSQL.
CREATE TABLE device_authorizations (
    device_code_hash    TEXT    PRIMARY KEY,
    user_code_hash      TEXT    NOT NULL UNIQUE,
    client_id           TEXT    NOT NULL REFERENCES clients(client_id) ON DELETE CASCADE,
    scope               TEXT    NOT NULL,
    status              TEXT    NOT NULL DEFAULT 'pending',
    user_id             BIGINT  REFERENCES users(id) ON DELETE CASCADE,
    auth_time           BIGINT,
    amr                 TEXT,
    interval_seconds    INTEGER NOT NULL,
    last_polled_at      BIGINT,
    created_at          BIGINT  NOT NULL,
    expires_at          BIGINT  NOT NULL
);
CREATE INDEX device_authorizations_expiry ON device_authorizations(expires_at);
