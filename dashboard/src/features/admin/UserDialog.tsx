import { Button, Group, Modal, PasswordInput, Select, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { fieldOf } from '../../api/client';
import { ROLES, type Role, type User } from '../../api/types';
import { notifyError, notifySuccess } from '../../components/notify';
import { PASSWORD_RULE, passwordProblem } from '../auth/password';
import { useCreateUser, useUpdateUser } from './hooks';

const ROLE_OPTIONS = ROLES.map((role) => ({
  value: role,
  label: role === 'admin' ? 'Admin: manages users, agents and settings' : 'User: sees and operates applications',
}));

/**
 * Adds a user, or changes one (name, email, role, a new password). A password set here must be
 * replaced by its user at the next sign-in, and signs them out everywhere.
 */
export function UserDialog({ opened, onClose, user }: { opened: boolean; onClose: () => void; user?: User }) {
  const create = useCreateUser();
  const update = useUpdateUser();
  const editing = user !== undefined;
  const form = useForm({
    initialValues: { name: user?.name ?? '', email: user?.email ?? '', role: (user?.role ?? 'user') as Role, password: '' },
    validate: {
      name: (v) => (v.trim() ? null : 'Enter the person’s name'),
      email: (v) => (/^[^@\s]+@[^@\s]+$/.test(v.trim()) ? null : 'Enter a valid email address'),
      password: (v) => (editing && v === '' ? null : passwordProblem(v)),
    },
  });
  const close = () => {
    form.reset();
    create.reset();
    update.reset();
    onClose();
  };
  const onError = (error: Error) => {
    const field = fieldOf(error, ['name', 'email', 'password', 'role'] as const)
      ?? (/^email/.test(error.message) ? 'email' : /^password/.test(error.message) ? 'password' : undefined);
    if (field) form.setFieldError(field, error.message);
    else notifyError(editing ? 'Cannot save the user' : 'Cannot add the user', error);
  };

  return (
    <Modal opened={opened} onClose={close} title={editing ? `Edit ${user.name}` : 'Add user'} centered>
      <form
        noValidate
        aria-label={editing ? 'Edit user' : 'Add user'}
        onSubmit={form.onSubmit((values) => {
          const common = { name: values.name.trim(), email: values.email.trim(), role: values.role };
          if (editing) {
            update.mutate(
              { id: user.id, body: values.password ? { ...common, password: values.password } : common },
              {
                onSuccess: (saved) => {
                  notifySuccess(values.password ? `${saved.name} must choose a new password at the next sign-in.`
                    : `${saved.name} was saved.`);
                  close();
                },
                onError,
              },
            );
          } else {
            create.mutate({ ...common, password: values.password }, {
              onSuccess: (saved) => {
                notifySuccess(`${saved.name} can now sign in as ${saved.email}.`);
                close();
              },
              onError,
            });
          }
        })}
      >
        <Stack>
          <TextInput label="Name" required data-autofocus autoComplete="off" {...form.getInputProps('name')} />
          <TextInput label="Email" required type="email" autoComplete="off" {...form.getInputProps('email')} />
          <Select label="Role" required data={ROLE_OPTIONS} allowDeselect={false} {...form.getInputProps('role')} />
          <PasswordInput
            label={editing ? 'New password' : 'Password'}
            required={!editing}
            autoComplete="new-password"
            description={editing ? `Leave empty to keep it. ${PASSWORD_RULE}` : PASSWORD_RULE}
            {...form.getInputProps('password')}
          />
          {editing && form.values.password && (
            <Text size="xs" c="dimmed">
              {user.name} will be signed out everywhere and asked to choose a new password.
            </Text>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button type="submit" loading={create.isPending || update.isPending}>
              {editing ? 'Save' : 'Add user'}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
