-- Back-channel logout from Latchkey ID (issue 15, point 7): the `jti` of every logout token
-- accepted, until it would have expired anyway, so a replayed token is refused. The sign-in's
-- provider `sub` and `sid` live in the site session's own values (`upstream_logout`), so the
-- shared `sessions` table keeps the identity core's shape. Portable across SQLite and PostgreSQL.
CREATE TABLE backchannel_logout_jtis (
    jti         TEXT    PRIMARY KEY,
    expires_at  BIGINT  NOT NULL
);
CREATE INDEX backchannel_logout_jtis_expiry ON backchannel_logout_jtis(expires_at);
