-- Orca's system of record. Status columns are written only by the projector (the one
-- chokepoint); configuration columns only by the REST handlers, each change together with its
-- outbox row. Secrets and application names are AES-256-GCM ciphertext (base64).

CREATE SEQUENCE config_revision;

CREATE TABLE users (
  id            uuid PRIMARY KEY,
  email         text NOT NULL,
  name          text NOT NULL,
  password_hash text NOT NULL,
  role          text NOT NULL CHECK (role IN ('admin', 'user')),
  created_at    timestamptz NOT NULL,
  updated_at    timestamptz NOT NULL
);
CREATE UNIQUE INDEX users_email ON users (lower(email));

CREATE TABLE sessions (
  id         uuid PRIMARY KEY,
  token_hash bytea NOT NULL UNIQUE,
  user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL
);

CREATE TABLE api_tokens (
  id           uuid PRIMARY KEY,
  user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name         text NOT NULL,
  token_hash   bytea NOT NULL UNIQUE,
  created_at   timestamptz NOT NULL,
  last_used_at timestamptz
);

CREATE TABLE agents (
  id                         text PRIMARY KEY,
  name                       text NOT NULL,
  revision                   bigint NOT NULL,
  heartbeat_interval_seconds integer NOT NULL DEFAULT 15,
  last_seen                  timestamptz,
  docker_available           boolean,
  docker_version             text,
  compose_command            text,
  status_message             text,
  agent_version              text,
  created_at                 timestamptz NOT NULL,
  updated_at                 timestamptz NOT NULL
);
CREATE UNIQUE INDEX agents_name ON agents (lower(name));

CREATE TABLE repositories (
  id                       uuid PRIMARY KEY,
  name                     text NOT NULL,
  url                      text NOT NULL,
  provider                 text NOT NULL,
  auth_method              text NOT NULL,
  username                 text,
  secret_encrypted         text,
  sync_type                text NOT NULL,
  polling_interval_seconds integer NOT NULL DEFAULT 60,
  webhook_secret_encrypted text,
  revision                 bigint NOT NULL,
  sync_status              text NOT NULL DEFAULT 'unknown',
  last_synced_at           timestamptz,
  last_sync_error          text,
  created_at               timestamptz NOT NULL,
  updated_at               timestamptz NOT NULL
);

CREATE TABLE applications (
  id                          uuid PRIMARY KEY,
  name_encrypted              text NOT NULL,
  name_hash                   text NOT NULL,
  repository_id               uuid NOT NULL REFERENCES repositories (id),
  agent_id                    text NOT NULL REFERENCES agents (id),
  branch                      text NOT NULL,
  path                        text NOT NULL,
  revision                    bigint NOT NULL,
  sync_status                 text NOT NULL DEFAULT 'unknown',
  health_status               text NOT NULL DEFAULT 'unknown',
  commit_sha                  text,
  commit_message              text,
  last_synced_at              timestamptz,
  last_sync_error             text,
  compose_encrypted           text,
  previous_compose_encrypted  text,
  compose_digest              text,
  current_deployment_id       text,
  removal_request_id          text,
  removal_deadline            timestamptz,
  created_at                  timestamptz NOT NULL,
  updated_at                  timestamptz NOT NULL
);
-- Blind index: HMAC-SHA256 of the normalised name, keyed from APP_SECRET.
CREATE UNIQUE INDEX applications_agent_name ON applications (agent_id, name_hash);
CREATE INDEX applications_repository ON applications (repository_id);

-- Deployment history; kept after its application is deleted.
CREATE TABLE deployments (
  id             text PRIMARY KEY,
  application_id uuid NOT NULL,
  agent_id       text NOT NULL,
  generation     bigint NOT NULL,
  reason         text NOT NULL,
  actor          text NOT NULL,
  commit_sha     text NOT NULL,
  digest         text NOT NULL,
  state          text NOT NULL,
  error          text,
  started_at     timestamptz NOT NULL,
  ended_at       timestamptz,
  deadline       timestamptz NOT NULL,
  updated_at     timestamptz NOT NULL
);
CREATE INDEX deployments_application ON deployments (application_id, started_at DESC);

-- Configuration changes waiting to be published to the config topics, in seq order.
CREATE TABLE outbox (
  seq        bigserial PRIMARY KEY,
  topic      text NOT NULL,
  key        text NOT NULL,
  value      bytea,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Live-event log behind SSE: seq is the SSE id, so a client resuming with Last-Event-ID gets
-- every change after it. Payloads are rendered from the current state when sent.
CREATE TABLE events (
  seq       bigserial PRIMARY KEY,
  entity    text NOT NULL CHECK (entity IN ('application', 'repository', 'agent', 'deployment')),
  entity_id text NOT NULL,
  deleted   boolean NOT NULL DEFAULT false,
  at        timestamptz NOT NULL DEFAULT now()
);

-- Settings the system keeps for itself (the local agent's id, key-rotation markers).
CREATE TABLE system_settings (
  key   text PRIMARY KEY,
  value text NOT NULL
);
