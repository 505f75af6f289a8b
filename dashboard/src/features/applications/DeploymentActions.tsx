import { Alert, Button, Group, List, Loader, Modal, Select, Stack, Text } from '@mantine/core';
import { IconAlertTriangle, IconArrowBackUp, IconGitCompare } from '@tabler/icons-react';
import { useState } from 'react';
import type { Deployment, DeploymentDetail } from '../../api/types';
import { ComposeDiff } from '../../components/code/ComposeDiff';
import { formatDateTime } from '../../components/RelativeTime';
import { shortSha } from './commit';
import { defaultBaseline, fileChanges } from './deployments';
import { useDeploymentDetail, useRollback } from './hooks';

/** Tells apart deployments of one commit in a button's accessible name. */
const started = (d: Deployment) => (d.startedAt ? `, started ${formatDateTime(d.startedAt)}` : '');

const label = (d: Deployment) =>
  `${shortSha(d.commit) || d.id.slice(0, 7)} · ${d.outcome ?? 'running'} · ${d.startedAt ? formatDateTime(d.startedAt) : ''}`;

/**
 * The confirmation before a rollback: it deploys again exactly what the deployment ran and pins the
 * application there. It stays open while the request runs and shows why one was refused.
 */
export function RollbackButton({ applicationId, deployment }: { applicationId: string; deployment: Deployment }) {
  const [opened, setOpened] = useState(false);
  const rollback = useRollback(applicationId);
  const sha = shortSha(deployment.commit);
  const close = () => {
    if (!rollback.isPending) {
      setOpened(false);
      rollback.reset();
    }
  };
  return (
    <>
      <Button
        size="compact-sm"
        variant="subtle"
        leftSection={<IconArrowBackUp size={14} />}
        onClick={() => setOpened(true)}
        aria-label={`Roll back to ${sha}${started(deployment)}`}
      >
        Roll back
      </Button>
      <Modal opened={opened} onClose={close} title={`Roll back to ${sha}?`} centered>
        <Stack>
          <Text size="sm">
            Orca deploys again exactly what this deployment ran: the compose file and files of commit{' '}
            <Text span className="mono" fw={600}>
              {sha}
            </Text>{' '}
            and the environment variables as they were then.
          </Text>
          <Text size="sm">
            The application is then pinned there: new commits are recorded but not deployed until you unpin it or
            deploy.
          </Text>
          {rollback.error && (
            <Alert color="red" icon={<IconAlertTriangle />} title="Cannot roll back" role="alert">
              <Text size="sm" className="preformatted">
                {rollback.error.message}
              </Text>
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={close} disabled={rollback.isPending}>
              Cancel
            </Button>
            <Button
              loading={rollback.isPending}
              onClick={() =>
                rollback.mutate(deployment, {
                  onSuccess: () => {
                    setOpened(false);
                    rollback.reset();
                  },
                })
              }
            >
              Roll back
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}

/** What changed between a deployment and an earlier one: the compose file side by side, the files by name. */
export function CompareButton({ applicationId, deployment, list }: { applicationId: string; deployment: Deployment; list: Deployment[] }) {
  const [opened, setOpened] = useState(false);
  const sha = shortSha(deployment.commit) || deployment.id.slice(0, 7);
  return (
    <>
      <Button
        size="compact-sm"
        variant="subtle"
        leftSection={<IconGitCompare size={14} />}
        onClick={() => setOpened(true)}
        aria-label={`Changes in ${sha}${started(deployment)}`}
      >
        Changes
      </Button>
      <Modal opened={opened} onClose={() => setOpened(false)} title={`Changes in deployment ${sha}`} size="xl">
        {opened && <Comparison applicationId={applicationId} deployment={deployment} list={list} />}
      </Modal>
    </>
  );
}

function Comparison({ applicationId, deployment, list }: { applicationId: string; deployment: Deployment; list: Deployment[] }) {
  const [baseline, setBaseline] = useState<string | null>(() => defaultBaseline(list, deployment.id));
  const current = useDeploymentDetail(applicationId, deployment.id);
  const before = useDeploymentDetail(applicationId, baseline);
  const options = list.filter((d) => d.id !== deployment.id).map((d) => ({ value: d.id, label: label(d) }));
  return (
    <Stack>
      <Select
        label="Compare with"
        description="An earlier or later deployment of this application"
        data={options}
        value={baseline}
        onChange={setBaseline}
        searchable
        allowDeselect={false}
        nothingFoundMessage="No such deployment"
        placeholder={options.length === 0 ? 'No other deployment' : 'Pick a deployment'}
      />
      {current.isPending || (baseline !== null && before.isPending) ? (
        <Loader size="sm" aria-label="Loading what the deployments ran" />
      ) : current.error || before.error ? (
        <Alert color="red" icon={<IconAlertTriangle />} role="alert">
          {(current.error ?? before.error)?.message}
        </Alert>
      ) : (
        <Changes current={current.data} before={baseline === null ? undefined : before.data} />
      )}
    </Stack>
  );
}

function Changes({ current, before }: { current: DeploymentDetail | undefined; before: DeploymentDetail | undefined }) {
  if (!current || current.composeFile === null) {
    return <Text c="dimmed">What this deployment ran was not recorded (it was made before Orca kept it).</Text>;
  }
  if (!before) {
    return <Text c="dimmed">No other deployment to compare with.</Text>;
  }
  if (before.composeFile === null) {
    return <Text c="dimmed">What the other deployment ran was not recorded (it was made before Orca kept it).</Text>;
  }
  const files = fileChanges(before.files ?? [], current.files ?? []);
  const name = (d: DeploymentDetail) => shortSha(d.commit) || d.id.slice(0, 7);
  return (
    <Stack>
      {before.composeFile === current.composeFile ? (
        <Text size="sm" data-testid="compose-unchanged">
          The compose file is the same in both.
        </Text>
      ) : (
        <ComposeDiff previous={before.composeFile} current={current.composeFile} labels={[name(before), name(current)]} />
      )}
      <div>
        <Text size="sm" fw={600}>
          Files beside the compose file
        </Text>
        {files.length === 0 ? (
          <Text size="sm" c="dimmed">
            No file changed.
          </Text>
        ) : (
          <List size="sm" aria-label="Changed files">
            {files.map((f) => (
              <List.Item key={f.path}>
                <Text span className="mono" size="sm">
                  {f.path}
                </Text>{' '}
                {f.change}
              </List.Item>
            ))}
          </List>
        )}
      </div>
    </Stack>
  );
}
