import { Button, Checkbox, Group, Modal, MultiSelect, PasswordInput, Select, Stack, Switch, TagsInput, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { fieldOf } from '../../api/client';
import { NOTIFICATION_EVENTS, NOTIFICATION_TYPES, type NotificationChannel } from '../../api/types';
import { notifyError, notifySuccess } from '../../components/notify';
import { useApplications } from '../applications/hooks';
import { useRepositories } from '../repositories/hooks';
import { EVENT_LABELS, initialValues, SECRET_HINTS, toBody, TYPE_LABELS, URL_HINTS } from './channelForm';
import { useSaveChannel } from './hooks';

/** The options, and the chosen ids that name nothing any more (deleted since), so they can be seen and removed. */
function withGone(options: { value: string; label: string }[], chosen: string[], what: string) {
  const known = new Set(options.map((o) => o.value));
  return [...options, ...chosen.filter((id) => !known.has(id)).map((id) => ({ value: id, label: `deleted ${what} ${id.slice(0, 8)}` }))];
}

/**
 * Adds or changes a notification channel: where messages go, which events, for which applications
 * and repositories. URL, secret and SMTP password are never shown again; left empty when editing,
 * they keep what is stored.
 */
export function ChannelDialog({ opened, onClose, channel }: { opened: boolean; onClose: () => void; channel?: NotificationChannel }) {
  const save = useSaveChannel();
  const editing = channel !== undefined;
  const applications = useApplications().data ?? [];
  const repositories = useRepositories().data ?? [];
  const form = useForm({
    initialValues: initialValues(channel),
    validate: {
      name: (v) => (v.trim() ? null : 'Name the channel, for example "ops on Slack"'),
      url: (v, values) =>
        values.type === 'email' || (editing && !v) || /^https?:\/\/\S+$/.test(v.trim())
          ? null
          : 'Enter the address to post to, starting with https://',
      secret: (v, values) =>
        values.type === 'gotify' && !v && !(editing && channel?.hasSecret) ? 'Enter the Gotify application token' : null,
      host: (v, values) => (values.type !== 'email' || v.trim() ? null : 'Enter the SMTP server'),
      from: (v, values) => (values.type !== 'email' || /\S+@\S+/.test(v) ? null : 'Enter the sender address'),
      to: (v, values) => (values.type !== 'email' || v.length > 0 ? null : 'Enter at least one recipient'),
      events: (v) => (v.length > 0 ? null : 'Choose at least one event'),
    },
  });
  const close = () => {
    form.reset();
    save.reset();
    onClose();
  };
  const type = form.values.type;
  const secretHint = SECRET_HINTS[type];
  return (
    <Modal opened={opened} onClose={close} title={editing ? `Edit ${channel.name}` : 'Add notification channel'} size="lg" centered>
      <form
        noValidate
        aria-label={editing ? 'Edit notification channel' : 'Add notification channel'}
        onSubmit={form.onSubmit((values) =>
          save.mutate(
            { id: channel?.id, body: toBody(values, editing) },
            {
              onSuccess: (saved) => {
                notifySuccess(`${saved.name} is saved. Send a test message to check it.`);
                close();
              },
              onError: (error) => {
                const field = fieldOf(error, ['name', 'url', 'secret', 'events'] as const);
                if (field) form.setFieldError(field, error.message);
                else if (/^email\.host/.test(error.message)) form.setFieldError('host', error.message);
                else if (/^email\.from/.test(error.message)) form.setFieldError('from', error.message);
                else if (/^email\.to/.test(error.message)) form.setFieldError('to', error.message);
                else notifyError('Cannot save the channel', error);
              },
            },
          ),
        )}
      >
        <Stack>
          <TextInput label="Name" required data-autofocus {...form.getInputProps('name')} />
          <Select
            label="Type"
            required
            disabled={editing}
            description={editing ? 'Cannot change: add another channel instead.' : undefined}
            data={NOTIFICATION_TYPES.map((t) => ({ value: t, label: TYPE_LABELS[t] }))}
            allowDeselect={false}
            {...form.getInputProps('type')}
          />
          {type !== 'email' ? (
            <TextInput
              label="URL"
              required={!editing}
              autoComplete="off"
              description={`${URL_HINTS[type]}${editing ? ' Leave empty to keep the stored one.' : ''}`}
              placeholder={editing ? (channel?.url ?? '') : 'https://'}
              {...form.getInputProps('url')}
            />
          ) : (
            <>
              <Group grow align="flex-start">
                <TextInput label="SMTP server" required placeholder="smtp.example.com" {...form.getInputProps('host')} />
                <TextInput label="Port" inputMode="numeric" placeholder={form.values.security === 'tls' ? '465' : '587'} {...form.getInputProps('port')} />
              </Group>
              <Select
                label="Security"
                data={[
                  { value: 'starttls', label: 'STARTTLS (required)' },
                  { value: 'tls', label: 'TLS from the start (SMTPS)' },
                  { value: 'none', label: 'None (a relay on a trusted network only)' },
                ]}
                allowDeselect={false}
                {...form.getInputProps('security')}
              />
              <Group grow align="flex-start">
                <TextInput label="User name" autoComplete="off" {...form.getInputProps('username')} />
                <PasswordInput
                  label="Password"
                  autoComplete="new-password"
                  description={
                    editing && channel?.email?.hasPassword
                      ? 'Leave empty to keep the stored one; clear the user name to sign in with none.'
                      : undefined
                  }
                  {...form.getInputProps('password')}
                />
              </Group>
              <TextInput label="From" required placeholder="orca@example.com" {...form.getInputProps('from')} />
              <TagsInput label="To" required description="Press Enter after each address." {...form.getInputProps('to')} />
            </>
          )}
          {secretHint && (
            <PasswordInput
              label={type === 'webhook' ? 'Signing secret' : type === 'gotify' ? 'Application token' : 'Access token'}
              required={type === 'gotify' && !(editing && channel?.hasSecret)}
              autoComplete="new-password"
              description={`${secretHint}${editing && channel?.hasSecret ? ' Leave empty to keep the stored one.' : ''}`}
              {...form.getInputProps('secret')}
            />
          )}
          {secretHint && editing && channel?.hasSecret && type !== 'gotify' && (
            <Checkbox
              label={type === 'webhook' ? 'Remove the stored signing secret (send unsigned)' : 'Remove the stored token'}
              disabled={Boolean(form.values.secret)}
              {...form.getInputProps('removeSecret', { type: 'checkbox' })}
            />
          )}
          <Checkbox.Group label="Events" required {...form.getInputProps('events')}>
            <Stack gap={6} mt={6}>
              {NOTIFICATION_EVENTS.map((event) => (
                <Checkbox key={event} value={event} label={EVENT_LABELS[event]} />
              ))}
            </Stack>
          </Checkbox.Group>
          <MultiSelect
            label="Applications"
            description="Only these (and the repositories below); none chosen in either: all."
            data={withGone(applications.map((a) => ({ value: a.id, label: a.name })), form.values.applicationIds, 'application')}
            searchable
            clearable
            {...form.getInputProps('applicationIds')}
          />
          <MultiSelect
            label="Repositories"
            data={withGone(repositories.map((r) => ({ value: r.id, label: r.name })), form.values.repositoryIds, 'repository')}
            searchable
            clearable
            {...form.getInputProps('repositoryIds')}
          />
          <Switch label="Enabled" {...form.getInputProps('enabled', { type: 'checkbox' })} />
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button type="submit" loading={save.isPending}>
              {editing ? 'Save' : 'Add channel'}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
