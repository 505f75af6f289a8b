import { BarChart } from '@mantine/charts';
import { Badge, Button, Card, Group, Stack, Table, Text, Tooltip, VisuallyHidden } from '@mantine/core';
import { IconPin } from '@tabler/icons-react';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { applicationsApi } from '../../api/endpoints';
import type { Deployment } from '../../api/types';
import { QueryState } from '../../components/QueryState';
import { formatDuration, RelativeTime } from '../../components/RelativeTime';
import { DeploymentStateBadge } from '../../components/StatusBadge';
import { useAgents } from '../agents/hooks';
import { useProfile } from '../auth/hooks';
import { shortSha } from './commit';
import { actorText, reasonText } from './deploymentActor';
import { CompareButton, RollbackButton } from './DeploymentActions';
import { canRollBackTo, newestFirst } from './deployments';
import { useDeployments } from './hooks';

export function durationMillis(deployment: Deployment): number | null {
  if (!deployment.startedAt || !deployment.endedAt) {
    return null;
  }
  return Date.parse(deployment.endedAt) - Date.parse(deployment.startedAt);
}

/** How many deployments a page of the history holds (asked for explicitly). */
export const HISTORY_PAGE = 50;


/**
 * Older pages of the history, fetched when asked: finished deployments, which no live event
 * changes. {@code more} stays true while the last page was full.
 */
function useOlderDeployments(applicationId: string) {
  const [older, setOlder] = useState<Deployment[]>([]);
  const [more, setMore] = useState(true);
  const load = useMutation({
    mutationFn: (before: string) => applicationsApi.deployments(applicationId, HISTORY_PAGE, before),
    onSuccess: (page) => {
      setOlder((list) => [...list, ...page]);
      setMore(page.length === HISTORY_PAGE);
    },
  });
  return { older, more, load };
}

/**
 * The application's deployments, newest first, with their durations as a small chart; each can be
 * compared with another, and one that succeeded rolled back to.
 */
export function DeploymentHistory({ applicationId, pinnedDeploymentId }: { applicationId: string; pinnedDeploymentId: string | null }) {
  const deployments = useDeployments(applicationId);
  const { older, more, load } = useOlderDeployments(applicationId);
  const me = useProfile().data;
  // The page already lists the agents (for its own agent's name): an image check names its agent by them.
  const agents = useAgents().data;
  const agentName = (id: string) => agents?.find((a) => a.id === id)?.name;
  const actor = (value: string) => actorText(value, { me, agentName });
  return (
    <QueryState query={deployments} what="deployments">
      {(newest) => {
        // Live events keep the newest page current; older pages follow it, without repeats.
        const seen = new Set(newest.map((d) => d.id));
        const list = [...newest, ...older.filter((d) => !seen.has(d.id))].sort(newestFirst);
        const olderExist = newest.length >= HISTORY_PAGE && more;
        return list.length === 0 ? (
          <Text c="dimmed">No deployment yet.</Text>
        ) : (
          <Stack gap="md">
            <DurationChart deployments={list} />
            <Table.ScrollContainer minWidth={900}>
              <Table verticalSpacing="xs" aria-label="Deployments">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Outcome</Table.Th>
                    <Table.Th>Trigger</Table.Th>
                    <Table.Th>Commit</Table.Th>
                    <Table.Th>Started</Table.Th>
                    <Table.Th>Duration</Table.Th>
                    <Table.Th>Error</Table.Th>
                    <Table.Th>
                      <VisuallyHidden>Actions</VisuallyHidden>
                    </Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {list.map((d) => (
                    <Table.Tr key={d.id} data-deployment-id={d.id}>
                      <Table.Td>
                        <DeploymentStateBadge state={d.state} />
                      </Table.Td>
                      <Table.Td>
                        <Text size="sm">{reasonText(d.reason)}</Text>
                        {d.actor && (
                          <Text size="xs" c="dimmed">
                            {actor(d.actor)}
                          </Text>
                        )}
                      </Table.Td>
                      <Table.Td>
                        <Tooltip label={d.commit ?? 'no commit'}>
                          <Text size="sm" className="mono">
                            {shortSha(d.commit) || '—'}
                          </Text>
                        </Tooltip>
                      </Table.Td>
                      <Table.Td>
                        <RelativeTime value={d.startedAt} size="sm" empty="—" />
                      </Table.Td>
                      <Table.Td>
                        <Text size="sm">{d.state === 'in_progress' ? 'running' : formatDuration(durationMillis(d))}</Text>
                      </Table.Td>
                      <Table.Td>
                        <Text size="sm" c="red" lineClamp={2} title={d.error ?? undefined} maw={320}>
                          {d.error ?? ''}
                        </Text>
                      </Table.Td>
                      <Table.Td>
                        <Group gap={4} wrap="nowrap" justify="flex-end">
                          {d.id === pinnedDeploymentId && (
                            <Badge variant="light" color="grape" leftSection={<IconPin size={12} />}>
                              pinned
                            </Badge>
                          )}
                          <CompareButton applicationId={applicationId} deployment={d} list={list} />
                          {canRollBackTo(d, pinnedDeploymentId) && <RollbackButton applicationId={applicationId} deployment={d} />}
                        </Group>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
            {olderExist && (
              <Group>
                <Button variant="default" loading={load.isPending} onClick={() => load.mutate(list[list.length - 1]?.id ?? '')}>
                  Show older deployments
                </Button>
                {load.error && <Text size="sm" c="red">{(load.error as Error).message}</Text>}
              </Group>
            )}
          </Stack>
        );
      }}
    </QueryState>
  );
}

function DurationChart({ deployments }: { deployments: Deployment[] }) {
  const data = deployments
    .filter((d) => durationMillis(d) !== null)
    .slice()
    .reverse()
    .map((d) => ({ deployment: shortSha(d.commit) || d.id.slice(0, 7), seconds: (durationMillis(d) ?? 0) / 1000, state: d.state }));
  if (data.length === 0) {
    return null;
  }
  return (
    <Card withBorder padding="sm" radius="md">
      <Text size="xs" tt="uppercase" fw={700} c="dimmed" mb="xs">
        Deployment duration (seconds), oldest to newest
      </Text>
      <BarChart
        h={140}
        data={data}
        dataKey="deployment"
        series={[{ name: 'seconds', color: 'orca.6', label: 'Duration (s)' }]}
        tickLine="none"
        gridAxis="y"
        aria-label="Deployment durations"
        valueFormatter={(v) => `${v.toFixed(1)} s`}
      />
    </Card>
  );
}
