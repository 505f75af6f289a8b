import { Alert, Button, PasswordInput, Stack } from '@mantine/core';
import { useForm } from '@mantine/form';
import { IconKey } from '@tabler/icons-react';
import { Navigate, useNavigate, useSearchParams } from 'react-router';
import { queryKeys } from '../../api/queryKeys';
import { queryClient } from '../../app/queryClient';
import { notifyError, notifySuccess } from '../../components/notify';
import { AuthFrame } from './AuthFrame';
import { useChangePassword, useLogout, useProfile } from './hooks';
import { PASSWORD_RULE, passwordProblem } from './password';
import { safeNext } from './RequireAuth';

/**
 * The one page open to a user whose password an admin set: they choose their own before
 * anything else (the API answers 403 to every other request until then).
 */
export function ChangePasswordPage() {
  const profile = useProfile();
  const change = useChangePassword();
  const logout = useLogout();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const form = useForm({
    initialValues: { currentPassword: '', newPassword: '', confirm: '' },
    validate: {
      currentPassword: (v) => (v ? null : 'Enter the password you signed in with'),
      newPassword: (v, values) => passwordProblem(v) ?? (v === values.currentPassword ? 'Choose a password of your own' : null),
      confirm: (v, values) => (v === values.newPassword ? null : 'The two new passwords differ'),
    },
  });
  if (profile.data && !profile.data.mustChangePassword) {
    return <Navigate to={safeNext(params.get('next'))} replace />;
  }
  if (profile.isError) {
    return <Navigate to="/login" replace />;
  }
  return (
    <AuthFrame title="Choose a new password" subtitle={profile.data ? `Signed in as ${profile.data.email}` : undefined}>
      <Stack>
        <Alert color="yellow" icon={<IconKey />} role="note">
          An administrator set your password. Choose one only you know to go on.
        </Alert>
        <form
          noValidate
          aria-label="Choose a new password"
          onSubmit={form.onSubmit((values) =>
            change.mutate(
              { currentPassword: values.currentPassword, newPassword: values.newPassword },
              {
                onSuccess: async () => {
                  await queryClient.invalidateQueries({ queryKey: queryKeys.profile });
                  notifySuccess('Your password was changed.');
                  navigate(safeNext(params.get('next')), { replace: true });
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
            <PasswordInput label="Current password" required autoComplete="current-password" data-autofocus
              {...form.getInputProps('currentPassword')} />
            <PasswordInput label="New password" required autoComplete="new-password" description={PASSWORD_RULE}
              {...form.getInputProps('newPassword')} />
            <PasswordInput label="Confirm new password" required autoComplete="new-password" {...form.getInputProps('confirm')} />
            <Button type="submit" loading={change.isPending} fullWidth>
              Change password
            </Button>
            <Button variant="subtle" onClick={() => logout.mutate(undefined, { onSettled: () => navigate('/login', { replace: true }) })}>
              Sign out
            </Button>
          </Stack>
        </form>
      </Stack>
    </AuthFrame>
  );
}
