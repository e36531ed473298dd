-- A resource server (an API that accepts our access tokens) may introspect every client's
-- tokens; any other client only its own (RFC 7662 §4 leaves who may ask to the server).
ALTER TABLE clients ADD COLUMN resource_server INTEGER NOT NULL DEFAULT 0;
