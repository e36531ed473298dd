-- The audit log's filters (issue 16): one kind of event, and a user as the actor as well as the
-- target (audit_log_target covers the target). Each reads newest first by id, so the id is in
-- the index and a filtered page is an index range, however long the log.
CREATE INDEX audit_log_action ON audit_log(action, id);
CREATE INDEX audit_log_actor ON audit_log(actor_id, id);
