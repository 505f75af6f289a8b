import { Alert, Button, PasswordInput, Stack, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { IconAlertTriangle, IconClock } from '@tabler/icons-react';
import { Navigate, useNavigate, useSearchParams } from 'react-router';
import { messageOf } from '../../components/notify';
import { AuthFrame } from './AuthFrame';
import { useLogin, useSetup } from './hooks';
import { safeNext } from './RequireAuth';

export function LoginPage() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const setup = useSetup();
  const login = useLogin();
  const form = useForm({
    initialValues: { email: '', password: '' },
    validate: {
      email: (v) => (v.trim() ? null : 'Enter your email'),
      password: (v) => (v ? null : 'Enter your password'),
    },
  });

  if (setup.data?.setupRequired) {
    return <Navigate to="/setup" replace />;
  }

  const submit = form.onSubmit((values) =>
    login.mutate(
      { email: values.email.trim(), password: values.password },
      { onSuccess: () => navigate(safeNext(params.get('next')), { replace: true }) },
    ),
  );

  return (
    <AuthFrame title="Sign in" subtitle="GitOps for Docker Compose">
      <form onSubmit={submit} noValidate aria-label="Sign in">
        <Stack>
          {params.get('expired') && !login.error && (
            <Alert color="blue" icon={<IconClock />} role="status">
              Your session has ended. Sign in again to continue.
            </Alert>
          )}
          {login.error && (
            <Alert color="red" icon={<IconAlertTriangle />} role="alert" title="Sign-in failed">
              {messageOf(login.error)}
            </Alert>
          )}
          <TextInput label="Email" type="email" autoComplete="username" required {...form.getInputProps('email')} />
          <PasswordInput label="Password" autoComplete="current-password" required {...form.getInputProps('password')} />
          <Button type="submit" loading={login.isPending} fullWidth>
            Sign in
          </Button>
        </Stack>
      </form>
    </AuthFrame>
  );
}
