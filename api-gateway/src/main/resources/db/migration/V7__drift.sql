-- What the agent last reported as drifted from the application's last successful deployment.
ALTER TABLE applications ADD COLUMN drift text;
