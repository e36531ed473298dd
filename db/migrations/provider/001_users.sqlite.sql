-- SQLite flavour: the user id is INTEGER PRIMARY KEY (a rowid alias); the PostgreSQL file differs
-- only there. The provider's own people and their browser sessions; nothing here is shared with
-- the site's database.
-- Times are Unix seconds (BIGINT); booleans are 0/1; usernames and emails are unique
-- case-insensitively through their *_key columns (lowercased).

-- The numeric id is the identity clients key on (`sub`); usernames may change, ids never do.
CREATE TABLE users (
    id              INTEGER PRIMARY KEY,
    username        TEXT    NOT NULL,
    username_key    TEXT    NOT NULL UNIQUE,
    email           TEXT    NOT NULL,
    email_key       TEXT    NOT NULL UNIQUE,
    email_verified  INTEGER NOT NULL DEFAULT 0,
    name            TEXT    NOT NULL DEFAULT '',
    password_hash   TEXT    NOT NULL,
    is_admin        INTEGER NOT NULL DEFAULT 0,
    created_at      BIGINT  NOT NULL,
    updated_at      BIGINT  NOT NULL
);

-- The cookie carries a random 256-bit id; only its SHA-256 (hex) is stored.
CREATE TABLE sessions (
    id_hash     TEXT    PRIMARY KEY,
    user_id     BIGINT  REFERENCES users(id) ON DELETE CASCADE,
    data        TEXT    NOT NULL DEFAULT '{}',
    created_at  BIGINT  NOT NULL,
    last_seen   BIGINT  NOT NULL,
    expires_at  BIGINT  NOT NULL,
    remote_ip   TEXT,
    user_agent  TEXT
);
CREATE INDEX sessions_user ON sessions(user_id);
CREATE INDEX sessions_expiry ON sessions(expires_at);
