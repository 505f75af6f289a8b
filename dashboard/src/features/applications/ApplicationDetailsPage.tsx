import {
  Alert,
  Anchor,
  Button,
  Card,
  Code,
  Group,
  SimpleGrid,
  Stack,
  Tabs,
  Text,
} from '@mantine/core';
import { IconAlertTriangle, IconEdit, IconPin, IconPinnedOff, IconRocket } from '@tabler/icons-react';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { ApiError } from '../../api/client';
import type { Application } from '../../api/types';
import { ComposeDiff } from '../../components/code/ComposeDiff';
import { ComposeView } from '../../components/code/ComposeView';
import { notifyError, notifySuccess } from '../../components/notify';
import { Field } from '../../components/Field';
import { GoneState } from '../../components/GoneState';
import { PageHeader } from '../../components/PageHeader';
import { QueryState } from '../../components/QueryState';
import { formatDateTime, RelativeTime } from '../../components/RelativeTime';
import { AgentStatusBadge, HealthBadge, SyncBadge } from '../../components/StatusBadge';
import { useAgents } from '../agents/hooks';
import { useRepositories } from '../repositories/hooks';
import { CommitLine, shortSha } from './commit';
import { DeleteApplicationButton } from './DeleteApplicationButton';
import { DeploymentHistory } from './DeploymentHistory';
import { DeploySettingsSection } from './DeploySettingsSection';
import { EnvironmentSection } from './EnvironmentSection';
import { useApplication, useDeployApplication, useUnpin } from './hooks';

export function ApplicationDetailsPage() {
  const { id = '' } = useParams();
  const application = useApplication(id);
  if (application.error instanceof ApiError && application.error.status === 404) {
    return <GoneState what="Application" back="/applications" backLabel="Back to applications" />;
  }
  return (
    <QueryState query={application} what="the application">
      {(app) => <ApplicationDetails app={app} />}
    </QueryState>
  );
}

function ApplicationDetails({ app }: { app: Application }) {
  const agents = useAgents();
  const repositories = useRepositories();
  const agent = agents.data?.find((a) => a.id === app.agentId);
  const repository = repositories.data?.find((r) => r.id === app.repositoryId);

  return (
    <Stack gap="lg">
      <PageHeader
        title={app.name}
        badges={
          <Group gap={6}>
            <SyncBadge status={app.syncStatus} />
            <HealthBadge status={app.healthStatus} />
          </Group>
        }
        actions={
          <>
            <DeployButton app={app} />
            <Button component={Link} to={`/applications/${app.id}/edit`} variant="default" leftSection={<IconEdit size={16} />}>
              Edit
            </Button>
            <DeleteApplicationButton app={app} agentName={agent?.name} />
          </>
        }
      />

      {app.pinned && <PinnedNotice app={app} />}

      {app.lastSyncError && (
        <Alert color="red" icon={<IconAlertTriangle />} title="Last error" role="alert">
          <Code block className="preformatted" data-testid="last-error">
            {app.lastSyncError}
          </Code>
        </Alert>
      )}

      <Card withBorder radius="md" padding="md">
        <SimpleGrid cols={{ base: 1, xs: 2, md: 3 }} spacing="md" verticalSpacing="md">
          <Field label="Commit">
            <CommitLine commit={app.commit} message={app.commitMessage} maw={420} />
          </Field>
          <Field label="Agent">
            <Group gap={6}>
              <Text size="sm">{agent?.name ?? app.agentId}</Text>
              {agent && <AgentStatusBadge status={agent.status} />}
            </Group>
          </Field>
          <Field label="Repository">
            <Anchor component={Link} to={`/repositories/${app.repositoryId}`} size="sm">
              {repository?.name ?? app.repositoryId}
            </Anchor>
          </Field>
          <Field label="Branch">
            <Text size="sm" className="mono">
              {app.branch || '—'}
            </Text>
          </Field>
          <Field label="Path">
            <Text size="sm" className="mono" style={{ wordBreak: 'break-all' }}>
              {app.path}
            </Text>
          </Field>
          <Field label="Last sync">
            <RelativeTime value={app.lastSyncedAt} size="sm" />
          </Field>
        </SimpleGrid>
      </Card>

      <EnvironmentSection applicationId={app.id} />

      <DeploySettingsSection app={app} />

      <Tabs defaultValue="compose" keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="compose">Compose file</Tabs.Tab>
          <Tabs.Tab value="diff">Changes</Tabs.Tab>
          <Tabs.Tab value="history">Deployments</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="compose" pt="md">
          {app.composeFile ? (
            <ComposeView content={app.composeFile} label="Compose file" />
          ) : (
            <Text c="dimmed">No compose file has been read yet: it appears after the first sync.</Text>
          )}
        </Tabs.Panel>
        <Tabs.Panel value="diff" pt="md">
          {app.composeFile && app.previousComposeFile !== null ? (
            <ComposeDiff previous={app.previousComposeFile} current={app.composeFile} />
          ) : (
            <Text c="dimmed">No earlier compose file to compare with yet: changes appear here after the compose file changes in git.</Text>
          )}
        </Tabs.Panel>
        <Tabs.Panel value="history" pt="md">
          <DeploymentHistory key={app.id} applicationId={app.id} pinnedDeploymentId={app.pinned?.deploymentId ?? null} />
        </Tabs.Panel>
      </Tabs>
      <Text size="xs" c="dimmed">
        Created {formatDateTime(app.createdAt)} · updated <RelativeTime value={app.updatedAt} size="xs" />
      </Text>
    </Stack>
  );
}

