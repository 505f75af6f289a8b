import { Button, type ButtonProps } from '@mantine/core';
import { IconRefresh } from '@tabler/icons-react';
import type { Repository } from '../../api/types';
import { notifyError, notifySuccess } from '../../components/notify';
import { useSyncRepository } from './hooks';

/** Starts a sync of the repository now: its latest commits are resolved and changed applications deployed. */
export function SyncNowButton({ repository, ...props }: { repository: Repository } & ButtonProps) {
  const sync = useSyncRepository();
  return (
    <Button
      variant="default"
      leftSection={<IconRefresh size={16} />}
      loading={sync.isPending}
      aria-label={`Sync ${repository.name} now`}
      onClick={() =>
        sync.mutate(repository.id, {
          onSuccess: () => notifySuccess(`Sync of ${repository.name} started.`),
          onError: (error) => notifyError(`Cannot sync ${repository.name}`, error),
        })
      }
      {...props}
    >
      Sync now
    </Button>
  );
}
