import {
  Badge,
  Button,
  Card,
  Checkbox,
  Code,
  Group,
  NumberInput,
  PasswordInput,
  SimpleGrid,
  Stack,
  Switch,
  Text,
  Title,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { IconAdjustments } from '@tabler/icons-react';
import { useState } from 'react';
import { CopyValueButton } from '../../components/CopyValueButton';
import { Field } from '../../components/Field';
import { notifyError, notifySuccess } from '../../components/notify';
import { POLICY_RULES, type Application, type PolicyRule } from '../../api/types';
import { useProfile } from '../auth/hooks';
import { generateSecret } from '../repositories/webhookInstructions';
import {
  imagePollIntervalError,
  imageWebhookSecretError,
  MAX_IMAGE_POLL_INTERVAL,
  MAX_IMAGE_WEBHOOK_SECRET,
  MIN_IMAGE_POLL_INTERVAL,
  MIN_IMAGE_WEBHOOK_SECRET,
  readinessTimeoutError,
  savedMessage,
  settingsBody,
  settingsValues,
  type SettingsValues,
} from './deploySettings';
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
 * How the application is deployed beyond its files: self-heal, the readiness timeout, the policy
 * rules an admin allowed, and image updates (the agent's image checks and the registries' image
 * webhook). Saving a change redeploys the application, since the agent gets its settings with a
 * deployment.
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
            <Field label="Automatic rollback">
              <Text size="sm">
                {app.autoRollback
                  ? 'On: a failed deployment is rolled back to the last one that succeeded'
                  : 'Off: a failed deployment stays until the next one'}
              </Text>
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
        {!editing && <ImageUpdateSettings app={app} />}
      </Stack>
    </Card>
  );
}

/** The image update settings as they are, and where registries post image pushes once a secret is set. */
function ImageUpdateSettings({ app }: { app: Application }) {
  return (
    <Stack gap="sm" data-testid="image-update-settings">
      <Title order={3} size="h5">
        Image updates
      </Title>
      <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="md">
        <Field label="Image checks">
          <Text size="sm">
            {app.imagePolling ? `On: every ${app.imagePollIntervalSeconds} s` : 'Off: images change only with a deployment'}
          </Text>
        </Field>
        <Field label="Superseded images">
          <Text size="sm">{app.removeSupersededImages ? 'Removed after an image update' : 'Kept'}</Text>
        </Field>
        <Field label="Image webhook">
          <Text size="sm">
            {app.hasImageWebhookSecret ? 'Secret set: registries can notify Orca' : 'No secret: registries cannot notify Orca'}
          </Text>
        </Field>
      </SimpleGrid>
      {app.imageWebhookUrl && (
        <Stack gap={6}>
          <Group gap="xs" wrap="nowrap" align="flex-start">
            <Code block className="preformatted" data-testid="image-webhook-url" style={{ flex: 1, wordBreak: 'break-all' }}>
              {app.imageWebhookUrl}
            </Code>
            <CopyValueButton value={app.imageWebhookUrl} label="Copy URL" />
          </Group>
          <Text size="xs" c="dimmed">
            Registries post a push here with the secret as <code>Authorization: Bearer &lt;secret&gt;</code> or, as
            Harbor sends it, <code>Authorization: &lt;secret&gt;</code>; GitHub Packages signs with it
            (X-Hub-Signature-256); Docker Hub, which cannot sign, adds <code>?token=&lt;secret&gt;</code> to the URL.
          </Text>
        </Stack>
      )}
    </Stack>
  );
}

