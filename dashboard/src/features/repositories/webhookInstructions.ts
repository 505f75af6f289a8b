import type { Provider, TriggerType } from '../../api/types';
import { PROVIDER_LABELS } from './labels';

/** Where a provider's webhook settings live and what to put in each of its fields. */
export interface WebhookInstructions {
  /** Where to go in the provider's UI. */
  where: string;
  /** The provider's field names, each with what to enter. */
  fields: { label: string; value: 'url' | 'secret' | string }[];
  /** What else to choose. */
  events: string;
}

export const WEBHOOK_INSTRUCTIONS: Record<Provider, WebhookInstructions> = {
  github: {
    where: 'In the repository on GitHub: Settings → Webhooks → Add webhook.',
    fields: [
      { label: 'Payload URL', value: 'url' },
      { label: 'Content type', value: 'application/json' },
      { label: 'Secret', value: 'secret' },
    ],
    events: 'Which events: “Just the push event”. GitHub sends a ping first; Orca answers it with 204.',
  },
  gitlab: {
    where: 'In the project on GitLab: Settings → Webhooks → Add new webhook.',
    fields: [
      { label: 'URL', value: 'url' },
      { label: 'Secret token', value: 'secret' },
    ],
    events: 'Trigger: “Push events” (all branches, or the branches your applications follow).',
  },
  gitea: {
    where: 'In the repository on Gitea or Forgejo: Settings → Webhooks → Add webhook → Gitea (or Forgejo).',
    fields: [
      { label: 'Target URL', value: 'url' },
      { label: 'HTTP method', value: 'POST' },
      { label: 'POST content type', value: 'application/json' },
      { label: 'Secret', value: 'secret' },
    ],
    events: 'Trigger on: “Push events”.',
  },
  bitbucket: {
    where: 'In the repository on Bitbucket Cloud: Repository settings → Webhooks → Add webhook.',
    fields: [
      { label: 'URL', value: 'url' },
      { label: 'Secret', value: 'secret' },
    ],
    events: 'Triggers: “Repository → Push”.',
  },
  azure_devops: {
    where: 'In the project on Azure DevOps: Project settings → Service hooks → Create subscription → Web Hooks.',
    fields: [
      { label: 'Trigger on this type of event', value: 'Code pushed' },
      { label: 'URL', value: 'url' },
      { label: 'Basic authentication username', value: 'orca (any name)' },
      { label: 'Basic authentication password', value: 'secret' },
    ],
    events: 'Orca reads the pushed branches and commits from the event.',
  },
  generic: {
    where: 'From any sender (a CI job, a script, a git hook): POST to the URL with the secret as a bearer token.',
    fields: [
      { label: 'URL', value: 'url' },
      { label: 'Authorization', value: 'Bearer <secret>' },
    ],
    events:
      'The JSON body may name {"branch": "main", "commit": "<40-character SHA>"}; without a commit Orca deploys the branch’s latest, without a branch every branch in use.',
  },
};

/** The address a git server posts to for this repository, on this dashboard's origin. */
export function webhookUrl(repositoryId: string, origin: string = window.location.origin): string {
  return `${origin}/api/v1/webhooks/repositories/${repositoryId}`;
}

/** A fresh random secret: 32 bytes as hex, from the browser's cryptographic generator. */
export function generateSecret(): string {
  const bytes = new Uint8Array(32);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Every trigger as a person reads it (a Record, so a trigger added to the API type needs a label here). */
const TRIGGER_LABELS: Record<TriggerType, string> = {
  polling: 'Polling',
  manual: 'Sync now (a person)',
  webhook: 'Webhook',
  github_actions: 'GitHub Actions',
  configuration: 'Configuration change',
  image_update: 'Image update',
};

/** A trigger and its actor as a person reads them; a trigger not known here is shown as it is. */
export function triggerText(type: string, actor: string | null): string {
  if (type === 'webhook') {
    const provider = actor?.startsWith('webhook:') ? actor.slice('webhook:'.length) : null;
    if (provider) return `Webhook (${PROVIDER_LABELS[provider as Provider] ?? provider})`;
  }
  return Object.hasOwn(TRIGGER_LABELS, type) ? TRIGGER_LABELS[type as TriggerType] : type;
}
