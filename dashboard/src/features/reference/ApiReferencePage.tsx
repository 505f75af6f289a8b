import { Accordion, Anchor, Badge, Code, Group, Stack, Table, Text, TextInput } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { api } from '../../api/client';
import { PageHeader } from '../../components/PageHeader';
import { QueryState } from '../../components/QueryState';

/** The parts of an OpenAPI 3 document this page shows. */
interface Schema {
  $ref?: string;
  type?: string | string[];
  items?: Schema;
  format?: string;
}

interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  schema?: Schema;
}

interface Operation {
  tags?: string[];
  summary?: string;
  description?: string;
  operationId?: string;
  parameters?: Parameter[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
  responses?: Record<string, { description?: string }>;
  security?: unknown[];
  'x-orca-role'?: string;
}

interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string; description?: string };
  paths: Record<string, Record<string, Operation>>;
}

interface Entry {
  method: string;
  path: string;
  operation: Operation;
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;
const METHOD_COLORS: Record<string, string> = { get: 'blue', post: 'teal', put: 'orange', patch: 'grape', delete: 'red' };
export const OPENAPI_PATH = '/openapi.json';

/** "#/components/schemas/RepositoryBody" → RepositoryBody; an array of one → RepositoryBody[]. */
export function schemaName(schema: Schema | undefined): string {
  if (!schema) return '—';
  if (schema.$ref) return schema.$ref.slice(schema.$ref.lastIndexOf('/') + 1);
  if (schema.items) return `${schemaName(schema.items)}[]`;
  const type = Array.isArray(schema.type) ? schema.type.filter((t) => t !== 'null').join(' | ') : schema.type;
  return [type ?? 'object', schema.format].filter(Boolean).join(' ');
}

/** "application-controller" → "Application"; springdoc names a tag after its controller. */
export function tagTitle(tag: string): string {
  const words = tag.replace(/-controller$/, '').split('-');
  const title = words.join(' ');
  return title.charAt(0).toUpperCase() + title.slice(1);
}

/** Every operation, grouped by tag (in the order of their paths), filtered by method, path or words. */
export function groupOperations(document: OpenApiDocument, filter: string): [string, Entry[]][] {
  const needle = filter.trim().toLowerCase();
  const groups = new Map<string, Entry[]>();
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of METHODS) {
      const operation = item[method];
      if (!operation) continue;
      const text = `${method} ${path} ${operation.summary ?? ''} ${operation.operationId ?? ''}`.toLowerCase();
      if (needle && !text.includes(needle)) continue;
      const tag = tagTitle(operation.tags?.[0] ?? 'other');
      groups.set(tag, [...(groups.get(tag) ?? []), { method, path, operation }]);
    }
  }
  return [...groups.entries()].sort(([a], [b]) => a.localeCompare(b));
}

function Access({ operation }: { operation: Operation }) {
  if (operation.security && operation.security.length === 0) {
    return <Badge variant="outline" color="gray">Public</Badge>;
  }
  if (operation['x-orca-role'] === 'admin') {
    return <Badge variant="outline" color="violet">Admins</Badge>;
  }
  return <Badge variant="outline" color="blue">Signed in</Badge>;
}

function OperationDetails({ entry }: { entry: Entry }) {
  const { operation } = entry;
  const body = operation.requestBody?.content ? Object.entries(operation.requestBody.content)[0] : undefined;
  return (
    <Stack gap="xs" pl="md" pb="sm">
      {operation.description && <Text size="sm">{operation.description}</Text>}
      {operation.parameters && operation.parameters.length > 0 && (
        <Table aria-label={`Parameters of ${entry.method.toUpperCase()} ${entry.path}`} withRowBorders={false} verticalSpacing={2}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Parameter</Table.Th>
              <Table.Th>In</Table.Th>
              <Table.Th>Type</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {operation.parameters.map((parameter) => (
              <Table.Tr key={`${parameter.in}-${parameter.name}`}>
                <Table.Td>
                  <Code>{parameter.name}</Code>
                  {parameter.required ? ' (required)' : ''}
                </Table.Td>
                <Table.Td>{parameter.in}</Table.Td>
                <Table.Td>{schemaName(parameter.schema)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {body && (
        <Text size="sm">
          Body: <Code>{schemaName(body[1].schema)}</Code> as {body[0]}
        </Text>
      )}
      <Text size="sm">
        Answers:{' '}
        {Object.entries(operation.responses ?? {}).map(([status, response]) => (
          <span key={status}>
            <Code>{status}</Code> {response.description ?? ''}{' '}
          </span>
        ))}
      </Text>
    </Stack>
  );
}

function Reference({ document }: { document: OpenApiDocument }) {
  const [filter, setFilter] = useState('');
  const [open, setOpen] = useState<string[]>([]);
  const groups = useMemo(() => groupOperations(document, filter), [document, filter]);
  const count = groups.reduce((total, [, entries]) => total + entries.length, 0);
  return (
    <Stack gap="md" maw={1100}>
      {document.info.description && <Text size="sm">{document.info.description}</Text>}
      <Group align="flex-end" justify="space-between">
        <TextInput
          label="Filter operations"
          placeholder="deploy, /agents, delete…"
          value={filter}
          onChange={(event) => setFilter(event.currentTarget.value)}
          w={320}
        />
        <Text size="sm" c="dimmed" aria-live="polite">
          {count} operations · OpenAPI {document.openapi} ·{' '}
          <Anchor href={`/api/v1${OPENAPI_PATH}`} target="_blank" rel="noreferrer">
            openapi.json
          </Anchor>
        </Text>
      </Group>
      {/* While filtering, every group that matches is open. */}
      <Accordion multiple variant="separated" value={filter.trim() ? groups.map(([tag]) => tag) : open} onChange={setOpen}>
        {groups.map(([tag, entries]) => (
          <Accordion.Item key={tag} value={tag}>
            <Accordion.Control>
              {tag} <Text span c="dimmed" size="sm">({entries.length})</Text>
            </Accordion.Control>
            <Accordion.Panel>
              <Stack gap="xs">
                {entries.map((entry) => (
                  <section key={`${entry.method} ${entry.path}`} aria-label={`${entry.method.toUpperCase()} ${entry.path}`}>
                    <Group gap="sm" wrap="nowrap">
                      <Badge color={METHOD_COLORS[entry.method]} variant="filled" w={72}>
                        {entry.method.toUpperCase()}
                      </Badge>
                      <Code>{entry.path}</Code>
                      <Access operation={entry.operation} />
                      <Text size="sm" c="dimmed">
                        {entry.operation.summary ?? entry.operation.operationId}
                      </Text>
                    </Group>
                    <OperationDetails entry={entry} />
                  </section>
                ))}
              </Stack>
            </Accordion.Panel>
          </Accordion.Item>
        ))}
      </Accordion>
    </Stack>
  );
}

/** The API reference, rendered from the gateway's own OpenAPI description. */
export function ApiReferencePage() {
  const document = useQuery({ queryKey: ['openapi'], queryFn: () => api.get<OpenApiDocument>(OPENAPI_PATH), staleTime: Infinity });
  return (
    <>
      <PageHeader
        title="API reference"
        description="Every route of Orca's HTTP API, read from its OpenAPI description: what each takes and answers, and who may call it."
      />
      <QueryState query={document} what="the API description">
        {(data) => <Reference document={data} />}
      </QueryState>
    </>
  );
}