function DeploySettingsForm({ app, onDone }: { app: Application; onDone: () => void }) {
  const profile = useProfile();
  const admin = profile.data?.role === 'admin';
  const save = useSaveApplication(app.id);
  const [secretVisible, setSecretVisible] = useState(false);
  const form = useForm<SettingsValues>({
    initialValues: settingsValues(app),
    validate: {
      readinessTimeoutSeconds: readinessTimeoutError,
      imagePollIntervalSeconds: (value, values) => imagePollIntervalError(value, values.imagePolling),
      imageWebhookSecret: (value, values) =>
        values.removeImageWebhookSecret ? null : imageWebhookSecretError(value, { hasSecret: app.hasImageWebhookSecret }),
    },
  });
  const polling = form.values.imagePolling;
  const removingSecret = form.values.removeImageWebhookSecret;

  return (
    <form
      noValidate
      aria-label="Deploy settings"
      onSubmit={form.onSubmit((values) =>
        save.mutate(settingsBody(values, { admin }), {
          onSuccess: () => {
            notifySuccess(savedMessage(form.getInitialValues(), values, { admin, hadSecret: app.hasImageWebhookSecret }));
            onDone();
          },
          onError: (error) => notifyError('Cannot save the deploy settings', error),
        }),
      )}
    >
      <Stack gap="md">
        <Switch
          label="Self-heal"
          description="When a container is removed, stopped or changed by hand, deploy the last successful deployment again (at most 5 times an hour)."
          {...form.getInputProps('selfHeal', { type: 'checkbox' })}
        />
        <Switch
          label="Roll back automatically"
          description="When a deployment fails, deploy the last one that succeeded again and pin the application there, as Roll back does; unpin when a fix is on the branch."
          {...form.getInputProps('autoRollback', { type: 'checkbox' })}
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
        <Stack gap="sm" role="group" aria-labelledby="image-updates-title">
          <Title order={3} size="h5" id="image-updates-title">
            Image updates
          </Title>
          <Switch
            label="Check for new images"
            description="The agent checks every interval whether a tag of the application's images points to a new image; when one does, it deploys the new image (an image update)."
            {...form.getInputProps('imagePolling', { type: 'checkbox' })}
          />
          <NumberInput
            label="Check every (seconds)"
            description={`From ${MIN_IMAGE_POLL_INTERVAL} s to a day (${MAX_IMAGE_POLL_INTERVAL} s).`}
            min={MIN_IMAGE_POLL_INTERVAL}
            max={MAX_IMAGE_POLL_INTERVAL}
            allowDecimal={false}
            allowNegative={false}
            disabled={!polling}
            maw={320}
            {...form.getInputProps('imagePollIntervalSeconds')}
          />
          <Switch
            label="Remove superseded images"
            description="After an image update succeeds, the agent deletes the images the recreated containers used before."
            {...form.getInputProps('removeSupersededImages', { type: 'checkbox' })}
          />
          <PasswordInput
            label="Image webhook secret"
            placeholder={
              removingSecret
                ? 'Removed when you save'
                : app.hasImageWebhookSecret
                  ? 'A secret is set: leave empty to keep it'
                  : 'No secret is set'
            }
            description={
              removingSecret
                ? 'The secret is removed when you save: the image webhook then refuses every push.'
                : `Registries prove their pushes with it: ${MIN_IMAGE_WEBHOOK_SECRET} to ${MAX_IMAGE_WEBHOOK_SECRET} characters, letters, digits and ASCII punctuation, no spaces. Write-only: it is stored encrypted and never shown again.`
            }
            autoComplete="new-password"
            disabled={removingSecret}
            visible={secretVisible}
            onVisibilityChange={setSecretVisible}
            {...form.getInputProps('imageWebhookSecret')}
          />
          <Group gap="sm">
            <Button
              variant="light"
              size="xs"
              disabled={removingSecret}
              onClick={() => {
                form.setFieldValue('imageWebhookSecret', generateSecret());
                setSecretVisible(true);
              }}
            >
              Generate a secret
            </Button>
            {app.hasImageWebhookSecret && (
              <Button
                variant="light"
                color={removingSecret ? undefined : 'red'}
                size="xs"
                onClick={() => {
                  form.setFieldValue('imageWebhookSecret', '');
                  form.setFieldValue('removeImageWebhookSecret', !removingSecret);
                }}
              >
                {removingSecret ? 'Keep secret' : 'Remove secret'}
              </Button>
            )}
          </Group>
        </Stack>
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
