-- How the last finished-but-not-removed removal ended, so DELETE ?wait=true can tell a removal
-- that timed out (504) from one the agent failed (502) after the projector cleared the request.
ALTER TABLE applications
  ADD COLUMN last_removal_request_id text,
  ADD COLUMN last_removal_timed_out  boolean;
