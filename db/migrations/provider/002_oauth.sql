-- The authorization server's records, portable across SQLite and PostgreSQL: every key here is
-- text (a client id or a SHA-256), so no dialect variant is needed.
-- Every secret, code and token is stored only as the hex SHA-256 of what the client holds:
-- a copy of this database lets nobody act as a client or a user.

CREATE TABLE clients (
    client_id       TEXT    PRIMARY KEY,
    secret_hash     TEXT,                       -- NULL for public clients
    name            TEXT    NOT NULL,
    redirect_uris   TEXT    NOT NULL,           -- space-separated, compared exactly
    grant_types     TEXT    NOT NULL,           -- space-separated
    scopes          TEXT    NOT NULL,           -- space-separated: what the client may ask for
    confidential    INTEGER NOT NULL,
    skip_consent    INTEGER NOT NULL DEFAULT 0,
    created_at      BIGINT  NOT NULL
);

-- A code becomes a grant family when exchanged; `family_id` then names every token issued from
-- it, so a replayed code can revoke them all.
CREATE TABLE authorization_codes (
    code_hash           TEXT    PRIMARY KEY,
    client_id           TEXT    NOT NULL REFERENCES clients(client_id) ON DELETE CASCADE,
    user_id             BIGINT  NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    redirect_uri        TEXT    NOT NULL,
    redirect_uri_sent   INTEGER NOT NULL,       -- whether the request named it (RFC 6749 §4.1.3)
    scope               TEXT    NOT NULL,
    code_challenge      TEXT,
    nonce               TEXT,
    auth_time           BIGINT  NOT NULL,
    family_id           TEXT    NOT NULL,
    created_at          BIGINT  NOT NULL,
    expires_at          BIGINT  NOT NULL,
    used_at             BIGINT
);
CREATE INDEX authorization_codes_expiry ON authorization_codes(expires_at);

CREATE TABLE access_tokens (
    token_hash  TEXT    PRIMARY KEY,
    client_id   TEXT    NOT NULL REFERENCES clients(client_id) ON DELETE CASCADE,
    user_id     BIGINT  REFERENCES users(id) ON DELETE CASCADE,   -- NULL for client_credentials
    scope       TEXT    NOT NULL,
    family_id   TEXT    NOT NULL,
    issued_at   BIGINT  NOT NULL,
    expires_at  BIGINT  NOT NULL,
    revoked_at  BIGINT
);
CREATE INDEX access_tokens_family ON access_tokens(family_id);
CREATE INDEX access_tokens_expiry ON access_tokens(expires_at);

-- Rotation: each use replaces the token (`rotated_at` set on the old one, `rotated_from` on the
-- new one). Presenting a rotated-away token again means it leaked: the whole family is revoked.
CREATE TABLE refresh_tokens (
    token_hash      TEXT    PRIMARY KEY,
    client_id       TEXT    NOT NULL REFERENCES clients(client_id) ON DELETE CASCADE,
    user_id         BIGINT  NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    scope           TEXT    NOT NULL,
    family_id       TEXT    NOT NULL,
    rotated_from    TEXT,
    auth_time       BIGINT  NOT NULL,
    issued_at       BIGINT  NOT NULL,
    expires_at      BIGINT  NOT NULL,
    rotated_at      BIGINT,
    revoked_at      BIGINT
);
CREATE INDEX refresh_tokens_family ON refresh_tokens(family_id);
CREATE INDEX refresh_tokens_expiry ON refresh_tokens(expires_at);

-- What a user has allowed a client; a request within these scopes skips the consent page.
CREATE TABLE consents (
    user_id     BIGINT  NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    client_id   TEXT    NOT NULL REFERENCES clients(client_id) ON DELETE CASCADE,
    scope       TEXT    NOT NULL,
    granted_at  BIGINT  NOT NULL,
    PRIMARY KEY (user_id, client_id)
);

-- The id_token signing key, PEM sealed with the key ring (AES-256-GCM under SECRET_KEY).
CREATE TABLE signing_keys (
    kid             TEXT    PRIMARY KEY,        -- the RFC 7638 thumbprint of the public key
    private_key_enc TEXT    NOT NULL,
    created_at      BIGINT  NOT NULL
);
