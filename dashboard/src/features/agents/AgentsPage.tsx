import { Button, Group, Table, Text, Tooltip } from '@mantine/core';
import { IconPlus, IconServer } from '@tabler/icons-react';
import { useState } from 'react';
import { EmptyState } from '../../components/EmptyState';
import { PageHeader } from '../../components/PageHeader';
import { QueryState } from '../../components/QueryState';
import { RelativeTime } from '../../components/RelativeTime';
import { AgentStatusBadge } from '../../components/StatusBadge';
import { CreateAgentDialog } from './CreateAgentDialog';
import { DeleteAgentButton } from './DeleteAgentButton';
import { useAgents } from './hooks';
import { RotateAgentTokenButton } from './RotateAgentTokenButton';

export function AgentsPage() {
  const agents = useAgents();
  const [creating, setCreating] = useState(false);
  return (
    <>
      <PageHeader
        title="Agents"
        description="An agent runs on each Docker host, connects out to Orca and deploys the stacks assigned to it."
        actions={
          <Button leftSection={<IconPlus size={16} />} onClick={() => setCreating(true)}>
            Add agent
          </Button>
        }
      />
      <CreateAgentDialog opened={creating} onClose={() => setCreating(false)} />
      <QueryState query={agents} what="agents">
        {(list) =>
          list.length === 0 ? (
            <EmptyState icon={<IconServer size={30} />} title="No agents yet">
              Add an agent for each Docker host you deploy to, then start it there with the settings Orca shows.
            </EmptyState>
          ) : (
            <Table.ScrollContainer minWidth={860}>
              <Table verticalSpacing="sm" aria-label="Agents">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Name</Table.Th>
                    <Table.Th>Status</Table.Th>
                    <Table.Th>Last seen</Table.Th>
                    <Table.Th>Docker engine</Table.Th>
                    <Table.Th>Compose</Table.Th>
                    <Table.Th>Message</Table.Th>
                    <Table.Th>
                      <span className="visually-hidden">Actions</span>
                    </Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {[...list]
                    .sort((a, b) => a.name.localeCompare(b.name))
                    .map((agent) => (
                      <Table.Tr key={agent.id} data-agent-id={agent.id}>
                        <Table.Td>
                          <Tooltip label={agent.id}>
                            <Text fw={600} size="sm">
                              {agent.name}
                            </Text>
                          </Tooltip>
                        </Table.Td>
                        <Table.Td>
                          <AgentStatusBadge status={agent.status} />
                        </Table.Td>
                        <Table.Td>
                          <RelativeTime value={agent.lastSeen} size="sm" />
                        </Table.Td>
                        <Table.Td>
                          <Text size="sm">
                            {agent.dockerAvailable === false
                              ? 'not available'
                              : agent.dockerVersion ?? (agent.dockerAvailable ? 'available' : '—')}
                          </Text>
                        </Table.Td>
                        <Table.Td>
                          <Text size="sm" className="mono">
                            {[agent.composeCommand, agent.composeVersion].filter(Boolean).join(' ') || '—'}
                          </Text>
                        </Table.Td>
                        <Table.Td>
                          <Text size="sm" c={agent.dockerAvailable === false ? 'red' : 'dimmed'} lineClamp={2} maw={280}>
                            {agent.statusMessage ?? ''}
                          </Text>
                        </Table.Td>
                        <Table.Td>
                          <Group justify="flex-end">
                            <RotateAgentTokenButton agent={agent} />
                            <DeleteAgentButton agent={agent} />
                          </Group>
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
