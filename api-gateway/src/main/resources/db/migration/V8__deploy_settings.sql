-- How an application is deployed beyond its files (DeploySettings): opt-in self-heal, a readiness
-- timeout below the deployment's deadline (null: wait until the deadline), and the agent policy
-- rules an admin allowed for it (ids of dev.orca.schemas.PolicyRules, in that order).
ALTER TABLE applications
  ADD COLUMN self_heal boolean NOT NULL DEFAULT false,
  ADD COLUMN readiness_timeout_seconds integer,
  ADD COLUMN allowed_policy_rules text[] NOT NULL DEFAULT '{}';