/**
 * A rollback holds the application: what it is pinned to, how far the branch has moved on, and the
 * way back to following it.
 */
function PinnedNotice({ app }: { app: Application }) {
  const unpin = useUnpin(app.id);
  const pin = app.pinned;
  if (!pin) {
    return null;
  }
  const behind =
    app.latestCommit === null || app.latestCommit === pin.commit
      ? 'the branch has no newer commit yet'
      : app.commitsBehind === null
        ? `the branch is at ${shortSha(app.latestCommit)}`
        : `${app.commitsBehind} ${app.commitsBehind === 1 ? 'commit' : 'commits'} behind the branch (${shortSha(app.latestCommit)})`;
  return (
    <Alert color="grape" icon={<IconPin />} title={`Pinned to ${shortSha(pin.commit)} by a rollback`} data-testid="pinned-notice">
      <Stack gap="xs">
        <Text size="sm">
          Pinned <RelativeTime value={pin.at} size="sm" />; {behind}. New commits are recorded but not deployed until you unpin
          it or deploy.
        </Text>
        {app.latestCommit && app.latestCommitMessage && app.latestCommit !== pin.commit && (
          <Group gap={6}>
            <Text size="sm" c="dimmed">
              Newest:
            </Text>
            <CommitLine commit={app.latestCommit} message={app.latestCommitMessage} maw={520} />
          </Group>
        )}
        <Group>
          <Button
            variant="light"
            color="grape"
            leftSection={<IconPinnedOff size={16} />}
            loading={unpin.isPending}
            // The label wraps on a phone rather than widening the notice past the screen.
            styles={{ root: { height: 'auto', minHeight: 36, paddingBlock: 6 }, label: { whiteSpace: 'normal' } }}
            onClick={() => unpin.mutate()}
          >
            Unpin and deploy the newest commit
          </Button>
        </Group>
      </Stack>
    </Alert>
  );
}

/** Deploys the latest commit now; locked while a deployment runs, and says why when it cannot. */
function DeployButton({ app }: { app: Application }) {
  const deploy = useDeployApplication(app.id);
  const [refusal, setRefusal] = useState<string | null>(null);
  const syncing = app.syncStatus === 'syncing';
  const button = (
    <Button
      leftSection={<IconRocket size={16} />}
      disabled={syncing}
      loading={deploy.isPending}
      onClick={() => {
        setRefusal(null);
        deploy.mutate(undefined, {
          onSuccess: () =>
            notifySuccess(
              app.pinned
                ? 'Deployment requested: the latest commit is being deployed, and the pin is lifted.'
                : 'Deployment requested: the latest commit is being deployed.',
            ),
          onError: (error) => {
            if (error instanceof ApiError && error.status === 409) {
              setRefusal(error.message);
            }
            notifyError('Cannot deploy', error);
          },
        });
      }}
    >
      {syncing ? 'Deploying…' : 'Deploy'}
    </Button>
  );
  return (
    <Stack gap={4} align="flex-end">
      {button}
      {refusal && (
        <Text size="sm" c="red" role="alert" data-testid="deploy-refusal">
          {refusal}
        </Text>
      )}
    </Stack>
  );
}
