import { ActionIcon, Badge, Button, Group, Table, Text, Tooltip } from '@mantine/core';
import { IconPencil, IconPlus, IconTrash, IconUsers } from '@tabler/icons-react';
import { useState } from 'react';
import type { User } from '../../api/types';
import { ConfirmDelete } from '../../components/ConfirmDelete';
import { EmptyState } from '../../components/EmptyState';
import { PageHeader } from '../../components/PageHeader';
import { QueryState } from '../../components/QueryState';
import { RelativeTime } from '../../components/RelativeTime';
import { notifySuccess } from '../../components/notify';
import { useProfile } from '../auth/hooks';
import { useDeleteUser, useUsers } from './hooks';
import { UserDialog } from './UserDialog';

export function UsersPage() {
  const users = useUsers();
  const me = useProfile().data;
  const [adding, setAdding] = useState(false);
  const [editing, setEditing] = useState<User | null>(null);
  const [deleting, setDeleting] = useState<User | null>(null);
  const remove = useDeleteUser();
  return (
    <>
      <PageHeader
        title="Users"
        description="Who may sign in. Users see and operate applications; admins also manage users, agents and settings."
        actions={
          <Button leftSection={<IconPlus size={16} />} onClick={() => setAdding(true)}>
            Add user
          </Button>
        }
      />
      <UserDialog opened={adding} onClose={() => setAdding(false)} />
      {editing && <UserDialog key={editing.id} opened onClose={() => setEditing(null)} user={editing} />}
      <ConfirmDelete
        opened={deleting !== null}
        onClose={() => {
          remove.reset();
          setDeleting(null);
        }}
        title={`Delete ${deleting?.name ?? 'user'}?`}
        confirmLabel="Delete user"
        pending={remove.isPending}
        error={remove.error}
        failureTitle="The user was not deleted"
        onConfirm={() =>
          deleting && remove.mutate(deleting.id, {
            onSuccess: () => {
              notifySuccess(`${deleting.name} was deleted.`);
              setDeleting(null);
            },
          })
        }
      >
        {deleting?.email} will be signed out everywhere, and their API tokens stop working.
      </ConfirmDelete>
      <QueryState query={users} what="users">
        {(list) =>
          list.length === 0 ? (
            <EmptyState icon={<IconUsers size={30} />} title="No users">
              Add the people who deploy with Orca.
            </EmptyState>
          ) : (
            <Table.ScrollContainer minWidth={720}>
              <Table verticalSpacing="sm" aria-label="Users">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Name</Table.Th>
                    <Table.Th>Email</Table.Th>
                    <Table.Th>Role</Table.Th>
                    <Table.Th>Added</Table.Th>
                    <Table.Th>
                      <span className="visually-hidden">Actions</span>
                    </Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {[...list]
                    .sort((a, b) => a.name.localeCompare(b.name) || a.email.localeCompare(b.email))
                    .map((user) => (
                      <Table.Tr key={user.id} data-user-email={user.email}>
                        <Table.Td>
                          <Group gap="xs">
                            <Text fw={600} size="sm">
                              {user.name}
                            </Text>
                            {user.id === me?.id && (
                              <Badge variant="light" size="sm">
                                you
                              </Badge>
                            )}
                          </Group>
                        </Table.Td>
                        <Table.Td>
                          <Text size="sm">{user.email}</Text>
                        </Table.Td>
                        <Table.Td>
                          <Group gap="xs">
                            <Badge color={user.role === 'admin' ? 'grape' : 'gray'} variant="light">
                              {user.role}
                            </Badge>
                            {user.mustChangePassword && (
                              <Badge color="yellow" variant="light">
                                must change password
                              </Badge>
                            )}
                          </Group>
                        </Table.Td>
                        <Table.Td>
                          <RelativeTime value={user.createdAt} size="sm" />
                        </Table.Td>
                        <Table.Td>
                          <Group gap={4} justify="flex-end" wrap="nowrap">
                            <Tooltip label="Edit">
                              <ActionIcon variant="subtle" aria-label={`Edit ${user.email}`} onClick={() => setEditing(user)}>
                                <IconPencil size={18} />
                              </ActionIcon>
                            </Tooltip>
                            <Tooltip label="Delete">
                              <ActionIcon variant="subtle" color="red" aria-label={`Delete ${user.email}`} onClick={() => setDeleting(user)}>
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
