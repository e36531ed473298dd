-- RFC 9700 §2.1.1 / OAuth 2.1: PKCE for every authorization-code client, not only public ones
-- (issue 15). A per-client switch, on for every client registered from now on.
-- Rows that exist already: public clients were always held to PKCE, so they get 1 and nothing
-- changes for them. Confidential clients registered before this migration get 0: they were
-- promised that a secret was enough, and a deployed application that never sends a
-- code_challenge would stop signing anyone in the moment the provider is upgraded. An admin turns
-- it on per client (`latchkey clients set ID --require-pkce on`) once the application sends one.
-- Portable across SQLite and PostgreSQL.
ALTER TABLE clients ADD COLUMN require_pkce INTEGER NOT NULL DEFAULT 0;
UPDATE clients SET require_pkce = 1 WHERE confidential = 0;
