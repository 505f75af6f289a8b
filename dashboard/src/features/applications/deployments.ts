import type { Deployment, DeploymentFile } from '../../api/types';

export type FileChange = { path: string; change: 'added' | 'removed' | 'changed' };

/** How the files a deployment carried differ from an earlier one's, by path, compared by digest. */
export function fileChanges(before: DeploymentFile[], after: DeploymentFile[]): FileChange[] {
  const old = new Map(before.map((f) => [f.path, f.fingerprint]));
  const now = new Map(after.map((f) => [f.path, f.fingerprint]));
  const changes: FileChange[] = [];
  for (const [path, sha] of now) {
    if (!old.has(path)) {
      changes.push({ path, change: 'added' });
    } else if (old.get(path) !== sha) {
      changes.push({ path, change: 'changed' });
    }
  }
  for (const path of old.keys()) {
    if (!now.has(path)) {
      changes.push({ path, change: 'removed' });
    }
  }
  return changes.sort((a, b) => a.path.localeCompare(b.path));
}

/**
 * What a deployment is compared with by default: the next older one in the history (newest first)
 * that ran something else, else simply the next older one; null for the oldest.
 */
export function defaultBaseline(list: Deployment[], deploymentId: string): string | null {
  const index = list.findIndex((d) => d.id === deploymentId);
  if (index < 0) {
    return null;
  }
  const older = list.slice(index + 1);
  const digest = list[index]?.digest;
  return (older.find((d) => d.digest !== digest) ?? older[0])?.id ?? null;
}

/** Whether a deployment can be rolled back to: it succeeded, and it is not what the application is pinned to already. */
export function canRollBackTo(deployment: Deployment, pinnedDeploymentId: string | null): boolean {
  return deployment.state === 'succeeded' && deployment.id !== pinnedDeploymentId;
}

/**
 * The API's order: newest start first, then the higher generation. Compared as instants, not
 * as text: "…:35.1Z" is earlier than "…:35.12Z".
 */
export function newestFirst(a: Deployment, b: Deployment): number {
  const started = (d: Deployment) => (d.startedAt ? Date.parse(d.startedAt) : 0);
  return started(b) - started(a) || b.generation - a.generation;
}
