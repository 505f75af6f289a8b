import { Alert, Button, Group, Modal, Stack, Text } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import type { ReactNode } from 'react';

/**
 * The confirmation before a deletion. It stays open while the request runs (Escape and the close
 * button wait too) and shows why it failed, under {@code failureTitle} when there is one.
 */
export function ConfirmDelete({ opened, onClose, title, children, confirmLabel, pending, error, failureTitle, pendingText, onConfirm, recovery }: {
  opened: boolean;
  onClose: () => void;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  pending: boolean;
  error: Error | null;
  failureTitle?: string;
  pendingText?: string;
  onConfirm: () => void;
  /** Shown under the failure: what can still be done about it. */
  recovery?: ReactNode;
}) {
  return (
    <Modal opened={opened} onClose={() => !pending && onClose()} title={title} centered>
      <Stack>
        <Text size="sm">{children}</Text>
        {pending && pendingText && (
          <Text size="sm" c="dimmed" role="status">
            {pendingText}
          </Text>
        )}
        {error && (
          <Alert color="red" icon={<IconAlertTriangle />} title={failureTitle} role="alert">
            <Text size="sm" className="preformatted">
              {error.message}
            </Text>
          </Alert>
        )}
        {error && recovery}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose} disabled={pending}>
            Cancel
          </Button>
          <Button color="red" onClick={onConfirm} loading={pending}>
            {confirmLabel}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
