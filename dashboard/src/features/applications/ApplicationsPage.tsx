import {
  Anchor,
  Button,
  Card,
  Group,
  Loader,
  Pagination,
  Select,
  Stack,
  Text,
  TextInput,
  UnstyledButton,
} from '@mantine/core';
import { IconApps, IconGitBranch, IconPlus, IconSearch } from '@tabler/icons-react';
import { useDebouncedValue } from '@mantine/hooks';
import { useEffect, useMemo } from 'react';
import { Link, useSearchParams } from 'react-router';
import type { ApplicationCounts, HealthStatus, SyncStatus } from '../../api/types';
import { EmptyState } from '../../components/EmptyState';
import { PageHeader } from '../../components/PageHeader';
import { QueryState } from '../../components/QueryState';
import {
  HEALTH_STATUSES,
  healthLabel,
  SYNC_STATUSES,
  syncLabel,
} from '../../components/StatusBadge';
import { useAgents } from '../agents/hooks';
import { useRepositories } from '../repositories/hooks';
import { ApplicationTable } from './ApplicationTable';
import { filtersFrom, paramsFrom, queryOf, type ApplicationFilters } from './filters';
import { useApplicationCounts, useApplicationPage } from './hooks';
import classes from './ApplicationsPage.module.css';

/** Rows per page: enough to scan, few enough to draw at once on a fleet of thousands. */
const PAGE_SIZE = 100;
/** How long typing must pause before the search goes to the server. */
const SEARCH_DELAY_MS = 250;

export function ApplicationsPage() {
  const counts = useApplicationCounts();
  return (
    <>
      <PageHeader
        title="Applications"
        description="Each application is one compose file on a branch, deployed by one agent."
        actions={
          <Button component={Link} to="/applications/new" leftSection={<IconPlus size={16} />}>
            New application
          </Button>
        }
      />
      <QueryState query={counts} what="applications">
        {(all) => (all.total === 0 ? <EmptyApplications /> : <ApplicationList counts={all} />)}
      </QueryState>
    </>
  );
}

/**
 * The list as the server filters, searches, sorts and pages it: a fleet of thousands loads one
 * page at a time. The filters live in the page's URL.
 */
function ApplicationList({ counts }: { counts: ApplicationCounts }) {
  const [params, setParams] = useSearchParams();
  const filters = filtersFrom(params);
  // The search is sent once typing pauses, not at every key.
  const [search] = useDebouncedValue(filters.q.trim(), SEARCH_DELAY_MS);
  const repositories = useRepositories();
  const agents = useAgents();
  const names = useMemo(() => {
    const repos = new Map(repositories.data?.map((r) => [r.id, r.name]));
    const byId = new Map(agents.data?.map((a) => [a.id, a]));
    return {
      repository: (id: string) => repos.get(id) ?? '',
      agent: (id: string) => byId.get(id)?.name ?? '',
      agentOnline: (id: string) => byId.get(id)?.status === 'online',
    };
  }, [repositories.data, agents.data]);
  const list = useApplicationPage(queryOf(filters, search, PAGE_SIZE));

  const update = (change: Partial<ApplicationFilters>) =>
    setParams(paramsFrom({ ...filters, page: 1, ...change }), { replace: true });
  const total = list.data?.total ?? 0;
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const page = Math.min(filters.page, pages);
  const onPage = list.data?.items ?? [];
  const filtered = Boolean(search || filters.sync || filters.health || filters.agent || filters.repository);
  // A page that no longer exists (the list shrank, or an old link): the last one there is.
  const pastTheEnd = list.data !== undefined && !list.isPlaceholderData && filters.page > pages;
  useEffect(() => {
    if (pastTheEnd) {
      setParams(paramsFrom({ ...filters, page: pages }), { replace: true });
    }
  }, [pastTheEnd, pages, filters, setParams]);

  return (
    <Stack gap="md">
      <Card withBorder padding="sm" radius="md">
        <Group gap="xl" wrap="wrap" align="flex-start">
          <CountGroup
            title="Sync"
            statuses={SYNC_STATUSES}
            counts={counts.syncStatus}
            label={syncLabel}
            selected={filters.sync}
            onSelect={(sync) => update({ sync: sync === filters.sync ? null : (sync as SyncStatus) })}
          />
          <CountGroup
            title="Health"
            statuses={HEALTH_STATUSES}
            counts={counts.healthStatus}
            label={healthLabel}
            selected={filters.health}
            onSelect={(health) => update({ health: health === filters.health ? null : (health as HealthStatus) })}
          />
        </Group>
      </Card>

      <Group gap="sm" align="flex-end" wrap="wrap">
        <TextInput
          label="Search"
          placeholder="Name, repository, agent, branch, path, commit"
          leftSection={<IconSearch size={16} />}
          value={filters.q}
          onChange={(e) => update({ q: e.currentTarget.value })}
          className={classes.search}
        />
        <Select
          label="Sync status"
          placeholder="Any"
          clearable
          data={SYNC_STATUSES.map((s) => ({ value: s, label: syncLabel(s) }))}
          value={filters.sync}
          onChange={(v) => update({ sync: (v as SyncStatus | null) ?? null })}
          className={classes.filter}
        />
        <Select
          label="Health"
          placeholder="Any"
          clearable
          data={HEALTH_STATUSES.map((s) => ({ value: s, label: healthLabel(s) }))}
          value={filters.health}
          onChange={(v) => update({ health: (v as HealthStatus | null) ?? null })}
          className={classes.filter}
        />
        <Select
          label="Agent"
          placeholder="Any"
          clearable
          searchable
          data={(agents.data ?? []).map((a) => ({ value: a.id, label: a.name }))}
          value={filters.agent}
          onChange={(v) => update({ agent: v })}
          className={classes.filter}
        />
        <Select
          label="Repository"
          placeholder="Any"
          clearable
          searchable
          data={(repositories.data ?? []).map((r) => ({ value: r.id, label: r.name }))}
          value={filters.repository}
          onChange={(v) => update({ repository: v })}
          className={classes.filter}
        />
      </Group>

      <QueryState query={list} what="applications">
        {() => (
          <>
            <Group justify="space-between" gap="sm">
              <Group gap={6}>
                <Text size="sm" c="dimmed" aria-live="polite">
                  {filtered ? `${total} of ${counts.total} applications` : `${total} applications`}
                  {pages > 1 && ` · ${(page - 1) * PAGE_SIZE + 1}–${Math.min(page * PAGE_SIZE, total)} shown`}
                </Text>
                {/* Outside the live region: a busy fleet refetches often, and that is no news to read out. */}
                {list.isFetching && <Loader size="xs" aria-hidden />}
              </Group>
              {pages > 1 && <ListPages page={page} pages={pages} onChange={(p) => update({ ...filters, page: p })} />}
            </Group>

            <ApplicationTable apps={onPage} names={names} />
            {pages > 1 && (
              <Group justify="flex-end">
                <ListPages page={page} pages={pages} onChange={(p) => update({ ...filters, page: p })} />
              </Group>
            )}
            {total === 0 && (
              <Text c="dimmed" ta="center" py="lg">
                No application matches these filters.{' '}
                <Anchor
                  component="button"
                  type="button"
                  onClick={() => setParams(new URLSearchParams(), { replace: true })}
                >
                  Clear filters
                </Anchor>
              </Text>
            )}
          </>
        )}
      </QueryState>
    </Stack>
  );
}

