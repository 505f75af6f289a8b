-- Notifications. A channel is where messages go (a generic webhook, Slack, Discord, Microsoft
-- Teams, Gotify, ntfy or email) and which events it wants, for which applications and
-- repositories (none named: all). Its target URL, secret and SMTP password are sealed with
-- APP_SECRET; the API never returns them.
CREATE TABLE notification_channels (
  id                  uuid PRIMARY KEY,
  name                text NOT NULL,
  type                text NOT NULL,
  url_encrypted       text,
  secret_encrypted    text,
  email_host          text,
  email_port          integer,
  email_security      text,
  email_username      text,
  email_password_encrypted text,
  email_from          text,
  email_to            text[],
  events              text[] NOT NULL,
  application_ids     uuid[] NOT NULL DEFAULT '{}',
  repository_ids      uuid[] NOT NULL DEFAULT '{}',
  enabled             boolean NOT NULL DEFAULT true,
  last_delivery_at    timestamptz,
  last_delivery_state text,
  last_delivery_error text,
  created_at          timestamptz NOT NULL,
  updated_at          timestamptz NOT NULL
);

-- One message for one channel, queued by the projector in the transaction of the event that
-- caused it (so none is lost and none is sent twice for one event: event_id is unique per
-- channel) and sent by the notifier with retries and back-off, each on its own, so a receiver
-- that is down delays no other. What the message names is rendered when it is sent.
CREATE TABLE notification_deliveries (
  id              bigserial PRIMARY KEY,
  channel_id      uuid NOT NULL REFERENCES notification_channels (id) ON DELETE CASCADE,
  event_id        text NOT NULL,
  event           text NOT NULL,
  application_id  uuid,
  repository_id   uuid,
  agent_id        text,
  deployment_id   text,
  detail          text,
  occurred_at     timestamptz NOT NULL,
  state           text NOT NULL DEFAULT 'pending',
  attempts        integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL,
  last_error      text,
  sent_at         timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now(),
  UNIQUE (channel_id, event_id)
);
CREATE INDEX notification_deliveries_due ON notification_deliveries (next_attempt_at) WHERE state = 'pending';
CREATE INDEX notification_deliveries_channel ON notification_deliveries (channel_id, id DESC);

-- What each channel was last told about a subject, per event, so a repeat of the same failure is
-- not sent again until it changes (or the subject recovered, which deletes the row).
CREATE TABLE notification_suppressions (
  channel_id  uuid NOT NULL REFERENCES notification_channels (id) ON DELETE CASCADE,
  subject     text NOT NULL,
  event       text NOT NULL,
  fingerprint text NOT NULL,
  PRIMARY KEY (channel_id, subject, event)
);

-- The live feed carries channels too, so the notifications page stays current.
ALTER TABLE events DROP CONSTRAINT events_entity_check;
ALTER TABLE events ADD CONSTRAINT events_entity_check
  CHECK (entity IN ('application', 'repository', 'agent', 'deployment', 'notification'));

-- The silence an agent's "offline" was told for (its last_seen then), so "back online" is told only
-- after an "offline" was, and each silence once however many gateways sweep.
ALTER TABLE agents ADD COLUMN offline_announced_for timestamptz;
