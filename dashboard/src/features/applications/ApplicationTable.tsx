import { memo } from 'react';
import { Link } from 'react-router';
import type { ApplicationSummary } from '../../api/types';
import { RelativeTime } from '../../components/RelativeTime';
import { HealthBadge, SyncBadge } from '../../components/StatusBadge';
import { shortSha } from './commit';
import classes from './ApplicationTable.module.css';

export interface Names {
  repository: (id: string) => string;
  agent: (id: string) => string;
  agentOnline: (id: string) => boolean;
}

/**
 * The applications list. Rows are plain table elements styled with Mantine's tokens, not Mantine
 * components: a fleet page renders hundreds of them, and each row here costs a few elements
 * instead of a few dozen components. Below 48em each row becomes a card.
 */
export function ApplicationTable({ apps, names }: { apps: ApplicationSummary[]; names: Names }) {
  return (
    <div className={classes.scroll}>
    <table className={classes.table} aria-label="Applications">
      <thead>
        <tr>
          <th>Name</th>
          <th>Repository</th>
          <th>Agent</th>
          <th>Branch / path</th>
          <th>Sync</th>
          <th>Health</th>
          <th>Commit</th>
          <th>Last sync</th>
        </tr>
      </thead>
      <tbody>
        {apps.map((app) => (
          <ApplicationRow
            key={app.id}
            app={app}
            repository={names.repository(app.repositoryId)}
            agent={names.agent(app.agentId)}
            agentOnline={names.agentOnline(app.agentId)}
          />
        ))}
      </tbody>
    </table>
    </div>
  );
}

const ApplicationRow = memo(function ApplicationRow({ app, repository, agent, agentOnline }: {
  app: ApplicationSummary;
  repository: string;
  agent: string;
  agentOnline: boolean;
}) {
  const message = app.commitMessage?.split('\n', 1)[0] ?? '';
  return (
    <tr data-application-id={app.id}>
      <td className={classes.name}>
        <Link to={`/applications/${app.id}`} className={classes.link}>
          {app.name}
        </Link>
      </td>
      <td data-label="Repository">
        <Link to={`/repositories/${app.repositoryId}`} className={classes.dimmedLink}>
          {repository || '—'}
        </Link>
      </td>
      <td data-label="Agent" className={agentOnline ? undefined : classes.dimmed}>
        {agent || '—'}
      </td>
      <td data-label="Branch / path" className={classes.mono} title={`${app.branch} / ${app.path}`}>
        <span className={classes.truncate}>
          {app.branch || '—'} / {app.path}
        </span>
      </td>
      <td data-label="Sync">
        <SyncBadge status={app.syncStatus} />
        {app.pinned && (
          <span
            className={classes.pinned}
            title={`Pinned to ${shortSha(app.pinned.commit)} by a rollback${app.commitsBehind ? `, ${app.commitsBehind} behind` : ''}`}
          >
            pinned
          </span>
        )}
      </td>
      <td data-label="Health">
        <HealthBadge status={app.healthStatus} />
      </td>
      <td data-label="Commit" title={app.commit ? `${app.commit} ${message}` : undefined}>
        {app.commit ? (
          <span className={classes.commit}>
            <span className={classes.sha}>{shortSha(app.commit)}</span>
            <span className={classes.truncate}>{message}</span>
          </span>
        ) : (
          <span className={classes.dimmed}>none yet</span>
        )}
      </td>
      <td data-label="Last sync">
        <RelativeTime value={app.lastSyncedAt} size="sm" />
      </td>
    </tr>
  );
});
