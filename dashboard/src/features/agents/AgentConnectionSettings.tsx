import { Alert, Button, Code, Group, Stack, Text } from '@mantine/core';
import { IconAlertTriangle, IconDownload } from '@tabler/icons-react';
import type { AgentConnection } from '../../api/types';
import { CopyValueButton } from '../../components/CopyValueButton';
import { downloadText } from '../../components/download';
import { AGENT_ENV_FILE, AGENT_JAR, AGENT_JAR_BUILT, environmentFileDownload, transportText } from './agentConnection';

/**
 * An agent's connection as the API returned it, shown once (after creation and after a token
 * rotation): the one-paste command that writes the settings file and starts the agent, and the
 * same settings as a file to copy or download.
 */
export function AgentConnectionSettings({ connection }: { connection: AgentConnection }) {
  return (
    <Stack>
      <Alert color="yellow" icon={<IconAlertTriangle />} role="alert" title="Copy these settings now">
        They are shown only this once and cannot be shown again.
      </Alert>
      <Text size="sm">
        Copy <Code>{AGENT_JAR_BUILT}</Code> from the build to the Docker host as <Code>{AGENT_JAR}</Code>, then paste
        this command there, in the same folder: it writes <Code>{AGENT_ENV_FILE}</Code>, readable only by you, checks
        that the agent can connect with it (it stops with the reason when not), and starts the agent.
      </Text>
      <Code block className="preformatted" data-testid="agent-command">
        {connection.command}
      </Code>
      <Group>
        <CopyValueButton value={connection.command} label="Copy command" />
      </Group>
      <Text size="xs" c="dimmed" data-testid="agent-jvm-options-hint">
        The command&apos;s JVM options and <Code>MALLOC_ARENA_MAX=2</Code> are the memory settings we recommend for
        the agent: they keep it within 128 MB (measured 109 MB idle and at most 128 MB while deploying 50 stacks,
        instead of 171 MB and up to 335 MB without them). The check leaves <Code>orca-agent.jsa</Code>, the
        classes it loaded archived for Java (CDS): with it the agent starts in about 60 % of the time. To start the
        agent again later, run the command&apos;s last line; after upgrading the agent or Java, run the line with{' '}
        <Code>--check</Code> once more first.
      </Text>
      <Text size="sm">
        The same settings as a file, for the agent&apos;s <Code>--env-file</Code> or <Code>docker run --env-file</Code>{' '}
        (values as they are, never quoted):
      </Text>
      <Code block className="preformatted" data-testid="agent-connection">
        {connection.environmentFile}
      </Code>
      <Group>
        <CopyValueButton value={connection.environmentFile} label="Copy settings" />
        <Button
          variant="light"
          leftSection={<IconDownload size={16} />}
          onClick={() => downloadText(environmentFileDownload(connection))}
        >
          Download {AGENT_ENV_FILE}
        </Button>
      </Group>
      <Text size="sm">
        The agent connects to Orca&apos;s broker at <Code>{connection.kafkaBootstrap}</Code>{' '}
        {transportText(connection)}.
      </Text>
    </Stack>
  );
}
