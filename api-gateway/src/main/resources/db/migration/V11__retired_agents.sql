-- A deleted agent whose topics or grants still exist on the broker (AgentRetirements). Its topics
-- are deleted once every task of the dispatcher (one per deploy-requests partition) said it sends
-- the agent nothing more (AgentRetirementSeen on the status topic, one row per partition below):
-- sooner, a command in flight could meet a topic that is gone. The grants on them go once neither
-- the dispatcher's nor the projector's group has had their partitions assigned for a while: an
-- offset commit naming them that the broker refuses as unauthorized would stop the dispatcher.
CREATE TABLE retired_agents (
  agent_id text PRIMARY KEY,
  partitions integer NOT NULL,
  retired_at timestamptz NOT NULL DEFAULT now(),
  -- When AgentRetired was last queued for every partition (queued again while some stay silent).
  announced_at timestamptz NOT NULL DEFAULT now(),
  topics_deleted_at timestamptz,
  -- Since when no consumer group has the deleted topics' partitions assigned, all groups settled.
  unassigned_since timestamptz
);

-- No foreign key: the projector may note a repeated answer while the sweeper deletes the agent's
-- row, and a failed insert would roll its whole batch back. The sweeper deletes these with it.
CREATE TABLE retired_agent_partitions (
  agent_id text NOT NULL,
  partition integer NOT NULL,
  PRIMARY KEY (agent_id, partition)
);
