-- SQLite flavour: ids are INTEGER PRIMARY KEY (rowid aliases); the PostgreSQL file differs only there.
-- Local accounts and the audit log. (Sessions and sign-in failures are the identity core's:
-- db/migrations/identity/.)
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
