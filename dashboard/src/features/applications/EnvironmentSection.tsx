import { ActionIcon, Alert, Button, Card, Code, Group, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { randomId } from '@mantine/hooks';
import { IconAlertTriangle, IconPlus, IconTrash, IconVariable } from '@tabler/icons-react';
import { useState } from 'react';
import { QueryState } from '../../components/QueryState';
import { notifyError, notifySuccess } from '../../components/notify';
import { MAX_VARIABLES, nameError, toVariables, valueError, type VariableRow } from './environment';
import { useEnvironment, useSaveEnvironment } from './hooks';

/**
 * The application's environment variables: their names, and a form that replaces them all.
 * Values are write-only: the API never returns them, and the form forgets them once saved.
 */
export function EnvironmentSection({ applicationId }: { applicationId: string }) {
  const environment = useEnvironment(applicationId);
  const [editing, setEditing] = useState(false);
  return (
    <Card withBorder radius="md" padding="md" component="section" aria-labelledby="environment-title">
      <Stack gap="sm">
        <Group justify="space-between">
          <Title order={2} size="h4" id="environment-title">
            Environment
          </Title>
          {!editing && (
            <Button variant="default" leftSection={<IconVariable size={16} />} onClick={() => setEditing(true)}
              disabled={environment.data === undefined}>
              Set variables
            </Button>
          )}
        </Group>
        <Text size="sm" c="dimmed">
          The agent writes them to a private .env file beside the compose file, where compose reads them (for
          example <code>{'${DB_PASSWORD}'}</code>). Values are encrypted for the application's agent and never shown
          again.
        </Text>
        <QueryState query={environment} what="the environment variables">
          {({ names }) =>
            names.length ? (
              <Group gap={6} role="list" aria-label="Environment variables">
                {names.map((name) => (
                  <Code key={name} role="listitem">
                    {name}
                  </Code>
                ))}
              </Group>
            ) : (
              <Text size="sm">No environment variables.</Text>
            )
          }
        </QueryState>
        {editing && environment.data && (
          <EnvironmentForm applicationId={applicationId} names={environment.data.names} onDone={() => setEditing(false)} />
        )}
      </Stack>
    </Card>
  );
}

function row(name = ''): VariableRow {
  return { key: randomId(), name, value: '' };
}

/** Rows of name and value, prefilled with the current names; saving replaces every variable. */
function EnvironmentForm({ applicationId, names, onDone }: { applicationId: string; names: string[]; onDone: () => void }) {
  const save = useSaveEnvironment(applicationId);
  const form = useForm({
    initialValues: { rows: names.length ? names.map((name) => row(name)) : [row()] },
    validate: {
      rows: {
        name: (value, values) => nameError(value, values.rows.map((r) => r.name)),
        value: (value) => valueError(value),
      },
    },
  });
  const rows = form.values.rows;

  return (
    <form
      noValidate
      aria-label="Environment variables"
      onSubmit={form.onSubmit((values) =>
        save.mutate(toVariables(values.rows), {
          onSuccess: (saved) => {
            form.reset();
            notifySuccess(
              saved.names.length
                ? `Saved ${saved.names.length} environment variable(s): the agent gets them with the next deployment.`
                : 'Removed every environment variable.',
            );
            onDone();
          },
          onError: (error) => notifyError('Cannot save the environment variables', error),
        }),
      )}
    >
      <Stack gap="sm">
        <Alert color="yellow" icon={<IconAlertTriangle />} role="note">
          Saving replaces all variables; enter every value again. A variable whose row you remove is deleted.
        </Alert>
        {rows.map((r, index) => (
          <Group key={r.key} align="flex-start" gap="sm" wrap="nowrap">
            <TextInput
              label={`Name ${index + 1}`}
              placeholder="DB_PASSWORD"
              autoComplete="off"
              spellCheck={false}
              classNames={{ input: 'mono' }}
              style={{ flex: 1 }}
              {...form.getInputProps(`rows.${index}.name`)}
            />
            <PasswordInput
              label={`Value ${index + 1}`}
              autoComplete="new-password"
              style={{ flex: 2 }}
              {...form.getInputProps(`rows.${index}.value`)}
            />
            <ActionIcon
              variant="subtle"
              color="red"
              mt={26}
              size="lg"
              aria-label={`Remove variable ${index + 1}`}
              onClick={() => form.removeListItem('rows', index)}
            >
              <IconTrash size={18} />
            </ActionIcon>
          </Group>
        ))}
        <Group justify="space-between">
          <Button
            variant="subtle"
            leftSection={<IconPlus size={16} />}
            disabled={rows.length >= MAX_VARIABLES}
            onClick={() => form.insertListItem('rows', row())}
          >
            Add variable
          </Button>
          <Group gap="sm">
            <Button variant="default" onClick={onDone} disabled={save.isPending}>
              Cancel
            </Button>
            <Button type="submit" loading={save.isPending}>
              {rows.length ? 'Save variables' : 'Remove all variables'}
            </Button>
          </Group>
        </Group>
      </Stack>
    </form>
  );
}
