import { Badge, Button, Code, Group, Stack, Table, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconListDetails } from '@tabler/icons-react';
import { useState } from 'react';
import type { AuditEntry, AuditFilter } from '../../api/types';
import { EmptyState } from '../../components/EmptyState';
import { PageHeader } from '../../components/PageHeader';
import { QueryState } from '../../components/QueryState';
import { formatDateTime, RelativeTime } from '../../components/RelativeTime';
import { useAuditLog } from './hooks';

function actorOf(entry: AuditEntry): string {
  switch (entry.actor.type) {
    case 'user':
      return entry.actor.name ?? entry.actor.id ?? 'a user';
    case 'webhook':
      return 'webhook';
    case 'github-actions':
      return entry.actor.name ? `GitHub Actions: ${entry.actor.name}` : 'GitHub Actions';
    case 'cli':
      return entry.actor.name ?? 'the command line';
    default:
      return 'anonymous';
  }
}

/** The audit log: every change, who made it and from where, newest first, filtered and a page at a time. */
export function AuditLogPage() {
  const [filter, setFilter] = useState<AuditFilter>({});
  const [debounced] = useDebouncedValue(filter, 300);
  const log = useAuditLog(debounced);
  const set = (key: keyof AuditFilter) => (event: React.ChangeEvent<HTMLInputElement>) =>
    setFilter((current) => ({ ...current, [key]: event.currentTarget.value }));
  const entries = log.data?.pages.flat();
  return (
    <>
      <PageHeader title="Audit log" description="Every change made through Orca: who, what, when and from where. Secret values are never written." />
      <Group mb="md" align="flex-end" role="search" aria-label="Filter the audit log">
        <TextInput label="Actor" placeholder="email or id" value={filter.actor ?? ''} onChange={set('actor')} />
        <TextInput label="Action" placeholder="repository.update" value={filter.action ?? ''} onChange={set('action')} />
        <TextInput label="Entity type" placeholder="application" value={filter.entityType ?? ''} onChange={set('entityType')} />
        <TextInput label="Entity id" value={filter.entityId ?? ''} onChange={set('entityId')} />
        <Button variant="default" onClick={() => void log.refetch()} loading={log.isRefetching && !log.isFetchingNextPage}>
          Reload
        </Button>
      </Group>
      <QueryState query={{ data: entries, error: log.error, isPending: log.isPending }} what="the audit log">
        {(list) =>
          list.length === 0 ? (
            <EmptyState icon={<IconListDetails size={30} />} title="No entries">
              Nothing matches: changes appear here as they are made.
            </EmptyState>
          ) : (
            <Stack>
              <Table.ScrollContainer minWidth={900}>
                <Table verticalSpacing="xs" aria-label="Audit log">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>When</Table.Th>
                      <Table.Th>Actor</Table.Th>
                      <Table.Th>Action</Table.Th>
                      <Table.Th>Entity</Table.Th>
                      <Table.Th>Changes</Table.Th>
                      <Table.Th>From</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {list.map((entry) => (
                      <Table.Tr key={entry.id} data-audit-action={entry.action}>
                        <Table.Td title={formatDateTime(entry.at)}>
                          <RelativeTime value={entry.at} size="sm" />
                        </Table.Td>
                        <Table.Td>
                          <Text size="sm">{actorOf(entry)}</Text>
                        </Table.Td>
                        <Table.Td>
                          <Badge variant="light" className="mono" tt="none">
                            {entry.action}
                          </Badge>
                        </Table.Td>
                        <Table.Td>
                          <Text size="sm">
                            {entry.entityType ?? '—'}
                            {entry.entityId && (
                              <Text span size="xs" c="dimmed" className="mono">
                                {' '}
                                {entry.entityId}
                              </Text>
                            )}
                          </Text>
                        </Table.Td>
                        <Table.Td maw={360}>
                          {entry.changes ? (
                            <Code block className="audit-changes">
                              {JSON.stringify(entry.changes, null, 1)}
                            </Code>
                          ) : (
                            <Text size="sm" c="dimmed">
                              —
                            </Text>
                          )}
                        </Table.Td>
                        <Table.Td>
                          <Text size="sm" className="mono">
                            {entry.address ?? '—'}
                          </Text>
                        </Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
              {log.hasNextPage && (
                <Group justify="center">
                  <Button variant="default" onClick={() => void log.fetchNextPage()} loading={log.isFetchingNextPage}>
                    Show older entries
                  </Button>
                </Group>
              )}
            </Stack>
          )
        }
      </QueryState>
    </>
  );
}
