-- The identity core's tables, in the site's database and in the provider's alike. They refer to
-- the app's `users(id)`, so the app's migrations run first (see Identity.Schema).
-- IF NOT EXISTS: databases made before the identity core existed already have `sessions`, made
-- by the apps' own first migration with exactly these columns.

-- The cookie carries a random 256-bit id; only its SHA-256 (hex) is stored.
CREATE TABLE IF NOT EXISTS sessions (
    id_hash     TEXT    PRIMARY KEY,
    user_id     BIGINT  REFERENCES users(id) ON DELETE CASCADE,
    data        TEXT    NOT NULL DEFAULT '{}',
    created_at  BIGINT  NOT NULL,
    last_seen   BIGINT  NOT NULL,
    expires_at  BIGINT  NOT NULL,
    remote_ip   TEXT,
    user_agent  TEXT
);
CREATE INDEX IF NOT EXISTS sessions_user ON sessions(user_id);
CREATE INDEX IF NOT EXISTS sessions_expiry ON sessions(expires_at);

-- Failed password checks, for the limits per account and per client IP (SignInThrottle).
CREATE TABLE IF NOT EXISTS sign_in_failures (
    scope       TEXT    NOT NULL,   -- 'account' or 'ip'
    subject     TEXT    NOT NULL,   -- the username key or the IP address
    created_at  BIGINT  NOT NULL
);
CREATE INDEX IF NOT EXISTS sign_in_failures_lookup ON sign_in_failures(scope, subject, created_at);
CREATE INDEX IF NOT EXISTS sign_in_failures_age ON sign_in_failures(created_at);
