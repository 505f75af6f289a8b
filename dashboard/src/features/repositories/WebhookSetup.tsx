import { Alert, Card, Code, Group, Stack, Table, Text, Title } from '@mantine/core';
import { IconKey } from '@tabler/icons-react';
import type { Repository } from '../../api/types';
import { CopyValueButton } from '../../components/CopyValueButton';
import { PROVIDER_LABELS } from './labels';
import { WEBHOOK_INSTRUCTIONS, webhookUrl } from './webhookInstructions';

/**
 * How to point the repository's git server at Orca: the webhook URL to copy and, per provider,
 * where to paste it and the secret. The secret is write-only; it is shown here only right after
 * it was set ({@code justSetSecret}), once.
 */
export function WebhookSetup({ repo, justSetSecret }: { repo: Repository; justSetSecret?: string }) {
  const url = repo.webhookUrl ?? webhookUrl(repo.id);
  const how = WEBHOOK_INSTRUCTIONS[repo.provider];
  const provider = PROVIDER_LABELS[repo.provider];
  return (
    <Card withBorder radius="md" padding="md" component="section" aria-labelledby="webhook-setup-title">
      <Stack gap="sm">
        <Title order={2} size="h4" id="webhook-setup-title">
          {repo.provider === 'generic' ? 'Send webhooks to Orca' : `Set up the webhook in ${provider}`}
        </Title>
        <Text size="sm">{how.where}</Text>
        <Group gap="xs" wrap="nowrap" align="flex-start">
          <Code block className="preformatted" data-testid="webhook-url" style={{ flex: 1, wordBreak: 'break-all' }}>
            {url}
          </Code>
          <CopyValueButton value={url} label="Copy URL" />
        </Group>
        <Table aria-label={`${provider} webhook settings`} withRowBorders={false} verticalSpacing={4}>
          <Table.Tbody>
            {how.fields.map((field) => (
              <Table.Tr key={field.label}>
                <Table.Th scope="row" w="40%">
                  <Text size="sm" fw={600}>
                    {field.label}
                  </Text>
                </Table.Th>
                <Table.Td>
                  <Text size="sm">
                    {field.value === 'url'
                      ? 'the URL above'
                      : field.value === 'secret'
                        ? 'the webhook secret'
                        : field.value.replace('<secret>', 'the webhook secret')}
                  </Text>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
        <Text size="sm">{how.events}</Text>
        {justSetSecret ? (
          <Alert color="yellow" icon={<IconKey />} title="The webhook secret, shown once" role="status">
            <Stack gap="xs">
              <Text size="sm">Copy it into {provider} now: Orca stores it encrypted and never shows it again.</Text>
              <Group gap="xs" wrap="nowrap" align="flex-start">
                <Code block className="preformatted" data-testid="webhook-secret" style={{ flex: 1, wordBreak: 'break-all' }}>
                  {justSetSecret}
                </Code>
                <CopyValueButton value={justSetSecret} label="Copy secret" />
              </Group>
            </Stack>
          </Alert>
        ) : (
          <Text size="xs" c="dimmed">
            {repo.hasWebhookSecret
              ? 'The webhook secret is stored encrypted and never shown. To use a new one, set it under Edit; it is shown once after saving.'
              : 'No webhook secret is set: set one under Edit before the git server can deliver.'}
          </Text>
        )}
      </Stack>
    </Card>
  );
}