function ListPages({ page, pages, onChange }: { page: number; pages: number; onChange: (page: number) => void }) {
  return (
    <Pagination
      total={pages}
      value={page}
      onChange={onChange}
      size="sm"
      getControlProps={(control) => ({ 'aria-label': `${control} page` })}
      getItemProps={(item) => ({ 'aria-label': `Page ${item}` })}
    />
  );
}

/** Counts by status that filter the list when pressed (and clear the filter when pressed again). */
function CountGroup({ title, statuses, counts, label, selected, onSelect }: {
  title: string;
  statuses: string[];
  counts: Record<string, number>;
  label: (status: never) => string;
  selected: string | null;
  onSelect: (status: string) => void;
}) {
  return (
    <div>
      <Text size="xs" tt="uppercase" fw={700} c="dimmed" mb={4}>
        {title}
      </Text>
      <Group gap={4} wrap="wrap" role="group" aria-label={`Filter by ${title.toLowerCase()} status`}>
        {statuses.map((status) => {
          const count = counts[status] ?? 0;
          const text = (label as (s: string) => string)(status);
          return (
            <UnstyledButton
              key={status}
              className={classes.count}
              data-active={selected === status || undefined}
              data-empty={count === 0 || undefined}
              data-status={status}
              aria-pressed={selected === status}
              aria-label={`${text}: ${count}`}
              onClick={() => onSelect(status)}
            >
              <span className={classes.countValue}>{count}</span> <span className={classes.countLabel}>{text}</span>
            </UnstyledButton>
          );
        })}
      </Group>
    </div>
  );
}

function EmptyApplications() {
  const repositories = useRepositories();
  const hasRepository = (repositories.data?.length ?? 0) > 0;
  return (
    <EmptyState
      icon={<IconApps size={30} />}
      title="No applications yet"
      actions={
        <>
          {!hasRepository && (
            <Button component={Link} to="/repositories/new" leftSection={<IconGitBranch size={16} />}>
              Add a repository
            </Button>
          )}
          <Button
            component={Link}
            to="/applications/new"
            variant={hasRepository ? 'filled' : 'default'}
            leftSection={<IconPlus size={16} />}
          >
            New application
          </Button>
        </>
      }
    >
      {hasRepository
        ? 'Create an application: pick a repository, the branch and the path of a compose file, and the agent that runs it. Orca deploys it and keeps it in step with git.'
        : 'Start by adding the git repository that holds your compose files. Then create an application for each compose file, and Orca deploys it on an agent and keeps it in step with git.'}
    </EmptyState>
  );
}
