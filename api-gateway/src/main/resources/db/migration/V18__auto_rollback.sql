-- Opt-in per application: a deployment that fails is followed by a rollback to the last one
-- that succeeded (which pins the application there, as a rollback by hand does).
ALTER TABLE applications ADD COLUMN auto_rollback boolean NOT NULL DEFAULT false;

-- Failed deployments whose application asks for an automatic rollback, queued by the projector
-- in the transaction that records the failure; the gateway's AutoRollbacks sends each rollback
-- (under an id derived from the failed deployment, so a repeat is one rollback) and removes the row.
CREATE TABLE auto_rollbacks (
  failed_deployment_id text PRIMARY KEY,
  application_id       uuid NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
  queued_at            timestamptz NOT NULL DEFAULT now(),
  attempts             integer NOT NULL DEFAULT 0,
  leased_until         timestamptz
);
CREATE INDEX auto_rollbacks_due ON auto_rollbacks (queued_at);
