import type {
  AgentStatus,
  DeploymentState,
  HealthStatus,
  RepositorySyncStatus,
  SyncStatus,
} from '../api/types';
import classes from './StatusBadge.module.css';

type Color = 'teal' | 'orange' | 'blue' | 'gray' | 'red' | 'yellow';

const SYNC: Record<SyncStatus, [Color, string]> = {
  synced: ['teal', 'Synced'],
  out_of_sync: ['orange', 'Out of sync'],
  syncing: ['blue', 'Syncing'],
  unknown: ['gray', 'Unknown'],
};

const HEALTH: Record<HealthStatus, [Color, string]> = {
  healthy: ['teal', 'Healthy'],
  progressing: ['blue', 'Progressing'],
  unhealthy: ['red', 'Unhealthy'],
  missing: ['yellow', 'Missing'],
  unknown: ['gray', 'Unknown'],
};

const REPOSITORY: Record<RepositorySyncStatus, [Color, string]> = {
  success: ['teal', 'Success'],
  syncing: ['blue', 'Syncing'],
  failed: ['red', 'Failed'],
  unknown: ['gray', 'Unknown'],
};

const AGENT: Record<AgentStatus, [Color, string]> = {
  online: ['teal', 'Online'],
  offline: ['gray', 'Offline'],
};

const DEPLOYMENT: Record<DeploymentState, [Color, string]> = {
  in_progress: ['blue', 'In progress'],
  succeeded: ['teal', 'Succeeded'],
  failed: ['red', 'Failed'],
  timed_out: ['orange', 'Timed out'],
  superseded: ['gray', 'Superseded'],
  unknown: ['gray', 'Unknown'],
};

export const syncLabel = (status: SyncStatus) => (SYNC[status] ?? SYNC.unknown)[1];
export const healthLabel = (status: HealthStatus) => (HEALTH[status] ?? HEALTH.unknown)[1];
export const SYNC_STATUSES = Object.keys(SYNC) as SyncStatus[];
export const HEALTH_STATUSES = Object.keys(HEALTH) as HealthStatus[];

function StatusBadge({ entry, kind }: { entry: [Color, string]; kind: string }) {
  const [color, label] = entry;
  return (
    <span className={`${classes.badge} ${classes[color]}`} data-status={label}>
      <span className="visually-hidden">{kind}: </span>
      {label}
    </span>
  );
}

export const SyncBadge = ({ status }: { status: SyncStatus }) => (
  <StatusBadge kind="Sync" entry={SYNC[status] ?? SYNC.unknown} />
);
export const HealthBadge = ({ status }: { status: HealthStatus }) => (
  <StatusBadge kind="Health" entry={HEALTH[status] ?? HEALTH.unknown} />
);
export const RepositorySyncBadge = ({ status }: { status: RepositorySyncStatus }) => (
  <StatusBadge kind="Sync" entry={REPOSITORY[status] ?? REPOSITORY.unknown} />
);
export const AgentStatusBadge = ({ status }: { status: AgentStatus }) => (
  <StatusBadge kind="Agent" entry={AGENT[status] ?? AGENT.offline} />
);
export const DeploymentStateBadge = ({ state }: { state: DeploymentState }) => (
  <StatusBadge kind="Outcome" entry={DEPLOYMENT[state] ?? DEPLOYMENT.unknown} />
);
