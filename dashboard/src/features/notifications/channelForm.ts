import type { NotificationBody, NotificationChannel, NotificationEvent, NotificationType, SmtpSecurity } from '../../api/types';

/** What each event is called on the page. */
export const EVENT_LABELS: Record<NotificationEvent, string> = {
  deployment_succeeded: 'Deployment succeeded (once per commit)',
  deployment_failed: 'Deployment failed',
  health_degraded: 'Health degraded outside a deployment',
  sync_failed: 'Repository sync failed',
  agent_offline: 'Agent offline',
  agent_online: 'Agent back online',
  image_updated: 'New images deployed',
};

export const TYPE_LABELS: Record<NotificationType, string> = {
  webhook: 'Generic webhook (JSON)',
  slack: 'Slack',
  discord: 'Discord',
  teams: 'Microsoft Teams',
  gotify: 'Gotify',
  ntfy: 'ntfy',
  email: 'Email (SMTP)',
};

/** What the target field asks for, per type. */
export const URL_HINTS: Record<Exclude<NotificationType, 'email'>, string> = {
  webhook: 'Orca posts JSON {event, at, application, repository, agent, deployment} here.',
  slack: 'The incoming webhook URL Slack gave you (https://hooks.slack.com/services/…).',
  discord: 'The channel webhook URL Discord gave you (https://discord.com/api/webhooks/…).',
  teams: 'The incoming webhook or Workflows URL of the Teams channel.',
  gotify: 'Your Gotify server (https://gotify.example.com).',
  ntfy: 'The topic URL (https://ntfy.sh/your-topic, or your own server).',
};

/** Which types take a secret, and what it is for them. */
export const SECRET_HINTS: Partial<Record<NotificationType, string>> = {
  webhook: 'Optional: Orca signs each body with HMAC-SHA256 under it (header X-Orca-Signature-256: sha256=…).',
  gotify: 'The application token Gotify gave the application you made for Orca.',
  ntfy: 'Optional: an access token, for a protected topic.',
};

export interface ChannelValues {
  name: string;
  type: NotificationType;
  url: string;
  secret: string;
  /** Editing: take the stored secret away (the channel then signs or authenticates with none). */
  removeSecret: boolean;
  host: string;
  port: string;
  security: SmtpSecurity;
  username: string;
  password: string;
  from: string;
  to: string[];
  events: NotificationEvent[];
  applicationIds: string[];
  repositoryIds: string[];
  enabled: boolean;
}

export function initialValues(channel?: NotificationChannel): ChannelValues {
  return {
    name: channel?.name ?? '',
    type: channel?.type ?? 'webhook',
    url: '',
    secret: '',
    removeSecret: false,
    host: channel?.email?.host ?? '',
    port: channel?.email ? String(channel.email.port) : '',
    security: channel?.email?.security ?? 'starttls',
    username: channel?.email?.username ?? '',
    password: '',
    from: channel?.email?.from ?? '',
    to: channel?.email?.to ?? [],
    events: channel?.events ?? ['deployment_failed', 'health_degraded', 'sync_failed', 'agent_offline'],
    applicationIds: channel?.applicationIds ?? [],
    repositoryIds: channel?.repositoryIds ?? [],
    enabled: channel?.enabled ?? true,
  };
}

/**
 * The API body of the form. Editing, an empty URL or secret keeps the stored one (the API never
 * shows them) unless the secret is to be removed; clearing the SMTP user name removes the stored
 * password with it (no sign-in). A new channel sends only what applies to its type.
 */
export function toBody(values: ChannelValues, editing: boolean): NotificationBody {
  const body: NotificationBody = {
    name: values.name.trim(),
    type: values.type,
    events: values.events,
    applicationIds: values.applicationIds,
    repositoryIds: values.repositoryIds,
    enabled: values.enabled,
  };
  if (values.type === 'email') {
    const port = Number.parseInt(values.port, 10);
    body.email = {
      host: values.host.trim(),
      security: values.security,
      from: values.from.trim(),
      to: values.to,
      ...(Number.isFinite(port) ? { port } : {}),
      ...(values.username.trim() ? { username: values.username.trim() } : {}),
      ...(values.password || !editing ? { password: values.password } : !values.username.trim() ? { password: '' } : {}),
    };
    return body;
  }
  if (values.url.trim() || !editing) {
    body.url = values.url.trim();
  }
  if (values.secret) {
    body.secret = values.secret;
  } else if (editing && values.removeSecret) {
    body.secret = '';
  }
  return body;
}

/** Who the channel hears about, in a few words. */
export function scopeText(channel: NotificationChannel, appName: (id: string) => string, repoName: (id: string) => string): string {
  if (channel.applicationIds.length === 0 && channel.repositoryIds.length === 0) {
    return 'All applications and repositories';
  }
  return [...channel.applicationIds.map(appName), ...channel.repositoryIds.map(repoName)].join(', ');
}
