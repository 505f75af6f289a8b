-- The version of the compose CLI an agent uses, from its heartbeats; null until an agent that
-- reports it sends one.
ALTER TABLE agents ADD COLUMN compose_version text;
