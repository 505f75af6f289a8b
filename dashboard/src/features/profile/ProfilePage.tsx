import { Button, Card, Group, PasswordInput, SimpleGrid, Stack, Text, TextInput, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { fieldOf } from '../../api/client';
import type { User } from '../../api/types';
import { notifyError, notifySuccess } from '../../components/notify';
import { PageHeader } from '../../components/PageHeader';
import { QueryState } from '../../components/QueryState';
import { useChangePassword, useProfile, useUpdateProfile } from '../auth/hooks';
import { PASSWORD_RULE, passwordProblem } from '../auth/password';
import { ApiTokens } from './ApiTokens';

export function ProfilePage() {
  const profile = useProfile();
  return (
    <>
      <PageHeader title="Profile" description="Your account, your password and your API tokens." />
      <QueryState query={profile} what="your profile">
        {(user) => (
          <Stack gap="lg" maw={900}>
            <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg">
              <ProfileForm user={user} />
              <PasswordForm />
            </SimpleGrid>
            <ApiTokens />
          </Stack>
        )}
      </QueryState>
    </>
  );
}

function ProfileForm({ user }: { user: User }) {
  const update = useUpdateProfile();
  const form = useForm({
    initialValues: { name: user.name, email: user.email },
    validate: {
      name: (v) => (v.trim() ? null : 'Enter your name'),
      email: (v) => (/^[^@\s]+@[^@\s]+$/.test(v.trim()) ? null : 'Enter a valid email address'),
    },
  });
  return (
    <Card withBorder radius="md" padding="lg">
      <Title order={2} size="h4" mb="sm">
        Account
      </Title>
      <form
        noValidate
        aria-label="Account"
        onSubmit={form.onSubmit((values) =>
          update.mutate(
            { name: values.name.trim(), email: values.email.trim() },
            {
              onSuccess: (saved) => {
                form.resetDirty({ name: saved.name, email: saved.email });
                notifySuccess('Your profile was saved.');
              },
              onError: (error) => {
                const field = fieldOf(error, ['name', 'email'] as const);
                if (field) form.setFieldError(field, error.message);
                else notifyError('Cannot save your profile', error);
              },
            },
          ),
        )}
      >
        <Stack>
          <TextInput label="Name" required autoComplete="name" {...form.getInputProps('name')} />
          <TextInput label="Email" required type="email" autoComplete="email" {...form.getInputProps('email')} />
          <Text size="xs" c="dimmed">
            Role: {user.role}
          </Text>
          <Group justify="flex-end">
            <Button type="submit" loading={update.isPending} disabled={!form.isDirty()}>
              Save
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}

function PasswordForm() {
  const change = useChangePassword();
  const form = useForm({
    initialValues: { currentPassword: '', newPassword: '', confirm: '' },
    validate: {
      currentPassword: (v) => (v ? null : 'Enter your current password'),
      newPassword: passwordProblem,
      confirm: (v, values) => (v === values.newPassword ? null : 'The two new passwords differ'),
    },
  });
  return (
    <Card withBorder radius="md" padding="lg">
      <Title order={2} size="h4" mb="sm">
        Change password
      </Title>
      <form
        noValidate
        aria-label="Change password"
        onSubmit={form.onSubmit((values) =>
          change.mutate(
            { currentPassword: values.currentPassword, newPassword: values.newPassword },
            {
              onSuccess: () => {
                form.reset();
                notifySuccess('Your password was changed; your other sessions were signed out.');
              },
              onError: (error) => {
                if (/current password/i.test(error.message)) form.setFieldError('currentPassword', error.message);
                else if (/^password/.test(error.message)) form.setFieldError('newPassword', error.message);
                else notifyError('Cannot change your password', error);
              },
            },
          ),
        )}
      >
        <Stack>
          <PasswordInput label="Current password" required autoComplete="current-password" {...form.getInputProps('currentPassword')} />
          <PasswordInput
            label="New password"
            required
            description={PASSWORD_RULE}
            autoComplete="new-password"
            {...form.getInputProps('newPassword')}
          />
          <PasswordInput label="Repeat new password" required autoComplete="new-password" {...form.getInputProps('confirm')} />
          <Group justify="flex-end">
            <Button type="submit" loading={change.isPending}>
              Change password
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}
