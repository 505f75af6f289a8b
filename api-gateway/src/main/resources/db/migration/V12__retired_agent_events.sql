-- A deleted agent's events topic is deleted too, once the dispatcher's relay and the projector
-- have read every record of it (AgentRetirements); until now it stayed. Agents deleted before
-- this version whose row is still here get theirs deleted as well.
ALTER TABLE retired_agents ADD COLUMN events_deleted_at timestamptz;
