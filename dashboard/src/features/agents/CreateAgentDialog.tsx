import { Alert, Button, Code, Group, Modal, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { IconAlertTriangle } from '@tabler/icons-react';
import { fieldOf } from '../../api/client';
import { CopyValueButton } from '../../components/CopyValueButton';
import { notifyError } from '../../components/notify';
import { connectionEnv } from './connectionEnv';
import { useCreateAgent } from './hooks';

/** Registers an agent, then shows its connection settings once, with a copy button. */
export function CreateAgentDialog({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const create = useCreateAgent();
  const form = useForm({
    initialValues: { name: '' },
    validate: { name: (v) => (v.trim() ? null : 'Give the agent a name, for example the host it runs on') },
  });
  const created = create.data;
  const close = () => {
    create.reset();
    form.reset();
    onClose();
  };

  return (
    <Modal opened={opened} onClose={close} title={created ? `Agent ${created.name} added` : 'Add agent'} size="lg" centered>
      {created ? (
        <Stack>
          <Alert color="yellow" icon={<IconAlertTriangle />} role="alert" title="Copy these settings now">
            They are shown only this once and cannot be shown again.
          </Alert>
          <Text size="sm">
            Start the agent on the Docker host with these environment variables: as systemd&apos;s{' '}
            <code>EnvironmentFile=</code>, compose&apos;s <code>env_file</code>, or with{' '}
            <code>set -a; . ./agent.env</code> in a shell (not <code>docker run --env-file</code>, which keeps the
            quotes):
          </Text>
          <Code block className="preformatted" data-testid="agent-connection">
            {connectionEnv(created)}
          </Code>
          <Text size="xs" c="dimmed" data-testid="agent-jvm-options-hint">
            <code>JDK_JAVA_OPTIONS</code> and <code>MALLOC_ARENA_MAX</code> are the memory settings we recommend for the
            agent: they keep it within 128 MB (measured 110 MB idle and at most 123 MB while deploying 50 stacks,
            instead of 171 MB and up to 335 MB without them).
          </Text>
          <Text size="sm">All connection details, as the API returned them:</Text>
          <Code block className="preformatted">
            {JSON.stringify(created.connection, null, 2)}
          </Code>
          <Group justify="space-between">
            <CopyValueButton value={connectionEnv(created)} label="Copy settings" />
            <Button onClick={close}>Done</Button>
          </Group>
        </Stack>
      ) : (
        <form
          noValidate
          aria-label="Add agent"
          onSubmit={form.onSubmit((values) =>
            create.mutate(values.name.trim(), {
              onError: (error) => {
                const field = fieldOf(error, ['name'] as const) ?? (error.message.startsWith('an agent named') ? 'name' : undefined);
                if (field) {
                  form.setFieldError(field, error.message);
                } else {
                  notifyError('Cannot add the agent', error);
                }
              },
            }),
          )}
        >
          <Stack>
            <TextInput label="Name" required data-autofocus description="Usually the name of the Docker host." {...form.getInputProps('name')} />
            <Group justify="flex-end">
              <Button variant="default" onClick={close}>
                Cancel
              </Button>
              <Button type="submit" loading={create.isPending}>
                Add agent
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}
