import { Badge, Button, Card, Checkbox, Group, NumberInput, SimpleGrid, Stack, Switch, Text, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { IconAdjustments } from '@tabler/icons-react';
import { useState } from 'react';
import { Field } from '../../components/Field';
import { notifyError, notifySuccess } from '../../components/notify';
import { POLICY_RULES, type Application, type PolicyRule } from '../../api/types';
import { useProfile } from '../auth/hooks';
import { useSaveApplication } from './hooks';

/** What each rule of the agent's policy refuses, as the form offers it. */
const RULE_TEXT: Record<PolicyRule, { label: string; description: string }> = {
  privileged: { label: 'Privileged mode', description: 'privileged: true' },
  capabilities: { label: 'Dangerous capabilities', description: 'cap_add of SYS_ADMIN, NET_ADMIN, SYS_PTRACE, ALL…' },
  'host-namespaces': { label: 'Host namespaces', description: 'network_mode, pid or ipc: host' },
  'docker-socket': { label: 'Docker socket', description: 'mounting /var/run/docker.sock' },
  'host-mounts': { label: 'Host mounts', description: "bind mounts outside the application's directory" },
};

/**
 * How the application is deployed beyond its files: self-heal, the readiness timeout, and the
 * policy rules an admin allowed. Saving redeploys the application, since the agent gets its
 * settings with a deployment.
 */
export function DeploySettingsSection({ app }: { app: Application }) {
  const [editing, setEditing] = useState(false);
  return (
    <Card withBorder radius="md" padding="md" component="section" aria-labelledby="deploy-settings-title">
      <Stack gap="sm">
        <Group justify="space-between">
          <Title order={2} size="h4" id="deploy-settings-title">
            Deploy settings
          </Title>
          {!editing && (
            <Button variant="default" leftSection={<IconAdjustments size={16} />} onClick={() => setEditing(true)}>
              Change settings
            </Button>
          )}
        </Group>
        {editing ? (
          <DeploySettingsForm app={app} onDone={() => setEditing(false)} />
        ) : (
          <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="md" data-testid="deploy-settings">
            <Field label="Self-heal">
              <Text size="sm">{app.selfHeal ? 'On: drift is repaired by redeploying' : 'Off: drift is only reported'}</Text>
            </Field>
            <Field label="Readiness timeout">
              <Text size="sm">
                {app.readinessTimeoutSeconds ? `${app.readinessTimeoutSeconds} s` : "The deployment's deadline"}
              </Text>
            </Field>
            <Field label="Allowed policy rules">
              {app.allowedPolicyRules.length ? (
                <Group gap={6} role="list" aria-label="Allowed policy rules">
                  {app.allowedPolicyRules.map((rule) => (
                    <Badge key={rule} color="orange" variant="light" role="listitem">
                      {RULE_TEXT[rule]?.label ?? rule}
                    </Badge>
                  ))}
                </Group>
              ) : (
                <Text size="sm">None: the agent's whole policy applies</Text>
              )}
            </Field>
          </SimpleGrid>
        )}
      </Stack>
    </Card>
  );
}

interface SettingsValues {
  selfHeal: boolean;
  readinessTimeoutSeconds: number | string;
  allowedPolicyRules: string[];
}

function DeploySettingsForm({ app, onDone }: { app: Application; onDone: () => void }) {
  const profile = useProfile();
  const admin = profile.data?.role === 'admin';
  const save = useSaveApplication(app.id);
  const form = useForm<SettingsValues>({
    initialValues: {
      selfHeal: app.selfHeal,
      readinessTimeoutSeconds: app.readinessTimeoutSeconds ?? '',
      allowedPolicyRules: app.allowedPolicyRules,
    },
    validate: {
      readinessTimeoutSeconds: (value) =>
        value === '' || (Number.isInteger(Number(value)) && Number(value) >= 0)
          ? null
          : 'A whole number of seconds, or empty to wait until the deadline',
    },
  });

  return (
    <form
      noValidate
      aria-label="Deploy settings"
      onSubmit={form.onSubmit((values) =>
        save.mutate(
          {
            selfHeal: values.selfHeal,
            readinessTimeoutSeconds: values.readinessTimeoutSeconds === '' ? 0 : Number(values.readinessTimeoutSeconds),
            ...(admin ? { allowedPolicyRules: POLICY_RULES.filter((rule) => values.allowedPolicyRules.includes(rule)) } : {}),
          },
          {
            onSuccess: () => {
              notifySuccess('Saved the deploy settings. A change reaches the agent with a new deployment.');
              onDone();
            },
            onError: (error) => notifyError('Cannot save the deploy settings', error),
          },
        ),
      )}
    >
      <Stack gap="md">
        <Switch
          label="Self-heal"
          description="When a container is removed, stopped or changed by hand, deploy the last successful deployment again (at most 5 times an hour)."
          {...form.getInputProps('selfHeal', { type: 'checkbox' })}
        />
        <NumberInput
          label="Readiness timeout (seconds)"
          description="How long the agent waits for the containers to be running and healthy. Empty: until the deployment's deadline."
          min={0}
          allowDecimal={false}
          allowNegative={false}
          maw={320}
          {...form.getInputProps('readinessTimeoutSeconds')}
        />
        <Checkbox.Group
          label="Allowed policy rules"
          description={
            admin
              ? 'The agent refuses a stack that asks for any of these, unless it is allowed here for this application.'
              : 'Only an admin can allow a policy rule.'
          }
          {...form.getInputProps('allowedPolicyRules')}
        >
          <Stack gap={6} mt="xs">
            {POLICY_RULES.map((rule) => (
              <Checkbox
                key={rule}
                value={rule}
                label={RULE_TEXT[rule].label}
                description={RULE_TEXT[rule].description}
                disabled={!admin}
              />
            ))}
          </Stack>
        </Checkbox.Group>
        <Group justify="flex-end" gap="sm">
          <Button variant="default" onClick={onDone} disabled={save.isPending}>
            Cancel
          </Button>
          <Button type="submit" loading={save.isPending}>
            Save settings
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
