-- Pushed authorization requests (RFC 9126, issue 15). A client posts its authorization request
-- to /oauth/par and gets `urn:ietf:params:oauth:request_uri:<random>`; the row keeps the pushed
-- parameters under the SHA-256 of the random part (like every code and token here), bound to the
-- client, for 60 seconds, used once (a conditional UPDATE of `used_at` decides the one winner).
-- `require_par` makes a client's plain authorization requests refused; off for every existing
-- client, whose applications do not push. Portable across SQLite and PostgreSQL.
ALTER TABLE clients ADD COLUMN require_par INTEGER NOT NULL DEFAULT 0;

CREATE TABLE pushed_authorization_requests (
    request_hash    TEXT    PRIMARY KEY,
    client_id       TEXT    NOT NULL REFERENCES clients(client_id) ON DELETE CASCADE,
    parameters      TEXT    NOT NULL,       -- the pushed form, application/x-www-form-urlencoded
    created_at      BIGINT  NOT NULL,
    expires_at      BIGINT  NOT NULL,
    used_at         BIGINT
);
CREATE INDEX pushed_authorization_requests_expiry ON pushed_authorization_requests(expires_at);
