-- How the user signed in (issue 14): RFC 8176 `amr` values, space-separated, kept with the code
-- and the refresh tokens so the id_tokens of the exchange and of every refresh carry the same
-- `amr` and `acr` as the sign-in that approved the grant. Every earlier grant came from a
-- password, hence the default. Portable across SQLite and PostgreSQL.
ALTER TABLE authorization_codes ADD COLUMN amr TEXT NOT NULL DEFAULT 'pwd';
ALTER TABLE refresh_tokens ADD COLUMN amr TEXT NOT NULL DEFAULT 'pwd';
