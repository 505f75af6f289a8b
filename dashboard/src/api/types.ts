// The JSON the gateway's HTTP API answers (SPEC.md, "HTTP API"). One place for these shapes:
// pages and hooks import them from here, never redeclare them.

export type SyncStatus = 'synced' | 'out_of_sync' | 'syncing' | 'unknown';
export type HealthStatus = 'healthy' | 'progressing' | 'unhealthy' | 'missing' | 'unknown';
export type RepositorySyncStatus = 'unknown' | 'syncing' | 'success' | 'failed';
export type AgentStatus = 'online' | 'offline';
export type DeploymentState = 'in_progress' | 'succeeded' | 'failed' | 'timed_out' | 'superseded' | 'unknown';
export type DeployReason = 'sync' | 'manual' | 'rollback' | 'image_update' | 'unknown';

export const PROVIDERS = ['github', 'gitlab', 'gitea', 'bitbucket', 'azure_devops', 'generic'] as const;
export type Provider = (typeof PROVIDERS)[number];
export const AUTH_METHODS = ['none', 'token', 'basic', 'ssh'] as const;
export type AuthMethod = (typeof AUTH_METHODS)[number];
export const SYNC_TYPES = ['polling', 'webhook', 'manual'] as const;
export type SyncType = (typeof SYNC_TYPES)[number];

/** The rules of the agent's policy an admin may allow per application (dev.orca.schemas.PolicyRules). */
export const POLICY_RULES = ['privileged', 'capabilities', 'host-namespaces', 'docker-socket', 'host-mounts'] as const;
export type PolicyRule = (typeof POLICY_RULES)[number];

/** An application as the list returns it: without its compose files. */
export interface ApplicationSummary {
  id: string;
  name: string;
  repositoryId: string;
  agentId: string;
  branch: string;
  path: string;
  syncStatus: SyncStatus;
  healthStatus: HealthStatus;
  commit: string | null;
  commitMessage: string | null;
  lastSyncedAt: string | null;
  lastSyncError: string | null;
  /** Whether the agent re-applies the last successful deployment when the running stack drifts. */
  selfHeal: boolean;
  /** How long the agent waits for readiness after compose up; null: until the deployment's deadline. */
  readinessTimeoutSeconds: number | null;
  allowedPolicyRules: PolicyRule[];
  /** Whether the agent checks the application's image tags every interval and deploys when one points to a new image. */
  imagePolling: boolean;
  /** How often the agent checks the images, in seconds (30 to 86400). */
  imagePollIntervalSeconds: number;
  /** Whether the agent deletes the images the recreated containers used, after an image update succeeds. */
  removeSupersededImages: boolean;
  /** Whether a failed deployment is followed by a rollback to the last one that succeeded (which pins the application). */
  autoRollback: boolean;
  hasImageWebhookSecret: boolean;
  /** Where registries post image pushes, on Orca's public URL; null while no image webhook secret is set. */
  imageWebhookUrl: string | null;
  /** Set while a rollback holds the application at an earlier deployment. */
  pinned: Pin | null;
  /** While pinned: the branch's newest commit, recorded but not deployed. */
  latestCommit: string | null;
  /** While pinned: how many commits the branch is ahead of the pinned one; null when unknown. */
  commitsBehind: number | null;
  createdAt: string;
  updatedAt: string;
}

/** What a page of GET /applications asks for: filters, a search, and which items. */
export interface ApplicationListQuery {
  /** Found in the name, branch, path, commit, commit message, repository's or agent's name. */
  q?: string;
  syncStatus?: SyncStatus;
  healthStatus?: HealthStatus;
  agentId?: string;
  repositoryId?: string;
  limit: number;
  offset: number;
}

/** GET /applications/counts: how many applications have each status (every status named). */
export interface ApplicationCounts {
  total: number;
  syncStatus: Record<SyncStatus, number>;
  healthStatus: Record<HealthStatus, number>;
}

/** The deployment a rollback pinned an application to. */
export interface Pin {
  deploymentId: string;
  commit: string;
  at: string;
}

/** An application as its own GET (and its SSE event) returns it. */
export interface Application extends ApplicationSummary {
  composeFile: string | null;
  previousComposeFile: string | null;
  /** The first line of latestCommit's message. */
  latestCommitMessage: string | null;
}

