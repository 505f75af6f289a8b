-- Issue 9: an admin's password reset makes the user choose a new one at the next sign-in;
-- sessions end after an idle time as well as their absolute lifetime; every change is written to
-- the audit log (who, what, which entity, what changed without secret values, when, from where).
ALTER TABLE users ADD COLUMN must_change_password boolean NOT NULL DEFAULT false;

ALTER TABLE sessions ADD COLUMN last_seen_at timestamptz NOT NULL DEFAULT now();
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE audit_log (
  id          bigserial PRIMARY KEY,
  at          timestamptz NOT NULL DEFAULT now(),
  actor_type  text NOT NULL,
  actor_id    text,
  actor_name  text,
  action      text NOT NULL,
  entity_type text,
  entity_id   text,
  changes     jsonb,
  status      integer NOT NULL,
  address     text
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_entity ON audit_log (entity_type, entity_id, id);
CREATE INDEX audit_log_actor ON audit_log (actor_id, id);

-- Failed sign-ins, by account and address and by address alone, with the growing delay they
-- earned (LoginThrottle): kept here so a restart or another gateway instance does not forget.
CREATE TABLE login_failures (
  key             text PRIMARY KEY,
  failures        integer NOT NULL,
  last_failure_at timestamptz NOT NULL,
  blocked_until   timestamptz NOT NULL
);
CREATE INDEX login_failures_last ON login_failures (last_failure_at);
