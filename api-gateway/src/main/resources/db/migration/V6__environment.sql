-- Per-application environment variables. Each agent gets a random 32-byte environment key at
-- registration (stored base64 and AES-256-GCM encrypted with the APP_SECRET key, like every
-- secret; null for agents registered before); an application's variables are stored only as its
-- .env sealed for its agent with that key (the bytes of DeploySettings.environment), so neither
-- the database nor the config topic ever holds a value in plaintext.
ALTER TABLE agents ADD COLUMN environment_key_encrypted text;
ALTER TABLE applications ADD COLUMN environment_sealed bytea;
