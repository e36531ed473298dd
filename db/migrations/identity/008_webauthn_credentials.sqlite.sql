-- SQLite flavour: the id is an INTEGER PRIMARY KEY (a rowid alias); the PostgreSQL file differs
-- only there.
-- Passkeys and security keys (issue 14). Binary values are base64url text, as the browser's
-- JSON carries them: the credential id is looked up by exactly that text.
CREATE TABLE webauthn_credentials (
    id                   INTEGER PRIMARY KEY,
    user_id              BIGINT  NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    credential_id        TEXT    NOT NULL UNIQUE,
    public_key           TEXT    NOT NULL,   -- the COSE_Key as registered
    alg                  INTEGER NOT NULL,   -- COSE algorithm: -7, -8 or -257
    sign_count           BIGINT  NOT NULL DEFAULT 0,
    backup_eligible      INTEGER NOT NULL DEFAULT 0,
    backed_up            INTEGER NOT NULL DEFAULT 0,
    transports           TEXT    NOT NULL DEFAULT '',   -- comma-separated hints
    aaguid               TEXT,                          -- hex; all zeros is common
    name                 TEXT    NOT NULL,
    created_at           BIGINT  NOT NULL,
    last_used_at         BIGINT,
    counter_regressions  INTEGER NOT NULL DEFAULT 0     -- sign-ins whose counter did not go up
);
CREATE INDEX webauthn_credentials_user ON webauthn_credentials(user_id);
