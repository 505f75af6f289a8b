import {
  Button,
  Card,
  Group,
  NumberInput,
  PasswordInput,
  Select,
  Stack,
  Text,
  Textarea,
  TextInput,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { Link, useNavigate, useParams } from 'react-router';
import { ApiError, fieldOf } from '../../api/client';
import {
  AUTH_METHODS,
  PROVIDERS,
  SYNC_TYPES,
  type AuthMethod,
  type Provider,
  type Repository,
  type RepositoryBody,
  type SyncType,
} from '../../api/types';
import { notifyError, notifySuccess } from '../../components/notify';
import { PageHeader } from '../../components/PageHeader';
import { QueryState } from '../../components/QueryState';
import { useRepository, useSaveRepository } from './hooks';
import { AUTH_LABELS, PROVIDER_LABELS, SYNC_TYPE_LABELS } from './labels';

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
    },
    validate: {
      name: (v) => (v.trim() ? null : 'Give the repository a name'),
      url: (v) => (v.trim() ? null : 'Give the URL Orca clones from'),
      pollingInterval: (v, values) =>
        values.syncType !== 'polling' || (Number(v) >= 30 && Number.isInteger(Number(v))) ? null : 'At least 30 seconds',
    },
  });
  const { authMethod, syncType } = form.values;
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
    save.mutate(body, {
      onSuccess: (saved) => {
        notifySuccess(repo ? 'Changes saved.' : 'Repository added.', saved.name);
        navigate(`/repositories/${saved.id}`);
      },
      onError: (error) => {
        const field = repositoryErrorField(error.message);
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
              <PasswordInput
                label="Webhook secret"
                required={!keeps('webhook')}
                autoComplete="new-password"
                description={keeps('webhook') ? keepText : 'The secret your git server signs its webhooks with.'}
                {...form.getInputProps('webhookSecret')}
              />
            )}
            {syncType === 'manual' && (
              <Text size="xs" c="dimmed">
                Orca syncs this repository only when you press Sync now.
              </Text>
            )}
            <Group justify="flex-end">
              <Button variant="default" component={Link} to={repo ? `/repositories/${repo.id}` : '/repositories'}>
                Cancel
              </Button>
              <Button type="submit" loading={save.isPending}>
                {repo ? 'Save changes' : 'Add repository'}
              </Button>
            </Group>
          </Stack>
        </form>
      </Card>
    </>
  );
}
