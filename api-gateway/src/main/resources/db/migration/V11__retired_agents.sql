-- A deleted agent whose topics still exist: they are deleted once every task of the dispatcher
-- (one per deploy-requests partition) said it sends the agent nothing more (AgentRetirementSeen
-- on the status topic, one row per partition below). Deleting them sooner could stop the
-- dispatcher at a command in flight to the agent.
CREATE TABLE retired_agents (
  agent_id text PRIMARY KEY,
  partitions integer NOT NULL,
  retired_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE retired_agent_partitions (
  agent_id text NOT NULL REFERENCES retired_agents (agent_id) ON DELETE CASCADE,
  partition integer NOT NULL,
  PRIMARY KEY (agent_id, partition)
);

-- Set once the topics are deleted; the grants on them go when no consumer of the dispatcher's or
-- the projector's group has their partitions assigned any more (an offset commit the broker
-- refuses as unauthorized would stop the dispatcher).
ALTER TABLE retired_agents ADD COLUMN topics_deleted_at timestamptz;
