import { Stack, Text } from '@mantine/core';
import type { ReactNode } from 'react';

/** One labelled value of a details card. */
export function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Stack gap={2}>
      <Text size="xs" tt="uppercase" fw={700} c="dimmed">
        {label}
      </Text>
      {children}
    </Stack>
  );
}
