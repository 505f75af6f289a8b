import { Alert, Button, Group, Modal, Stack, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconAlertTriangle } from '@tabler/icons-react';
import type { Agent } from '../../api/types';
import { notifySuccess } from '../../components/notify';
import { useDeleteAgent } from './hooks';

export function DeleteAgentButton({ agent }: { agent: Agent }) {
  const [opened, { open, close }] = useDisclosure(false);
  const remove = useDeleteAgent();
  return (
    <>
      <Button size="xs" color="red" variant="subtle" onClick={() => { remove.reset(); open(); }} aria-label={`Delete agent ${agent.name}`}>
        Delete
      </Button>
      <Modal opened={opened} onClose={close} title={`Delete agent ${agent.name}?`} centered>
        <Stack>
          <Text size="sm">The agent can no longer receive deployments. An agent that still runs applications cannot be deleted.</Text>
          {remove.error && (
            <Alert color="red" icon={<IconAlertTriangle />} role="alert">
              {remove.error.message}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button
              color="red"
              loading={remove.isPending}
              onClick={() =>
                remove.mutate(agent.id, {
                  onSuccess: () => {
                    close();
                    notifySuccess(`Agent ${agent.name} was deleted.`);
                  },
                })
              }
            >
              Delete agent
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}
