import type { AuthMethod, Provider, SyncType } from '../../api/types';

export const PROVIDER_LABELS: Record<Provider, string> = {
  github: 'GitHub',
  gitlab: 'GitLab',
  gitea: 'Gitea / Forgejo',
  bitbucket: 'Bitbucket',
  azure_devops: 'Azure DevOps',
  generic: 'Other git server',
};

export const AUTH_LABELS: Record<AuthMethod, string> = {
  none: 'None (public)',
  token: 'Access token',
  basic: 'Username and password',
  ssh: 'SSH private key',
};

export const SYNC_TYPE_LABELS: Record<SyncType, string> = {
  polling: 'Polling',
  webhook: 'Webhook',
  manual: 'Manual',
};

export function syncTypeText(syncType: SyncType, pollingInterval: number): string {
  return syncType === 'polling' ? `Polling every ${pollingInterval} s` : SYNC_TYPE_LABELS[syncType];
}
