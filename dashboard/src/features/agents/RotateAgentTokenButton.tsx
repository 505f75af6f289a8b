import { Alert, Button, Group, Modal, Stack, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconRefresh } from '@tabler/icons-react';
import type { Agent } from '../../api/types';
import { notifyError } from '../../components/notify';
import { AgentConnectionSettings } from './AgentConnectionSettings';
import { useRotateAgentToken } from './hooks';

/**
 * Gives an agent a new broker credential after a confirmation, then shows its new connection
 * once. The old credential stops working at once: the agent must be restarted with the new one.
 */
export function RotateAgentTokenButton({ agent }: { agent: Agent }) {
  const [opened, { open, close }] = useDisclosure(false);
  const rotate = useRotateAgentToken();
  const rotated = rotate.data;
  const pending = rotate.isPending;
  return (
    <>
      <Button
        size="xs"
        variant="subtle"
        onClick={() => {
          rotate.reset();
          open();
        }}
        aria-label={`Rotate token of ${agent.name}`}
      >
        Rotate token
      </Button>
      <Modal
        opened={opened}
        onClose={() => !pending && close()}
        // The new settings leave memory once the dialog is gone.
        onExitTransitionEnd={() => rotate.reset()}
        title={rotated ? `New settings of agent ${agent.name}` : `Rotate the token of agent ${agent.name}?`}
        size="lg"
        centered
      >
        {rotated ? (
          <Stack>
            <Alert color="orange" icon={<IconRefresh />} title="Restart the agent with these new settings">
              Its old credential no longer works: the agent still running with it has stopped. Start it again on its
              host with the command or the settings below.
            </Alert>
            <AgentConnectionSettings connection={rotated.connection} />
            <Group justify="flex-end">
              <Button onClick={close}>Done</Button>
            </Group>
          </Stack>
        ) : (
          <Stack>
            <Text size="sm">
              The agent&apos;s current credential stops working at once; the running agent stops until you restart it
              with the new settings.
            </Text>
            <Group justify="flex-end">
              <Button variant="default" onClick={close} disabled={pending}>
                Cancel
              </Button>
              <Button
                color="red"
                loading={pending}
                onClick={() =>
                  rotate.mutate(agent.id, {
                    onError: (error) => notifyError(`Cannot rotate the token of agent ${agent.name}`, error),
                  })
                }
              >
                Rotate token
              </Button>
            </Group>
          </Stack>
        )}
      </Modal>
    </>
  );
}
