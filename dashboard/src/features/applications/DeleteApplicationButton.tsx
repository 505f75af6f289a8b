import { Button, Stack, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconTrash, IconTrashX } from '@tabler/icons-react';
import { useNavigate } from 'react-router';
import { ApiError } from '../../api/client';
import type { Application } from '../../api/types';
import { ConfirmDelete } from '../../components/ConfirmDelete';
import { notifySuccess } from '../../components/notify';
import { useProfile } from '../auth/hooks';
import { useDeleteApplication, useForceDeleteApplication } from './hooks';

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
 * the dialog stays open while it waits and shows a 409, 502 or 504 outcome as what it is. After
 * one, an admin may remove the application from Orca anyway (DELETE ?force=true): it is deleted at
 * once and its agent removes the stack if it ever comes back.
 */
export function DeleteApplicationButton({ app, agentName }: { app: Application; agentName: string | undefined }) {
  const [opened, { open, close }] = useDisclosure(false);
  const remove = useDeleteApplication(app.id);
  const force = useForceDeleteApplication(app.id);
  const admin = useProfile().data?.role === 'admin';
  const navigate = useNavigate();

  const confirm = () =>
    remove.mutate(undefined, {
      onSuccess: () => {
        close();
        notifySuccess(`${app.name} was removed from ${agentName ?? 'its agent'}.`, 'Application deleted');
        navigate('/applications', { replace: true });
      },
    });
  const forceRemoval = () =>
    force.mutate(undefined, {
      onSuccess: () => {
        close();
        notifySuccess(
          `${app.name} was deleted from Orca. ${agentName ?? 'Its agent'} removes the stack if it comes back.`,
          'Application deleted',
        );
        navigate('/applications', { replace: true });
      },
    });
  const failedOnTheAgent = remove.error instanceof ApiError && [409, 502, 504].includes(remove.error.status);

  return (
    <>
      <Button color="red" variant="light" leftSection={<IconTrash size={16} />} onClick={() => { remove.reset(); force.reset(); open(); }}>
        Delete
      </Button>
      <ConfirmDelete
        opened={opened}
        onClose={close}
        title={`Delete ${app.name}?`}
        confirmLabel="Delete application"
        pending={remove.isPending || force.isPending}
        pendingText={force.isPending ? 'Deleting it from Orca…' : 'Waiting for the agent to remove the stack…'}
        error={force.error ?? remove.error}
        failureTitle={force.error ? 'Forced removal failed' : failureTitle(remove.error)}
        onConfirm={confirm}
        recovery={
          admin && failedOnTheAgent && !force.error ? (
            <Stack gap={6} align="flex-start">
              <Text size="sm">
                As an admin you can delete it from Orca now. The removal stays with the agent for 30 days: it removes
                the stack when it is back, or tries again.
              </Text>
              <Button color="red" variant="outline" leftSection={<IconTrashX size={16} />} onClick={forceRemoval}
                loading={force.isPending}>
                Delete from Orca anyway
              </Button>
            </Stack>
          ) : undefined
        }
      >
        The stack is stopped and removed on agent <b>{agentName ?? app.agentId}</b> (compose down, then its files),
        and the application is deleted from Orca. The git repository is not touched.
      </ConfirmDelete>
    </>
  );
}
