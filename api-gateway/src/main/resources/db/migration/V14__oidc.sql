-- OIDC sign-in (issue 9): the providers admins configure (client secret encrypted), the sign-ins
-- in flight (state, nonce and PKCE verifier, bound to the browser that started them, for ten
-- minutes), and which provider subject is which user.
CREATE TABLE oidc_providers (
  id                      uuid PRIMARY KEY,
  name                    text NOT NULL,
  issuer                  text NOT NULL,
  client_id               text NOT NULL,
  client_secret_encrypted text NOT NULL,
  scopes                  text NOT NULL,
  allowed_domains         jsonb NOT NULL DEFAULT '[]',
  allowed_groups          jsonb NOT NULL DEFAULT '[]',
  admin_groups            jsonb NOT NULL DEFAULT '[]',
  groups_claim            text NOT NULL DEFAULT 'groups',
  enabled                 boolean NOT NULL DEFAULT true,
  created_at              timestamptz NOT NULL,
  updated_at              timestamptz NOT NULL
);
CREATE UNIQUE INDEX oidc_providers_name ON oidc_providers (lower(name));

CREATE TABLE oidc_logins (
  state_hash              bytea PRIMARY KEY,
  browser_hash            bytea NOT NULL,
  provider_id             uuid NOT NULL REFERENCES oidc_providers (id) ON DELETE CASCADE,
  nonce                   text NOT NULL,
  code_verifier_encrypted text NOT NULL,
  next                    text,
  expires_at              timestamptz NOT NULL
);
CREATE INDEX oidc_logins_expires ON oidc_logins (expires_at);

CREATE TABLE user_identities (
  provider_id uuid NOT NULL REFERENCES oidc_providers (id) ON DELETE CASCADE,
  subject     text NOT NULL,
  user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (provider_id, subject)
);
CREATE INDEX user_identities_user ON user_identities (user_id);

-- Whether a user's email was set by registration or an admin (true) or by the user themselves
-- (false): OIDC links a provider's verified email only to an account whose email was confirmed,
-- so nobody can set a colleague's address on their own account and receive their sign-in.
ALTER TABLE users ADD COLUMN email_confirmed boolean NOT NULL DEFAULT true;

-- The audit log's changes hold names and fields that are secret at rest like the rest (application
-- names): sealed like every other secret, opened for the admin view only.
ALTER TABLE audit_log DROP COLUMN changes;
ALTER TABLE audit_log ADD COLUMN changes_encrypted text;
