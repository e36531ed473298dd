-- Dynamic client registration (RFC 7591) and management (RFC 7592), issue 15. A client that
-- registered itself holds a registration access token for its configuration endpoint; only its
-- SHA-256 is stored, and clients an admin registered have none (NULL: not manageable over HTTP).
-- With PROVIDER_REGISTRATION=token, registering needs an initial access token an admin issued
-- (`latchkey clients token`): single use, short lived, stored as SHA-256 too.
-- Portable across SQLite and PostgreSQL.
ALTER TABLE clients ADD COLUMN registration_token_hash TEXT;

CREATE TABLE initial_access_tokens (
    token_hash  TEXT    PRIMARY KEY,
    created_at  BIGINT  NOT NULL,
    expires_at  BIGINT  NOT NULL,
    used_at     BIGINT
);
