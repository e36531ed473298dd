-- SQLite flavour: the user id is INTEGER PRIMARY KEY (a rowid alias); the PostgreSQL file differs
-- only there. The provider's own people; nothing here is shared with the site's database. (Sessions and
-- sign-in failures are the identity core's: db/migrations/identity/.)
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

