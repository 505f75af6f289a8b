import { Button } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconTrash } from '@tabler/icons-react';
import { useNavigate } from 'react-router';
import { ApiError } from '../../api/client';
import type { Application } from '../../api/types';
import { ConfirmDelete } from '../../components/ConfirmDelete';
import { notifySuccess } from '../../components/notify';
import { useDeleteApplication } from './hooks';

/** What a failed removal means, by the status the API answered with. */
function failureTitle(error: unknown): string {
  if (error instanceof ApiError) {
    switch (error.status) {
      case 409:
        return 'The agent cannot act now';
      case 502:
        return 'The agent failed to remove the stack';
      case 504:
        return 'The agent did not answer before the deadline';
      default:
        break;
    }
  }
  return 'Delete failed';
}

/**
 * Deletes after confirmation and waits for the agent to tear the stack down (DELETE ?wait=true):
 * the dialog stays open while it waits and shows a 502 or 504 outcome as what it is.
 */
export function DeleteApplicationButton({ app, agentName }: { app: Application; agentName: string | undefined }) {
  const [opened, { open, close }] = useDisclosure(false);
  const remove = useDeleteApplication(app.id);
  const navigate = useNavigate();

  const confirm = () =>
    remove.mutate(undefined, {
      onSuccess: () => {
        close();
        notifySuccess(`${app.name} was removed from ${agentName ?? 'its agent'}.`, 'Application deleted');
        navigate('/applications', { replace: true });
      },
    });

  return (
    <>
      <Button color="red" variant="light" leftSection={<IconTrash size={16} />} onClick={() => { remove.reset(); open(); }}>
        Delete
      </Button>
      <ConfirmDelete
        opened={opened}
        onClose={close}
        title={`Delete ${app.name}?`}
        confirmLabel="Delete application"
        pending={remove.isPending}
        pendingText="Waiting for the agent to remove the stack…"
        error={remove.error}
        failureTitle={failureTitle(remove.error)}
        onConfirm={confirm}
      >
        The stack is stopped and removed on agent <b>{agentName ?? app.agentId}</b> (compose down, then its files),
        and the application is deleted from Orca. The git repository is not touched.
      </ConfirmDelete>
    </>
  );
}
