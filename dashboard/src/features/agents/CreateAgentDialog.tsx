import { Button, Group, Modal, Stack, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { fieldOf } from '../../api/client';
import { notifyError } from '../../components/notify';
import { AgentConnectionSettings } from './AgentConnectionSettings';
import { useCreateAgent } from './hooks';

/** Registers an agent, then shows its connection settings once: a command to paste and a settings file. */
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
          <AgentConnectionSettings connection={created.connection} />
          <Group justify="flex-end">
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
