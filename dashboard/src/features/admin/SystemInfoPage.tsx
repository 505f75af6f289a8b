import { Badge, Card, Code, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import type { SystemInfo } from '../../api/types';
import { PageHeader } from '../../components/PageHeader';
import { QueryState } from '../../components/QueryState';
import { formatDateTime } from '../../components/RelativeTime';
import { useSystemInfo } from './hooks';

const MIB = 1024 * 1024;

/** "7 d", "12 h", "3 h 5 min": a configured span or an uptime, to the minute. */
export function formatSpan(totalSeconds: number): string {
  const minutes = Math.floor(totalSeconds / 60);
  const [d, h, m] = [Math.floor(minutes / 1440), Math.floor((minutes % 1440) / 60), minutes % 60];
  const parts = [d && `${d} d`, h && `${h} h`, m && `${m} min`].filter(Boolean);
  return parts.length ? parts.join(' ') : `${Math.max(0, Math.floor(totalSeconds))} s`;
}

function Rows({ title, rows }: { title: string; rows: [string, ReactNode][] }) {
  return (
    <Card withBorder radius="md" padding="lg">
      <Title order={2} size="h4" mb="sm">
        {title}
      </Title>
      <Table aria-label={title} withRowBorders={false} verticalSpacing={4}>
        <Table.Tbody>
          {rows.map(([label, value]) => (
            <Table.Tr key={label}>
              <Table.Th w="45%" fw={500} c="dimmed">
                {label}
              </Table.Th>
              <Table.Td>{value}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Card>
  );
}

/** The parts health names, in words a person reads. */
const PARTS: Record<string, string> = {
  database: 'PostgreSQL',
  kafka: 'Kafka',
  projector: 'Projector (results into the database)',
  outbox: 'Outbox relay (configuration to Kafka)',
};

function partName(key: string, prefix: string): string {
  if (PARTS[key]) return PARTS[key];
  // The stream processors are named by their consumer group: <prefix>sync-stream, say.
  return key.startsWith(prefix) ? `${key.slice(prefix.length)} (consumer group ${key})` : key;
}

function Health({ info }: { info: SystemInfo }) {
  const { status, components } = info.health;
  return (
    <Card withBorder radius="md" padding="lg">
      <Title order={2} size="h4" mb="sm">
        Health{' '}
        <Badge color={status === 'up' ? 'teal' : 'red'} variant="light" ml="xs">
          {status === 'up' ? 'All up' : 'Something is down'}
        </Badge>
      </Title>
      <Table aria-label="Health" withRowBorders={false} verticalSpacing={4}>
        <Table.Tbody>
          {Object.entries(components).map(([key, value]) => (
            <Table.Tr key={key}>
              <Table.Th w="60%" fw={500} c="dimmed">
                {partName(key, info.config.topicPrefix)}
              </Table.Th>
              <Table.Td>
                <Badge color={value === 'up' ? 'teal' : 'red'} variant="light">
                  {value === 'up' ? 'Up' : 'Down'}
                </Badge>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Card>
  );
}

function Details({ info }: { info: SystemInfo }) {
  const { runtime, config, counts } = info;
  return (
    <Stack gap="lg" maw={1100}>
      <Health info={info} />
      <SimpleGrid cols={{ base: 2, sm: 4 }}>
        {(['users', 'repositories', 'applications', 'agents'] as const).map((key) => (
          <Card key={key} withBorder radius="md" padding="md" aria-label={`${counts[key]} ${key}`}>
            <Text size="xl" fw={700}>
              {counts[key]}
            </Text>
            <Text size="sm" c="dimmed">
              {key}
            </Text>
          </Card>
        ))}
      </SimpleGrid>
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg">
        <Rows
          title="Runtime"
          rows={[
            ['Orca version', runtime.version],
            ['Java', runtime.javaVersion],
            ['Operating system', runtime.os],
            ['Processors', runtime.processors],
            ['Heap', `${Math.round(runtime.heapUsedBytes / MIB)} of ${Math.round(runtime.heapMaxBytes / MIB)} MiB`],
            ['Started', formatDateTime(runtime.startedAt)],
            ['Uptime', formatSpan(runtime.uptimeSeconds)],
            ['Database', info.database],
          ]}
        />
        <Rows
          title="Configuration"
          rows={[
            ['Public URL', config.publicUrl ?? 'not set'],
            ['Kafka', config.kafkaBootstrap],
            ['Topics', `${config.topicPrefix}* (${config.topicPartitions} partitions)`],
            ['Local git remotes', <Badge key="local" variant="light" color={config.allowLocalGit ? 'yellow' : 'gray'}>{config.allowLocalGit ? 'allowed' : 'refused'}</Badge>],
            ['Private ranges allowed', config.egressAllow || 'none'],
            ['Session idle timeout', formatSpan(config.sessionIdleTimeoutSeconds)],
            ['Session lifetime', formatSpan(config.sessionLifetimeSeconds)],
            ['Audit log kept', `${config.auditRetentionDays} days`],
            ['Deploy timeout', `${config.deployTimeoutSeconds} s`],
          ]}
        />
        <Rows
          title="Encryption keys"
          rows={[
            ['Current key', <Text key="current" span className="mono">{info.keys.current}</Text>],
            ['Previous keys', info.keys.previous.length ? info.keys.previous.join(', ') : 'none'],
            ['Values sealed by other keys', info.keys.valuesUnderOtherKeys === 0
              ? 'none: every stored secret uses the current key'
              : `${info.keys.valuesUnderOtherKeys} (being re-sealed)`],
          ]}
        />
      </SimpleGrid>
      <Metrics />
    </Stack>
  );
}

/** Where Prometheus scrapes this gateway, and with which credential. */
function Metrics() {
  const url = `${window.location.origin}/metrics`;
  const config = [
    'scrape_configs:',
    '  - job_name: orca',
    `    scheme: ${window.location.protocol.replace(':', '')}`,
    '    authorization:',
    '      credentials_file: /etc/prometheus/orca-token   # ORCA_METRICS_TOKEN, or an admin\'s API token',
    '    static_configs:',
    `      - targets: ['${window.location.host}']`,
  ].join('\n');
  return (
    <Card withBorder radius="md" padding="lg" aria-label="Prometheus metrics">
      <Title order={2} size="h4" mb="sm">
        Prometheus metrics
      </Title>
      <Text size="sm" mb="xs">
        <Text span className="mono">{url}</Text> serves applications&apos; sync and health status
        (orca_application_info), deployments by outcome with their durations, syncs, webhooks, backlogs, projector lag
        and the JVM&apos;s meters. It needs <Text span className="mono">Authorization: Bearer</Text> with the scrape
        token set as ORCA_METRICS_TOKEN, or an admin&apos;s API token.
      </Text>
      <Code block>{config}</Code>
    </Card>
  );
}

export function SystemInfoPage() {
  const info = useSystemInfo();
  return (
    <>
      <PageHeader title="System" description="What runs, how it is configured, and how much it holds. No secret is shown." />
      <QueryState query={info} what="system information">
        {(data) => <Details info={data} />}
      </QueryState>
    </>
  );
}
