import { ActionIcon, Badge, Button, Group, Table, Text, Tooltip } from '@mantine/core';
import { IconKey, IconPencil, IconPlus, IconTrash } from '@tabler/icons-react';
import { useState } from 'react';
import type { OidcProvider } from '../../api/types';
import { ConfirmDelete } from '../../components/ConfirmDelete';
import { CopyValueButton } from '../../components/CopyValueButton';
import { EmptyState } from '../../components/EmptyState';
import { PageHeader } from '../../components/PageHeader';
import { QueryState } from '../../components/QueryState';
import { notifySuccess } from '../../components/notify';
import { useDeleteOidcProvider, useOidcProviders } from './hooks';
import { OidcProviderDialog } from './OidcProviderDialog';

function rules(provider: OidcProvider): string {
  const parts = [
    provider.allowedDomains.length ? `domains ${provider.allowedDomains.join(', ')}` : '',
    provider.allowedGroups.length ? `groups ${provider.allowedGroups.join(', ')}` : '',
  ].filter(Boolean);
  return parts.length ? parts.join('; ') : 'existing accounts only';
}

/** The OpenID providers people sign in with: Google, Entra ID, Keycloak, GitLab, Dex, and so on. */
export function OidcProvidersPage() {
  const providers = useOidcProviders();
  const remove = useDeleteOidcProvider();
  const [adding, setAdding] = useState(false);
  const [editing, setEditing] = useState<OidcProvider | null>(null);
  const [deleting, setDeleting] = useState<OidcProvider | null>(null);
  return (
    <>
      <PageHeader
        title="Sign-in providers"
        description="OpenID Connect providers people may sign in with. Register Orca at the provider with the redirect URI shown here."
        actions={
          <Button leftSection={<IconPlus size={16} />} onClick={() => setAdding(true)}>
            Add provider
          </Button>
        }
      />
      <OidcProviderDialog opened={adding} onClose={() => setAdding(false)} />
      {editing && <OidcProviderDialog key={editing.id} opened onClose={() => setEditing(null)} provider={editing} />}
      <ConfirmDelete
        opened={deleting !== null}
        onClose={() => {
          remove.reset();
          setDeleting(null);
        }}
        title={`Delete ${deleting?.name ?? 'provider'}?`}
        confirmLabel="Delete provider"
        pending={remove.isPending}
        error={remove.error}
        onConfirm={() =>
          deleting && remove.mutate(deleting.id, {
            onSuccess: () => {
              notifySuccess(`${deleting.name} was deleted.`);
              setDeleting(null);
            },
          })
        }
      >
        Nobody can sign in with it any more; accounts stay, and sign in again once an admin adds it back.
      </ConfirmDelete>
      <QueryState query={providers} what="sign-in providers">
        {(list) =>
          list.length === 0 ? (
            <EmptyState icon={<IconKey size={30} />} title="No sign-in providers">
              Add your organisation's OpenID provider so people sign in with their usual account.
            </EmptyState>
          ) : (
            <Table.ScrollContainer minWidth={860}>
              <Table verticalSpacing="sm" aria-label="Sign-in providers">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Name</Table.Th>
                    <Table.Th>Issuer</Table.Th>
                    <Table.Th>Who may sign in</Table.Th>
                    <Table.Th>Redirect URI</Table.Th>
                    <Table.Th>
                      <span className="visually-hidden">Actions</span>
                    </Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {[...list].sort((a, b) => a.name.localeCompare(b.name)).map((provider) => (
                    <Table.Tr key={provider.id} data-provider-name={provider.name}>
                      <Table.Td>
                        <Group gap="xs">
                          <Text fw={600} size="sm">
                            {provider.name}
                          </Text>
                          {!provider.enabled && (
                            <Badge color="gray" variant="light">
                              off
                            </Badge>
                          )}
                        </Group>
                      </Table.Td>
                      <Table.Td>
                        <Text size="sm" className="mono">
                          {provider.issuer}
                        </Text>
                      </Table.Td>
                      <Table.Td>
                        <Text size="sm">{rules(provider)}</Text>
                        {provider.adminGroups.length > 0 && (
                          <Text size="xs" c="dimmed">
                            admins: {provider.adminGroups.join(', ')}
                          </Text>
                        )}
                      </Table.Td>
                      <Table.Td>
                        {provider.redirectUri ? (
                          <Group gap="xs" wrap="nowrap">
                            <Text size="xs" className="mono">
                              {provider.redirectUri}
                            </Text>
                            <CopyValueButton value={provider.redirectUri} label="Copy" size="compact-xs" variant="subtle" />
                          </Group>
                        ) : (
                          <Text size="sm" c="dimmed">
                            set ORCA_PUBLIC_URL
                          </Text>
                        )}
                      </Table.Td>
                      <Table.Td>
                        <Group gap={4} justify="flex-end" wrap="nowrap">
                          <Tooltip label="Edit">
                            <ActionIcon variant="subtle" aria-label={`Edit ${provider.name}`} onClick={() => setEditing(provider)}>
                              <IconPencil size={18} />
                            </ActionIcon>
                          </Tooltip>
                          <Tooltip label="Delete">
                            <ActionIcon variant="subtle" color="red" aria-label={`Delete ${provider.name}`} onClick={() => setDeleting(provider)}>
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