/** GET|PUT /applications/{id}/environment: the variables' names, sorted; values are never returned. */
export interface EnvironmentNames {
  names: string[];
}

export interface ApplicationBody {
  name?: string;
  repositoryId?: string;
  agentId?: string;
  branch?: string;
  path?: string;
  selfHeal?: boolean;
  /** 0 clears the timeout. */
  readinessTimeoutSeconds?: number;
  /** Only an admin may change it. */
  allowedPolicyRules?: PolicyRule[];
  imagePolling?: boolean;
  /** 30 to 86400. */
  imagePollIntervalSeconds?: number;
  removeSupersededImages?: boolean;
  autoRollback?: boolean;
  /** Write-only: absent or null keeps it, "" removes it, anything else must be 16 to 256 letters, digits or - . _ ~. */
  imageWebhookSecret?: string | null;
}

export interface Deployment {
  id: string;
  applicationId: string;
  agentId: string;
  generation: number;
  reason: DeployReason;
  actor: string | null;
  commit: string | null;
  digest: string | null;
  state: DeploymentState;
  /** How it ended (the state once it is not in_progress); null while it runs. */
  outcome: Exclude<DeploymentState, 'in_progress'> | null;
  error: string | null;
  startedAt: string | null;
  endedAt: string | null;
  deadline: string | null;
  updatedAt: string | null;
}

/** GET /applications/{id}/deployments/{deploymentId}: a deployment with what it ran (null: not recorded). */
export interface DeploymentDetail extends Deployment {
  commitMessage: string | null;
  composeFile: string | null;
  /** The files it carried beside the compose file; never their content. */
  files: DeploymentFile[] | null;
}

export interface DeploymentFile {
  path: string;
  size: number;
  /** Equal for equal contents (keyed by the installation's secret: it tells nothing about the content). */
  fingerprint: string;
}

export interface Repository {
  id: string;
  name: string;
  url: string;
  provider: Provider;
  authMethod: AuthMethod;
  username: string | null;
  syncType: SyncType;
  pollingInterval: number;
  syncStatus: RepositorySyncStatus;
  lastSyncedAt: string | null;
  lastSyncError: string | null;
  /** What the last sync was asked for but did not do, and why (e.g. an out-of-order webhook's commit). */
  lastSyncNote: string | null;
  /** What started the last sync; null before the first. */
  lastTrigger: SyncTriggerInfo | null;
  hasCredentials: boolean;
  hasWebhookSecret: boolean;
  /** Where the git server posts webhooks, on Orca's public URL; null when none is configured. */
  webhookUrl: string | null;
  githubActions: GitHubActions;
  createdAt: string;
  updatedAt: string;
}

/** Whether GitHub Actions runs of `repository` (owner/name) may sync; empty lists allow any branch or workflow. */
export interface GitHubActions {
  enabled: boolean;
  repository: string | null;
  allowedBranches: string[];
  allowedWorkflows: string[];
  /** The audience a run's OIDC token must name: Orca's public URL (null when none is configured). */
  audience: string | null;
}

/** What started a sync: `image_update` is an image webhook or an agent's image check asking to pull an application's images again. */
export type TriggerType = 'polling' | 'manual' | 'webhook' | 'github_actions' | 'configuration' | 'image_update';

export interface SyncTriggerInfo {
  type: TriggerType;
  /**
   * `poller`, `webhook:<provider>`, the id of the user who asked, or for an image update
   * `webhook:image:<registry>` or `image-poll:<agent id>`.
   */
  actor: string | null;
  at: string | null;
}

/** POST /repositories/test-connection: the form's fields; repositoryId fills in what they leave out. */
export interface ConnectionBody {
  repositoryId?: string;
  url?: string;
  authMethod?: AuthMethod;
  username?: string;
  token?: string;
  password?: string;
  sshPrivateKey?: string;
}

export interface ConnectionResult {
  ok: boolean;
  /** Why the remote could not be read, when not ok. */
  error: string | null;
  branches: string[] | null;
  defaultBranch: string | null;
}

export interface RemoteBranches {
  branches: { name: string; commit: string }[];
  defaultBranch: string | null;
}

export interface RepositoryTree {
  branch: string;
  commit: string;
  /** Every file's path at the branch's head, relative to the repository root. */
  files: string[];
  truncated: boolean;
}

