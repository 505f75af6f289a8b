-- Webhook deliveries already accepted, by the provider's delivery id: a redelivery answers with
-- the sync the first delivery started instead of starting another. Pruned after 7 days.
CREATE TABLE webhook_deliveries (
  repository_id uuid NOT NULL REFERENCES repositories (id) ON DELETE CASCADE,
  delivery_id   text NOT NULL,
  sync_id       text NOT NULL,
  received_at   timestamptz NOT NULL,
  PRIMARY KEY (repository_id, delivery_id)
);
CREATE INDEX webhook_deliveries_received_at ON webhook_deliveries (received_at);

-- The last trigger of a repository's sync (which webhook, poll or person, and when) and what the
-- last sync was asked for but did not do.
ALTER TABLE repositories
  ADD COLUMN last_trigger       text,
  ADD COLUMN last_trigger_actor text,
  ADD COLUMN last_triggered_at  timestamptz,
  ADD COLUMN last_sync_note     text;
