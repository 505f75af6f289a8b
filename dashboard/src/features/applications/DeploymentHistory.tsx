import { BarChart } from '@mantine/charts';
import { Card, Stack, Table, Text, Tooltip } from '@mantine/core';
import type { Deployment } from '../../api/types';
import { QueryState } from '../../components/QueryState';
import { formatDuration, RelativeTime } from '../../components/RelativeTime';
import { DeploymentStateBadge } from '../../components/StatusBadge';
import { useAgents } from '../agents/hooks';
import { useProfile } from '../auth/hooks';
import { shortSha } from './commit';
import { actorText, reasonText } from './deploymentActor';
import { useDeployments } from './hooks';

export function durationMillis(deployment: Deployment): number | null {
  if (!deployment.startedAt || !deployment.endedAt) {
    return null;
  }
  return Date.parse(deployment.endedAt) - Date.parse(deployment.startedAt);
}

/** The application's deployments, newest first, with their durations as a small chart. */
export function DeploymentHistory({ applicationId }: { applicationId: string }) {
  const deployments = useDeployments(applicationId);
  const me = useProfile().data;
  // The page already lists the agents (for its own agent's name): an image check names its agent by them.
  const agents = useAgents().data;
  const agentName = (id: string) => agents?.find((a) => a.id === id)?.name;
  const actor = (value: string) => actorText(value, { me, agentName });
  return (
    <QueryState query={deployments} what="deployments">
      {(list) =>
        list.length === 0 ? (
          <Text c="dimmed">No deployment yet.</Text>
        ) : (
          <Stack gap="md">
            <DurationChart deployments={list} />
            <Table.ScrollContainer minWidth={720}>
              <Table verticalSpacing="xs" aria-label="Deployments">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Outcome</Table.Th>
                    <Table.Th>Trigger</Table.Th>
                    <Table.Th>Commit</Table.Th>
                    <Table.Th>Started</Table.Th>
                    <Table.Th>Duration</Table.Th>
                    <Table.Th>Error</Table.Th>
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
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          </Stack>
        )
      }
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
