import { Button, Group, Modal, PasswordInput, Stack, Switch, TagsInput, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { fieldOf } from '../../api/client';
import type { OidcProvider } from '../../api/types';
import { notifyError, notifySuccess } from '../../components/notify';
import { useSaveOidcProvider } from './hooks';

/**
 * Adds or changes an OpenID provider. Orca reads the provider's discovery document at the issuer
 * before saving, so a wrong issuer is said here. The client secret is never shown again.
 */
export function OidcProviderDialog({ opened, onClose, provider }: { opened: boolean; onClose: () => void; provider?: OidcProvider }) {
  const save = useSaveOidcProvider();
  const editing = provider !== undefined;
  const form = useForm({
    initialValues: {
      name: provider?.name ?? '',
      issuer: provider?.issuer ?? '',
      clientId: provider?.clientId ?? '',
      clientSecret: '',
      scopes: provider?.scopes ?? 'openid email profile',
      allowedDomains: provider?.allowedDomains ?? [],
      allowedGroups: provider?.allowedGroups ?? [],
      adminGroups: provider?.adminGroups ?? [],
      groupsClaim: provider?.groupsClaim ?? 'groups',
      enabled: provider?.enabled ?? true,
    },
    validate: {
      name: (v) => (v.trim() ? null : 'Name the provider as people know it, for example your company'),
      issuer: (v) => (/^https?:\/\/[^\s/]+/.test(v.trim()) ? null : 'Enter the issuer URL, for example https://accounts.example.com'),
      clientId: (v) => (v.trim() ? null : 'Enter the client id the provider gave Orca'),
      clientSecret: (v) => (editing || v ? null : 'Enter the client secret the provider gave Orca'),
      scopes: (v) => (` ${v} `.includes(' openid ') ? null : 'The scopes must include openid'),
    },
  });
  const close = () => {
    form.reset();
    save.reset();
    onClose();
  };
  return (
    <Modal opened={opened} onClose={close} title={editing ? `Edit ${provider.name}` : 'Add sign-in provider'} size="lg" centered>
      <form
        noValidate
        aria-label={editing ? 'Edit sign-in provider' : 'Add sign-in provider'}
        onSubmit={form.onSubmit((values) => {
          const body = {
            name: values.name.trim(),
            issuer: values.issuer.trim(),
            clientId: values.clientId.trim(),
            scopes: values.scopes.trim(),
            allowedDomains: values.allowedDomains,
            allowedGroups: values.allowedGroups,
            adminGroups: values.adminGroups,
            groupsClaim: values.groupsClaim.trim(),
            enabled: values.enabled,
            ...(values.clientSecret ? { clientSecret: values.clientSecret } : {}),
          };
          save.mutate(
            { id: provider?.id, body },
            {
              onSuccess: (saved) => {
                notifySuccess(`People can now sign in with ${saved.name}.`);
                close();
              },
              onError: (error) => {
                const field = fieldOf(error, ['name', 'issuer', 'clientId', 'clientSecret', 'scopes', 'groupsClaim'] as const);
                if (field) form.setFieldError(field, error.message);
                else if (/^issuer/.test(error.message)) form.setFieldError('issuer', error.message);
                else notifyError('Cannot save the provider', error);
              },
            },
          );
        })}
      >
        <Stack>
          <TextInput label="Name" required data-autofocus description="Shown on the sign-in button." {...form.getInputProps('name')} />
          <TextInput label="Issuer" required placeholder="https://accounts.example.com" {...form.getInputProps('issuer')} />
          <Group grow align="flex-start">
            <TextInput label="Client id" required autoComplete="off" {...form.getInputProps('clientId')} />
            <PasswordInput
              label="Client secret"
              required={!editing}
              autoComplete="new-password"
              description={editing ? 'Leave empty to keep the stored one.' : undefined}
              {...form.getInputProps('clientSecret')}
            />
          </Group>
          <TextInput label="Scopes" {...form.getInputProps('scopes')} />
          <TagsInput
            label="Allowed email domains"
            description="People with a verified email in these domains may sign in; their account is made at first sign-in."
            placeholder="example.com"
            {...form.getInputProps('allowedDomains')}
          />
          <TagsInput
            label="Allowed groups"
            description="Or members of these groups. Without domains or groups, only people who already have an account sign in."
            {...form.getInputProps('allowedGroups')}
          />
          <Group grow align="flex-start">
            <TagsInput label="Admin groups" description="Members are admins; others users." {...form.getInputProps('adminGroups')} />
            <TextInput label="Groups claim" description="The ID token claim that lists groups." {...form.getInputProps('groupsClaim')} />
          </Group>
          <Switch label="Enabled" {...form.getInputProps('enabled', { type: 'checkbox' })} />
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button type="submit" loading={save.isPending}>
              {editing ? 'Save' : 'Add provider'}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
