import { Center, Group, Paper, Stack, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { OrcaLogo } from '../../app/OrcaLogo';

/** The centred card of the signed-out pages. */
export function AuthFrame({ title, subtitle, children }: { title: string; subtitle?: ReactNode; children: ReactNode }) {
  return (
    <Center mih="100vh" p="md">
      <Stack w="100%" maw={420} gap="lg">
        <Group gap="sm" justify="center">
          <OrcaLogo size={40} />
          <Text fw={700} size="xl">
            Orca
          </Text>
        </Group>
        <Paper withBorder shadow="sm" p="xl" radius="md" component="main">
          <Title order={1} size="h3" mb={subtitle ? 4 : 'md'}>
            {title}
          </Title>
          {subtitle && (
            <Text c="dimmed" size="sm" mb="md">
              {subtitle}
            </Text>
          )}
          {children}
        </Paper>
      </Stack>
    </Center>
  );
}
