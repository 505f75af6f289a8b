-- Which repositories a GitHub Actions workflow may sync with its OIDC token: the GitHub
-- repository (owner/name) the workflow must run in, and optionally the branches and workflows
-- allowed (empty: any).
ALTER TABLE repositories
  ADD COLUMN github_actions_enabled   boolean NOT NULL DEFAULT false,
  ADD COLUMN github_repository        text,
  ADD COLUMN github_allowed_branches  text[] NOT NULL DEFAULT '{}',
  ADD COLUMN github_allowed_workflows text[] NOT NULL DEFAULT '{}';

CREATE INDEX repositories_github_repository ON repositories (lower(github_repository))
  WHERE github_actions_enabled;
