import { Anchor, Button, Table, Text } from '@mantine/core';
import { IconGitBranch, IconPlus } from '@tabler/icons-react';
import { Link } from 'react-router';
import { EmptyState } from '../../components/EmptyState';
import { PageHeader } from '../../components/PageHeader';
import { QueryState } from '../../components/QueryState';
import { RelativeTime } from '../../components/RelativeTime';
import { RepositorySyncBadge } from '../../components/StatusBadge';
import { useRepositories } from './hooks';
import { PROVIDER_LABELS, syncTypeText } from './labels';
import { SyncNowButton } from './SyncNowButton';
import { triggerText } from './webhookInstructions';

export function RepositoriesPage() {
  const repositories = useRepositories();
  return (
    <>
      <PageHeader
        title="Repositories"
        description="The git repositories Orca follows for compose files."
        actions={
          <Button component={Link} to="/repositories/new" leftSection={<IconPlus size={16} />}>
            Add repository
          </Button>
        }
      />
      <QueryState query={repositories} what="repositories">
        {(list) =>
          list.length === 0 ? (
            <EmptyState
              icon={<IconGitBranch size={30} />}
              title="No repositories yet"
              actions={
                <Button component={Link} to="/repositories/new" leftSection={<IconPlus size={16} />}>
                  Add a repository
                </Button>
              }
            >
              Add the git repository that holds your compose files: its URL, how Orca signs in, and whether Orca
              polls it, waits for webhooks or syncs only when you ask.
            </EmptyState>
          ) : (
            <Table.ScrollContainer minWidth={900}>
              <Table highlightOnHover verticalSpacing="sm" aria-label="Repositories">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Name</Table.Th>
                    <Table.Th>URL</Table.Th>
                    <Table.Th>Provider</Table.Th>
                    <Table.Th>Sync</Table.Th>
                    <Table.Th>Status</Table.Th>
                    <Table.Th>Last sync</Table.Th>
                    <Table.Th>
                      <span className="visually-hidden">Actions</span>
                    </Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {[...list]
                    .sort((a, b) => a.name.localeCompare(b.name))
                    .map((repo) => (
                      <Table.Tr key={repo.id} data-repository-id={repo.id}>
                        <Table.Td>
                          <Anchor component={Link} to={`/repositories/${repo.id}`} fw={600}>
                            {repo.name}
                          </Anchor>
                        </Table.Td>
                        <Table.Td>
                          <Text size="sm" className="mono" truncate="end" maw={300} title={repo.url}>
                            {repo.url}
                          </Text>
                        </Table.Td>
                        <Table.Td>
                          <Text size="sm">{PROVIDER_LABELS[repo.provider] ?? repo.provider}</Text>
                        </Table.Td>
                        <Table.Td>
                          <Text size="sm">{syncTypeText(repo.syncType, repo.pollingInterval)}</Text>
                        </Table.Td>
                        <Table.Td>
                          <RepositorySyncBadge status={repo.syncStatus} />
                          {repo.lastSyncError && (
                            <Text size="xs" c="red" lineClamp={1} maw={240} title={repo.lastSyncError}>
                              {repo.lastSyncError}
                            </Text>
                          )}
                        </Table.Td>
                        <Table.Td>
                          <RelativeTime value={repo.lastSyncedAt} size="sm" />
                          {repo.lastTrigger && (
                            <Text size="xs" c="dimmed">
                              {triggerText(repo.lastTrigger.type, repo.lastTrigger.actor)}
                            </Text>
                          )}
                        </Table.Td>
                        <Table.Td>
                          <SyncNowButton repository={repo} size="xs" />
                        </Table.Td>
                      </Table.Tr>
                    ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )
        }
      </QueryState>
    </>
  );
}
