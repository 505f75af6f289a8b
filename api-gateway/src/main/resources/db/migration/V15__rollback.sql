-- Rollback and pin. What each deployment ran, so a rollback redeploys exactly that: one row per
-- application and digest (the digest covers the compose file, its files and the deploy settings,
-- so many deployments of one digest share a row). The compose file and the files are sealed at
-- rest like every compose file; the environment is kept as the agent got it, sealed for that
-- agent (environment_agent_id), and opened only to seal it again when the application has moved.
-- The projector writes it from deploy-requests; rows go with their application (the removal's
-- delete and an admin's forced one alike).
CREATE TABLE deployment_contents (
  id                   uuid PRIMARY KEY,
  application_id       uuid NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
  digest               text NOT NULL,
  commit_sha           text NOT NULL,
  commit_message       text,
  compose_encrypted    text NOT NULL,
  files_encrypted      text,
  environment_sealed   bytea,
  environment_agent_id text,
  created_at           timestamptz NOT NULL,
  UNIQUE (application_id, digest)
);

-- An application a rollback pinned: the deployment it rolled back to and its commit, until a
-- manual deploy, an unpin or a move to another agent. The branch's newest commit it holds back,
-- and how many commits that is ahead of the pin, come from the dispatcher's status events.
ALTER TABLE applications
  ADD COLUMN pinned_deployment_id  text,
  ADD COLUMN pinned_commit         text,
  ADD COLUMN pinned_at             timestamptz,
  ADD COLUMN latest_commit_sha     text,
  ADD COLUMN latest_commit_message text,
  ADD COLUMN commits_behind        integer;
