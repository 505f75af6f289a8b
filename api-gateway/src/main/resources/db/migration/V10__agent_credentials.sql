-- The agent's Kafka principal (SCRAM user name) of its current credential; each rotation makes a
-- new one, so the old one's ACLs and sessions go at once. The password is never stored: it is
-- shown once, in the answer to registration or rotation. Null for agents registered before
-- credentials existed (rotate their token to give them one).
ALTER TABLE agents ADD COLUMN kafka_principal text;
ALTER TABLE agents ADD COLUMN kafka_generation integer NOT NULL DEFAULT 0;
