import { Anchor, Autocomplete, Button, Card, Group, Select, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useEffect } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { fieldOf } from '../../api/client';
import type { Application } from '../../api/types';
import { notifyError, notifySuccess } from '../../components/notify';
import { PageHeader } from '../../components/PageHeader';
import { QueryState } from '../../components/QueryState';
import { useAgents } from '../agents/hooks';
import { useRemoteBranches, useRemoteTree, useRepositories } from '../repositories/hooks';
import { useApplication, useSaveApplication } from './hooks';

const FIELDS = ['name', 'repositoryId', 'agentId', 'branch', 'path'] as const;
type Field = (typeof FIELDS)[number];

/** The field an application error is about: the API names it first, or says which reference it could not find. */
function errorField(error: Error): Field | undefined {
  const message = error.message.toLowerCase();
  if (message.startsWith('repository ')) return 'repositoryId';
  if (message.startsWith('agent ')) return 'agentId';
  if (message.startsWith('an application named')) return 'name';
  return fieldOf(error, FIELDS);
}

export function ApplicationFormPage() {
  const { id } = useParams();
  const existing = useApplication(id);
  if (!id) {
    return <ApplicationForm />;
  }
  return <QueryState query={existing} what="the application">{(app) => <ApplicationForm app={app} />}</QueryState>;
}

function ApplicationForm({ app }: { app?: Application }) {
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const repositories = useRepositories();
  const agents = useAgents();
  const save = useSaveApplication(app?.id);
  const form = useForm({
    initialValues: {
      name: app?.name ?? '',
      repositoryId: app?.repositoryId ?? params.get('repositoryId') ?? '',
      branch: app?.branch ?? 'main',
      path: app?.path ?? 'compose.yaml',
      agentId: app?.agentId ?? '',
    },
    validate: {
      name: (v) => (v.trim() ? null : 'Give the application a name'),
      repositoryId: (v) => (v ? null : 'Pick the repository that holds the compose file'),
      agentId: (v) => (v ? null : 'Pick the agent that runs the stack'),
      path: (v) => (v.trim() ? null : 'Give the path of the compose file in the repository'),
    },
  });

  // The pickers offer what the repository holds: its branches, and the compose files of the
  // chosen branch once it is one of them. Both stay free text (a branch may not exist yet).
  const branches = useRemoteBranches(form.values.repositoryId || undefined);
  const branchNames = (branches.data?.branches ?? []).map((b) => b.name);
  const branch = form.values.branch.trim();
  const tree = useRemoteTree(form.values.repositoryId || undefined, branchNames.includes(branch) ? branch : undefined);
  const composeFiles = (tree.data?.files ?? []).filter((f) => /\.ya?ml$/i.test(f));

  // A single agent or repository is picked for the user.
  useEffect(() => {
    if (!app && !form.values.agentId && agents.data?.length === 1) {
      form.setFieldValue('agentId', agents.data[0]!.id);
    }
    if (!app && !form.values.repositoryId && repositories.data?.length === 1) {
      form.setFieldValue('repositoryId', repositories.data[0]!.id);
    }
  }, [agents.data, repositories.data]);

  const submit = form.onSubmit((values) =>
    save.mutate(
      { ...values, name: values.name.trim(), branch: values.branch.trim(), path: values.path.trim() },
      {
        onSuccess: (saved) => {
          notifySuccess(app ? 'Changes saved.' : 'Application created: its first sync has started.', saved.name);
          navigate(`/applications/${saved.id}`);
        },
        onError: (error) => {
          const field = errorField(error);
          if (field) {
            form.setFieldError(field, error.message);
          } else {
            notifyError(app ? 'Cannot save the application' : 'Cannot create the application', error);
          }
        },
      },
    ),
  );

  return (
    <>
      <PageHeader
        title={app ? `Edit ${app.name}` : 'New application'}
        description="One compose file at a path on a branch of a repository, run by one agent."
      />
      <Card withBorder radius="md" padding="lg" maw={640}>
        <form onSubmit={submit} noValidate aria-label={app ? 'Edit application' : 'New application'}>
          <Stack>
            <TextInput label="Name" required description="Unique on its agent." {...form.getInputProps('name')} />
            <Select
              label="Repository"
              required
              placeholder={repositories.data?.length ? 'Pick a repository' : 'No repository yet'}
              data={(repositories.data ?? []).map((r) => ({ value: r.id, label: r.name }))}
              searchable
              nothingFoundMessage="No repository matches"
              description={
                <>
                  The git repository with the compose file.{' '}
                  <Anchor component={Link} to="/repositories/new" size="xs">
                    Add a repository
                  </Anchor>
                </>
              }
              {...form.getInputProps('repositoryId')}
            />
            <Group grow align="flex-start">
              <Autocomplete
                label="Branch"
                description={
                  branches.error
                    ? `Branches could not be listed: ${branches.error.message}`
                    : branches.isFetching
                      ? 'Listing the branches…'
                      : 'Followed for new commits.'
                }
                data={branchNames}
                limit={50}
                {...form.getInputProps('branch')}
              />
              <Autocomplete
                label="Compose file path"
                required
                description={
                  tree.error
                    ? `Files could not be listed: ${tree.error.message}`
                    : tree.isFetching
                      ? 'Listing the compose files…'
                      : composeFiles.length
                        ? `Relative to the repository root; ${composeFiles.length} YAML file${composeFiles.length === 1 ? '' : 's'} on ${branch}.`
                        : 'Relative to the repository root.'
                }
                data={composeFiles}
                limit={100}
                classNames={{ input: 'mono' }}
                {...form.getInputProps('path')}
              />
            </Group>
            <Select
              label="Agent"
              required
              placeholder="Pick the agent that runs it"
              data={(agents.data ?? []).map((a) => ({ value: a.id, label: `${a.name} (${a.status})` }))}
              description="The Docker host that runs the stack."
              {...form.getInputProps('agentId')}
            />
            {app && (
              <Text size="xs" c="dimmed">
                Changing the agent, repository, branch or path deploys the application again at once.
              </Text>
            )}
            <Group justify="flex-end">
              <Button variant="default" onClick={() => navigate(-1)}>
                Cancel
              </Button>
              <Button type="submit" loading={save.isPending}>
                {app ? 'Save changes' : 'Create application'}
              </Button>
            </Group>
          </Stack>
        </form>
      </Card>
    </>
  );
}