/** POST and PUT body; on PUT an absent field keeps its value and an empty secret clears it. */
export interface RepositoryBody {
  name?: string;
  url?: string;
  provider?: Provider;
  authMethod?: AuthMethod;
  username?: string;
  token?: string;
  password?: string;
  sshPrivateKey?: string;
  syncType?: SyncType;
  pollingInterval?: number;
  webhookSecret?: string;
  githubActions?: { enabled?: boolean; repository?: string; allowedBranches?: string[]; allowedWorkflows?: string[] };
}

export interface Agent {
  id: string;
  name: string;
  status: AgentStatus;
  lastSeen: string | null;
  dockerAvailable: boolean | null;
  dockerVersion: string | null;
  composeCommand: string | null;
  /** The compose version the agent runs (absent from agents that do not report it). */
  composeVersion?: string | null;
  statusMessage: string | null;
  createdAt: string;
}

/** How an agent reaches the broker: SASL_SSL (TLS and a credential of its own), or the unprotected listeners of a development set-up. */
export type KafkaSecurityProtocol = 'SASL_SSL' | 'SASL_PLAINTEXT' | 'PLAINTEXT';

/**
 * Everything an agent process needs to start. The API shows it once: when the agent is created
 * and when its token is rotated (POST /agents/{id}/rotate-token). `password` and
 * `environmentKey` are secrets; `environmentFile` and `command` carry them too.
 */
export interface AgentConnection {
  /** The broker's listener for agents, e.g. `127.0.0.1:19093`. */
  kafkaBootstrap: string;
  securityProtocol: KafkaSecurityProtocol;
  /** `SCRAM-SHA-512`; null when the listener takes no credential. */
  saslMechanism: string | null;
  /** The agent's own broker user, `orca-agent-<id>-<n>`: n counts the rotations from 1. Null without a credential. */
  username: string | null;
  password: string | null;
  /** The PEM of the authority that signed the broker's TLS certificate; null without TLS. */
  caCertificate: string | null;
  topicPrefix: string;
  agentId: string;
  commandsTopic: string;
  eventsTopic: string;
  /** Base64; opens the environments sealed for this agent. The same across rotations. */
  environmentKey: string | null;
  /** All the settings as `NAME=value` lines, each ending with a newline (values literal, never quoted). */
  environmentFile: string;
  /** One shell paste that writes `orca-agent.env` (mode 0600) and starts `orca-agent.jar` with it. */
  command: string;
}

/** POST /agents and POST /agents/{id}/rotate-token: the agent with its connection, shown this once. */
export interface CreatedAgent {
  id: string;
  name: string;
  status: AgentStatus;
  connection: AgentConnection;
}

export const ROLES = ['admin', 'user'] as const;
export type Role = (typeof ROLES)[number];

export interface User {
  id: string;
  email: string;
  name: string;
  role: Role;
  /** An admin set this user's password: it must be replaced before anything else. */
  mustChangePassword: boolean;
  createdAt: string;
}

/** What an admin sends to add a user (POST /admin/users). */
export interface NewUserBody {
  email: string;
  name: string;
  password: string;
  role: Role;
}

/** What an admin changes of a user (PUT /admin/users/{id}); a password makes the user choose a new one. */
export interface UserChangeBody {
  email?: string;
  name?: string;
  role?: Role;
  password?: string;
}

/** One entry of the audit log (GET /admin/audit-logs), newest first. */
export interface AuditEntry {
  id: number;
  at: string;
  actor: { type: 'user' | 'webhook' | 'github-actions' | 'cli' | 'anonymous'; id: string | null; name: string | null };
  action: string;
  entityType: string | null;
  entityId: string | null;
  /** The request's fields, secret values replaced by "***"; null for webhooks and bodiless changes. */
  changes: Record<string, unknown> | null;
  status: number;
  address: string | null;
}

export interface AuditFilter {
  actor?: string;
  action?: string;
  entityType?: string;
  entityId?: string;
}

