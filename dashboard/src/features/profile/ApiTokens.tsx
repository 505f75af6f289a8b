import { Alert, Button, Card, Code, Group, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { IconAlertTriangle } from '@tabler/icons-react';
import { fieldOf } from '../../api/client';
import { CopyValueButton } from '../../components/CopyValueButton';
import { notifyError, notifySuccess } from '../../components/notify';
import { QueryState } from '../../components/QueryState';
import { RelativeTime } from '../../components/RelativeTime';
import { useCreateToken, useDeleteToken, useTokens } from '../auth/hooks';

/** Personal API tokens: create (shown once), list, revoke. */
export function ApiTokens() {
  const tokens = useTokens();
  const create = useCreateToken();
  const revoke = useDeleteToken();
  const form = useForm({
    initialValues: { name: '' },
    validate: { name: (v) => (v.trim() ? null : 'Name the token after where it is used, e.g. "CI"') },
  });
  return (
    <Card withBorder radius="md" padding="lg">
      <Title order={2} size="h4" mb={4}>
        API tokens
      </Title>
      <Text size="sm" c="dimmed" mb="md">
        Send a token as <Code>Authorization: Bearer &lt;token&gt;</Code> to use the API from scripts and CI.
      </Text>
      <form
        noValidate
        aria-label="Create API token"
        onSubmit={form.onSubmit((values) =>
          create.mutate(values.name.trim(), {
            onSuccess: () => form.reset(),
            onError: (error) => {
              if (fieldOf(error, ['name'] as const)) form.setFieldError('name', error.message);
              else notifyError('Cannot create the token', error);
            },
          }),
        )}
      >
        <Group align="flex-end" gap="sm">
          <TextInput label="Token name" style={{ flex: '1 1 220px' }} {...form.getInputProps('name')} />
          <Button type="submit" loading={create.isPending}>
            Create token
          </Button>
        </Group>
      </form>
      {create.data && (
        <Alert mt="md" color="yellow" icon={<IconAlertTriangle />} title={`Token "${create.data.name}" created`} role="alert">
          <Stack gap="xs">
            <Text size="sm">Copy it now: it is shown only this once.</Text>
            <Code block data-testid="new-token">
              {create.data.token}
            </Code>
            <Group>
              <CopyValueButton value={create.data.token} label="Copy token" size="xs" />
              <Button size="xs" variant="subtle" onClick={() => create.reset()}>
                I have copied it
              </Button>
            </Group>
          </Stack>
        </Alert>
      )}
      <QueryState query={tokens} what="your tokens">
        {(list) =>
          list.length === 0 ? (
            <Text size="sm" c="dimmed" mt="md">
              No tokens yet.
            </Text>
          ) : (
            <Table.ScrollContainer minWidth={520} mt="md">
              <Table aria-label="API tokens">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Name</Table.Th>
                    <Table.Th>Created</Table.Th>
                    <Table.Th>Last used</Table.Th>
                    <Table.Th>
                      <span className="visually-hidden">Actions</span>
                    </Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {list.map((token) => (
                    <Table.Tr key={token.id}>
                      <Table.Td>{token.name}</Table.Td>
                      <Table.Td>
                        <RelativeTime value={token.createdAt} size="sm" />
                      </Table.Td>
                      <Table.Td>
                        <RelativeTime value={token.lastUsedAt} size="sm" />
                      </Table.Td>
                      <Table.Td>
                        <Button
                          size="xs"
                          color="red"
                          variant="subtle"
                          aria-label={`Revoke token ${token.name}`}
                          loading={revoke.isPending && revoke.variables === token.id}
                          onClick={() =>
                            revoke.mutate(token.id, {
                              onSuccess: () => notifySuccess(`Token ${token.name} revoked.`),
                              onError: (error) => notifyError('Cannot revoke the token', error),
                            })
                          }
                        >
                          Revoke
                        </Button>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )
        }
      </QueryState>
    </Card>
  );
}
