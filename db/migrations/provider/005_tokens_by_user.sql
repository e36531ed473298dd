-- A password reset revokes every token a user holds, with every client, and deletes their codes
-- not yet exchanged (issue 12): those statements look tokens up by user, so index them by user
-- rather than scanning tables that grow with every sign-in. Portable across SQLite and PostgreSQL.
CREATE INDEX IF NOT EXISTS access_tokens_user ON access_tokens(user_id);
CREATE INDEX IF NOT EXISTS refresh_tokens_user ON refresh_tokens(user_id);
CREATE INDEX IF NOT EXISTS authorization_codes_user ON authorization_codes(user_id);
