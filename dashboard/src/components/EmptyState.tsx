import { Card, Group, Stack, Text, ThemeIcon, Title } from '@mantine/core';
import type { ReactNode } from 'react';

/** What a list shows before it has anything: what the page is for and what to do first. */
export function EmptyState({ icon, title, children, actions }: {
  icon: ReactNode;
  title: string;
  children: ReactNode;
  actions?: ReactNode;
}) {
  return (
    <Card withBorder padding="xl" radius="md">
      <Stack align="center" ta="center" gap="sm" py="lg">
        <ThemeIcon size={56} radius="xl" variant="light">
          {icon}
        </ThemeIcon>
        <Title order={2} size="h3">
          {title}
        </Title>
        <Text c="dimmed" maw={520}>
          {children}
        </Text>
        {actions && <Group>{actions}</Group>}
      </Stack>
    </Card>
  );
}
