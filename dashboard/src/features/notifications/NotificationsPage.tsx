import { ActionIcon, Badge, Button, Group, Modal, Table, Text, Tooltip } from '@mantine/core';
import { IconBell, IconList, IconPencil, IconPlus, IconSend, IconTrash } from '@tabler/icons-react';
import { useState } from 'react';
import type { NotificationChannel } from '../../api/types';
import { ConfirmDelete } from '../../components/ConfirmDelete';
import { EmptyState } from '../../components/EmptyState';
import { PageHeader } from '../../components/PageHeader';
import { QueryState } from '../../components/QueryState';
import { RelativeTime } from '../../components/RelativeTime';
import { notifySuccess } from '../../components/notify';
import { useApplications } from '../applications/hooks';
import { useRepositories } from '../repositories/hooks';
import { ChannelDialog } from './ChannelDialog';
import { EVENT_LABELS, scopeText, TYPE_LABELS } from './channelForm';
import { useDeleteChannel, useDeliveries, useNotificationChannels, useTestChannel } from './hooks';

const STATE_COLORS = { sent: 'teal', retrying: 'yellow', failed: 'red', pending: 'yellow' } as const;

/** Where Orca tells people what happened: chat, push, email or any HTTP receiver. Live. */
export function NotificationsPage() {
  const channels = useNotificationChannels();
  const remove = useDeleteChannel();
  const test = useTestChannel();
  const applications = useApplications().data;
  const repositories = useRepositories().data;
  const [adding, setAdding] = useState(false);
  const [editing, setEditing] = useState<NotificationChannel | null>(null);
  const [deleting, setDeleting] = useState<NotificationChannel | null>(null);
  const [log, setLog] = useState<NotificationChannel | null>(null);
  const appName = (id: string) => applications?.find((a) => a.id === id)?.name ?? id;
  const repoName = (id: string) => repositories?.find((r) => r.id === id)?.name ?? id;
  return (
    <>
      <PageHeader
        title="Notifications"
        description="Channels Orca tells about deployments, health, failed syncs, agents and image updates."
        actions={
          <Button leftSection={<IconPlus size={16} />} onClick={() => setAdding(true)}>
            Add channel
          </Button>
        }
      />
      <ChannelDialog opened={adding} onClose={() => setAdding(false)} />
      {editing && <ChannelDialog key={editing.id} opened onClose={() => setEditing(null)} channel={editing} />}
      <DeliveryLog channel={log} onClose={() => setLog(null)} />
      <ConfirmDelete
        opened={deleting !== null}
        onClose={() => {
          remove.reset();
          setDeleting(null);
        }}
        title={`Delete ${deleting?.name ?? 'channel'}?`}
        confirmLabel="Delete channel"
        pending={remove.isPending}
        error={remove.error}
        onConfirm={() =>
          deleting &&
          remove.mutate(deleting.id, {
            onSuccess: () => {
              notifySuccess(`${deleting.name} was deleted.`);
              setDeleting(null);
            },
          })
        }
      >
        It receives nothing more; messages not sent yet are dropped.
      </ConfirmDelete>
      <QueryState query={channels} what="notification channels">
        {(list) =>
          list.length === 0 ? (
            <EmptyState icon={<IconBell size={30} />} title="No notification channels">
              Add Slack, Discord, Teams, Gotify, ntfy, email or a webhook of your own to hear when a deployment fails.
            </EmptyState>
          ) : (
            <Table.ScrollContainer minWidth={900}>
              <Table verticalSpacing="sm" aria-label="Notification channels">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Name</Table.Th>
                    <Table.Th>Events</Table.Th>
                    <Table.Th>For</Table.Th>
                    <Table.Th>Last message</Table.Th>
                    <Table.Th>
                      <span className="visually-hidden">Actions</span>
                    </Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {[...list].sort((a, b) => a.name.localeCompare(b.name)).map((channel) => (
                    <Table.Tr key={channel.id} data-channel-name={channel.name}>
                      <Table.Td>
                        <Group gap="xs">
                          <Text fw={600} size="sm">
                            {channel.name}
                          </Text>
                          {!channel.enabled && (
                            <Badge color="gray" variant="light">
                              off
                            </Badge>
                          )}
                        </Group>
                        <Text size="xs" c="dimmed">
                          {TYPE_LABELS[channel.type]} · {channel.type === 'email' ? channel.email?.to.join(', ') : channel.url}
                        </Text>
                      </Table.Td>
                      <Table.Td>
                        <Text size="sm">{channel.events.map((e) => EVENT_LABELS[e]).join('; ')}</Text>
                      </Table.Td>
                      <Table.Td>
                        <Text size="sm">{scopeText(channel, appName, repoName)}</Text>
                      </Table.Td>
                      <Table.Td data-testid="last-delivery">
                        {channel.lastDelivery ? (
                          <>
                            <Group gap={6}>
                              <Badge color={STATE_COLORS[channel.lastDelivery.state]} variant="light">
                                {channel.lastDelivery.state}
                              </Badge>
                              <RelativeTime value={channel.lastDelivery.at} size="xs" />
                            </Group>
                            {channel.lastDelivery.error && (
                              <Text size="xs" c="red" lineClamp={2} maw={320} title={channel.lastDelivery.error}>
                                {channel.lastDelivery.error}
                              </Text>
                            )}
                          </>
                        ) : (
                          <Text size="sm" c="dimmed">
                            none yet
                          </Text>
                        )}
                      </Table.Td>
                      <Table.Td>
                        <Group gap={4} justify="flex-end" wrap="nowrap">
                          <Button
                            size="compact-sm"
                            variant="light"
                            leftSection={<IconSend size={14} />}
                            loading={test.isPending && test.variables?.id === channel.id}
                            onClick={() => test.mutate(channel)}
                            aria-label={`Send a test message to ${channel.name}`}
                          >
                            Test
                          </Button>
                          <Tooltip label="Messages">
                            <ActionIcon variant="subtle" aria-label={`Messages sent to ${channel.name}`} onClick={() => setLog(channel)}>
                              <IconList size={18} />
                            </ActionIcon>
                          </Tooltip>
                          <Tooltip label="Edit">
                            <ActionIcon variant="subtle" aria-label={`Edit ${channel.name}`} onClick={() => setEditing(channel)}>
                              <IconPencil size={18} />
                            </ActionIcon>
                          </Tooltip>
                          <Tooltip label="Delete">
                            <ActionIcon variant="subtle" color="red" aria-label={`Delete ${channel.name}`} onClick={() => setDeleting(channel)}>
                              <IconTrash size={18} />
                            </ActionIcon>
                          </Tooltip>
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

/** The channel's newest messages: what, when, how it went, and when it is tried again. */
function DeliveryLog({ channel, onClose }: { channel: NotificationChannel | null; onClose: () => void }) {
  const deliveries = useDeliveries(channel?.id ?? null);
  return (
    <Modal opened={channel !== null} onClose={onClose} title={`Messages to ${channel?.name ?? ''}`} size="xl">
      {channel && (
        <QueryState query={deliveries} what="messages">
          {(list) =>
            list.length === 0 ? (
              <Text c="dimmed">No message yet: one is queued when an event it listens to happens.</Text>
            ) : (
              <Table.ScrollContainer minWidth={700}>
                <Table verticalSpacing="xs" aria-label="Messages">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>Event</Table.Th>
                      <Table.Th>Happened</Table.Th>
                      <Table.Th>State</Table.Th>
                      <Table.Th>Attempts</Table.Th>
                      <Table.Th>Error</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {list.map((d) => (
                      <Table.Tr key={d.id}>
                        <Table.Td>
                          <Text size="sm">{d.event === 'test' ? 'Test' : EVENT_LABELS[d.event]}</Text>
                        </Table.Td>
                        <Table.Td>
                          <RelativeTime value={d.occurredAt} size="sm" />
                        </Table.Td>
                        <Table.Td>
                          <Badge color={STATE_COLORS[d.state]} variant="light">
                            {d.state === 'pending' && d.attempts > 0 ? 'retrying' : d.state}
                          </Badge>
                          {d.nextAttemptAt && d.attempts > 0 && (
                            <Text size="xs" c="dimmed">
                              next try <RelativeTime value={d.nextAttemptAt} size="xs" />
                            </Text>
                          )}
                        </Table.Td>
                        <Table.Td>
                          <Text size="sm">{d.attempts}</Text>
                        </Table.Td>
                        <Table.Td>
                          <Text size="sm" c="red" lineClamp={2} maw={320} title={d.lastError ?? undefined}>
                            {d.lastError ?? ''}
                          </Text>
                        </Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
            )
          }
        </QueryState>
      )}
    </Modal>
  );
}