export interface SystemInfo {
  runtime: {
    version: string;
    javaVersion: string;
    os: string;
    processors: number;
    heapUsedBytes: number;
    heapMaxBytes: number;
    startedAt: string;
    uptimeSeconds: number;
  };
  database: string;
  config: {
    publicUrl: string | null;
    kafkaBootstrap: string;
    topicPrefix: string;
    topicPartitions: number;
    allowLocalGit: boolean;
    egressAllow: string | null;
    sessionIdleTimeoutSeconds: number;
    sessionLifetimeSeconds: number;
    auditRetentionDays: number;
    deployTimeoutSeconds: number;
  };
  counts: { users: number; repositories: number; applications: number; agents: number };
  /** The key new values are sealed with, previous ones still read during a rotation, and what they still seal. */
  keys: { current: string; previous: string[]; valuesUnderOtherKeys: number };
  /** What GET /api/v1/health says: each part (database, kafka, projector, outbox, stream processors' groups) up or down. */
  health: { status: 'up' | 'down'; components: Record<string, 'up' | 'down'> };
}

export interface ApiToken {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
}

export interface NewApiToken {
  id: string;
  name: string;
  token: string;
}

/** The data of an SSE event about an entity that no longer exists. */
export interface Deleted {
  id: string;
  deleted: true;
}

/** A sign-in button: an enabled OpenID provider (GET /auth/oidc/providers). */
export interface OidcProviderButton {
  id: string;
  name: string;
}

/** An OpenID provider as admins see it; the client secret is write-only. */
export interface OidcProvider {
  id: string;
  name: string;
  issuer: string;
  clientId: string;
  hasClientSecret: boolean;
  scopes: string;
  allowedDomains: string[];
  allowedGroups: string[];
  adminGroups: string[];
  groupsClaim: string;
  enabled: boolean;
  /** What to register at the provider as the redirect (callback) URI; null without a public URL. */
  redirectUri: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface OidcProviderBody {
  name?: string;
  issuer?: string;
  clientId?: string;
  /** Write-only; left out, the stored one stays. */
  clientSecret?: string;
  scopes?: string;
  allowedDomains?: string[];
  allowedGroups?: string[];
  adminGroups?: string[];
  groupsClaim?: string;
  enabled?: boolean;
}

/** Notification channels (SPEC.md "Notifications"). */
export const NOTIFICATION_TYPES = ['webhook', 'slack', 'discord', 'teams', 'gotify', 'ntfy', 'email'] as const;
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];
export const NOTIFICATION_EVENTS = [
  'deployment_succeeded',
  'deployment_failed',
  'health_degraded',
  'sync_failed',
  'agent_offline',
  'agent_online',
  'image_updated',
] as const;
export type NotificationEvent = (typeof NOTIFICATION_EVENTS)[number];
export type SmtpSecurity = 'starttls' | 'tls' | 'none';

export interface NotificationChannel {
  id: string;
  name: string;
  type: NotificationType;
  /** Scheme and host only: the rest may be a credential. Null for email. */
  url: string | null;
  hasSecret: boolean;
  email: {
    host: string;
    port: number;
    security: SmtpSecurity;
    username: string | null;
    hasPassword: boolean;
    from: string;
    to: string[];
  } | null;
  events: NotificationEvent[];
  /** Empty (with repositoryIds empty): every application and repository. */
  applicationIds: string[];
  repositoryIds: string[];
  enabled: boolean;
  lastDelivery: { at: string; state: 'sent' | 'retrying' | 'failed'; error: string | null } | null;
  createdAt: string;
  updatedAt: string;
}

export interface NotificationBody {
  name: string;
  type: NotificationType;
  /** Absent on PUT keeps it. */
  url?: string;
  /** Write-only: absent keeps it, "" removes it. */
  secret?: string;
  email?: {
    host: string;
    port?: number;
    security: SmtpSecurity;
    username?: string;
    password?: string;
    from: string;
    to: string[];
  };
  events: NotificationEvent[];
  applicationIds: string[];
  repositoryIds: string[];
  enabled: boolean;
}

export interface NotificationDelivery {
  id: number;
  event: NotificationEvent | 'test';
  eventId: string;
  state: 'pending' | 'sent' | 'failed';
  attempts: number;
  lastError: string | null;
  applicationId: string | null;
  repositoryId: string | null;
  agentId: string | null;
  deploymentId: string | null;
  occurredAt: string;
  nextAttemptAt: string | null;
  sentAt: string | null;
}
