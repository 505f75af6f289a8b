import {
  Alert,
  Button,
  Card,
  Group,
  NumberInput,
  PasswordInput,
  Select,
  Stack,
  Switch,
  TagsInput,
  Text,
  Textarea,
  TextInput,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { useEffect, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { ApiError, fieldOf } from '../../api/client';
import {
  AUTH_METHODS,
  PROVIDERS,
  SYNC_TYPES,
  type AuthMethod,
  type ConnectionBody,
  type Provider,
  type Repository,
  type RepositoryBody,
  type SyncType,
} from '../../api/types';
import { notifyError, notifySuccess } from '../../components/notify';
import { PageHeader } from '../../components/PageHeader';
import { QueryState } from '../../components/QueryState';
import { useRepository, useSaveRepository, useTestConnection } from './hooks';
import { AUTH_LABELS, PROVIDER_LABELS, SYNC_TYPE_LABELS } from './labels';
import { rememberSecretOnce } from './secretOnce';
import { generateSecret } from './webhookInstructions';

const FIELDS = [
  'name',
  'url',
  'provider',
  'authMethod',
  'username',
  'token',
  'password',
  'sshPrivateKey',
  'syncType',
  'pollingInterval',
  'webhookSecret',
] as const;
type Field = (typeof FIELDS)[number];

/** The field a repository error is about ("authMethod basic needs a password" is about the password). */
export function repositoryErrorField(message: string): Field | undefined {
  const needs = /needs an? (\w+)/.exec(message)?.[1];
  if (needs && (FIELDS as readonly string[]).includes(needs)) {
    return needs as Field;
  }
  const named = fieldOf(new ApiError(400, message), FIELDS);
  if (named) {
    return named;
  }
  return /\burl\b|URL/.test(message) ? 'url' : undefined;
}

/** "3 branches, default main: main, dev, release" (the first few named). */
function connectedText(branches: string[], defaultBranch: string | null): string {
  if (branches.length === 0) return 'The repository answers but has no branches yet.';
  const shown = branches.slice(0, 5).join(', ') + (branches.length > 5 ? ', …' : '');
  const count = `${branches.length} branch${branches.length === 1 ? '' : 'es'}`;
  return `${count}${defaultBranch ? `, default ${defaultBranch}` : ''}: ${shown}`;
}

export function RepositoryFormPage() {
  const { id } = useParams();
  const existing = useRepository(id);
  if (!id) {
    return <RepositoryForm />;
  }
  return <QueryState query={existing} what="the repository">{(repo) => <RepositoryForm repo={repo} />}</QueryState>;
}

interface Values {
  name: string;
  url: string;
  provider: Provider;
  authMethod: AuthMethod;
  username: string;
  token: string;
  password: string;
  sshPrivateKey: string;
  syncType: SyncType;
  pollingInterval: number | string;
  webhookSecret: string;
  githubEnabled: boolean;
  githubRepository: string;
  githubBranches: string[];
  githubWorkflows: string[];
}

function RepositoryForm({ repo }: { repo?: Repository }) {
  const navigate = useNavigate();
  const save = useSaveRepository(repo?.id);
  const form = useForm<Values>({
    initialValues: {
      name: repo?.name ?? '',
      url: repo?.url ?? '',
      provider: repo?.provider ?? 'generic',
      authMethod: repo?.authMethod ?? 'none',
      username: repo?.username ?? '',
      token: '',
      password: '',
      sshPrivateKey: '',
      syncType: repo?.syncType ?? 'polling',
      pollingInterval: repo?.pollingInterval ?? 60,
      webhookSecret: '',
      githubEnabled: repo?.githubActions.enabled ?? false,
      githubRepository: repo?.githubActions.repository ?? '',
      githubBranches: repo?.githubActions.allowedBranches ?? [],
      githubWorkflows: repo?.githubActions.allowedWorkflows ?? [],
    },
    validate: {
      name: (v) => (v.trim() ? null : 'Give the repository a name'),
      url: (v) => (v.trim() ? null : 'Give the URL Orca clones from'),
      pollingInterval: (v, values) =>
        values.syncType !== 'polling' || (Number(v) >= 30 && Number.isInteger(Number(v))) ? null : 'At least 30 seconds',
    },
  });
  const { authMethod, syncType } = form.values;
  const [secretVisible, setSecretVisible] = useState(false);
  const test = useTestConnection();
  // A result is about the settings it was asked with: it goes when they change.
  const { url, username, token, password, sshPrivateKey } = form.values;
  useEffect(() => test.reset(), [url, authMethod, username, token, password, sshPrivateKey]);

  /** Asks the remote with what the form holds now (the stored credential where a field is left empty). */
  const testConnection = () => {
    const values = form.values;
    const body: ConnectionBody = { url: values.url.trim(), authMethod: values.authMethod };
    if (repo) body.repositoryId = repo.id;
    if (values.authMethod === 'basic' || values.authMethod === 'token') body.username = values.username.trim();
    if (values.authMethod === 'token' && values.token) body.token = values.token;
    if (values.authMethod === 'basic' && values.password) body.password = values.password;
    if (values.authMethod === 'ssh' && values.sshPrivateKey) body.sshPrivateKey = values.sshPrivateKey;
    test.mutate(body, {
      onError: (error) => {
        const field = repositoryErrorField(error.message);
        if (field) form.setFieldError(field, error.message);
      },
    });
  };
  // The credential that stays stored when its field is left empty, on edit.
  const keeps = (field: 'secret' | 'webhook') =>
    repo && (field === 'secret' ? repo.hasCredentials && repo.authMethod === authMethod : repo.hasWebhookSecret);

  const submit = form.onSubmit((values) => {
    const body: RepositoryBody = {
      name: values.name.trim(),
      url: values.url.trim(),
      provider: values.provider,
      authMethod: values.authMethod,
      syncType: values.syncType,
    };
    if (values.syncType === 'polling') body.pollingInterval = Number(values.pollingInterval);
    if (values.authMethod === 'basic' || values.authMethod === 'token') body.username = values.username.trim();
    if (values.authMethod === 'token' && values.token) body.token = values.token;
    if (values.authMethod === 'basic' && values.password) body.password = values.password;
    if (values.authMethod === 'ssh' && values.sshPrivateKey) body.sshPrivateKey = values.sshPrivateKey;
    if (values.syncType === 'webhook' && values.webhookSecret) body.webhookSecret = values.webhookSecret;
    body.githubActions = {
      enabled: values.githubEnabled,
      repository: values.githubRepository.trim(),
      allowedBranches: values.githubBranches,
      allowedWorkflows: values.githubWorkflows,
    };
    save.mutate(body, {
      onSuccess: (saved) => {
        if (body.webhookSecret) {
          rememberSecretOnce(saved.id, body.webhookSecret);
        }
        notifySuccess(repo ? 'Changes saved.' : 'Repository added.', saved.name);
        navigate(`/repositories/${saved.id}`);
      },
      onError: (error) => {
        const field = error.message.startsWith('githubActions.repository')
          ? 'githubRepository'
          : repositoryErrorField(error.message);
        if (field) {
          form.setFieldError(field, error.message);
        } else {
          notifyError(repo ? 'Cannot save the repository' : 'Cannot add the repository', error);
        }
      },
    });
  });

  const keepText = 'A value is stored and never shown. Leave empty to keep it, or type a new one to replace it.';
  return (
    <>
      <PageHeader title={repo ? `Edit ${repo.name}` : 'Add repository'} description="A git remote with compose files in it." />
      <Card withBorder radius="md" padding="lg" maw={680}>
        <form onSubmit={submit} noValidate aria-label={repo ? 'Edit repository' : 'Add repository'}>
          <Stack>
            <TextInput label="Name" required {...form.getInputProps('name')} />
            <TextInput
              label="URL"
              required
              placeholder="https://git.example.com/team/stacks.git"
              description="https://, ssh:// or git@host:path."
              classNames={{ input: 'mono' }}
              {...form.getInputProps('url')}
            />
            <Select
              label="Provider"
              description="Only changes how webhooks are read; any git server works."
              data={PROVIDERS.map((p) => ({ value: p, label: PROVIDER_LABELS[p] }))}
              allowDeselect={false}
              {...form.getInputProps('provider')}
            />
            <Select
              label="Authentication"
              data={AUTH_METHODS.map((m) => ({ value: m, label: AUTH_LABELS[m] }))}
              allowDeselect={false}
              {...form.getInputProps('authMethod')}
            />
            {(authMethod === 'basic' || authMethod === 'token') && (
              <TextInput
                label="Username"
                required={authMethod === 'basic'}
                autoComplete="off"
                description={authMethod === 'token' ? 'Optional; some servers want one with a token.' : undefined}
                {...form.getInputProps('username')}
              />
            )}
            {authMethod === 'token' && (
              <PasswordInput
                label="Access token"
                required={!keeps('secret')}
                autoComplete="new-password"
                description={keeps('secret') ? keepText : 'Write-only: it is stored encrypted and never shown again.'}
                {...form.getInputProps('token')}
              />
            )}
            {authMethod === 'basic' && (
              <PasswordInput
                label="Password"
                required={!keeps('secret')}
                autoComplete="new-password"
                description={keeps('secret') ? keepText : 'Write-only: it is stored encrypted and never shown again.'}
                {...form.getInputProps('password')}
              />
            )}
            {authMethod === 'ssh' && (
              <Textarea
                label="SSH private key"
                required={!keeps('secret')}
                autosize
                minRows={3}
                maxRows={8}
                classNames={{ input: 'mono' }}
                placeholder="-----BEGIN OPENSSH PRIVATE KEY-----"
                description={keeps('secret') ? keepText : 'Write-only: it is stored encrypted and never shown again.'}
                {...form.getInputProps('sshPrivateKey')}
              />
            )}
            <Select
              label="Sync"
              description="How Orca learns about new commits."
              data={SYNC_TYPES.map((t) => ({ value: t, label: SYNC_TYPE_LABELS[t] }))}
              allowDeselect={false}
              {...form.getInputProps('syncType')}
            />
            {syncType === 'polling' && (
              <NumberInput
                label="Polling interval (seconds)"
                min={30}
                step={30}
                allowDecimal={false}
                {...form.getInputProps('pollingInterval')}
              />
            )}
            {syncType === 'webhook' && (
              <Stack gap={6}>
                <PasswordInput
                  label="Webhook secret"
                  required={!keeps('webhook')}
                  autoComplete="new-password"
                  visible={secretVisible}
                  onVisibilityChange={setSecretVisible}
                  description={
                    keeps('webhook')
                      ? keepText
                      : 'The secret your git server signs its webhooks with. After saving, it is shown once with where to paste it.'
                  }
                  {...form.getInputProps('webhookSecret')}
                />
                <Group>
                  <Button
                    variant="light"
                    size="xs"
                    onClick={() => {
                      form.setFieldValue('webhookSecret', generateSecret());
                      setSecretVisible(true);
                    }}
                  >
                    Generate a secret
                  </Button>
                </Group>
              </Stack>
            )}
            {syncType === 'manual' && (
              <Text size="xs" c="dimmed">
                Orca syncs this repository only when you press Sync now.
              </Text>
            )}
            <Switch
              label="Allow deploys from GitHub Actions"
              description="A workflow of the GitHub repository below proves itself with its OIDC token; no secret to store."
              {...form.getInputProps('githubEnabled', { type: 'checkbox' })}
            />
            {form.values.githubEnabled && (
              <>
                <TextInput
                  label="GitHub repository"
                  placeholder="owner/name"
                  description="Whose workflows may sync this repository. Left empty, it is taken from a github.com URL."
                  classNames={{ input: 'mono' }}
                  {...form.getInputProps('githubRepository')}
                />
                <TagsInput
                  label="Allowed branches"
                  description="Runs on these branches only; empty allows any. Press Enter after each."
                  placeholder="main"
                  {...form.getInputProps('githubBranches')}
                />
                <TagsInput
                  label="Allowed workflows"
                  description="Workflow files (deploy.yml) or names; empty allows any. Press Enter after each."
                  placeholder="deploy.yml"
                  {...form.getInputProps('githubWorkflows')}
                />
              </>
            )}
            {test.data && (
              <Alert
                color={test.data.ok ? 'teal' : 'red'}
                title={test.data.ok ? 'Connected' : 'Cannot connect'}
                role={test.data.ok ? 'status' : 'alert'}
                data-testid="connection-result"
              >
                <Text size="sm" style={{ wordBreak: 'break-word' }}>
                  {test.data.ok
                    ? connectedText(test.data.branches ?? [], test.data.defaultBranch)
                    : test.data.error}
                </Text>
              </Alert>
            )}
            <Group justify="space-between">
              <Button variant="light" onClick={testConnection} loading={test.isPending} disabled={!form.values.url.trim()}>
                Test connection
              </Button>
              <Group>
                <Button variant="default" component={Link} to={repo ? `/repositories/${repo.id}` : '/repositories'}>
                  Cancel
                </Button>
                <Button type="submit" loading={save.isPending}>
                  {repo ? 'Save changes' : 'Add repository'}
                </Button>
              </Group>
            </Group>
          </Stack>
        </form>
      </Card>
    </>
  );
}
