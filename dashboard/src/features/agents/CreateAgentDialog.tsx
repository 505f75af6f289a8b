import { Alert, Button, Code, Group, Modal, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { IconAlertTriangle } from '@tabler/icons-react';
import { fieldOf } from '../../api/client';
import type { CreatedAgent } from '../../api/types';
import { CopyValueButton } from '../../components/CopyValueButton';
import { notifyError } from '../../components/notify';
import { useCreateAgent } from './hooks';

/** The connection settings as environment variables for the agent process. */
export function connectionEnv(agent: CreatedAgent): string {
  const c = agent.connection;
  const lines = [
    c.kafkaBootstrap && `ORCA_KAFKA_BOOTSTRAP=${c.kafkaBootstrap}`,
    c.topicPrefix && `ORCA_TOPIC_PREFIX=${c.topicPrefix}`,
    `ORCA_AGENT_ID=${c.agentId ?? agent.id}`,
    c.environmentKey && `ORCA_AGENT_ENVIRONMENT_KEY=${c.environmentKey}`,
  ];
  return lines.filter(Boolean).join('\n');
}

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
          <Text size="sm">Start the agent on the Docker host with these settings:</Text>
          <Code block className="preformatted" data-testid="agent-connection">
            {connectionEnv(created)}
          </Code>
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
