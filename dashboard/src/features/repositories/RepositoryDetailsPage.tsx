import { Alert, Anchor, Button, Card, Code, Group, SimpleGrid, Stack, Table, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconAlertTriangle, IconEdit, IconInfoCircle, IconTrash } from '@tabler/icons-react';
import { useEffect, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { ApiError } from '../../api/client';
import type { Repository } from '../../api/types';
import { ConfirmDelete } from '../../components/ConfirmDelete';
import { GoneState } from '../../components/GoneState';
import { notifySuccess } from '../../components/notify';
import { Field } from '../../components/Field';
import { PageHeader } from '../../components/PageHeader';
import { QueryState } from '../../components/QueryState';
import { formatDateTime, RelativeTime } from '../../components/RelativeTime';
import { HealthBadge, RepositorySyncBadge, SyncBadge } from '../../components/StatusBadge';
import { useApplicationPage } from '../applications/hooks';
import { useDeleteRepository, useRepository } from './hooks';
import { AUTH_LABELS, PROVIDER_LABELS, syncTypeText } from './labels';
import { forgetSecret, peekSecret } from './secretOnce';
import { SyncNowButton } from './SyncNowButton';
import { triggerText } from './webhookInstructions';
import { GitHubActionsSetup } from './GitHubActionsSetup';
import { WebhookSetup } from './WebhookSetup';

export function RepositoryDetailsPage() {
  const { id = '' } = useParams();
  const repository = useRepository(id);
  if (repository.error instanceof ApiError && repository.error.status === 404) {
    return <GoneState what="Repository" back="/repositories" backLabel="Back to repositories" />;
  }
  return <QueryState query={repository} what="the repository">{(repo) => <RepositoryDetails repo={repo} />}</QueryState>;
}

/** How many of the repository's applications its page lists; the applications list has them all. */
const LISTED_APPLICATIONS = 100;

function RepositoryDetails({ repo }: { repo: Repository }) {
  // The server filters the fleet's applications to this repository's: the first page of them.
  const applications = useApplicationPage({ repositoryId: repo.id, limit: LISTED_APPLICATIONS, offset: 0 },
    { keepShown: false });
  // A secret saved a moment ago is shown once, then forgotten.
  const [justSetSecret] = useState(() => peekSecret(repo.id));
  useEffect(() => () => forgetSecret(repo.id), [repo.id]);
  const used = applications.data?.items ?? [];
  const more = (applications.data?.total ?? 0) - used.length;
  return (
    <Stack gap="lg">
      <PageHeader
        title={repo.name}
        badges={<RepositorySyncBadge status={repo.syncStatus} />}
        actions={
          <>
            <SyncNowButton repository={repo} />
            <Button component={Link} to={`/repositories/${repo.id}/edit`} variant="default" leftSection={<IconEdit size={16} />}>
              Edit
            </Button>
            <DeleteRepositoryButton repo={repo} />
          </>
        }
      />
      {repo.lastSyncError && (
        <Alert color="red" icon={<IconAlertTriangle />} title="Last sync failed" role="alert">
          <Code block className="preformatted">
            {repo.lastSyncError}
          </Code>
        </Alert>
      )}
      {repo.lastSyncNote && (
        <Alert color="blue" icon={<IconInfoCircle />} title="The last sync did not do everything it was asked" data-testid="sync-note">
          <Text size="sm">{withApplicationNames(repo.lastSyncNote, used)}</Text>
        </Alert>
      )}
      <Card withBorder radius="md" padding="md">
        <SimpleGrid cols={{ base: 1, xs: 2, md: 3 }} spacing="md">
          <Field label="URL">
            <Text size="sm" className="mono" style={{ wordBreak: 'break-all' }}>
              {repo.url}
            </Text>
          </Field>
          <Field label="Provider">
            <Text size="sm">{PROVIDER_LABELS[repo.provider] ?? repo.provider}</Text>
          </Field>
          <Field label="Sign-in">
            <Text size="sm">
              {AUTH_LABELS[repo.authMethod]}
              {repo.username ? ` as ${repo.username}` : ''}
              {repo.authMethod !== 'none' && (repo.hasCredentials ? ' · credential set' : ' · no credential set')}
            </Text>
          </Field>
          <Field label="Sync">
            <Text size="sm">{syncTypeText(repo.syncType, repo.pollingInterval)}</Text>
          </Field>
          <Field label="Webhook secret">
            <Text size="sm">{repo.hasWebhookSecret ? 'Set' : 'Not set'}</Text>
          </Field>
          <Field label="Last sync">
            <RelativeTime value={repo.lastSyncedAt} size="sm" />
          </Field>
          <Field label="Last trigger">
            {repo.lastTrigger ? (
              <Group gap={6} data-testid="last-trigger">
                <Text size="sm">{triggerText(repo.lastTrigger.type, repo.lastTrigger.actor)}</Text>
                <RelativeTime value={repo.lastTrigger.at} size="sm" />
              </Group>
            ) : (
              <Text size="sm" c="dimmed">
                Not synced yet
              </Text>
            )}
          </Field>
        </SimpleGrid>
      </Card>
      {repo.syncType === 'webhook' && <WebhookSetup repo={repo} justSetSecret={justSetSecret} />}
      {repo.githubActions.enabled && <GitHubActionsSetup repo={repo} />}
      <Stack gap="xs">
        <Group justify="space-between">
          <Text fw={600}>Applications from this repository</Text>
          <Button component={Link} to={`/applications/new?repositoryId=${repo.id}`} variant="light" size="xs">
            New application
          </Button>
        </Group>
        {used.length === 0 ? (
          <Text c="dimmed" size="sm">
            None yet.
          </Text>
        ) : (
          <Table.ScrollContainer minWidth={560}>
            <Table aria-label="Applications from this repository">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Name</Table.Th>
                  <Table.Th>Branch / path</Table.Th>
                  <Table.Th>Sync</Table.Th>
                  <Table.Th>Health</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {used.map((app) => (
                  <Table.Tr key={app.id}>
                    <Table.Td>
                      <Anchor component={Link} to={`/applications/${app.id}`}>
                        {app.name}
                      </Anchor>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm" className="mono">
                        {app.branch} / {app.path}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <SyncBadge status={app.syncStatus} />
                    </Table.Td>
                    <Table.Td>
                      <HealthBadge status={app.healthStatus} />
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
        {more > 0 && (
          <Anchor component={Link} to={`/applications?repository=${repo.id}`} size="sm">
            {more} more in the applications list
          </Anchor>
        )}
      </Stack>
      <Text size="xs" c="dimmed">
        Created {formatDateTime(repo.createdAt)}
      </Text>
    </Stack>
  );
}


/** A note names applications by id (sync-stream never sees their names): shows the names known here. */
function withApplicationNames(note: string, applications: { id: string; name: string }[]): string {
  const names = new Map(applications.map((a) => [a.id, a.name]));
  return note.replace(/application ([0-9a-f-]{36})/g, (whole, id: string) => {
    const name = names.get(id);
    return name ? `application ${name}` : whole;
  });
}

function DeleteRepositoryButton({ repo }: { repo: Repository }) {
  const [opened, { open, close }] = useDisclosure(false);
  const remove = useDeleteRepository(repo.id);
  const navigate = useNavigate();
  return (
    <>
      <Button color="red" variant="light" leftSection={<IconTrash size={16} />} onClick={() => { remove.reset(); open(); }}>
        Delete
      </Button>
      <ConfirmDelete
        opened={opened}
        onClose={close}
        title={`Delete ${repo.name}?`}
        confirmLabel="Delete repository"
        pending={remove.isPending}
        error={remove.error}
        onConfirm={() =>
          remove.mutate(undefined, {
            onSuccess: () => {
              close();
              notifySuccess(`${repo.name} was deleted.`);
              navigate('/repositories', { replace: true });
            },
          })
        }
      >
        Orca stops following this repository. A repository still used by applications cannot be deleted.
      </ConfirmDelete>
    </>
  );
}
