import { Card, Code, Group, Stack, Text, Title } from '@mantine/core';
import type { Repository } from '../../api/types';
import { CopyValueButton } from '../../components/CopyValueButton';

/**
 * A workflow job that asks Orca to deploy the commit it runs for: it requests the run's OIDC
 * token for Orca's public URL (the audience) and posts it. Plain shell, no third-party action.
 */
export function workflowSnippet(audience: string, branches: string[]): string {
  const on = branches.length ? `[${branches.join(', ')}]` : '["**"]';
  return `name: Deploy
on:
  push:
    branches: ${on}
permissions:
  id-token: write # lets the job ask for its OIDC token
  contents: read
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - name: Ask Orca to deploy this commit
        run: |
          TOKEN=$(curl -sSf -H "Authorization: bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN" \\
            "$ACTIONS_ID_TOKEN_REQUEST_URL&audience=${audience}" | jq -r .value)
          curl -sS --fail-with-body -X POST -H "Authorization: Bearer $TOKEN" \\
            ${audience}/api/v1/github-actions
`;
}

/** What a repository that allows GitHub Actions needs on GitHub's side: a workflow to copy. */
export function GitHubActionsSetup({ repo }: { repo: Repository }) {
  const actions = repo.githubActions;
  const audience = actions.audience ?? window.location.origin;
  const snippet = workflowSnippet(audience, actions.allowedBranches);
  return (
    <Card withBorder radius="md" padding="md" component="section" aria-labelledby="github-actions-title">
      <Stack gap="sm">
        <Title order={2} size="h4" id="github-actions-title">
          Deploy from GitHub Actions
        </Title>
        <Text size="sm">
          Runs of <strong>{actions.repository}</strong>
          {actions.allowedBranches.length ? ` on ${actions.allowedBranches.join(', ')}` : ' on any branch'}
          {actions.allowedWorkflows.length ? ` in ${actions.allowedWorkflows.join(', ')}` : ' in any workflow'} may
          sync this repository at the commit they run for; pull request runs never can. Add this workflow as
          .github/workflows/deploy.yml:
        </Text>
        <Code block className="preformatted" data-testid="github-actions-workflow">
          {snippet}
        </Code>
        <Group>
          <CopyValueButton value={snippet} label="Copy workflow" />
        </Group>
        <Text size="xs" c="dimmed">
          The token names {audience} as its audience, Orca’s public URL; Orca checks it against GitHub’s published keys.
        </Text>
      </Stack>
    </Card>
  );
}
