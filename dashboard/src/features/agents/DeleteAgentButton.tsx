import { Button } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import type { Agent } from '../../api/types';
import { ConfirmDelete } from '../../components/ConfirmDelete';
import { useDeleteAgent } from './hooks';

export function DeleteAgentButton({ agent }: { agent: Agent }) {
  const [opened, { open, close }] = useDisclosure(false);
  const remove = useDeleteAgent();
  return (
    <>
      <Button size="xs" color="red" variant="subtle" onClick={() => { remove.reset(); open(); }} aria-label={`Delete agent ${agent.name}`}>
        Delete
      </Button>
      <ConfirmDelete
        opened={opened}
        onClose={close}
        title={`Delete agent ${agent.name}?`}
        confirmLabel="Delete agent"
        pending={remove.isPending}
        error={remove.error}
        onConfirm={() => remove.mutate(agent, { onSuccess: close })}
      >
        Its credential stops working at once: the agent can no longer connect or receive deployments. Its
        topics on the broker are deleted a few seconds later. An agent that still runs applications cannot be
        deleted.
      </ConfirmDelete>
    </>
  );
}
