-- JWT access tokens (RFC 9068) and resource indicators (RFC 8707), issue 15. Portable across
-- SQLite and PostgreSQL.
-- A client chooses the form of its access tokens: `opaque` (random, stored hashed: the default)
-- or `jwt` (signed; only the hash of its `jti` is stored, so revocation and introspection work
-- for both alike).
ALTER TABLE clients ADD COLUMN access_token_format TEXT NOT NULL DEFAULT 'opaque';
-- The resources (RFC 8707 `resource` values, space-separated) a grant was asked for at the
-- authorization endpoint, kept with the code and the refresh tokens so later token requests may
-- only narrow them; empty when none was named.
ALTER TABLE authorization_codes ADD COLUMN resource TEXT NOT NULL DEFAULT '';
ALTER TABLE refresh_tokens ADD COLUMN resource TEXT NOT NULL DEFAULT '';
-- The audience an access token was issued for (space-separated resource identifiers); empty
-- means the provider's own resource endpoints, as for every token issued before this column.
ALTER TABLE access_tokens ADD COLUMN audience TEXT NOT NULL DEFAULT '';
