-- OpenID Connect RP-initiated logout 1.0 and back-channel logout 1.0 (issue 15, point 7).
-- Portable across SQLite and PostgreSQL.

-- Where a client may send the browser after logout (space-separated, compared exactly), and
-- where it receives logout tokens.
ALTER TABLE clients ADD COLUMN post_logout_redirect_uris TEXT NOT NULL DEFAULT '';
ALTER TABLE clients ADD COLUMN backchannel_logout_uri TEXT;
ALTER TABLE clients ADD COLUMN backchannel_logout_session_required INTEGER NOT NULL DEFAULT 0;

-- The provider session (`sid`, a random value kept in the session, never its cookie) that
-- approved each grant: the `sid` claim of every id_token of the grant, and the clients told by
-- back-channel logout when that session ends.
CREATE TABLE grant_sessions (
    family_id   TEXT    PRIMARY KEY,
    sid         TEXT    NOT NULL,
    client_id   TEXT    NOT NULL REFERENCES clients(client_id) ON DELETE CASCADE,
    user_id     BIGINT  NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at  BIGINT  NOT NULL
);
CREATE INDEX grant_sessions_sid ON grant_sessions(sid);
CREATE INDEX grant_sessions_created ON grant_sessions(created_at);
