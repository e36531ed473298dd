-- Which app holds an API token, as the account page lists it: the provider it signed in with
-- and the client's User-Agent (shortened), both as the client sent them at sign-in.
ALTER TABLE api_tokens ADD COLUMN client TEXT;
