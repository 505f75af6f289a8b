-- Image updates: per application, whether its agent checks its images for updates and how often,
-- whether superseded images are removed after an update, and the secret registries' image
-- webhooks authenticate with (encrypted like every other secret).
ALTER TABLE applications
  ADD COLUMN image_polling                  boolean NOT NULL DEFAULT false,
  ADD COLUMN image_poll_interval_seconds    integer NOT NULL DEFAULT 120,
  ADD COLUMN remove_superseded_images       boolean NOT NULL DEFAULT false,
  ADD COLUMN image_webhook_secret_encrypted text;

-- Image updates asked for and not sent yet: one per application, due when no further request
-- came for a few seconds (a burst of registry webhooks is one deployment) and never later than a
-- bound after the first. Each row becomes a sync request in the outbox in the transaction that
-- deletes it; deleting the application drops it.
CREATE TABLE image_updates (
  application_id uuid PRIMARY KEY REFERENCES applications (id) ON DELETE CASCADE,
  deployment_id  text NOT NULL,
  actor          text NOT NULL,
  first_at       timestamptz NOT NULL,
  due_at         timestamptz NOT NULL
);
CREATE INDEX image_updates_due_at ON image_updates (due_at);
