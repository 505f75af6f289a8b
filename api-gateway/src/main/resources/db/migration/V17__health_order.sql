-- When the application's agent observed its stored health (the agent's clock, as its health
-- reports and deployment results carry it): an older observation that arrives later, through
-- another path, no longer overwrites a newer one. Null until the first observation, and again
-- when the application moves to another agent (another clock).
ALTER TABLE applications ADD COLUMN health_observed_at timestamptz;
