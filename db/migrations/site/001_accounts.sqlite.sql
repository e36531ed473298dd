-- SQLite flavour: ids are INTEGER PRIMARY KEY (rowid aliases); the PostgreSQL file differs only there.
-- Local accounts, server-side sessions, sign-in attempts and the audit log.
-- Times are Unix seconds (BIGINT); booleans are 0/1; usernames and emails are unique
-- case-insensitively through their *_key columns (lowercased), which works the same on
-- SQLite and PostgreSQL.

CREATE TABLE users (
    id              INTEGER PRIMARY KEY,
    username        TEXT    NOT NULL,
    username_key    TEXT    NOT NULL UNIQUE,
    email           TEXT,
    email_key       TEXT    UNIQUE,
    email_verified  INTEGER NOT NULL DEFAULT 0,
    password_hash   TEXT,
    is_admin        INTEGER NOT NULL DEFAULT 0,
    is_disabled     INTEGER NOT NULL DEFAULT 0,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);

-- The cookie carries a random 256-bit id; only its SHA-256 (hex) is stored.
CREATE TABLE sessions (
    id_hash     TEXT    PRIMARY KEY,
    user_id     BIGINT REFERENCES users(id) ON DELETE CASCADE,
    data        TEXT    NOT NULL DEFAULT '{}',
    created_at  BIGINT NOT NULL,
    last_seen   BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    remote_ip   TEXT,
    user_agent  TEXT
);
CREATE INDEX sessions_user ON sessions(user_id);
CREATE INDEX sessions_expiry ON sessions(expires_at);

-- Failed sign-ins, for rate limits per account and per client IP.
CREATE TABLE login_attempts (
    id          INTEGER PRIMARY KEY,
    scope       TEXT    NOT NULL,   -- 'account' or 'ip'
    subject     TEXT    NOT NULL,   -- the username key or the IP address
    created_at  BIGINT NOT NULL
);
CREATE INDEX login_attempts_lookup ON login_attempts(scope, subject, created_at);

CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    actor_id    BIGINT,
    action      TEXT    NOT NULL,
    target_user BIGINT,
    detail      TEXT    NOT NULL DEFAULT '',
    remote_ip   TEXT,
    created_at  BIGINT NOT NULL
);
CREATE INDEX audit_log_time ON audit_log(created_at);
